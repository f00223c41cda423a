"""The printable map: one page, A4 or A3 landscape, as PDF (the one document renderer,
:func:`gltd.documents.render_document`) or PNG: title, period, layers, the map with its
zone names, scale bar and north arrow, the legend, the numerical scale, the basemap's
attribution when there is one, the date and the sources."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from gltd.documents import render_document
from gltd.documents.figures import png_data_uri
from gltd.documents.fmt import fr_date, fr_int
from gltd.errors import InputError
from gltd.geo import crs_label
from gltd.mapsheet.draw import draw_map, draw_scale
from gltd.mapsheet.layers import MapData
from gltd.mapsheet.legend import LegendBlock, layer_names, legend_blocks

__all__ = ["PAPERS", "SHEET_FORMATS", "DEFAULT_TITLE", "Sheet", "render_sheet", "scale_text"]

#: Paper sizes in millimetres, landscape (width, height).
PAPERS = {"A4": (297.0, 210.0), "A3": (420.0, 297.0)}
SHEET_FORMATS = ("pdf", "png")
DEFAULT_TITLE = "Carte du GLTD"
TEMPLATE = "map_sheet.html"
MARGIN = 10.0
#: Millimetres left free on the page so that rounding never pushes the footer over.
SLACK = 4.0


@dataclass(frozen=True)
class Sheet:
    """The page's geometry in millimetres for one paper size."""

    paper: str
    width: float
    height: float
    header: float
    footer: float
    legend: float

    @property
    def map_size(self) -> tuple[float, float]:
        """Width and height of the map."""
        w = self.width - 2 * MARGIN - self.legend - 5
        h = self.height - 2 * MARGIN - self.header - self.footer - SLACK
        return w, h


def sheet_for(paper: str) -> Sheet:
    """The layout of ``paper`` (A4 or A3, landscape)."""
    key = paper.strip().upper()
    if key not in PAPERS:
        raise InputError(
            f"format de papier inconnu : « {paper} » (attendu : {', '.join(PAPERS)})",
            field="paper",
        )
    w, h = PAPERS[key]
    big = key == "A3"
    return Sheet(key, w, h, header=24.0 if big else 21.0, footer=13.0 if big else 12.0,
                 legend=85.0 if big else 70.0)  # fmt: skip


def scale_text(scale: float) -> str:
    """« 1:25 000 » (rounded to two significant figures)."""
    from math import floor, log10

    mag = 10 ** max(floor(log10(max(scale, 1.0))) - 1, 0)
    return f"1:{fr_int(round(scale / mag) * mag)}"


def _lines(data: MapData, categories: str) -> list[str]:
    return [
        f"Période : {data.period.label()}",
        f"Couches : {layer_names(data)}",
        f"Catégories : {categories}",
    ]


def _sources(data: MapData, attribution: str | None) -> str:
    parts = [
        f"faits enregistrés dans gltd ({fr_int(data.n_events)} faits localisés sur la période)"
    ]
    if data.zones is not None:
        parts.append("zones du référentiel")
    if data.cameras is not None:
        parts.append("registre des caméras")
    if data.interventions is not None:
        parts.append("interventions enregistrées")
    text = "Sources : " + ", ".join(parts) + "."
    if data.grid is not None:
        text += f" Grille de {fr_int(data.cell)} m en {crs_label(data.grid.crs)}."
    if data.hotspots is not None:
        text += " Points chauds : Getis-Ord Gi*, correction FDR de Benjamini-Hochberg."
    if data.emerging is not None:
        text += " Émergents : Gi* espace-temps et tendance de Mann-Kendall."
    if attribution:
        text += f" Fond de carte : {attribution}."
    return text


def render_sheet(
    data: MapData,
    fmt: str,
    *,
    paper: str = "A4",
    title: str = DEFAULT_TITLE,
    categories: str = "toutes",
    today: date | None = None,
    attribution: str | None = None,
    basemap: Callable[[Any, tuple[float, float, float, float]], None] | None = None,
) -> bytes:
    """The page as PDF or PNG bytes."""
    if fmt not in SHEET_FORMATS:
        raise InputError(f"format inconnu : « {fmt} » (attendu : {', '.join(SHEET_FORMATS)})")
    sheet = sheet_for(paper)
    today = today or date.today()
    blocks: list[LegendBlock] = legend_blocks(data)
    lines = _lines(data, categories)
    mw, mh = sheet.map_size
    footer = f"Carte éditée le {fr_date(today)} avec gltd. {_sources(data, attribution)}"
    if fmt == "png":
        page = {
            "size_mm": (sheet.width, sheet.height),
            "map_box": (MARGIN, MARGIN + sheet.header, mw, mh),
            "title": title,
            "lines": lines,
            "footer": footer,
            "legend": blocks,
        }
        # The scale is known once the map is fitted: same extent as without the page.
        scale = scale_text(draw_scale(data, mw, mh))
        page["lines"] = [*lines, f"Échelle {scale} ; le nord est en haut."]
        drawn = draw_map(data, width_mm=mw, height_mm=mh, dpi=150, page=page, basemap=basemap)
        return drawn.png
    drawn = draw_map(data, width_mm=mw, height_mm=mh, dpi=200 if sheet.paper == "A4" else 170,
                     basemap=basemap)  # fmt: skip
    context = {
        "title": title,
        "lines": lines,
        "sheet": sheet,
        "margin": MARGIN,
        "map_w": mw,
        "map_h": mh,
        "map_uri": png_data_uri(drawn.png),
        "legend": blocks,
        "scale": scale_text(drawn.scale),
        "bar": f"{fr_int(drawn.bar_m / 1000)} km"
        if drawn.bar_m >= 1000
        else f"{fr_int(drawn.bar_m)} m",
        "today": fr_date(today),
        "sources": _sources(data, attribution),
        "attribution": attribution,
    }
    return render_document(TEMPLATE, context, "pdf")
