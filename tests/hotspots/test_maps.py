"""One hotspot map: the web map, the bilan and the relevance study get the same cells, the
same classes and the same labels for the same data (they used to run three pipelines on
three different grids)."""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from pyproj import Transformer
from sqlalchemy import insert

from gltd.analysis.gistar import CLASS_LABELS_FR
from gltd.cctv.study import relevance_study
from gltd.hotspots import hotspot_map, incident_extent
from gltd.model import Incident, Zone
from gltd.report.hotspots import hotspot_layers
from gltd.store.engine import make_engine, session_scope
from gltd.timeutil import add_years, make_period
from gltd.web.cache import DataCache
from gltd.web.map_data import hotspots_geojson
from gltd.web.periods import PeriodChoice

PARIS = ZoneInfo("Europe/Paris")
TO_L93 = Transformer.from_crs("EPSG:4326", "EPSG:2154", always_xy=True)
TO_WGS = Transformer.from_crs("EPSG:2154", "EPSG:4326", always_xy=True)
CITY = "POLYGON((1.87 47.87, 1.95 47.87, 1.95 47.93, 1.87 47.93, 1.87 47.87))"
AS_OF = date(2018, 9, 24)
PERIOD = make_period(date(2018, 3, 24), date(2018, 9, 23))
COMPARE = make_period(date(2017, 3, 24), date(2017, 9, 23))
DRUGS = ["trafic_stupefiants"]


def _populate(url: str) -> object:
    """Drug trafficking in two markets (one moves between the years) over a city whose
    burglaries spread further: the extent of every incident is wider than the drugs'."""
    engine = make_engine(url)
    with session_scope(engine) as s:
        s.add(Zone(name="Ville (test)", kind="commune", geometry_wkt=CITY))
    rng = np.random.default_rng(7)
    xmin, ymin = TO_L93.transform(1.872, 47.872)
    xmax, ymax = TO_L93.transform(1.948, 47.928)
    ax, ay = TO_L93.transform(1.900, 47.900)
    bx, by = TO_L93.transform(1.915, 47.905)
    t0 = datetime(2016, 9, 24, tzinfo=PARIS).timestamp()
    t1 = datetime(2018, 9, 23, 23, tzinfo=PARIS).timestamp()
    rows = []

    def add(x: np.ndarray, y: np.ndarray, t: np.ndarray, cat: str) -> None:
        for xi, yi, ti in zip(x, y, t, strict=True):
            rows.append(
                {
                    "occurred_at": datetime.fromtimestamp(float(ti), tz=PARIS),
                    "category": cat,
                    "x": float(xi),
                    "y": float(yi),
                    "source": "test",
                    "source_ref": str(len(rows)),
                    "date_only": False,
                }
            )

    n = 900
    add(
        rng.uniform(xmin, xmax, n),
        rng.uniform(ymin, ymax, n),
        rng.uniform(t0, t1, n),
        "cambriolages",
    )
    drug_x0, drug_x1 = ax - 1500, bx + 1500
    drug_y0, drug_y1 = ay - 1200, by + 1200
    add(rng.uniform(drug_x0, drug_x1, 500), rng.uniform(drug_y0, drug_y1, 500),
        rng.uniform(t0, t1, 500), "trafic_stupefiants")  # fmt: skip
    add(ax + rng.normal(0, 120, 160), ay + rng.normal(0, 120, 160),
        rng.uniform(t0, t1, 160), "trafic_stupefiants")  # fmt: skip
    late = datetime(2018, 1, 1, tzinfo=PARIS).timestamp()
    add(bx + rng.normal(0, 100, 90), by + rng.normal(0, 100, 90),
        rng.uniform(late, t1, 90), "trafic_stupefiants")  # fmt: skip
    with engine.begin() as conn:
        conn.execute(insert(Incident), rows)
    return engine


def _key(x: float, y: float, cell: float) -> tuple[int, int]:
    return (math.floor(x / cell), math.floor(y / cell))


def _web_cells(engine: object, period: object, cats: list[str], cell: float) -> dict:
    """Cells of the web map layer: (col, row) → (class, count, label), from its GeoJSON."""
    choice = PeriodChoice(period=period, reference=period, compare="previous-period")  # type: ignore[arg-type]
    gj = hotspots_geojson(DataCache(engine), choice, cats, cell, 3 * cell if cell < 200 else None)  # type: ignore[arg-type]
    out = {}
    for f in gj["features"]:
        ring = np.asarray(f["geometry"]["coordinates"][0][:4])
        x, y = TO_L93.transform(ring[:, 0], ring[:, 1])
        p = f["properties"]
        out[_key(float(np.mean(x)), float(np.mean(y)), cell)] = (p["class"], p["n"], p["label"])
    return out


def test_web_map_and_bilan_draw_the_same_cells(db_url: str) -> None:
    engine = _populate(db_url)
    bilan = hotspot_layers(engine, PERIOD, COMPARE, DRUGS, cell=250.0)["summary"]
    web_now = _web_cells(engine, PERIOD, DRUGS, 250.0)
    web_ref = _web_cells(engine, COMPARE, DRUGS, 250.0)
    hot_now = {k: v for k, v in web_now.items() if v[0] >= 2}
    hot_ref = {k: v for k, v in web_ref.items() if v[0] >= 2}
    assert hot_now and hot_ref and set(hot_now) != set(hot_ref)  # the market moved
    cells = {_key(c["x"], c["y"], 250.0): c for c in bilan["cells"]}
    assert {k for k, c in cells.items() if c["status"] in ("persistant", "apparu")} == set(hot_now)
    assert {k for k, c in cells.items() if c["status"] in ("persistant", "disparu")} == set(hot_ref)
    for k, c in cells.items():
        if k in hot_now:
            assert c["count"] == hot_now[k][1]
        if k in hot_ref:
            assert c["count_ref"] == hot_ref[k][1]
    assert bilan["crs"] == "EPSG:2154"
    assert "Poisson" not in str(bilan["method"])


def test_web_map_and_relevance_study_give_the_same_class(sqlite_url: str) -> None:
    engine = _populate(sqlite_url)
    last_year = make_period(add_years(AS_OF, -1), AS_OF - timedelta(days=1))
    web = _web_cells(engine, last_year, [], 100.0)
    hot = {k: v for k, v in web.items() if v[0] >= 2}
    assert hot
    hottest = max(hot, key=lambda k: hot[k][1])
    cold_or_none = next(
        (k[0] + dx, k[1]) for k in hot for dx in range(5, 40) if (k[0] + dx, k[1]) not in web
    )
    for key in (hottest, cold_or_none):
        x, y = (key[0] + 0.5) * 100.0, (key[1] + 0.5) * 100.0
        lon, lat = TO_WGS.transform(x, y)
        res = relevance_study(engine, lat=lat, lon=lon, radius=30.0, as_of=AS_OF, store=False)
        h = res["hotspot"]
        assert h["available"], h
        want_class, _, want_label = web.get(key, (0, 0, CLASS_LABELS_FR[0]))
        assert (h["class"], h["label"]) == (want_class, want_label)
        assert h["n_hot_cells_city"] == sum(1 for v in web.values() if v[0] > 0)


def test_one_spelling_of_the_class_labels(sqlite_url: str) -> None:
    engine = _populate(sqlite_url)
    web = _web_cells(engine, PERIOD, DRUGS, 250.0)
    assert {label for _, _, label in web.values()} <= set(CLASS_LABELS_FR.values())
    assert CLASS_LABELS_FR[2] == "point chaud 95 %"


def test_hotspot_map_says_why_there_is_no_statistic() -> None:
    extent = (600_000.0, 6_700_000.0, 602_000.0, 6_702_000.0)
    empty = hotspot_map(np.array([]), np.array([]), extent=extent, cell=250.0)
    assert empty.note == "aucun fait sur la période" and not empty.significant()
    assert empty.grid.bounds[0] <= extent[0] and empty.grid.crs == "EPSG:2154"
    with pytest.raises(Exception, match="grille trop fine"):
        hotspot_map([601_000.0], [6_701_000.0], extent=extent, cell=1.0, max_cells=1000)


def test_incident_extent_is_the_extent_of_every_located_incident(sqlite_url: str) -> None:
    engine = _populate(sqlite_url)
    cube = DataCache(engine).cube()  # type: ignore[arg-type]
    assert incident_extent(engine) == pytest.approx(cube.extent())  # type: ignore[arg-type]
