"""Rendering of a relevance study: JSON, HTML (Jinja2), PDF (WeasyPrint), charts (matplotlib).

French formats come from Babel (``fr_FR``): numbers with a comma and a narrow space,
percentages, long dates. The PDF is printed offline: only embedded images (``data:``
URIs) may be loaded.
"""

from __future__ import annotations

import base64
import io
import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

from gltd.errors import InputError
from gltd.fileio import require_folder, write_atomic

__all__ = ["render_json", "render_html", "render_pdf", "write_study", "FORMATS"]

TEMPLATES = Path(__file__).parent / "templates"
FORMATS = ("json", "pdf", "html")
LOCALE = "fr_FR"


def _num(v: Any, digits: int = 0) -> str:
    from babel.numbers import format_decimal

    if v is None:
        return "—"
    fmt = "#,##0" if digits == 0 else "#,##0." + "0" * digits
    return str(format_decimal(v, format=fmt, locale=LOCALE))


def _pct(v: Any, digits: int = 0) -> str:
    from babel.numbers import format_percent

    if v is None:
        return "—"
    fmt = "#,##0 %" if digits == 0 else "#,##0." + "0" * digits + " %"
    return str(format_percent(v, format=fmt, locale=LOCALE))


def _day(v: Any) -> str:
    from babel.dates import format_date

    if v is None:
        return "—"
    d = date.fromisoformat(v[:10]) if isinstance(v, str) else v
    return str(format_date(d, format="long", locale=LOCALE))


def _pvalue(v: Any) -> str:
    if v is None:
        return "—"
    return "< 0,001" if v < 0.001 else "= " + _num(v, 3)


def render_json(result: dict[str, Any]) -> str:
    """The study as indented JSON (UTF-8, accents kept)."""
    return json.dumps(result, ensure_ascii=False, indent=2)


def _png(fig: Any) -> str:
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=130, bbox_inches="tight")
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def chart_years(result: dict[str, Any]) -> str:
    """Stacked bars: facts per year by category (top 6, the rest grouped)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    cats = result["incidents"]["by_category"]
    labels = [f"{_day(p['start'])[-4:]}–{_day(p['end'])[-4:]}" for p in result["periods"]]
    fig, ax = plt.subplots(figsize=(6.2, 2.6))
    bottom = [0, 0, 0]
    top, rest = cats[:6], cats[6:]
    series = [(c["label"], c["counts"]) for c in top]
    if rest:
        series.append(("Autres", [sum(c["counts"][k] for c in rest) for k in range(3)]))
    for lab, counts in series:
        ax.bar(labels, counts, bottom=bottom, label=lab)
        bottom = [b + c for b, c in zip(bottom, counts, strict=True)]
    ax.set_ylabel("faits")
    ax.spines[["top", "right"]].set_visible(False)
    if series:
        ax.legend(fontsize=6, loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    return _png(fig)


def chart_months(result: dict[str, Any]) -> str:
    """Monthly facts around the site over the three years."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    monthly = result["incidents"]["monthly"]
    fig, ax = plt.subplots(figsize=(6.2, 1.9))
    ax.plot(range(len(monthly)), monthly, marker="o", markersize=2.5, linewidth=1)
    ax.set_xlabel("mois depuis le " + _day(result["incidents"]["months_start"]))
    ax.set_ylabel("faits / mois")
    ax.spines[["top", "right"]].set_visible(False)
    return _png(fig)


def chart_plan(result: dict[str, Any]) -> str:
    """Plan of the site (metres): its area and the overlapping existing fields of view."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from gltd.cctv._common import to_metric
    from gltd.cctv.fov import fov_polygon

    s = result["site"]
    site = fov_polygon(s["x"], s["y"], s["heading_deg"], s["field_angle_deg"], s["radius_m"])
    fig, ax = plt.subplots(figsize=(3.4, 3.4))
    for cam in result["coverage"]["overlapping_cameras"]:
        x, y = to_metric(cam["lon"], cam["lat"])
        ax.plot([x], [y], "s", color="#555", markersize=3)
        ax.annotate(cam["code"], (x, y), fontsize=6, xytext=(2, 2), textcoords="offset points")
    for poly in result.get("_fov_polys", []):
        ax.fill(*poly.exterior.xy, color="#8fb3d9", alpha=0.4, linewidth=0)
    ax.fill(*site.exterior.xy, facecolor="none", edgecolor="#c0392b", linewidth=1.5)
    ax.plot([s["x"]], [s["y"]], "+", color="#c0392b")
    r = s["radius_m"] * 1.6
    ax.set_xlim(s["x"] - r, s["x"] + r)
    ax.set_ylim(s["y"] - r, s["y"] + r)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title("Site (rouge), champs existants (bleu)", fontsize=7)
    return _png(fig)


def render_html(result: dict[str, Any]) -> str:
    """The study as a self-contained HTML page in French (charts embedded)."""
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    from gltd.cctv.fov import fov_polygon
    from gltd.cctv.study import VERDICT_LABELS

    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html"])
    )
    env.filters.update(num=_num, pct=_pct, day=_day, pvalue=_pvalue)
    # Existing fields of view for the plan (not part of the JSON).
    from gltd.cctv._common import to_metric

    polys = []
    for cam in result["coverage"]["overlapping_cameras"]:
        if {"heading_deg", "field_angle_deg", "range_m"} <= set(cam):
            x, y = to_metric(cam["lon"], cam["lat"])
            polys.append(
                fov_polygon(x, y, cam["heading_deg"], cam["field_angle_deg"], cam["range_m"])
            )
    charts = {
        "years": chart_years(result),
        "months": chart_months(result),
        "plan": chart_plan({**result, "_fov_polys": polys}),
    }
    return env.get_template("study.html").render(
        r=result,
        charts=charts,
        verdicts=VERDICT_LABELS,
        printed=_day(datetime.now().date()),
    )


def render_pdf(result: dict[str, Any]) -> bytes:
    """The HTML study printed to PDF with WeasyPrint (no network, no local files)."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    fetcher = URLFetcher(allowed_protocols=["data"])
    out = HTML(string=render_html(result), url_fetcher=fetcher).write_pdf()
    assert out is not None
    return bytes(out)


def write_study(result: dict[str, Any], fmt: str, out: str | Path) -> Path:
    """Render in ``fmt`` and write ``out`` in one go (nothing is written on error)."""
    if fmt not in FORMATS:
        raise InputError(f"format inconnu : « {fmt} » (attendu : {', '.join(FORMATS)})")
    require_folder(out)  # before rendering a PDF for nothing
    if fmt == "json":
        data = render_json(result).encode("utf-8")
    elif fmt == "html":
        data = render_html(result).encode("utf-8")
    else:
        data = render_pdf(result)
    return write_atomic(out, data)
