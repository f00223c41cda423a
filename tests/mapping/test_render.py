"""Static PNG maps stay readable: a zone's name drawn over hot cells sits on a light box."""

from __future__ import annotations

from pathlib import Path

import numpy as np


def test_zone_name_over_hot_cells_is_on_a_light_box(tmp_path: Path) -> None:
    import geopandas as gpd
    import shapely
    from PIL import Image

    from gltd.analysis.grid import make_grid
    from gltd.mapping import MapLayers, render_png

    grid = make_grid((600_000, 6_700_000, 605_000, 6_705_000), 250.0, crs="EPSG:2154")
    zones = gpd.GeoDataFrame(
        {"name": ["Quartier des Essais"]},
        geometry=[shapely.box(601_000, 6_701_000, 604_000, 6_704_000)],
        crs="EPSG:2154",
    )
    layers = MapLayers(grid=grid, title="Essai", caption="essai",
                       classes=np.full(grid.shape, 3), zones=zones)  # fmt: skip
    img = np.asarray(Image.open(render_png(layers, tmp_path / "m.png", dpi=80)).convert("RGB"))
    h, w, _ = img.shape
    # Around the zone's centre (the middle of the map), every cell is red: light pixels
    # there can only be the label's box (the red cells have a green channel near 70).
    centre = img[int(h * 0.42) : int(h * 0.52), int(w * 0.35) : int(w * 0.65)].astype("int64")
    light = centre[..., 1] > 170
    assert light.mean() > 0.03
