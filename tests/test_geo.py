"""gltd.geo: the analysis CRS from the settings, the one place that builds transformers,
the one field of view of a camera."""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pytest
from shapely.geometry import Point, shape
from typer.testing import CliRunner

from gltd.config import get_settings
from gltd.geo import fov_polygon, to_lonlat, to_metric, transformer

SRC = Path(__file__).resolve().parent.parent / "src" / "gltd"
LAT, LON = 47.903, 1.909  # Orléans city hall
UTM = "EPSG:32631"


@pytest.fixture
def utm(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """GLTD_ANALYSIS_CRS set to UTM 31N instead of Lambert-93."""
    monkeypatch.setenv("GLTD_ANALYSIS_CRS", UTM)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def _utm(lon: float, lat: float) -> tuple[float, float]:
    x, y = transformer("EPSG:4326", UTM).transform(lon, lat)
    return float(x), float(y)


def test_transformer_is_built_once_and_in_lonlat_order() -> None:
    assert transformer("EPSG:4326", "EPSG:2154") is transformer("EPSG:4326", "EPSG:2154")
    # Lambert-93's projection origin (3° E, 46.5° N) is its false easting and northing.
    x, y = to_metric(3.0, 46.5, "EPSG:2154")
    assert x == pytest.approx(700_000.0, abs=1e-3) and y == pytest.approx(6_600_000.0, abs=1e-3)
    lon, lat = to_lonlat(x, y, "EPSG:2154")
    assert lon == pytest.approx(3.0, abs=1e-9) and lat == pytest.approx(46.5, abs=1e-9)


def test_transformers_are_built_only_in_geo() -> None:
    places = sorted(
        str(p.relative_to(SRC))
        for p in SRC.rglob("*.py")
        if "Transformer.from_crs" in p.read_text(encoding="utf-8")
    )
    assert places == ["geo.py"]


def test_fov_polygon_hand_computed() -> None:
    # camera at the origin looking east (90°), 90° field, 100 m range
    s = fov_polygon(0.0, 0.0, 90.0, 90.0, 100.0)
    assert s.contains(Point(50, 0)) and s.contains(Point(60, 30))
    assert not s.contains(Point(0, 50)) and not s.contains(Point(-50, 0))
    assert not s.contains(Point(110, 0))
    # 32 chords of π/64 (128 segments on the full circle); the quarter disc is 7853.98
    assert s.area == pytest.approx(32 * 0.5 * 100**2 * math.sin(math.pi / 64))
    dome = fov_polygon(0, 0, None, 90, 100)
    assert dome.area == pytest.approx(128 * 0.5 * 100**2 * math.sin(2 * math.pi / 128))


def _incidents_csv(path: Path) -> Path:
    """A market of 240 incidents within 60 m of the city hall and 160 spread over 1.5 km,
    from January to December 2018, as longitude/latitude."""
    rng = np.random.default_rng(3)
    cx, cy = _utm(LON, LAT)
    lines = ["id;date;category;lon;lat"]
    for i in range(400):
        r, a = (rng.uniform(0, 60), rng.uniform(0, 2 * math.pi))
        if i >= 240:
            r = rng.uniform(300, 1500)
        lon, lat = transformer(UTM, "EPSG:4326").transform(
            cx + r * math.sin(a), cy + r * math.cos(a)
        )
        day = date(2018, 1, 1).toordinal() + int(i * 364 / 400)
        when = date.fromordinal(day)
        lines.append(f"E{i};{when:%d/%m/%Y};trafic_stupefiants;{lon:.7f};{lat:.7f}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_the_setting_reaches_every_path_that_projects(utm: None, tmp_path: Path) -> None:
    from gltd.cctv.inventory import CameraData, add_camera
    from gltd.cli.main import app
    from gltd.displacement import run_displacement
    from gltd.hotspots import hotspot_map, incident_extent
    from gltd.store.engine import make_engine
    from gltd.store.migrate import upgrade
    from gltd.store.queries import load_events
    from gltd.web.cache import DataCache
    from gltd.web.map_data import cameras_geojson

    url = f"sqlite:///{tmp_path / 'gltd.db'}"
    upgrade(url)
    csv = _incidents_csv(tmp_path / "faits.csv")
    r = CliRunner().invoke(app, ["import", "incidents", str(csv), "--db", url])
    assert r.exit_code == 0, r.output
    engine = make_engine(url)
    cx, cy = _utm(LON, LAT)

    # Import and load: stored x/y are UTM metres, and say so.
    ev = load_events(engine)
    assert ev.n == 400 and ev.crs == UTM
    d = np.hypot(ev.x - cx, ev.y - cy)
    assert int((d < 61).sum()) == 240 and float(d.max()) < 1501

    # Hotspots from the store: the grid is in UTM and the market's cell is hot.
    extent = incident_extent(engine)
    assert extent is not None
    hm = hotspot_map(ev.x, ev.y, extent=extent, cell=100.0)
    assert hm.grid.crs == UTM
    cell = hm.cell_at(cx, cy)
    assert cell is not None and cell.hot_cold_class >= 2

    # Camera coverage on the web map: the field of view is drawn around the camera.
    add_camera(engine, CameraData(code="CAM-01", lat=LAT, lon=LON, heading_deg=0.0,
                                  field_angle_deg=90.0, range_m=80.0))  # fmt: skip
    gj = cameras_geojson(engine, DataCache(engine))
    rings = [
        np.asarray(f["geometry"]["coordinates"][0])
        for f in gj["features"]
        if f["geometry"]["type"] == "Polygon"
    ]
    assert len(rings) == 1
    x, y = transformer("EPSG:4326", UTM).transform(rings[0][:, 0], rings[0][:, 1])
    dist = np.hypot(np.asarray(x) - cx, np.asarray(y) - cy)
    assert float(dist.max()) == pytest.approx(80.0, abs=0.01)

    # Displacement around the city hall: target and rings in UTM, the market inside.
    rep = run_displacement(
        engine,
        around=(LAT, LON),
        radius=100.0,
        rings=[100.0, 200.0],
        start="2018-07-01",
        before="6M",
        after="5M",
        store=False,
        now=datetime(2019, 1, 1).astimezone(),
    )
    assert rep.target.centroid.distance(Point(cx, cy)) < 0.01
    assert rep.ring_geoms[-1].bounds[0] == pytest.approx(cx - 300.0, abs=0.5)
    assert rep.a0 + rep.a1 == 240


def test_a_camera_intervention_is_the_relevance_studys_field_of_view(tmp_path: Path) -> None:
    """``interventions add --camera CODE`` (a displacement target) used its own sector
    (3° steps); it is now the field of view of the coverage layer and the study."""
    from gltd.cctv.fov import fov_polygons
    from gltd.cctv.inventory import CameraData, add_camera, coverage_geojson, list_cameras
    from gltd.geo import geometry_to_metric
    from gltd.interventions import add_from_options, get_intervention
    from gltd.store.engine import make_engine
    from gltd.store.migrate import upgrade

    url = f"sqlite:///{tmp_path / 'gltd.db'}"
    upgrade(url)
    engine = make_engine(url)
    add_camera(engine, CameraData(code="CAM-07", lat=LAT, lon=LON, heading_deg=35.0,
                                  field_angle_deg=70.0, range_m=90.0))  # fmt: skip
    iid = add_from_options(engine, name="Caméra mairie", kind="camera", start="2018-05-20",
                           camera="CAM-07")  # fmt: skip
    target = get_intervention(engine, iid).geometry
    (study_fov,) = fov_polygons(list_cameras(engine))
    assert study_fov.area == pytest.approx(90.0**2 * math.pi * 70 / 360, rel=1e-3)
    assert target.symmetric_difference(study_fov).area < 1e-4
    # The coverage layer (gltd cctv cameras coverage) draws the same polygon (it had 64
    # segments, half the study's).
    (feature,) = coverage_geojson(engine, on=date(2018, 6, 1))["features"]
    layer = geometry_to_metric(shape(feature["geometry"]))
    assert len(layer.exterior.coords) == len(study_fov.exterior.coords)
    assert layer.symmetric_difference(study_fov).area < 1e-4


def test_the_map_page_names_the_analysis_crs(utm: None, tmp_path: Path) -> None:
    """The caption under the web map said « Lambert-93 » whatever the setting."""
    from fastapi.testclient import TestClient

    from gltd.geo import crs_label
    from gltd.store.migrate import upgrade
    from gltd.web.app import create_app
    from web_support import login, seed, settings_for, web_settings

    assert crs_label("EPSG:2154") == "Lambert-93 (EPSG:2154)" and crs_label() == UTM
    url = f"sqlite:///{tmp_path / 'gltd.db'}"
    upgrade(url)
    seed(url)
    with TestClient(create_app(settings_for(url), web=web_settings(tmp_path))) as c:
        login(c, "ville.lecteur")
        page = c.get("/carte")
    assert page.status_code == 200
    assert f"Grilles en {UTM} ;" in page.text and "Lambert-93" not in page.text
