"""Render the bilan: HTML (Jinja2), PDF (WeasyPrint, from the same HTML), JSON.

The HTML is self-contained (styles inline, charts as PNG data URIs) and loads nothing
from the internet; WeasyPrint uses the fonts installed on the machine (Liberation Sans,
DejaVu Sans). Key numbers carry a ``data-key`` attribute naming their path in the JSON,
so a test can check that the HTML and the JSON say the same thing.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from gltd.errors import GltdError
from gltd.fileio import require_folder, write_atomic
from gltd.report import fmt
from gltd.report.charts import calendar_chart, cameras_chart, hotspot_map, requisitions_chart
from gltd.report.synthesis import compare_phrase

__all__ = ["render_html", "render_pdf", "render_json", "write_report", "FORMATS", "public_dict"]

FORMATS = ("pdf", "html", "json")


def public_dict(bilan: dict[str, Any]) -> dict[str, Any]:
    """The bilan without its private entries (``_layers``), JSON-safe."""
    return _clean({k: v for k, v in bilan.items() if not k.startswith("_")})


def _clean(v: Any) -> Any:
    if isinstance(v, dict):
        return {str(k): _clean(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [_clean(x) for x in v]
    if isinstance(v, float) and not math.isfinite(v):
        return None
    if hasattr(v, "item") and not isinstance(v, str | bytes):
        return _clean(v.item())
    return v


def render_json(bilan: dict[str, Any]) -> str:
    """The bilan as indented UTF-8 JSON."""
    return json.dumps(public_dict(bilan), ensure_ascii=False, indent=2)


def _env() -> Environment:
    env = Environment(
        loader=PackageLoader("gltd.report", "templates"),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        {
            "int": fmt.fr_int,
            "num": fmt.fr_num,
            "pct": fmt.fr_pct,
            "change": fmt.fr_change,
            "p": fmt.fr_p,
            "rr": fmt.fr_rr,
            "date": fmt.fr_date,
            "dshort": fmt.fr_date_short,
            "eur": fmt.fr_eur,
            "ucfirst": lambda t: (str(t)[:1].upper() + str(t)[1:]) if t else "",
        }
    )
    env.globals["ci"] = fmt.fr_ci
    return env


def render_html(bilan: dict[str, Any], *, for_pdf: bool = False) -> str:
    """The bilan as one self-contained HTML page (French)."""
    b = public_dict(bilan)
    layers = bilan.get("_layers")
    charts = {
        "requisitions": requisitions_chart(b["requisitions"]["per_year"]),
        "cameras": cameras_chart(b["cameras"]["by_year"]),
        "calendar": calendar_chart(
            b["operations"]["calendar"], b["period"]["first_day"], b["period"]["last_day"]
        ),
        "map": hotspot_map(layers) if layers is not None else None,
    }
    css = (Path(__file__).parent / "templates" / "bilan.css").read_text(encoding="utf-8")
    return (
        _env()
        .get_template("bilan.html")
        .render(
            b=b,
            charts=charts,
            css=css,
            for_pdf=for_pdf,
            compare_phrase=compare_phrase(b["compare"]),
        )
    )


def render_pdf(bilan: dict[str, Any]) -> bytes:
    """The bilan as an A4 PDF, rendered by WeasyPrint from the HTML."""
    from weasyprint import HTML

    html = render_html(bilan, for_pdf=True)
    out = HTML(string=html, base_url=str(Path(__file__).parent / "templates")).write_pdf()
    assert out is not None
    return bytes(out)


def write_report(bilan: dict[str, Any], fmt_name: str, out: str | Path) -> Path:
    """Write the bilan in ``fmt_name`` to ``out`` atomically (never half a file)."""
    if fmt_name not in FORMATS:
        raise GltdError(f"format inconnu : « {fmt_name} » (attendu : {', '.join(FORMATS)})")
    path = require_folder(out)  # before rendering a PDF for nothing
    if fmt_name == "pdf":
        data = render_pdf(bilan)
    elif fmt_name == "html":
        data = render_html(bilan).encode("utf-8")
    else:
        data = render_json(bilan).encode("utf-8")
    return write_atomic(path, data)
