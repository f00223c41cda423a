"""Hotspot sentences name the place where a group of cells is, not the zone with the most
scattered cells."""

from __future__ import annotations

from typing import Any

import geopandas as gpd
from shapely.geometry import box

from gltd.report.places import around, hot_clusters
from gltd.report.synthesis import hotspot_sentence

CELL = 250.0
ZONES = gpd.GeoDataFrame(
    {"id": [1, 2], "name": ["Les Carmes", "Gare"]},
    geometry=[box(0, 0, 1000, 1000), box(3000, 0, 7000, 4000)],
    crs="EPSG:2154",
)


def _cell(i: int, j: int, zone: str, status: str = "apparu") -> dict[str, Any]:
    return {"x": CELL * i + CELL / 2, "y": CELL * j + CELL / 2, "status": status, "zone": zone}


def _cells() -> list[dict[str, Any]]:
    # Six touching cells in Les Carmes (one touches by a corner only).
    carmes = [_cell(i, j, "Les Carmes") for i, j in ((0, 0), (1, 0), (2, 0), (0, 1), (1, 1))]
    carmes.append(_cell(3, 1, "Les Carmes"))
    # Eight cells scattered across the large Gare zone, none touching another.
    gare = [_cell(12 + 2 * k, 2 + 4 * (k % 2), "Gare") for k in range(8)]
    # Four touching cells, three of them outside every zone, on the edge of Les Carmes.
    edge = [_cell(3, 5, "Les Carmes")] + [_cell(3, 6 + k, "Sans zone") for k in range(3)]
    # Three touching cells outside every zone, nearer the Gare.
    out = [_cell(10, 20 + k, "Sans zone") for k in range(3)]
    # One persistent pair in the Gare.
    kept = [_cell(20, 10, "Gare", "persistant"), _cell(21, 10, "Gare", "persistant")]
    return carmes + gare + edge + out + kept


def test_clusters_are_named_after_the_zone_holding_their_cells() -> None:
    clusters = hot_clusters(_cells(), CELL, ZONES)
    new = [c for c in clusters if c["status"] == "apparu"]
    assert [(c["n_cells"], c["where"]) for c in new if c["n_cells"] > 1] == [
        (6, "Les Carmes"),
        (4, "autour des Carmes"),
        (3, "autour de Gare"),
    ]
    assert sum(1 for c in new if c["n_cells"] == 1) == 8
    assert new[0]["share"] == 1.0 and new[1]["share"] == 0.25


def test_sentence_names_the_group_not_the_scattered_cells() -> None:
    cells = _cells()
    h = {
        "cell_m": CELL,
        "persistant": sum(c["status"] == "persistant" for c in cells),
        "apparu": sum(c["status"] == "apparu" for c in cells),
        "disparu": 0,
        "clusters": hot_clusters(cells, CELL, ZONES),
    }
    text = hotspot_sentence(h)
    assert text is not None
    assert "2 cellules persistantes — Gare (2)" in text
    assert (
        "21 apparues — Les Carmes (6), autour des Carmes (4), autour de Gare (3), 8 isolées" in text
    )
    # The zone holding the most new hot cells (8 scattered in the Gare) is not named for them.
    assert "Gare (8)" not in text and "Gare (11)" not in text


def test_around_contracts_the_article() -> None:
    assert around("Les Carmes") == "autour des Carmes"
    assert around("Le Bourg") == "autour du Bourg"
    assert around("La Source") == "autour de la Source"
    assert around("Gare") == "autour de Gare"


def test_a_remainder_zone_is_never_named_as_a_place() -> None:
    """« Reste de la ville » (the commune minus the other zones) is not a place: cells there
    are named after the nearest zone, or « ailleurs dans la commune » when none is near."""
    from shapely.geometry import Polygon

    from gltd.report.places import remainder_zones

    commune = box(-2000, -2000, 20000, 20000)
    rest = commune.difference(box(0, 0, 1000, 1000)).difference(box(3000, 0, 7000, 4000))
    zones = gpd.GeoDataFrame(
        {"id": [1, 2, 3], "name": ["Les Carmes", "Gare", "Reste de la ville"]},
        geometry=[box(0, 0, 1000, 1000), box(3000, 0, 7000, 4000), rest],
        crs="EPSG:2154",
    )
    assert remainder_zones(zones) == {"Reste de la ville"}
    assert remainder_zones(ZONES) == set()
    # A remainder drawn as a plain polygon around a hole-less zone is found too.
    ring = Polygon(commune.exterior.coords, [box(0, 0, 1000, 1000).exterior.coords])
    assert "R" in remainder_zones(
        gpd.GeoDataFrame({"name": ["Les Carmes", "R"]}, geometry=[box(0, 0, 1000, 1000), ring])
    )
    cells = [_cell(4, 0, "Reste de la ville"), _cell(5, 0, "Reste de la ville")]  # next to Carmes
    cells += [_cell(60, 60 + k, "Reste de la ville") for k in range(3)]  # far from any zone
    cells += [_cell(11, 2, "Reste de la ville"), _cell(12, 2, "Gare"), _cell(13, 2, "Gare")]
    named = {c["n_cells"]: c["where"] for c in hot_clusters(cells, CELL, zones)}
    assert named[2] == "autour des Carmes"
    assert "ailleurs dans la commune" in [c["where"] for c in hot_clusters(cells, CELL, zones)]
    assert "Gare" in [c["where"] for c in hot_clusters(cells, CELL, zones)]
    text = hotspot_sentence(
        {
            "cell_m": CELL,
            "persistant": 0,
            "apparu": len(cells),
            "disparu": 0,
            "clusters": hot_clusters(cells, CELL, zones),
        }
    )
    assert text is not None and "Reste de la ville" not in text
