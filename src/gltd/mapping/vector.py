"""Grid cells and zones as vector layers: GeoJSON (WGS84, RFC 7946) and GeoPackage."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from gltd.analysis.grid import Grid
from gltd.fileio import atomic_path

__all__ = ["cells_frame", "write_vector"]


def cells_frame(grid: Grid, ids: np.ndarray, columns: dict[str, Any]) -> Any:
    """A GeoDataFrame of square cell polygons (in ``grid.crs``) with attribute columns."""
    import geopandas as gpd
    import shapely

    b = grid.cell_bounds(ids)
    geoms = shapely.box(b[:, 0], b[:, 1], b[:, 2], b[:, 3])
    data = {"cell_id": np.asarray(ids, dtype="int64"), **columns}
    return gpd.GeoDataFrame(data, geometry=geoms, crs=grid.crs)


def write_vector(frame: Any, path: str | Path, fmt: str, *, layer: str = "hotspots") -> Path:
    """Write a GeoDataFrame as ``geojson`` (reprojected to WGS84) or ``gpkg`` (as is)."""
    path = Path(path)
    if fmt == "geojson":
        out = frame.to_crs("EPSG:4326")
        with atomic_path(path, parents=True) as tmp:
            out.to_file(tmp, driver="GeoJSON", engine="pyogrio")
    elif fmt == "gpkg":
        with atomic_path(path, parents=True) as tmp:
            frame.to_file(tmp, driver="GPKG", layer=layer, engine="pyogrio")
    else:
        raise ValueError(f"unknown vector format {fmt}")
    return path
