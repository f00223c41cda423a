"""The result of one hotspot run (:class:`HotspotOutput`) and its writer to a file."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from gltd.analysis.grid import Grid
from gltd.errors import InputError
from gltd.mapping.render import MapLayers
from gltd.services.hotspots_zones import ZONES_NO_TIF

__all__ = ["FORMATS", "HotspotOutput", "write_hotspot_output"]

FORMATS = ("geojson", "gpkg", "json", "png", "tif")


@dataclass
class HotspotOutput:
    """Result of one run, ready to be written in any format."""

    method: str
    payload: dict[str, Any]
    grid: Grid
    frame: Any  # GeoDataFrame of cells (analysis CRS)
    raster: np.ndarray
    raster_label: str
    layers: MapLayers
    extra: dict[str, Any] = field(default_factory=dict)
    #: ``"grid"`` (cells, ``payload["cells"]``) or ``"zones"`` (polygons,
    #: ``payload["zones"]``; ``grid`` is then one cell framing the zones, no raster).
    units: str = "grid"


def write_hotspot_output(out: HotspotOutput, fmt: str, path: str | Path) -> Path:
    """Write a run as ``geojson``, ``gpkg``, ``json``, ``png`` or ``tif`` (whole or nothing)."""
    from gltd.mapping import render_png, write_geotiff, write_vector
    from gltd.mapping._atomic import atomic_path

    path = Path(path)
    if fmt not in FORMATS:
        raise InputError(f"format inconnu : « {fmt} » (attendu {', '.join(FORMATS)})")
    if out.units == "zones" and fmt == "tif":
        raise InputError(ZONES_NO_TIF)
    if fmt in ("geojson", "gpkg"):
        return write_vector(out.frame, path, fmt, layer=f"hotspots_{out.method}")
    if fmt == "tif":
        return write_geotiff(out.grid, out.raster, path, description=out.raster_label)
    if fmt == "png":
        return render_png(out.layers, path)
    with atomic_path(path) as tmp:
        tmp.write_text(
            json.dumps(out.payload, ensure_ascii=False, indent=1, default=str), encoding="utf-8"
        )
    return path
