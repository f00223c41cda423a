"""Where the hot cells of the bilan are: clusters of adjacent cells and the place each
one sits in.

A *cluster* is a set of hot cells of one status (persistant, apparu, disparu) that touch,
sides or corners (8-connectivity). It is named after the zone holding most of its cells
when that zone holds more than half of them; otherwise it is said to be « autour de » the
zone holding most of them, or, when none of its cells is in a zone, the zone nearest to
its centre. A sentence then names the clusters, largest first — never the zone that
merely holds the most scattered cells.

A *remainder* zone (« Reste de la ville »: the commune minus the other zones, found by its
geometry — its outline encloses other zones) is not a place: a sentence never names it. Its
cells count as outside every zone, so a cluster there is named after the nearest real zone
(« autour de Secteur Est ») or, further than :data:`NEAR_M`, « ailleurs dans la commune ».
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np
from scipy import ndimage

__all__ = ["hot_clusters", "around", "remainder_zones", "NO_ZONE", "ELSEWHERE", "NEAR_M"]

NO_ZONE = "Sans zone"
#: How a place outside every named zone is said.
ELSEWHERE = "ailleurs dans la commune"
#: A cluster outside every zone is « autour de » the nearest zone within this distance (m).
NEAR_M = 1500.0


def remainder_zones(zones: Any) -> set[str]:
    """Names of the zones whose outline (holes filled) encloses another zone's centre: the
    « rest of the city » kind of zone, which is a remainder, not a place."""
    if zones is None or len(zones) < 2:
        return set()
    import shapely

    geoms = list(zones.geometry)
    names = [str(n) for n in zones["name"]]
    points = [g.representative_point() for g in geoms]
    out: set[str] = set()
    for i, g in enumerate(geoms):
        parts = getattr(g, "geoms", [g])
        filled = shapely.union_all([shapely.Polygon(p.exterior) for p in parts])
        if any(j != i and filled.contains(points[j]) for j in range(len(geoms))):
            out.add(names[i])
    return out


def around(zone: str) -> str:
    """« autour de la Gare », « autour des Carmes », « autour du Bourg »."""
    for article, contracted in (("Les ", "des "), ("Le ", "du ")):
        if zone.startswith(article):
            return f"autour {contracted}{zone[len(article) :]}"
    if zone.startswith("La ") or zone.startswith("L'"):
        return f"autour de {zone[0].lower()}{zone[1:]}"
    return f"autour de {zone}"


def _nearest_zone(zones: Any, x: float, y: float, skip: set[str]) -> str | None:
    """The nearest zone not in ``skip`` within :data:`NEAR_M` of (x, y), if any."""
    if zones is None or len(zones) == 0:
        return None
    import shapely

    keep = ~zones["name"].astype(str).isin(skip)
    if not keep.any():
        return None
    sub = zones[keep]
    d = shapely.distance(sub.geometry.to_numpy(), shapely.Point(x, y))
    k = int(np.argmin(d))
    return str(sub["name"].iloc[k]) if float(d[k]) <= NEAR_M else None


def hot_clusters(
    cells: Sequence[dict[str, Any]], cell: float, zones: Any = None
) -> list[dict[str, Any]]:
    """Clusters of adjacent hot cells of the same status, largest first.

    Parameters
    ----------
    cells : dicts with ``x``, ``y`` (cell centres), ``status`` and ``zone`` (its name)
    cell : float
        Cell side, metres.
    zones : GeoDataFrame, optional
        Zones in the cells' CRS (for the nearest zone of a cluster outside every zone).

    Returns
    -------
    list of dict
        ``status``, ``n_cells``, ``zone`` (the zone holding most of its cells, or the
        nearest), ``share`` (of its cells in that zone), ``where`` (the zone, or
        « autour de … »), ``x``, ``y`` (centre).
    """
    out: list[dict[str, Any]] = []
    rest = remainder_zones(zones)
    for status in ("persistant", "apparu", "disparu"):
        mine = [c for c in cells if c["status"] == status]
        if not mine:
            continue
        ix = np.array([math.floor(float(c["x"]) / cell) for c in mine], dtype="int64")
        iy = np.array([math.floor(float(c["y"]) / cell) for c in mine], dtype="int64")
        ix -= ix.min()
        iy -= iy.min()
        grid = np.zeros((iy.max() + 1, ix.max() + 1), dtype=bool)
        grid[iy, ix] = True
        labels, n = ndimage.label(grid, structure=np.ones((3, 3), dtype=bool))
        lab = labels[iy, ix]
        for k in range(1, n + 1):
            members = [mine[i] for i in np.flatnonzero(lab == k)]
            x = float(np.mean([c["x"] for c in members]))
            y = float(np.mean([c["y"] for c in members]))
            named = Counter(
                str(c["zone"]) for c in members if c["zone"] != NO_ZONE and c["zone"] not in rest
            )
            if named:
                zone, held = named.most_common(1)[0]
                share = held / len(members)
                where = zone if share > 0.5 else around(zone)
            else:
                nearest = _nearest_zone(zones, x, y, rest)
                zone, share = (nearest or NO_ZONE), 0.0
                where = around(nearest) if nearest else ELSEWHERE
            out.append(
                {
                    "status": status,
                    "n_cells": len(members),
                    "zone": zone,
                    "share": round(share, 3),
                    "where": where,
                    "x": round(x, 1),
                    "y": round(y, 1),
                }
            )
    out.sort(key=lambda c: (-int(c["n_cells"]), str(c["status"]), str(c["where"])))
    return out
