"""Field-of-view polygons of cameras (circular sectors) and the coverage layer.

Convention shared with :mod:`gltd.analysis.coverage`: the heading is in degrees clockwise
from north; the field angle is the full opening; the range is in metres; a field angle of
360° (or no heading) is a dome seeing the whole disc. Polygons are built in the metric
analysis CRS (Lambert-93) and converted to WGS84 for maps.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np
from shapely.geometry import Polygon, mapping
from shapely.geometry.base import BaseGeometry
from shapely.ops import unary_union

__all__ = [
    "fov_polygon",
    "fov_polygons",
    "coverage_union",
    "fov_feature_collection",
    "covered_by_cameras",
]

#: Vertices on a full circle; a sector gets a proportional number (at least 2 arcs).
SEGMENTS = 128


def fov_polygon(
    x: float,
    y: float,
    heading_deg: float | None,
    field_angle_deg: float,
    range_m: float,
    *,
    segments: int = SEGMENTS,
) -> Polygon:
    """The field of view as a polygon: a circular sector, or a disc for a dome.

    Arc vertices lie on the circle of radius ``range_m``; between vertices the polygon
    follows the chord, so it is slightly inside the exact sector (by at most
    ``r (1 − cos(π / segments))``, 7.5 mm at 100 m with 128 segments).

    Examples
    --------
    >>> p = fov_polygon(0.0, 0.0, 0.0, 90.0, 10.0)
    >>> round(p.area, 1)  # π r² / 4 = 78.5 minus the chord slivers
    78.5
    """
    if range_m <= 0:
        raise ValueError("fov_polygon: the range must be positive")
    dome = heading_deg is None or math.isnan(heading_deg) or field_angle_deg >= 360.0
    if dome:
        theta = np.linspace(0.0, 2 * math.pi, segments, endpoint=False)
        return Polygon(np.column_stack([x + range_m * np.sin(theta), y + range_m * np.cos(theta)]))
    assert heading_deg is not None
    n_arc = max(2, math.ceil(segments * field_angle_deg / 360.0))
    half = field_angle_deg / 2.0
    theta = np.radians(np.linspace(heading_deg - half, heading_deg + half, n_arc + 1))
    arc = np.column_stack([x + range_m * np.sin(theta), y + range_m * np.cos(theta)])
    return Polygon([(x, y), *map(tuple, arc), (x, y)])


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
    cameras: Iterable[Any], *, crs: str = "EPSG:2154", segments: int = 64
) -> dict[str, Any]:
    """A GeoJSON FeatureCollection (WGS84) of the fields of view, one feature per camera.

    Properties carry the camera code and its optics (for the web map).
    """
    from pyproj import Transformer
    from shapely.ops import transform

    to_wgs = Transformer.from_crs(crs, "EPSG:4326", always_xy=True).transform
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
