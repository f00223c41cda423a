"""The siting document: the proposed sites in order with their marginal coverage gain,
a map of the sites, the existing cameras' fields of view and the incidents, and the
method — printed (PDF) or shown (HTML) through :func:`gltd.documents.render_document`
(template ``siting.html``), like the relevance study.

The map needs what the stored result does not keep (the incidents' points, the cameras'
fields of view): they are read again from the database for the result's period and
categories, with the cameras in service on its last day, as :func:`run_siting` counted.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from gltd.documents import render_document
from gltd.documents.figures import figure_data_uri, pyplot
from gltd.errors import InputError
from gltd.fileio import require_folder, write_atomic

__all__ = [
    "FORMATS",
    "TEMPLATE",
    "period_days",
    "siting_context",
    "siting_map",
    "sites_table",
    "write_siting",
]

#: What ``gltd cctv siting --format`` writes (json and geojson are not documents).
FORMATS = ("json", "geojson", "pdf", "html")
TEMPLATE = "siting.html"
#: At most this many incidents are drawn on the map (a regular subsample beyond).
MAP_POINTS_MAX = 20_000


def sites_table(result: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The sites in order, each with its gain, its share of the facts not yet filmed and
    the cumulated share (the marginal coverage gain of the greedy order)."""
    avail = float(result.get("available_weight") or 0.0)
    rows, total = [], 0.0
    for s in result["sites"]:
        total += float(s["gain"])
        rows.append(
            {
                **s,
                "share": s["gain"] / avail if avail else None,
                "cumulated": total,
                "cumulated_share": total / avail if avail else None,
            }
        )
    return rows


def period_days(result: Mapping[str, Any]) -> tuple[date, date]:
    """First and last day (included) of the facts counted."""
    from gltd.timeutil import PARIS

    start, end = (datetime.fromisoformat(v) for v in result["params"]["period"])
    return start.astimezone(PARIS).date(), end.astimezone(PARIS).date() - timedelta(days=1)


def _layers(engine: Engine, result: Mapping[str, Any]) -> tuple[Any, list[Any]]:
    """The incidents of the period (and categories) and the cameras in service on its end."""
    from gltd.cctv.inventory import list_cameras
    from gltd.store.queries import load_events

    p = result["params"]
    cats = p.get("categories")
    start, end = (datetime.fromisoformat(v) for v in p["period"])
    ev = load_events(
        engine, start=start, end=end, categories=cats if isinstance(cats, list) else None
    )
    return ev, list_cameras(engine, active_on=period_days(result)[1])


def siting_map(engine: Engine, result: Mapping[str, Any]) -> str:
    """The map (a PNG data URI): the incidents (grey), the existing fields of view (blue),
    the proposed sites numbered in order with their covered disc (red), on the offline
    basemap, with a scale bar and a north arrow."""
    import numpy as np

    from gltd.basemap import draw_basemap
    from gltd.cctv.fov import fov_polygons
    from gltd.documents.figures import north_arrow, scale_bar

    plt = pyplot()
    ev, cams = _layers(engine, result)
    sites = result["sites"]
    radius = float(result["params"]["radius_m"])
    fig, ax = plt.subplots(figsize=(7.0, 6.2))
    for poly in fov_polygons(cams):
        ax.fill(*poly.exterior.xy, color="#8fb3d9", alpha=0.45, linewidth=0, zorder=2)
    x, y = np.asarray(ev.x), np.asarray(ev.y)
    if len(x) > MAP_POINTS_MAX:
        keep = np.linspace(0, len(x) - 1, MAP_POINTS_MAX).astype(int)
        x, y = x[keep], y[keep]
    ax.scatter(x, y, s=2, color="#666", alpha=0.45, linewidths=0, zorder=3)
    theta = np.linspace(0, 2 * np.pi, 73)
    for s in sites:
        ax.fill(s["x"] + radius * np.cos(theta), s["y"] + radius * np.sin(theta),
                facecolor="#c0392b", alpha=0.18, edgecolor="#c0392b", linewidth=1.2, zorder=4)  # fmt: skip
        ax.plot([s["x"]], [s["y"]], "o", color="#c0392b", markersize=3, zorder=5)
        ax.annotate(str(s["rank"]), (s["x"], s["y"]), fontsize=7, fontweight="bold",
                    xytext=(3, 3), textcoords="offset points", zorder=6,
                    bbox={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.8})  # fmt: skip
    xs = [s["x"] for s in sites] or list(x[:1]) or [0.0]
    ys = [s["y"] for s in sites] or list(y[:1]) or [0.0]
    pad = max(radius * 3, 300.0)
    x0, x1, y0, y1 = min(xs) - pad, max(xs) + pad, min(ys) - pad, max(ys) + pad
    half = max(x1 - x0, y1 - y0) / 2
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    ax.set_xlim(cx - half, cx + half)
    ax.set_ylim(cy - half, cy + half)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    draw_basemap(ax)  # under every layer; nothing without a raster basemap
    scale_bar(ax, fontsize=7)
    north_arrow(ax, fontsize=8, size=0.08)
    return figure_data_uri(fig, dpi=130)


def siting_context(engine: Engine, result: Mapping[str, Any]) -> dict[str, Any]:
    """What ``siting.html`` shows: the result, the sites with their shares, the map."""
    from gltd.taxonomy import get_taxonomy

    cats = result["params"].get("categories")
    tax = get_taxonomy()
    first, last = period_days(result)
    return {
        "r": result,
        "rows": sites_table(result),
        "first": first,
        "last": last,
        "categories": ", ".join(tax.label(c) for c in cats) if isinstance(cats, list) else "toutes",
        "map": siting_map(engine, result),
        "printed": date.today(),
    }


def write_siting(engine: Engine, result: Mapping[str, Any], fmt: str, out: str | Path) -> Path:
    """The siting document in ``fmt`` (``pdf`` or ``html``) written to ``out`` in one go."""
    if fmt not in ("pdf", "html"):
        raise InputError(f"format inconnu : « {fmt} » (attendu pdf ou html)", field="format")
    path = require_folder(out)  # before rendering a PDF for nothing
    return write_atomic(path, render_document(TEMPLATE, siting_context(engine, result), fmt))
