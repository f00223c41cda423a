"""Hotspot service on a real database (SQLite and PostgreSQL), movement between periods."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from pyproj import Transformer
from shapely.geometry import box
from sqlalchemy import select
from typer.testing import CliRunner

from gltd.analysis.events import EventSet
from gltd.analysis.movement import bearing_label_fr, centre_shift, compare_hotspots, movement
from gltd.analysis.sppt import sppt
from gltd.cli.main import app
from gltd.errors import InputError
from gltd.hotspots import run_hotspots_db
from gltd.model import AnalysisRun, Incident, Zone
from gltd.store.engine import make_engine, session_scope
from gltd.timeutil import parse_period

TO_L93 = Transformer.from_crs("EPSG:4326", "EPSG:2154", always_xy=True)
TO_WGS = Transformer.from_crs("EPSG:2154", "EPSG:4326", always_xy=True)


def _seed(url: str) -> None:
    """Two zones; spring 2018 concentrated west (Carmes-like), summer 2018 moved east."""
    rng = np.random.default_rng(11)
    cx, cy = TO_L93.transform(1.901, 47.902)
    west = box(cx - 800, cy - 600, cx, cy + 600)
    east = box(cx, cy - 600, cx + 800, cy + 600)
    rows = []
    start = datetime(2018, 3, 1, tzinfo=UTC)
    for i in range(240):
        after = i >= 120
        if i % 3 == 0:  # the concentration
            hx = cx + (400 if after else -400)
            x, y = rng.normal(hx, 60), rng.normal(cy, 60)
        else:
            x, y = rng.uniform(cx - 800, cx + 800), rng.uniform(cy - 600, cy + 600)
        lon, lat = TO_WGS.transform(x, y)
        day = start + timedelta(days=(i % 120) + (120 if after else 0), hours=12)
        rows.append((x, y, lon, lat, day))
    with session_scope(make_engine(url)) as s:
        zw = Zone(name="Ouest", kind="quartier", geometry_wkt=_wgs(west).wkt)
        ze = Zone(name="Est", kind="quartier", geometry_wkt=_wgs(east).wkt)
        s.add_all([zw, ze])
        s.flush()
        for k, (x, y, lon, lat, day) in enumerate(rows):
            s.add(
                Incident(
                    occurred_at=day,
                    category="trafic_stupefiants",
                    lon=lon,
                    lat=lat,
                    x=x,
                    y=y,
                    zone_id=zw.id if x < cx else ze.id,
                    source="test",
                    source_ref=f"r{k}",
                )
            )


def _wgs(geom):  # type: ignore[no-untyped-def]
    from shapely.ops import transform

    return transform(lambda x, y, z=None: TO_WGS.transform(x, y), geom)


SPRING = "2018-03-01..2018-06-28"
SUMMER = "2018-06-29..2018-10-26"


def test_compare_on_the_database_stores_a_run(db_url: str, tmp_path: Path) -> None:
    _seed(db_url)
    out = tmp_path / "cmp.json"
    r = CliRunner().invoke(
        app,
        ["hotspots", "--db", db_url, "--method", "compare", "--period", SUMMER,
         "--compare-to", SPRING, "--categories", "stupefiants", "--cell", "100",
         "--weights", "distance:200", "--out", str(out)],
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    data = json.loads(out.read_text())
    s = data["summary"]
    assert s["appeared"] > 0 and s["vanished"] > 0
    shifts = {d["zone"]: d for d in s["centre_shifts"]}
    assert set(shifts) == {"ensemble", "Ouest", "Est"}
    assert shifts["ensemble"]["direction_fr"] == "est"  # the concentration moved east
    assert shifts["ensemble"]["n_before"] == 120 and shifts["ensemble"]["n_after"] == 120
    assert s["sppt"]["zones"] is not None
    with make_engine(db_url).connect() as conn:
        runs = conn.execute(select(AnalysisRun.kind, AnalysisRun.params_json)).all()
    assert [k for k, _ in runs] == ["hotspots"]
    assert json.loads(runs[0][1])["name"] == "compare"


def test_empty_period_on_the_database(db_url: str) -> None:
    _seed(db_url)
    with pytest.raises(InputError, match="aucun fait sur la période du 01/01/2030"):
        run_hotspots_db(
            make_engine(db_url), method="gistar", period=parse_period("2030-01-01..2030-02-01")
        )


def test_compare_hotspots_and_centre_shift_by_hand() -> None:
    ch = compare_hotspots(np.array([3, 0, 2, 1, -3]), np.array([3, 2, 0, 0, 0]))
    assert ch.status.tolist() == ["persistant", "apparu", "disparu", "", ""]
    assert (ch.n_appeared, ch.n_vanished, ch.n_persisted) == (1, 1, 1)
    before = EventSet.from_arrays([0.0, 100.0], [0.0, 0.0], zone_id=[1, 1])
    after = EventSet.from_arrays([300.0, 300.0, 50.0], [400.0, 400.0, 0.0], zone_id=[1, 1, 2])
    s = {c.zone_id: c for c in centre_shift(before, after, [1, 2])}
    # Zone 1: (50, 0) → (300, 400): shift √(250² + 400²) = 471.70 m, bearing atan2(250, 400).
    assert s[1].distance_m == pytest.approx(np.hypot(250, 400), abs=1e-9)
    assert s[1].bearing_deg == pytest.approx(np.degrees(np.arctan2(250, 400)), abs=1e-9)
    assert s[1].direction_fr == "nord-est"
    assert np.isnan(s[2].distance_m) and s[2].direction_fr == "—"
    assert [bearing_label_fr(b) for b in (350, 10, 180, 275)] == ["nord", "nord", "sud", "ouest"]


def test_movement_sppt_is_andresens_test_on_the_cells() -> None:
    rng = np.random.default_rng(3)
    b = EventSet.from_arrays(rng.uniform(0, 2000, 300), rng.uniform(0, 2000, 300))
    a = EventSet.from_arrays(rng.uniform(0, 2000, 250), rng.uniform(0, 2000, 250))
    mv = movement(b, a, 250, seed=5)
    ref = sppt(mv.grid.locate(b.x, b.y), mv.grid.locate(a.x, a.y), mv.grid.n_cells, seed=5)
    assert mv.sppt_cells.s_index == ref.s_index
    assert mv.sppt_cells.similar.tolist() == ref.similar.tolist()
