"""Writing a hotspot run to a file: :func:`write_result` (whole or nothing)."""

from __future__ import annotations

import json
from pathlib import Path

from gltd.errors import InputError
from gltd.hotspots.result import HotspotResult
from gltd.hotspots.zones import ZONES_NO_TIF

__all__ = ["FORMATS", "write_result"]

FORMATS = ("geojson", "gpkg", "json", "png", "tif")


def write_result(result: HotspotResult, fmt: str, path: str | Path) -> Path:
    """Write a run as ``geojson``, ``gpkg``, ``json``, ``png`` or ``tif`` (whole or nothing)."""
    from gltd.fileio import write_atomic
    from gltd.mapping import render_png, write_geotiff, write_vector

    path = Path(path)
    if fmt not in FORMATS:
        raise InputError(f"format inconnu : « {fmt} » (attendu {', '.join(FORMATS)})")
    if result.units == "zones" and fmt == "tif":
        raise InputError(ZONES_NO_TIF)
    if fmt in ("geojson", "gpkg"):
        return write_vector(result.frame, path, fmt, layer=f"hotspots_{result.method}")
    if fmt == "tif":
        return write_geotiff(result.grid, result.raster, path, description=result.raster_label)
    if fmt == "png":
        return render_png(result.layers, path)
    text = json.dumps(result.document, ensure_ascii=False, indent=1, default=str)
    return write_atomic(path, text, parents=True)
