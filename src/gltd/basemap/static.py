"""The raster basemap under a static map (matplotlib axes in a metric CRS).

:func:`draw_basemap` reads the axes' limits (in the analysis CRS, Lambert-93 by
default), picks the zoom whose pixels are about as fine as the printed map, assembles
the Web Mercator tiles that cover it, warps the mosaic onto the axes' CRS with rasterio
and draws it under every layer, with the basemap's attribution in the bottom-right
corner. Without a raster basemap it draws nothing, so a map is then unchanged.
"""

from __future__ import annotations

import io
import math
from typing import Any

import numpy as np

from gltd.basemap.files import Basemap
from gltd.basemap.registry import active_basemap
from gltd.geo import analysis_crs, transformer

__all__ = ["draw_basemap", "static_attribution", "mosaic", "MERCATOR", "BASEMAP_ZORDER"]

MERCATOR = "EPSG:3857"
#: Half the Web Mercator world's width, metres.
_HALF = 20037508.342789244
#: Drawn below everything a map draws (matplotlib draws patches at 1, lines at 2).
BASEMAP_ZORDER = -10
#: Most tiles assembled for one map (a zoom is dropped until the mosaic fits).
MAX_TILES = 256


def _tile_range(lo: float, hi: float, z: int, *, flip: bool) -> tuple[int, int]:
    n = 1 << z
    size = 2 * _HALF / n
    a = int(math.floor((lo + _HALF) / size))
    b = int(math.floor((hi + _HALF) / size - 1e-9))
    if flip:  # rows count from the north
        a, b = n - 1 - b, n - 1 - a
    return max(0, a), min(n - 1, b)


def _zoom_for(bm: Basemap, width_m: float, pixels: int) -> int:
    """The coarsest zoom whose tile pixels are at most the map's pixel size."""
    res = width_m / max(pixels, 1)
    z = math.ceil(math.log2(2 * _HALF / 256 / max(res, 1e-6)))
    return int(min(max(z, bm.minzoom), bm.maxzoom))


def mosaic(
    bm: Basemap, bounds_3857: tuple[float, float, float, float], *, pixels: int = 1600
) -> tuple[np.ndarray, tuple[float, float, float, float]] | None:
    """The tiles covering ``bounds_3857`` as one RGBA array (uint8) and its 3857 extent.

    Returns None when no stored tile covers the area.
    """
    from PIL import Image

    x0, y0, x1, y1 = bounds_3857
    z = _zoom_for(bm, x1 - x0, pixels)
    while True:
        cx = _tile_range(x0, x1, z, flip=False)
        cy = _tile_range(y0, y1, z, flip=True)
        count = (cx[1] - cx[0] + 1) * (cy[1] - cy[0] + 1)
        if count <= MAX_TILES or z <= bm.minzoom:
            break
        z -= 1
    nx, ny = cx[1] - cx[0] + 1, cy[1] - cy[0] + 1
    if nx <= 0 or ny <= 0:
        return None
    out = np.zeros((ny * 256, nx * 256, 4), dtype=np.uint8)
    found = False
    for j, ty in enumerate(range(cy[0], cy[1] + 1)):
        for i, tx in enumerate(range(cx[0], cx[1] + 1)):
            data = bm.tile(z, tx, ty)
            if not data:
                continue
            try:
                img = Image.open(io.BytesIO(data)).convert("RGBA")
            except OSError:
                continue  # a damaged tile stays blank
            if img.size != (256, 256):
                img = img.resize((256, 256))
            out[j * 256 : (j + 1) * 256, i * 256 : (i + 1) * 256] = np.asarray(img)
            found = True
    if not found:
        return None
    size = 2 * _HALF / (1 << z)
    left = -_HALF + cx[0] * size
    top = _HALF - cy[0] * size
    return out, (left, top - ny * size, left + nx * size, top)


def _warp(
    rgba: np.ndarray,
    src_extent: tuple[float, float, float, float],
    dst_extent: tuple[float, float, float, float],
    crs: str,
    width: int,
) -> np.ndarray:
    """The Web Mercator mosaic resampled onto a north-up grid of ``dst_extent`` in ``crs``."""
    from rasterio.crs import CRS
    from rasterio.transform import from_bounds
    from rasterio.warp import Resampling, reproject

    ny_src, nx_src = rgba.shape[:2]
    src_t = from_bounds(*src_extent, width=nx_src, height=ny_src)
    x0, y0, x1, y1 = dst_extent
    height = max(1, round(width * (y1 - y0) / max(x1 - x0, 1e-9)))
    dst_t = from_bounds(x0, y0, x1, y1, width=width, height=height)
    dst = np.zeros((4, height, width), dtype=np.uint8)
    reproject(
        source=np.moveaxis(rgba, 2, 0),
        destination=dst,
        src_transform=src_t,
        src_crs=CRS.from_user_input(MERCATOR),
        dst_transform=dst_t,
        dst_crs=CRS.from_user_input(crs),
        resampling=Resampling.bilinear,
        src_nodata=None,
        num_threads=2,
    )
    return np.moveaxis(dst, 0, 2)


def static_attribution() -> str | None:
    """The attribution of the basemap the static maps draw (the active raster one), or
    None: for a document's sources line."""
    bm = active_basemap()
    if bm is None or not bm.raster:
        return None
    return bm.attribution or bm.name


def draw_basemap(
    ax: Any,
    *,
    crs: str | None = None,
    basemap: Basemap | None = None,
    pixels: int | None = None,
    attribution: bool = True,
    attribution_below: bool = False,
) -> Basemap | None:
    """Draw the raster basemap under the layers of ``ax`` (limits in ``crs``); return it.

    Call it once the axes' limits are set. ``basemap`` defaults to the active one
    (:func:`gltd.basemap.active_basemap`); a vector basemap, or none, draws nothing and
    returns None. The limits are left as they were. ``pixels`` (the width of the drawn
    mosaic) defaults to the axes' width at 200 dpi. The attribution is written in the
    bottom-right corner of the map, or just under it (``attribution_below``, for a map
    whose legend fills its bottom).
    """
    bm = basemap if basemap is not None else active_basemap()
    if bm is None or not bm.raster:
        return None
    crs = crs or analysis_crs()
    if pixels is None:
        width_in = ax.get_position().width * ax.figure.get_figwidth()
        pixels = int(min(1800, max(400, width_in * 200)))
    xlim, ylim = ax.get_xlim(), ax.get_ylim()
    x0, x1 = sorted(xlim)
    y0, y1 = sorted(ylim)
    to_merc = transformer(crs, MERCATOR)
    xs = np.array([x0, x1, x0, x1, (x0 + x1) / 2, (x0 + x1) / 2, x0, x1])
    ys = np.array([y0, y0, y1, y1, y0, y1, (y0 + y1) / 2, (y0 + y1) / 2])
    mx, my = to_merc.transform(xs, ys)
    if not (np.isfinite(mx).all() and np.isfinite(my).all()):
        return None
    got = mosaic(bm, (float(mx.min()), float(my.min()), float(mx.max()), float(my.max())),
                 pixels=pixels)  # fmt: skip
    if got is None:
        return None
    rgba, src_extent = got
    img = _warp(rgba, src_extent, (x0, y0, x1, y1), crs, pixels)
    aspect = ax.get_aspect()
    ax.imshow(img, extent=(x0, x1, y0, y1), origin="upper", interpolation="bilinear",
              zorder=BASEMAP_ZORDER)  # fmt: skip
    ax.set_aspect(aspect)
    ax.set_xlim(xlim)
    ax.set_ylim(ylim)
    if attribution and bm.attribution:
        ax.text(
            0.995 if not attribution_below else 1.0,
            0.005 if not attribution_below else -0.004,
            bm.attribution,
            transform=ax.transAxes,
            ha="right",
            va="bottom" if not attribution_below else "top",
            fontsize=5.5,
            color="#333333",
            zorder=20,
            bbox={"boxstyle": "square,pad=0.2", "fc": "white", "ec": "none", "alpha": 0.7},
        )
    return bm
