"""The map's camera layer and the camera register follow the period and say the status."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import Engine

from gltd.web.cache import DataCache
from gltd.web.map_data import cameras_geojson
from gltd.web.periods import choose_period


def _points(gj: dict) -> dict[str, dict]:
    return {
        f["properties"]["code"]: f["properties"]
        for f in gj["features"]
        if f["properties"]["part"] == "camera"
    }


def test_map_layer_draws_only_the_cameras_in_service_during_the_period(
    camera_network: Engine,
) -> None:
    engine = camera_network
    cache = DataCache(engine)
    spring = cameras_geojson(engine, cache, choose_period("2018-04-01", "2018-06-30", None))
    assert set(_points(spring)) == {"C-OLD"} and spring["n"] == 1
    assert len(spring["features"]) == 2  # one point, one field of view
    h1 = _points(cameras_geojson(engine, cache, choose_period("2018-01-01", "2018-06-30", None)))
    assert set(h1) == {"C-OLD", "C-GONE"}
    assert h1["C-GONE"]["status"] == "retirée" and h1["C-GONE"]["removed_on"] == "2018-03-01"
    assert h1["C-OLD"]["status"] == "en service" and h1["C-OLD"]["removed_on"] is None


def test_camera_register_shows_status_and_removal_date(camera_network: Engine) -> None:
    from gltd.web.registers import LISTINGS
    from gltd.web.registers.cctv import CamerasRegister
    from gltd.web.registers.listing import iter_rows, parse_query

    engine = camera_network
    reg = CamerasRegister()
    assert {"status", "removed_on"} <= {c.key for c in reg.columns}
    spec, now = LISTINGS["cameras"], datetime.now(UTC)
    rows = {r["code"]: r for r in iter_rows(engine, spec, parse_query(spec, {}), now)}
    assert rows["C-GONE"]["status"] == "retirée"
    assert rows["C-GONE"]["removed_on"] == date(2018, 3, 1)
    assert rows["C-OLD"]["status"] == "en service"
