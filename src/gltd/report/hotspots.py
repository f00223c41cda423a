"""Hotspots of the bilan: cells hot in the period, in the comparison period, or both.

Incidents of the chosen categories are counted on a square grid (``cell`` metres, origin
snapped to a multiple of the cell so both periods share the cells). A cell is *hot* when
its Getis-Ord Gi* z-score is significant at 95 % after the Benjamini–Hochberg correction
(distance band ``2 × cell``; :func:`gltd.analysis.gistar.gi_star_grid`, Getis & Ord 1992,
Ord & Getis 1995). Without that module the bilan falls back to a Poisson threshold (a cell
is hot when its count exceeds the 99.9 % quantile of a Poisson law whose mean is the mean
count of the non-empty cells) and says so in its ``method`` block.

Statuses: *persistant* (hot in both periods), *apparu* (hot now only), *disparu* (hot
before only).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import shapely
from scipy import stats
from sqlalchemy import Engine

from gltd.errors import GltdError
from gltd.store.queries import load_events, load_zones
from gltd.taxonomy import get_taxonomy
from gltd.timeutil import Period

__all__ = ["hotspot_layers", "STATUS_LABELS"]

STATUS_LABELS = {
    "persistant": "persistant",
    "apparu": "apparu",
    "disparu": "disparu",
}


def _grid(bounds: tuple[float, float, float, float], cell: float) -> tuple[float, float, int, int]:
    x0 = math.floor(bounds[0] / cell) * cell - cell
    y0 = math.floor(bounds[1] / cell) * cell - cell
    nx = int(math.ceil((bounds[2] - x0) / cell)) + 1
    ny = int(math.ceil((bounds[3] - y0) / cell)) + 1
    return x0, y0, nx, ny


def _count(
    x: np.ndarray, y: np.ndarray, x0: float, y0: float, nx: int, ny: int, cell: float
) -> np.ndarray:
    col = np.floor((x - x0) / cell).astype("int64")
    row = np.floor((y - y0) / cell).astype("int64")
    ok = (col >= 0) & (col < nx) & (row >= 0) & (row < ny)
    counts = np.bincount(row[ok] * nx + col[ok], minlength=nx * ny)
    return counts.reshape(ny, nx).astype("float64")


def _hot(counts: np.ndarray, cell: float) -> tuple[np.ndarray, dict[str, Any]]:
    """Boolean mask of hot cells, and the method used."""
    if counts.sum() == 0:
        return np.zeros(counts.shape, dtype=bool), {"test": "aucun fait"}
    gi: Any = None
    try:
        from gltd.analysis.gistar import gi_star_grid as gi
    except ImportError:  # pragma: no cover - depends on the hotspots module
        gi = None
    if gi is not None:
        res = gi(counts, cell, distance=2 * cell, alpha_fdr=True)
        hot = (np.asarray(res.hot_cold_class) >= 2) & (counts > 0)
        return hot, {
            "test": "Getis-Ord Gi* (Getis & Ord 1992)",
            "distance_m": 2 * cell,
            "correction": "Benjamini-Hochberg (FDR)",
            "seuil": "classe chaude à 95 % ou plus, cellule non vide",
        }
    mean = float(counts[counts > 0].mean())
    threshold = float(stats.poisson.ppf(0.999, mean))
    return counts > threshold, {
        "test": "seuil de Poisson (repli : module Gi* absent)",
        "seuil": f"quantile 99,9 % d'une loi de Poisson de moyenne {mean:.2f}",
    }


def _service_cells(
    engine: Engine, period: Period, compare: Period, categories: Sequence[str], cell: float
) -> tuple[list[tuple[float, float, str, int, int]], dict[str, Any]] | None:
    """Hot cells from :func:`gltd.hotspots.hotspot_map_data`, or None without it."""
    try:
        from gltd.hotspots import hotspot_map_data
    except ImportError:  # pragma: no cover - depends on the hotspots service
        return None
    from pyproj import Transformer
    from shapely.geometry import shape

    data = hotspot_map_data(engine, period, list(categories), cell, compare_to=compare)
    comparison = data.get("comparison") or {}
    tr = Transformer.from_crs("EPSG:4326", "EPSG:2154", always_xy=True)
    out: list[tuple[float, float, str, int, int]] = []
    for status in ("persistant", "apparu", "disparu"):
        for feat in comparison.get(status, {}).get("features", []):
            c = shape(feat["geometry"]).centroid
            x, y = tr.transform(c.x, c.y)
            props = feat.get("properties", {})
            out.append(
                (
                    float(x),
                    float(y),
                    status,
                    int(props.get("count") or 0),
                    int(props.get("count_before") or 0),
                )
            )
    method = dict(comparison.get("method", {}))
    gi = method.get("gi_star", {})
    return out, {
        "test": "Getis-Ord Gi* (Getis & Ord 1992), service gltd.hotspots",
        "distance_m": float(gi.get("weights", {}).get("distance_m", 2 * cell)),
        "correction": "Benjamini-Hochberg (FDR)"
        if gi.get("correction") == "fdr_bh"
        else str(gi.get("correction", "")),
        "seuil": str(method.get("hotspot_threshold", "classe Gi* ≥ 2 (95 %)")),
        "service_method": method,
    }


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
    if zone_ids is not None:
        keep = set(zone_ids)
        now = now.subset(np.isin(now.zone_id, list(keep)))
        ref = ref.subset(np.isin(ref.zone_id, list(keep)))
    if len(zones):
        bounds = tuple(float(v) for v in zones.total_bounds)
    elif now.n + ref.n:
        xs = np.concatenate([now.x, ref.x])
        ys = np.concatenate([now.y, ref.y])
        bounds = (float(xs.min()), float(ys.min()), float(xs.max()), float(ys.max()))
    else:
        bounds = (0.0, 0.0, cell, cell)
    x0, y0, nx, ny = _grid(bounds, cell)  # type: ignore[arg-type]
    c_now = _count(now.x, now.y, x0, y0, nx, ny, cell)
    c_ref = _count(ref.x, ref.y, x0, y0, nx, ny, cell)
    found = None
    try:
        found = _service_cells(engine, period, compare, categories, cell)
    except GltdError:
        found = None
    if found is not None:
        raw, method = found
        source = "gltd.hotspots.hotspot_map_data"
    else:
        hot_now, method = _hot(c_now, cell)
        hot_ref, _ = _hot(c_ref, cell)
        status = np.full(c_now.shape, "", dtype=object)
        status[hot_now & hot_ref] = "persistant"
        status[hot_now & ~hot_ref] = "apparu"
        status[~hot_now & hot_ref] = "disparu"
        rows, cols = np.nonzero(status != "")
        raw = [
            (
                float(x0 + (c + 0.5) * cell),
                float(y0 + (r + 0.5) * cell),
                str(status[r, c]),
                int(c_now[r, c]),
                int(c_ref[r, c]),
            )
            for r, c in zip(rows, cols, strict=True)
        ]
        source = "gltd.report.hotspots (repli)"
    cx = np.array([c[0] for c in raw], dtype="float64")
    cy = np.array([c[1] for c in raw], dtype="float64")
    zone_names = np.full(len(cx), "Sans zone", dtype=object)
    zone_of = np.full(len(cx), -1, dtype="int64")
    for _, z in zones.iterrows():
        inside = shapely.contains_xy(z.geometry, cx, cy) & (zone_of == -1)
        zone_names[inside] = z["name"]
        zone_of[inside] = int(z["id"])
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
        "crs": "EPSG:2154",
        "n_events": int(now.n),
        "n_events_ref": int(ref.n),
        "persistant": sum(1 for c in cells if c["status"] == "persistant"),
        "apparu": sum(1 for c in cells if c["status"] == "apparu"),
        "disparu": sum(1 for c in cells if c["status"] == "disparu"),
        "by_zone": [
            {"zone": k, **v}
            for k, v in sorted(by_zone.items(), key=lambda kv: order.get(kv[0], len(order)))
        ],
        "cells": cells,
        "method": {**method, "cell_m": cell, "source": source},
    }
    layers = {
        "x0": x0,
        "y0": y0,
        "nx": nx,
        "ny": ny,
        "cell": cell,
        "counts": c_now,
        "hot_cells": cells,
        "zones": zones,
    }
    return {"summary": summary, "layers": layers}
