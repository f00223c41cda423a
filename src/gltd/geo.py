"""Geometry at the bottom: the analysis CRS, CRS transformers, a camera's field of view.

The analysis CRS is read from the settings (``GLTD_ANALYSIS_CRS``, Lambert-93 by default)
through :func:`analysis_crs`, its one spelling. :func:`transformer` is the one place that
builds CRS transformers (cached, always longitude/latitude order). :func:`fov_polygon` is
the one field of view of a camera, used by the coverage layer, the relevance study and
the displacement study alike.

Convention shared with :mod:`gltd.analysis.coverage`: the heading is in degrees clockwise
from north; the field angle is the full opening; the range is in metres; a field angle of
360° (or no heading) is a dome seeing the whole disc.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np

from gltd.config import get_settings

if TYPE_CHECKING:
    from pyproj import Transformer
    from shapely.geometry import Polygon

__all__ = [
    "WGS84",
    "SEGMENTS",
    "analysis_crs",
    "crs_label",
    "transformer",
    "to_metric",
    "to_lonlat",
    "geometry_to_metric",
    "geometry_to_lonlat",
    "reproject",
    "fov_polygon",
]

#: Longitude/latitude (GeoJSON, stored zone and intervention geometries).
WGS84 = "EPSG:4326"

#: Vertices on a full circle of a field of view; a sector gets a proportional number.
SEGMENTS = 128


def analysis_crs() -> str:
    """The metric CRS of the analyses and of the stored x/y (``GLTD_ANALYSIS_CRS``)."""
    return get_settings().analysis_crs


def crs_label(crs: str | None = None) -> str:
    """The CRS in words for a reader: « Lambert-93 (EPSG:2154) », else its code."""
    code = crs or analysis_crs()
    return "Lambert-93 (EPSG:2154)" if code.strip().upper() == "EPSG:2154" else code


@lru_cache(maxsize=32)
def transformer(src: Any, dst: Any) -> Transformer:
    """A cached transformer from ``src`` to ``dst`` (x = longitude/easting first)."""
    from pyproj import Transformer

    return Transformer.from_crs(src, dst, always_xy=True)


def to_metric(lon: float, lat: float, crs: str | None = None) -> tuple[float, float]:
    """WGS84 longitude/latitude to the metric CRS (default: the analysis CRS)."""
    x, y = transformer(WGS84, crs or analysis_crs()).transform(lon, lat)
    return float(x), float(y)


def to_lonlat(x: float, y: float, crs: str | None = None) -> tuple[float, float]:
    """Metric coordinates (default: the analysis CRS) to WGS84 longitude/latitude."""
    lon, lat = transformer(crs or analysis_crs(), WGS84).transform(x, y)
    return float(lon), float(lat)


def reproject(geom: Any, src: Any, dst: Any) -> Any:
    """A shapely geometry from ``src`` to ``dst``."""
    from shapely.ops import transform

    return transform(transformer(src, dst).transform, geom)


def geometry_to_metric(geom: Any, crs: str | None = None) -> Any:
    """A WGS84 shapely geometry in the metric CRS (default: the analysis CRS)."""
    return reproject(geom, WGS84, crs or analysis_crs())


def geometry_to_lonlat(geom: Any, crs: str | None = None) -> Any:
    """A shapely geometry in the metric CRS (default: the analysis CRS) in WGS84."""
    return reproject(geom, crs or analysis_crs(), WGS84)


def fov_polygon(
    x: float,
    y: float,
    heading_deg: float | None,
    field_angle_deg: float,
    range_m: float,
    *,
    segments: int = SEGMENTS,
) -> Polygon:
    """A camera's field of view as a polygon: a circular sector, or a disc for a dome.

    Arc vertices lie on the circle of radius ``range_m``; between vertices the polygon
    follows the chord, so it is slightly inside the exact sector (by at most
    ``r (1 − cos(π / segments))``, 7.5 mm at 100 m with 128 segments).

    Examples
    --------
    >>> p = fov_polygon(0.0, 0.0, 0.0, 90.0, 10.0)
    >>> round(p.area, 1)  # π r² / 4 = 78.5 minus the chord slivers
    78.5
    """
    from shapely.geometry import Polygon

    if not range_m > 0:
        raise ValueError("fov_polygon: the range must be positive")
    dome = heading_deg is None or math.isnan(heading_deg) or field_angle_deg >= 360.0
    if dome:
        theta = np.linspace(0.0, 2 * math.pi, segments, endpoint=False)
        return Polygon(np.column_stack([x + range_m * np.sin(theta), y + range_m * np.cos(theta)]))
    assert heading_deg is not None
    if not field_angle_deg > 0:
        raise ValueError("fov_polygon: the field angle must be positive")
    n_arc = max(2, math.ceil(segments * field_angle_deg / 360.0))
    half = field_angle_deg / 2.0
    theta = np.radians(np.linspace(heading_deg - half, heading_deg + half, n_arc + 1))
    arc = np.column_stack([x + range_m * np.sin(theta), y + range_m * np.cos(theta)])
    return Polygon([(x, y), *map(tuple, arc), (x, y)])
