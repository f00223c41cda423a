"""Render the bilan: HTML, PDF and JSON through the one document renderer
(:func:`gltd.documents.render_document`, template ``bilan.html``).

The HTML is self-contained (styles inline, charts as PNG data URIs) and loads nothing
from the internet; the PDF is printed from the same HTML with only ``data:`` URIs allowed,
in the fonts installed on the machine (Liberation Sans, DejaVu Sans). Key numbers carry a
``data-key`` attribute naming their path in the JSON, so a test can check that the HTML
and the JSON say the same thing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from gltd.displacement import render_map_png
from gltd.documents import render_document
from gltd.documents.figures import png_data_uri
from gltd.documents.render import json_text, plain
from gltd.documents.render import render_html as render_template
from gltd.errors import GltdError
from gltd.fileio import require_folder, write_atomic
from gltd.report.charts import (
    calendar_chart,
    cameras_chart,
    hotspot_map,
    requisitions_chart,
    trend_chart,
)
from gltd.report.press import EDITIONS
from gltd.report.synthesis import compare_phrase

__all__ = [
    "render_html",
    "render_pdf",
    "render_json",
    "write_report",
    "bilan_context",
    "FORMATS",
    "TEMPLATE",
    "TEMPLATES",
    "EDITIONS",
    "public_dict",
]

FORMATS = ("pdf", "html", "json")
TEMPLATE = "bilan.html"
#: One bilan, two templates: the edition → its template.
TEMPLATES = {"complete": TEMPLATE, "presse": "bilan_presse.html"}


def public_dict(bilan: dict[str, Any]) -> dict[str, Any]:
    """The bilan without its private entries (``_layers``), JSON-safe."""
    return dict(plain({k: v for k, v in bilan.items() if not k.startswith("_")}))


def render_json(bilan: dict[str, Any]) -> str:
    """The bilan as indented UTF-8 JSON."""
    return json_text(public_dict(bilan))


def _trend_labels(b: dict[str, Any]) -> tuple[str, str]:
    """« 2018 » and « 2017 » when each period lies in one year, else the periods."""
    y0, y1 = b["period"]["first_day"][:4], b["period"]["last_day"][:4]
    r0, r1 = b["compare"]["first_day"][:4], b["compare"]["last_day"][:4]
    if y0 == y1 and r0 == r1 and y0 != r0:
        return y0, r0
    return "période", "comparaison"


def template_for(edition: str) -> str:
    """The template of an edition (``complete`` or ``presse``)."""
    if edition not in TEMPLATES:
        raise GltdError(f"édition inconnue : « {edition} » (attendu : {', '.join(TEMPLATES)})")
    return TEMPLATES[edition]


def bilan_context(bilan: dict[str, Any], edition: str = "complete") -> dict[str, Any]:
    """What the edition's template shows: the public bilan, its charts (data URIs), the
    comparison. The press edition draws only the map."""
    b = public_dict(bilan)
    layers = bilan.get("_layers")
    if edition == "presse":
        return {
            "b": b,
            "charts": {"map": hotspot_map(layers) if layers is not None else None},
            "compare_phrase": compare_phrase(b["compare"]),
            "edition": edition,
        }
    charts = {
        "requisitions": requisitions_chart(b["requisitions"]["per_year"]),
        "cameras": cameras_chart(b["cameras"]["by_year"], b["cameras"]["as_of"]),
        "calendar": calendar_chart(
            b["operations"]["calendar"], b["period"]["first_day"], b["period"]["last_day"]
        ),
        "map": hotspot_map(layers) if layers is not None else None,
        "trend": trend_chart(b["trend"], *_trend_labels(b)) if b.get("trend") else None,
        "displacement": [png_data_uri(render_map_png(r)) for r in bilan.get("_displacement", [])],
    }
    return {
        "b": b,
        "charts": charts,
        "compare_phrase": compare_phrase(b["compare"]),
        "edition": edition,
    }


def render_html(bilan: dict[str, Any], *, for_pdf: bool = False, edition: str = "complete") -> str:
    """The bilan as one self-contained HTML page (French), in ``edition``."""
    template = template_for(edition)
    return render_template(template, {**bilan_context(bilan, edition), "for_pdf": for_pdf})


def render_pdf(bilan: dict[str, Any], *, edition: str = "complete") -> bytes:
    """The bilan as an A4 PDF, printed from the HTML (only ``data:`` URIs are loaded)."""
    return render_document(template_for(edition), bilan_context(bilan, edition), "pdf")


def write_report(
    bilan: dict[str, Any], fmt_name: str, out: str | Path, *, edition: str = "complete"
) -> Path:
    """Write the bilan in ``fmt_name`` and ``edition`` to ``out`` atomically (never half a
    file). The JSON is the same for both editions: every number, the press selection in
    ``press``."""
    if fmt_name not in FORMATS:
        raise GltdError(f"format inconnu : « {fmt_name} » (attendu : {', '.join(FORMATS)})")
    template = template_for(edition)
    path = require_folder(out)  # before rendering a PDF for nothing
    if fmt_name == "json":
        return write_atomic(path, render_json(bilan))
    return write_atomic(path, render_document(template, bilan_context(bilan, edition), fmt_name))
