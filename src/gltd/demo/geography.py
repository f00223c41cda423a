"""Illustrative geography of the Orléans demo: zones, hotspot centres, the bar, projections.

Every polygon here is **illustrative** (drawn by hand around the approximate centres of
DOMAIN.md §3), not an official boundary: the zones are stored with ``illustrative=True``
and a ``source`` saying so.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import shapely
from shapely.geometry import Polygon
from shapely.geometry.base import BaseGeometry

from gltd.geo import WGS84, analysis_crs, transformer

__all__ = [
    "DemoZone",
    "ZONES",
    "COMMUNE",
    "BAR_LE_SCORE",
    "BAR_CLOSURE_POLYGON",
    "to_metric",
    "zone_polygon",
    "commune_polygon",
    "assign_zones",
    "ZONE_SOURCE",
]

ZONE_SOURCE = "gltd demo — contour illustratif, non officiel"


@dataclass(frozen=True)
class DemoZone:
    """A demo zone: name, kind, and a rough polygon (lon, lat vertices)."""

    name: str
    kind: str
    code: str
    vertices: tuple[tuple[float, float], ...]


def _octagon(
    lon: float, lat: float, half_w: float, half_h: float
) -> tuple[tuple[float, float], ...]:
    """A rectangle with chamfered corners (clearly a sketch, not a boundary)."""
    cw, ch = half_w * 0.35, half_h * 0.35
    pts = [
        (lon - half_w + cw, lat - half_h),
        (lon + half_w - cw, lat - half_h),
        (lon + half_w, lat - half_h + ch),
        (lon + half_w, lat + half_h - ch),
        (lon + half_w - cw, lat + half_h),
        (lon - half_w + cw, lat + half_h),
        (lon - half_w, lat + half_h - ch),
        (lon - half_w, lat - half_h + ch),
    ]
    return tuple((round(a, 6), round(b, 6)) for a, b in pts)


def _rect(lon0: float, lat0: float, lon1: float, lat1: float) -> tuple[tuple[float, float], ...]:
    return ((lon0, lat0), (lon1, lat0), (lon1, lat1), (lon0, lat1))


#: Rough outline of the commune (lon, lat), illustrative.
COMMUNE: tuple[tuple[float, float], ...] = (
    (1.872, 47.918),
    (1.885, 47.933),
    (1.910, 47.937),
    (1.935, 47.931),
    (1.958, 47.921),
    (1.962, 47.902),
    (1.951, 47.893),
    (1.945, 47.870),
    (1.958, 47.846),
    (1.955, 47.822),
    (1.930, 47.815),
    (1.905, 47.823),
    (1.910, 47.850),
    (1.915, 47.870),
    (1.895, 47.885),
    (1.875, 47.895),
)

#: The quartiers of the article and two sectors of the scenario (order = zone ids).
ZONES: tuple[DemoZone, ...] = (
    DemoZone("Les Carmes", "quartier", "CARMES", _rect(1.8955, 47.8995, 1.9065, 47.9045)),
    DemoZone("La Source", "quartier", "SOURCE", _octagon(1.934, 47.833, 0.011, 0.007)),
    DemoZone("L'Argonne", "quartier", "ARGONNE", _octagon(1.933, 47.914, 0.008, 0.004)),
    #: Next to Les Carmes, to the north: where part of the market moves after the closure.
    DemoZone("Carmes Nord", "secteur", "CARMES_N", _rect(1.8955, 47.9045, 1.9065, 47.9085)),
    #: Outside the traditional quartiers: where a hotspot emerges in 2018.
    DemoZone("Secteur Est", "secteur", "EST", _octagon(1.948, 47.903, 0.0040, 0.0022)),
)

REST_NAME = "Reste de la ville"

#: The bar « Le Score » (fictional position in Les Carmes).
BAR_LE_SCORE = (1.8990, 47.9025)
#: The closure perimeter: about 80 m × 80 m around the bar.
BAR_CLOSURE_POLYGON = _rect(
    BAR_LE_SCORE[0] - 0.00054,
    BAR_LE_SCORE[1] - 0.00036,
    BAR_LE_SCORE[0] + 0.00054,
    BAR_LE_SCORE[1] + 0.00036,
)


def to_metric(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """WGS84 longitudes/latitudes to metres in the analysis CRS (the stored x/y)."""
    x, y = transformer(WGS84, analysis_crs()).transform(
        np.asarray(lon, dtype="float64"), np.asarray(lat, dtype="float64")
    )
    return np.asarray(x, dtype="float64"), np.asarray(y, dtype="float64")


def zone_polygon(zone: DemoZone) -> Polygon:
    """The zone's polygon (WGS84)."""
    return Polygon(zone.vertices)


@lru_cache(maxsize=1)
def commune_polygon() -> Polygon:
    """The commune outline (WGS84)."""
    return Polygon(COMMUNE)


def rest_polygon() -> BaseGeometry:
    """The commune minus every demo zone."""
    geom: BaseGeometry = commune_polygon()
    for z in ZONES:
        geom = geom.difference(zone_polygon(z))
    return geom


def assign_zones(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Index in :data:`ZONES` of the zone holding each point, ``len(ZONES)`` for the rest."""
    out = np.full(len(lon), len(ZONES), dtype="int64")
    for i, z in enumerate(ZONES):
        inside = shapely.contains_xy(zone_polygon(z), lon, lat)
        out[inside & (out == len(ZONES))] = i
    return out


def inside_commune(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Boolean mask of the points inside the commune outline."""
    return np.asarray(shapely.contains_xy(commune_polygon(), lon, lat), dtype=bool)


#: Metres per degree at Orléans' latitude (for drawing Gaussian clusters).
M_PER_DEG_LAT = 111_200.0
M_PER_DEG_LON = 111_320.0 * float(np.cos(np.radians(47.9)))
