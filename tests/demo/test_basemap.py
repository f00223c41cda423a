"""The demo's illustrative basemap: a valid raster MBTiles of the demo's own geography,
labelled illustrative, whose zones show under a static map where the zones are."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from gltd.basemap import draw_basemap, open_basemap
from gltd.demo.basemap import ATTRIBUTION, write_demo_basemap
from gltd.demo.geography import ZONES
from gltd.documents.figures import figure_png, pyplot
from gltd.geo import to_metric


@pytest.fixture(scope="module")
def demo_basemap(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_demo_basemap(tmp_path_factory.mktemp("demo") / "fond.mbtiles", zooms=(12, 13, 14))


def test_it_is_a_raster_mbtiles_labelled_illustrative(demo_basemap: Path) -> None:
    bm = open_basemap(demo_basemap)
    assert (bm.kind, bm.format, bm.minzoom, bm.maxzoom) == ("mbtiles", "png", 12, 14)
    assert "illustratif" in bm.attribution and bm.attribution == ATTRIBUTION
    assert "illustratif" in bm.name
    w, s, e, n = bm.bounds
    for zone in ZONES:  # the area covers every demo zone
        assert all(w < lon < e and s < lat < n for lon, lat in zone.vertices)
    assert bm.n_tiles > 50


def test_the_zones_are_drawn_where_they_are(demo_basemap: Path) -> None:
    bm = open_basemap(demo_basemap)
    carmes = ZONES[0]
    lon = sum(v[0] for v in carmes.vertices) / 4
    lat = (carmes.vertices[0][1] + carmes.vertices[2][1]) / 2
    x, y = to_metric(lon, lat - 0.0015)  # inside the zone, below its label
    plt = pyplot()
    fig = plt.figure(figsize=(3, 3), dpi=100)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(x - 3000, x + 3000)
    ax.set_ylim(y - 3000, y + 3000)
    ax.set_axis_off()
    assert draw_basemap(ax, basemap=bm, attribution=False) is bm
    img = np.asarray(Image.open(io.BytesIO(figure_png(fig, dpi=100, tight=False))).convert("RGB"))
    h, w_ = img.shape[:2]
    centre = img[h // 2 - 2 : h // 2 + 3, w_ // 2 - 2 : w_ // 2 + 3].reshape(-1, 3).astype(int)
    zone_fill = np.array([238, 226, 208])
    assert (np.abs(centre - zone_fill).sum(axis=1) < 20).any()  # the zone's tint
    corner = img[5, 5].astype(int)  # outside the commune, 3 km west and north
    assert np.abs(corner - zone_fill).sum() > 20
