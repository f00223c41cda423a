"""Fields of view of cameras and the coverage layer.

The field of view itself is :func:`gltd.geo.fov_polygon` (re-exported here): one polygon
for the coverage layer, the relevance study, the web map and the displacement study.
Polygons are built in the metric analysis CRS and converted to WGS84 for maps.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
from shapely.geometry import Polygon, mapping
from shapely.geometry.base import BaseGeometry
from shapely.ops import unary_union

from gltd.geo import SEGMENTS, WGS84, analysis_crs, fov_polygon, transformer

__all__ = [
    "SEGMENTS",
    "fov_polygon",
    "fov_polygons",
    "coverage_union",
    "fov_feature_collection",
    "covered_by_cameras",
]


def fov_polygons(cameras: Iterable[Any], *, segments: int = SEGMENTS) -> list[Polygon]:
    """Polygons for objects with ``x, y, heading_deg, field_angle_deg, range_m``."""
    return [
        fov_polygon(
            c.x, c.y, c.heading_deg, c.field_angle_deg, c.range_m, segments=segments
        )  # fmt: skip
        for c in cameras
    ]


def coverage_union(polygons: Iterable[BaseGeometry]) -> BaseGeometry:
    """The coverage layer: union of the fields of view."""
    return unary_union(list(polygons))


def fov_feature_collection(
    cameras: Iterable[Any], *, crs: str | None = None, segments: int = SEGMENTS
) -> dict[str, Any]:
    """A GeoJSON FeatureCollection (WGS84) of the fields of view, one feature per camera.

    Properties carry the camera code and its optics (for the web map).
    """
    from shapely.ops import transform

    to_wgs = transformer(crs or analysis_crs(), WGS84).transform
    features = []
    for c in cameras:
        poly = transform(
            to_wgs,
            fov_polygon(c.x, c.y, c.heading_deg, c.field_angle_deg, c.range_m, segments=segments),
        )
        features.append(
            {
                "type": "Feature",
                "geometry": mapping(poly),
                "properties": {
                    "code": c.code,
                    "heading_deg": c.heading_deg,
                    "field_angle_deg": c.field_angle_deg,
                    "range_m": c.range_m,
                    "hd": bool(getattr(c, "hd", False)),
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


def covered_by_cameras(x: np.ndarray, y: np.ndarray, cameras: Iterable[Any]) -> np.ndarray:
    """Which points (metric CRS) lie in the field of view of at least one camera.

    ``cameras`` are objects with ``x, y, heading_deg, field_angle_deg, range_m`` (e.g.
    :class:`~gltd.cctv.inventory.CameraRecord`); the exact sector test is
    :func:`gltd.analysis.coverage.coverage_matrix`. No camera or no point: all false.
    """
    from gltd.analysis.coverage import coverage_matrix

    cams = list(cameras)
    px, py = np.asarray(x, dtype="float64"), np.asarray(y, dtype="float64")
    if not cams or not len(px):
        return np.zeros(len(px), dtype=bool)
    return np.asarray(
        coverage_matrix(
            px,
            py,
            np.array([c.x for c in cams], dtype="float64"),
            np.array([c.y for c in cams], dtype="float64"),
            range_m=np.array([c.range_m for c in cams], dtype="float64"),
            heading_deg=np.array(
                [np.nan if c.heading_deg is None else c.heading_deg for c in cams],
                dtype="float64",
            ),
            field_angle_deg=np.array([c.field_angle_deg for c in cams], dtype="float64"),
        ).covered,
        dtype=bool,
    )
