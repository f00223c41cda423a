"""gltd.store.zones: the one module that reads zones (frame, by name, by point)."""

from __future__ import annotations

import numpy as np
import pytest
from shapely.geometry import Polygon, box

from gltd.errors import GltdError, InputError
from gltd.geo import geometry_to_lonlat, geometry_to_metric, to_metric
from gltd.model import Zone
from gltd.store.engine import make_engine, session_scope
from gltd.store.zones import (
    city_extent,
    list_zones,
    load_zones,
    locate_points,
    resolve_zone_ids,
    zone_by_name,
    zone_ids_by_point,
)

X0, Y0 = (round(v, -3) for v in to_metric(1.909, 47.903))  # a kilometre corner in Orléans

# Hand-built zones (metres from the corner): a large district, a small square inside it
# (overlapping), and a neighbour sharing the district's eastern edge.
DISTRICT = box(0, 0, 1000, 1000)
SQUARE = box(400, 400, 600, 600)
NEIGHBOUR = box(1000, 0, 1500, 1000)


def _shift(p: Polygon) -> Polygon:
    from shapely.affinity import translate

    return translate(p, X0, Y0)


@pytest.fixture
def engine(db_url: str):  # type: ignore[no-untyped-def]
    eng = make_engine(db_url)
    with session_scope(eng) as s:
        for name, kind, poly in (("Quartier Nord", "quartier", DISTRICT),
                                 ("Place", "secteur", SQUARE),
                                 ("Voisin", "perimetre", NEIGHBOUR)):  # fmt: skip
            s.add(Zone(name=name, kind=kind, geometry_wkt=geometry_to_lonlat(_shift(poly)).wkt))
    return eng


def test_locate_points_known_values() -> None:
    import geopandas as gpd

    zones = gpd.GeoDataFrame({"id": [1, 2, 3]}, geometry=[DISTRICT, SQUARE, NEIGHBOUR])
    x = np.array([100.0, 500.0, 1200.0, 2000.0, 1000.0, np.nan, 400.0])
    y = np.array([100.0, 500.0, 500.0, 500.0, 200.0, 10.0, 400.0])
    # district; the small square inside it; the neighbour; outside; on the shared edge
    # (both zones: the smaller, the neighbour); no coordinate; the square's corner
    assert locate_points(zones, x, y).tolist() == [1, 2, 3, -1, 3, -1, 2]
    assert locate_points(zones.iloc[:0], x, y).tolist() == [-1] * 7


def test_zone_ids_by_point_from_the_store(engine) -> None:  # type: ignore[no-untyped-def]
    ids = {z.name: z.id for z in list_zones(engine)}
    x = X0 + np.array([100.0, 500.0, 1200.0, 2000.0])
    y = Y0 + np.array([100.0, 500.0, 500.0, 500.0])
    got = zone_ids_by_point(engine, x, y)
    assert got.tolist() == [ids["Quartier Nord"], ids["Place"], ids["Voisin"], -1]


def test_load_list_and_find_zones(engine) -> None:  # type: ignore[no-untyped-def]
    assert [z.name for z in list_zones(engine)] == ["Place", "Quartier Nord", "Voisin"]
    assert [z.name for z in list_zones(engine, order_by="id")] == [
        "Quartier Nord", "Place", "Voisin"]  # fmt: skip
    metric = load_zones(engine)
    assert metric.geometry.iloc[0].area == pytest.approx(1e6, rel=1e-6)
    lonlat = load_zones(engine, crs="EPSG:4326")
    assert lonlat.geometry.iloc[0].bounds[0] == pytest.approx(1.9, abs=0.05)
    assert list(load_zones(engine, exclude_kinds=["perimetre"])["name"]) == [
        "Quartier Nord", "Place"]  # fmt: skip
    assert list(load_zones(engine, kinds=["secteur"])["name"]) == ["Place"]

    geom, zid = zone_by_name(engine, "  place ")
    assert geom.area == pytest.approx(4e4, rel=1e-6)
    assert zone_by_name(engine, str(zid))[1] == zid
    with pytest.raises(InputError, match=r"zone inconnue : « Sud » .*Place, Quartier Nord"):
        zone_by_name(engine, "Sud")
    assert resolve_zone_ids(engine, ["Voisin", zid]) == [max(z.id for z in list_zones(engine)), zid]
    with pytest.raises(GltdError, match="zone inconnue"):
        resolve_zone_ids(engine, ["Sud"])

    extent = city_extent(engine)
    assert extent is not None
    city = geometry_to_metric(extent)  # the union, back in metres: the outer box
    assert city.symmetric_difference(_shift(box(0, 0, 1500, 1000))).area < 1e-3


def test_no_zone(db_url: str) -> None:
    eng = make_engine(db_url)
    assert city_extent(eng) is None and list_zones(eng) == []
    assert zone_ids_by_point(eng, np.array([X0]), np.array([Y0])).tolist() == [-1]
