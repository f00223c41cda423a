"""Hotspots of the bilan: cells hot in the period, in the comparison period, or both.

Both periods are mapped by :func:`gltd.hotspots.maps.hotspot_map` — the map the web and
the relevance study draw too — on the same grid (``cell`` metres, laid on the extent of
every located incident of the store). A cell is *hot* when its Getis-Ord Gi* class is 95 %
or more after the Benjamini–Hochberg correction (distance band ``2 × cell``; Getis & Ord
1992, Ord & Getis 1995).

Statuses: *persistant* (hot in both periods), *apparu* (hot now only), *disparu* (hot
before only).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from sqlalchemy import Engine

from gltd.hotspots import HOT_MIN_CLASS, HotspotMap, hotspot_map, incident_extent
from gltd.report.places import hot_clusters
from gltd.store.queries import load_events
from gltd.store.zones import load_zones, locate_points
from gltd.taxonomy import get_taxonomy
from gltd.timeutil import Period

__all__ = ["hotspot_layers", "STATUS_LABELS"]

STATUS_LABELS = {
    "persistant": "persistant",
    "apparu": "apparu",
    "disparu": "disparu",
}


def _statuses(now: HotspotMap, ref: HotspotMap) -> list[tuple[float, float, str, int, int]]:
    """Hot cells of either period: centre, status, count now, count in the comparison."""
    hot_now = now.classes >= HOT_MIN_CLASS
    hot_ref = ref.classes >= HOT_MIN_CLASS
    status = np.full(now.grid.shape, "", dtype=object)
    status[hot_now & hot_ref] = "persistant"
    status[hot_now & ~hot_ref] = "apparu"
    status[~hot_now & hot_ref] = "disparu"
    xc, yc = now.grid.centres()
    rows, cols = np.nonzero(status != "")
    return [
        (
            float(xc[r, c]),
            float(yc[r, c]),
            str(status[r, c]),
            int(now.counts[r, c]),
            int(ref.counts[r, c]),
        )
        for r, c in zip(rows, cols, strict=True)
    ]


def hotspot_layers(
    engine: Engine,
    period: Period,
    compare: Period,
    categories: Sequence[str],
    *,
    zone_ids: Sequence[int] | None = None,
    cell: float = 250.0,
) -> dict[str, Any]:
    """Hot cells of both periods, their statuses, and the layers of the static map.

    Returns
    -------
    dict
        ``summary`` (JSON-ready: counts by status and by zone, the hot cells, the method)
        and ``layers`` (arrays for the map: grid, counts, zones, statuses).
    """
    zones = load_zones(engine)
    now = load_events(engine, start=period.start, end=period.end, categories=list(categories))
    ref = load_events(engine, start=compare.start, end=compare.end, categories=list(categories))
    extent = incident_extent(engine) or (0.0, 0.0, cell, cell)
    map_now = hotspot_map(now.x, now.y, extent=extent, cell=cell)
    map_ref = hotspot_map(ref.x, ref.y, extent=extent, cell=cell)
    raw = _statuses(map_now, map_ref)
    method = {
        "test": "Getis-Ord Gi* (Getis & Ord 1992)",
        "distance_m": float(map_now.method["distance_m"]),
        "correction": "Benjamini-Hochberg (FDR)",
        "seuil": "classe Gi* ≥ 2 (95 %)",
        "gi_star": map_now.method,
        "gi_star_ref": map_ref.method,
    }
    source = "gltd.hotspots.maps.hotspot_map"
    grid = map_now.grid
    # Gi* compares each cell with the whole study area; a bilan restricted to some zones
    # shows and counts only their events and cells.
    shown_now, shown_ref = now, ref
    if zone_ids is not None:
        keep = list(set(zone_ids))
        shown_now = now.subset(np.isin(now.zone_id, keep))
        shown_ref = ref.subset(np.isin(ref.zone_id, keep))
    ids = grid.locate(shown_now.x, shown_now.y)
    counts_now = np.bincount(ids[ids >= 0], minlength=grid.n_cells).reshape(grid.shape)
    cx = np.array([c[0] for c in raw], dtype="float64")
    cy = np.array([c[1] for c in raw], dtype="float64")
    zone_of = locate_points(zones, cx, cy)
    name_of = dict(zip(zones["id"].astype(int), zones["name"], strict=True))
    zone_names = np.array([name_of.get(int(z), "Sans zone") for z in zone_of], dtype=object)
    cells = [
        {
            "x": round(raw[i][0], 1),
            "y": round(raw[i][1], 1),
            "status": raw[i][2],
            "count": raw[i][3],
            "count_ref": raw[i][4],
            "zone": str(zone_names[i]),
        }
        for i in range(len(raw))
        if zone_ids is None or int(zone_of[i]) in set(zone_ids)
    ]
    by_zone: dict[str, dict[str, int]] = {}
    for c in cells:
        z = by_zone.setdefault(str(c["zone"]), {"persistant": 0, "apparu": 0, "disparu": 0})
        z[str(c["status"])] += 1
    order = {str(n): i for i, n in enumerate(zones["name"])} if len(zones) else {}
    tax = get_taxonomy()
    summary = {
        "categories": list(categories),
        "category_labels": [tax.label(c) for c in categories],
        "cell_m": cell,
        "crs": grid.crs,
        "n_events": int(shown_now.n),
        "n_events_ref": int(shown_ref.n),
        "persistant": sum(1 for c in cells if c["status"] == "persistant"),
        "apparu": sum(1 for c in cells if c["status"] == "apparu"),
        "disparu": sum(1 for c in cells if c["status"] == "disparu"),
        "by_zone": [
            {"zone": k, **v}
            for k, v in sorted(by_zone.items(), key=lambda kv: order.get(kv[0], len(order)))
        ],
        "cells": cells,
        "clusters": hot_clusters(cells, cell, zones),
        "method": {**method, "cell_m": cell, "source": source},
    }
    layers = {
        "x0": grid.x0,
        "y0": grid.y0,
        "nx": grid.nx,
        "ny": grid.ny,
        "cell": cell,
        "counts": counts_now.astype("float64"),
        "hot_cells": cells,
        "zones": zones,
    }
    return {"summary": summary, "layers": layers}
