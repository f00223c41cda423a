"""The printable map and its export, end to end: the layers of a period from the store
(or from arrays the caller already holds), then the page or the vector file."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import Engine

from gltd.errors import InputError
from gltd.fileio import write_atomic
from gltd.mapsheet.export import VECTOR_FORMATS, write_layers
from gltd.mapsheet.layers import MapData, compute_layers, store_layers
from gltd.mapsheet.sheet import DEFAULT_TITLE, SHEET_FORMATS, render_sheet
from gltd.timeutil import Period

__all__ = ["FORMATS", "MapOutput", "map_layers", "map_from_store", "write_map", "category_text"]

FORMATS = (*SHEET_FORMATS, *VECTOR_FORMATS)


@dataclass(frozen=True)
class MapOutput:
    """What was written: the file, its format and what the map shows."""

    path: Path
    fmt: str
    layers: tuple[str, ...]
    n_events: int
    period: Period


def category_text(categories: Sequence[str]) -> str:
    """« toutes » or the French labels of the codes."""
    if not categories:
        return "toutes"
    from gltd.taxonomy import get_taxonomy

    tax = get_taxonomy()
    labels = {c.code: c.label_fr for c in tax.categories}
    return ", ".join(labels.get(c, c) for c in categories)


def map_layers(
    engine: Engine,
    x: np.ndarray,
    y: np.ndarray,
    t_ns: np.ndarray,
    *,
    extent: tuple[float, float, float, float] | None,
    period: Period,
    categories: Sequence[str],
    cell: float,
    layers: Sequence[str],
) -> MapData:
    """The layers of events already selected (the web map's in-memory incidents)."""
    data = compute_layers(x, y, t_ns, extent=extent, period=period, categories=categories,
                          cell=cell, layers=layers)  # fmt: skip
    return store_layers(engine, data)


def map_from_store(
    engine: Engine,
    *,
    period: Period,
    categories: Sequence[str],
    cell: float,
    layers: Sequence[str],
) -> MapData:
    """The layers of the period's incidents of the store."""
    from gltd.hotspots import incident_extent
    from gltd.store.queries import load_events

    ev = load_events(
        engine, start=period.start, end=period.end, categories=list(categories) or None
    )
    return map_layers(engine, ev.x, ev.y, ev.t, extent=incident_extent(engine), period=period,
                      categories=categories, cell=cell, layers=layers)  # fmt: skip


def write_map(
    data: MapData,
    out: str | Path,
    fmt: str,
    *,
    paper: str = "A4",
    title: str | None = None,
    today: date | None = None,
) -> MapOutput:
    """Write the map as ``pdf`` or ``png`` (the page) or ``geojson`` or ``gpkg`` (the grid
    layers with their method block)."""
    out = Path(out)
    if fmt in VECTOR_FORMATS:
        write_layers(data, out, fmt)
    elif fmt in SHEET_FORMATS:
        attribution, draw = _basemap()
        page = render_sheet(data, fmt, paper=paper, title=title or DEFAULT_TITLE,
                            categories=category_text(data.categories), today=today,
                            attribution=attribution, basemap=draw)  # fmt: skip
        write_atomic(out, page, parents=True)
    else:
        raise InputError(f"format inconnu : « {fmt} » (attendu : {', '.join(FORMATS)})",
                         field="format")  # fmt: skip
    return MapOutput(out, fmt, data.layers, data.n_events, data.period)


def _basemap() -> tuple[str | None, Any]:
    """The active raster basemap's attribution and a function drawing it under the map
    (:func:`gltd.basemap.draw_basemap`); ``(None, None)`` without one."""
    from gltd.basemap import active_basemap, draw_basemap

    bm = active_basemap()
    if bm is None or not bm.raster:
        return None, None

    def draw(ax: Any, extent: tuple[float, float, float, float]) -> None:
        draw_basemap(ax, basemap=bm)

    return (bm.attribution or "fond de carte local"), draw
