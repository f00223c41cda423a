"""Near-repeat on the store (SQLite and PostgreSQL): stored runs, alerts, CLI outputs."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from pyproj import Transformer
from sqlalchemy import select
from typer.testing import CliRunner

from gltd.cli.main import app
from gltd.model import AnalysisRun, Incident
from gltd.near_repeat import (
    NearRepeatParams,
    alerts_geojson,
    near_repeat_alerts,
    run_from_db,
)
from gltd.store.engine import make_engine, session_scope
from gltd.timeutil import parse_period

PARIS = ZoneInfo("Europe/Paris")
CHICAGO = Path(__file__).resolve().parent.parent / "data" / "near_repeat" / "chicago_be_month1.csv"
NOW = datetime(2018, 6, 30, 12, 0, tzinfo=PARIS)
TO_WGS = Transformer.from_crs("EPSG:2154", "EPSG:4326", always_xy=True)


def _incident(ref: str, x: float, y: float, when: datetime, cat: str) -> Incident:
    lon, lat = TO_WGS.transform(x, y)
    return Incident(
        occurred_at=when,
        category=cat,
        x=x,
        y=y,
        lon=lon,
        lat=lat,
        date_only=False,
        source="test",
        source_ref=ref,
    )


def _seed_db(url: str) -> None:
    """60 burglaries in April–June 2018 over 3 km, 20 of them followed one day later by
    another 20 m away (a near-repeat signal), plus 3 recent events and one old drug case."""
    rng = np.random.default_rng(2018)
    start = datetime(2018, 4, 1, 9, 0, tzinfo=PARIS)
    rows = []
    for k in range(60):
        x, y = 618000 + rng.uniform(0, 3000), 6752000 + rng.uniform(0, 3000)
        when = start + timedelta(days=float(rng.uniform(0, 75)))
        rows.append(_incident(f"b{k}", x, y, when, "cambriolage_logement"))
        if k < 20:
            rows.append(
                _incident(f"r{k}", x + 20, y, when + timedelta(days=1), "cambriolage_logement")
            )
    rows.append(_incident("new1", 619000, 6753000, NOW - timedelta(days=2), "cambriolage_logement"))
    rows.append(_incident("new2", 619500, 6753500, NOW - timedelta(days=5), "cambriolage_logement"))
    rows.append(_incident("old", 619500, 6753500, NOW - timedelta(days=9), "cambriolage_logement"))
    rows.append(_incident("drug", 619100, 6753100, NOW - timedelta(days=1), "trafic_stupefiants"))
    with session_scope(make_engine(url)) as s:
        s.add_all(rows)


PARAMS = NearRepeatParams(
    distance_edges=(0, 0.1, 50, 200), time_edges=(0, 3, 7, 14), permutations=199, seed=5
)


def test_run_from_db_is_stored_and_drives_alerts(db_url: str) -> None:
    _seed_db(db_url)
    engine = make_engine(db_url)
    stored = run_from_db(
        engine,
        PARAMS,
        period=parse_period("2018-04-01..2018-06-20"),
        categories=["cambriolage_logement"],
        created_by="test",
    )
    r = stored.result
    assert r.n == 80
    assert r.observed[1, 0] >= 20  # the 20 planted pairs are in [0.1, 50) m × [0, 3) days
    assert r.significant[1, 0] and r.p_value[1, 0] == pytest.approx(1 / 200)
    with engine.connect() as conn:
        row = conn.execute(select(AnalysisRun).where(AnalysisRun.id == stored.run_id)).one()
    assert row.kind == "near_repeat" and row.category == "cambriolage_logement"
    saved = json.loads(row.result_json)
    assert saved["parameters"]["seed"] == 5
    assert [c["observed"] for c in saved["cells"]] == r.observed.ravel().tolist()

    report = near_repeat_alerts(engine, since=timedelta(days=7), now=NOW)
    assert report.recent_events == 3
    assert report.without_run == {"trafic_stupefiants": 1}
    assert len(report.alerts) == 2
    sig = [(c["distance_to"], c["time_to"]) for c in saved["cells"] if c["significant"]]
    radius = max(d for d, _ in sig)
    window = max(t for _, t in sig)
    first = report.alerts[0]  # most recent first
    assert first.occurred_at.startswith("2018-06-28")
    assert first.radius_m == radius and first.window == window
    assert first.run_id == stored.run_id
    until = (NOW - timedelta(days=2) + timedelta(days=window)).isoformat(timespec="minutes")
    assert first.until == until and first.active == (window > 2)

    gj = alerts_geojson(report)
    assert gj["type"] == "FeatureCollection" and len(gj["features"]) == 2
    f = gj["features"][0]
    assert f["geometry"]["type"] == "Polygon"
    lon, lat = np.array(f["geometry"]["coordinates"][0]).T
    assert 1.8 < lon.min() < lon.max() < 2.0 and 47.8 < lat.min() < lat.max() < 48.0
    # places only: no identity nor case reference leaves gltd
    assert set(f["properties"]) == {
        "categorie",
        "date_fait",
        "lon",
        "lat",
        "rayon_m",
        "fenetre",
        "unite",
        "jusqu_au",
        "actif",
        "distance",
        "analyse_id",
        "analyse_du",
        "detail",
    }


def test_latest_run_of_the_category_wins(db_url: str) -> None:
    _seed_db(db_url)
    engine = make_engine(db_url)
    period = parse_period("2018-04-01..2018-06-20")
    run_from_db(engine, PARAMS, period=period, categories=["cambriolage_logement"])
    # a later run where nothing can be significant (2 permutations: p ≥ 1/3)
    late = NearRepeatParams(distance_edges=(0, 50), time_edges=(0, 3), permutations=2, seed=1)
    latest = run_from_db(engine, late, period=period, categories=["cambriolage_logement"])
    report = near_repeat_alerts(engine, since=timedelta(days=7), now=NOW)
    assert report.alerts == []
    assert report.without_raised_risk == {"cambriolage_logement": 2}
    with engine.connect() as conn:
        ids = conn.execute(select(AnalysisRun.id).where(AnalysisRun.kind == "near_repeat")).all()
    assert max(i for (i,) in ids) == latest.run_id


def test_cli_on_the_store_and_alerts(db_url: str, tmp_path: Path) -> None:
    _seed_db(db_url)
    runner = CliRunner()
    out = tmp_path / "nr.json"
    res = runner.invoke(
        app,
        [
            "near-repeat",
            "--db",
            db_url,
            "--period",
            "2018-04-01..2018-06-20",
            "--categories",
            "cambriolage_logement",
            "--distance-bands",
            "0,0.1,50,200",
            "--time-bands",
            "0,3,7,14",
            "--permutations",
            "99",
            "--seed",
            "3",
            "--format",
            "json",
            "--out",
            str(out),
        ],
    )
    assert res.exit_code == 0, res.output
    data = json.loads(out.read_text())
    assert data["n"] == 80 and data["parameters"]["seed"] == 3
    assert data["method"]["p_value"].startswith("(nombre de comptes permutés")
    gj = tmp_path / "alertes.geojson"
    since = (datetime.now(PARIS) - NOW).days + 7
    res = runner.invoke(
        app,
        [
            "near-repeat",
            "alerts",
            "--db",
            db_url,
            "--since",
            f"{since}d",
            "--format",
            "geojson",
            "--out",
            str(gj),
        ],
    )
    assert res.exit_code == 0, res.output
    assert len(json.loads(gj.read_text())["features"]) == 2
    res = runner.invoke(app, ["near-repeat", "alerts", "--db", db_url, "--since", f"{since}d"])
    assert res.exit_code == 0, res.output
    assert "2 alerte(s)" in res.output and "risque accru dans un rayon de" in res.output


def test_cli_file_formats(tmp_path: Path) -> None:
    runner = CliRunner()
    base = [
        "near-repeat",
        str(CHICAGO),
        "--distance-bands",
        "0,0.1,200,400,600",
        "--time-bands",
        "0,7,14,21",
        "--metric",
        "manhattan",
        "--permutations",
        "99",
        "--seed",
        "1",
    ]
    res = runner.invoke(app, [*base, "--format", "csv"])
    assert res.exit_code == 0, res.output
    lines = res.stdout.strip().splitlines()
    assert lines[0].startswith("distance_band,distance_from,distance_to,time_band")
    assert lines[1].startswith('"[0, 0.1) m",0.0,0.1,"[0, 7) j",0.0,7.0,28,')
    html = tmp_path / "nr.html"
    res = runner.invoke(
        app,
        [
            *base,
            "--nrc",
            "--distance-bands",
            "0,100,200,300",
            "--format",
            "html",
            "--out",
            str(html),
        ],
    )
    assert res.exit_code == 0, res.output
    page = html.read_text()
    assert "Même lieu" in page and "Plus de 300\u00a0m" in page and 'class="p' in page
    assert "http" not in page.split("<body>")[0]  # nothing loaded from the internet
