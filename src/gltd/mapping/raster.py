"""A grid surface (KDE, counts, z-scores) as a single-band GeoTIFF."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from gltd.analysis.grid import Grid
from gltd.fileio import atomic_path

__all__ = ["write_geotiff"]


def write_geotiff(
    grid: Grid, values: np.ndarray, path: str | Path, *, description: str = ""
) -> Path:
    """Write ``values`` (``(ny, nx)``, row 0 = south) as a north-up float32 GeoTIFF."""
    import rasterio
    from affine import Affine

    path = Path(path)
    arr = np.flipud(np.asarray(values, dtype="float32"))
    transform = Affine(grid.cell, 0.0, grid.x0, 0.0, -grid.cell, grid.y0 + grid.ny * grid.cell)
    with atomic_path(path, parents=True) as tmp:
        with rasterio.open(
            tmp,
            "w",
            driver="GTiff",
            height=grid.ny,
            width=grid.nx,
            count=1,
            dtype="float32",
            crs=grid.crs,
            transform=transform,
            nodata=np.nan,
            compress="deflate",
        ) as dst:
            dst.write(arr, 1)
            if description:
                dst.set_band_description(1, description)
    return path
