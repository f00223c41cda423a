"""Where the hot cells of the bilan are: clusters of adjacent cells and the place each
one sits in.

A *cluster* is a set of hot cells of one status (persistant, apparu, disparu) that touch,
sides or corners (8-connectivity). It is named after the zone holding most of its cells
when that zone holds more than half of them; otherwise it is said to be « autour de » the
zone holding most of them, or, when none of its cells is in a zone, the zone nearest to
its centre. A sentence then names the clusters, largest first — never the zone that
merely holds the most scattered cells.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np
from scipy import ndimage

__all__ = ["hot_clusters", "around", "NO_ZONE"]

NO_ZONE = "Sans zone"


def around(zone: str) -> str:
    """« autour de la Gare », « autour des Carmes », « autour du Bourg »."""
    for article, contracted in (("Les ", "des "), ("Le ", "du ")):
        if zone.startswith(article):
            return f"autour {contracted}{zone[len(article) :]}"
    if zone.startswith("La ") or zone.startswith("L'"):
        return f"autour de {zone[0].lower()}{zone[1:]}"
    return f"autour de {zone}"


def _nearest_zone(zones: Any, x: float, y: float) -> str | None:
    if zones is None or len(zones) == 0:
        return None
    import shapely

    d = shapely.distance(zones.geometry.to_numpy(), shapely.Point(x, y))
    return str(zones["name"].iloc[int(np.argmin(d))])


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
            named = Counter(str(c["zone"]) for c in members if c["zone"] != NO_ZONE)
            if named:
                zone, held = named.most_common(1)[0]
                share = held / len(members)
                where = zone if share > 0.5 else around(zone)
            else:
                nearest = _nearest_zone(zones, x, y)
                zone, share = (nearest or NO_ZONE), 0.0
                where = around(nearest) if nearest else "hors des zones"
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
