"""Rendering of a relevance study: JSON, HTML and PDF through the one document renderer
(:func:`gltd.documents.render_document`, template ``study.html``), charts (matplotlib).

French formats come from :mod:`gltd.documents.fmt` (numbers with a comma and a narrow
space, percentages, long dates). The PDF is printed offline: only embedded images
(``data:`` URIs) may be loaded.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from gltd.documents import render_document
from gltd.documents.figures import figure_data_uri, pyplot
from gltd.documents.fmt import fr_date
from gltd.documents.render import json_text
from gltd.documents.render import render_html as render_template
from gltd.errors import InputError
from gltd.fileio import require_folder, write_atomic

__all__ = [
    "render_json",
    "render_html",
    "render_pdf",
    "study_context",
    "write_study",
    "FORMATS",
    "TEMPLATE",
]

FORMATS = ("json", "pdf", "html")
TEMPLATE = "study.html"


def render_json(result: dict[str, Any]) -> str:
    """The study as indented JSON (UTF-8, accents kept)."""
    return json_text(result)


def _png(fig: Any) -> str:
    return figure_data_uri(fig, dpi=130)


def chart_years(result: dict[str, Any]) -> str:
    """Stacked bars: facts per year by category (top 6, the rest grouped)."""
    plt = pyplot()
    cats = result["incidents"]["by_category"]
    labels = [f"{fr_date(p['start'])[-4:]}–{fr_date(p['end'])[-4:]}" for p in result["periods"]]
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
    plt = pyplot()
    monthly = result["incidents"]["monthly"]
    fig, ax = plt.subplots(figsize=(6.2, 1.9))
    ax.plot(range(len(monthly)), monthly, marker="o", markersize=2.5, linewidth=1)
    ax.set_xlabel("mois depuis le " + fr_date(result["incidents"]["months_start"]))
    ax.set_ylabel("faits / mois")
    ax.spines[["top", "right"]].set_visible(False)
    return _png(fig)


def chart_plan(result: dict[str, Any]) -> str:
    """Plan of the site (metres): its area, the existing fields of view and cameras, and
    the facts of the three years (inside the site in red, around it in grey)."""
    plt = pyplot()
    from gltd.basemap import draw_basemap
    from gltd.cctv.fov import fov_polygon
    from gltd.documents.figures import north_arrow, scale_bar
    from gltd.geo import to_metric

    s = result["site"]
    site = fov_polygon(s["x"], s["y"], s["heading_deg"], s["field_angle_deg"], s["radius_m"])
    fig, ax = plt.subplots(figsize=(3.4, 3.4))
    for poly in result.get("_fov_polys", []):
        ax.fill(*poly.exterior.xy, color="#8fb3d9", alpha=0.4, linewidth=0)
    plan = result.get("plan")
    if plan and plan["shown"]:
        inside = [bool(v) for v in plan["in_site"]]
        for flag, colour, size in ((False, "#888", 3), (True, "#c0392b", 5)):
            xs = [x for x, f in zip(plan["x"], inside, strict=True) if f is flag]
            ys = [y for y, f in zip(plan["y"], inside, strict=True) if f is flag]
            ax.scatter(xs, ys, s=size, color=colour, alpha=0.6, linewidths=0, zorder=3)
    for cam in result["coverage"]["overlapping_cameras"]:
        x, y = to_metric(cam["lon"], cam["lat"])
        ax.plot([x], [y], "s", color="#333", markersize=3, zorder=4)
        ax.annotate(cam["code"], (x, y), fontsize=6, xytext=(2, 2), textcoords="offset points")
    ax.fill(*site.exterior.xy, facecolor="none", edgecolor="#c0392b", linewidth=1.5, zorder=5)
    ax.plot([s["x"]], [s["y"]], "+", color="#c0392b", zorder=5)
    r = plan["half_width_m"] if plan else s["radius_m"] * 1.6
    ax.set_xlim(s["x"] - r, s["x"] + r)
    ax.set_ylim(s["y"] - r, s["y"] + r)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    draw_basemap(ax)  # under every layer; nothing without a raster basemap
    scale_bar(ax, fontsize=6)
    north_arrow(ax, fontsize=7, size=0.1)
    title = "Site (rouge), champs existants (bleu), faits des trois ans (points)"
    if plan and plan["shown"] < plan["n"]:
        title += f"\n{plan['shown']} faits dessinés sur {plan['n']}"
    ax.set_title(title, fontsize=6)
    return _png(fig)


def study_context(result: dict[str, Any]) -> dict[str, Any]:
    """What ``study.html`` shows: the study, its charts (data URIs), the verdict labels."""
    from gltd.cctv.fov import fov_polygon
    from gltd.cctv.study import VERDICT_LABELS

    # Existing fields of view for the plan (not part of the JSON).
    from gltd.geo import to_metric

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
    return {"r": result, "charts": charts, "verdicts": VERDICT_LABELS, "printed": date.today()}


def render_html(result: dict[str, Any]) -> str:
    """The study as a self-contained HTML page in French (charts embedded)."""
    return render_template(TEMPLATE, study_context(result))


def render_pdf(result: dict[str, Any]) -> bytes:
    """The HTML study printed to PDF (no network, no local files: only data: URIs)."""
    return render_document(TEMPLATE, study_context(result), "pdf")


def write_study(result: dict[str, Any], fmt: str, out: str | Path) -> Path:
    """Render in ``fmt`` and write ``out`` in one go (nothing is written on error)."""
    if fmt not in FORMATS:
        raise InputError(f"format inconnu : « {fmt} » (attendu : {', '.join(FORMATS)})")
    path = require_folder(out)  # before rendering a PDF for nothing
    if fmt == "json":
        return write_atomic(path, render_json(result))
    return write_atomic(path, render_document(TEMPLATE, study_context(result), fmt))
