"""Rendering of a displacement report: JSON, HTML and PDF through the one document
renderer (:func:`gltd.documents.render_document`, template ``displacement.html``), and a map.

The map is a static PNG drawn with matplotlib (no tiles, no internet): target, rings,
control, and the events before and after around the target.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from gltd.analysis.displacement import VERDICT_LABELS
from gltd.basemap import draw_basemap
from gltd.displacement.service import DisplacementReport
from gltd.documents import render_document
from gltd.documents.figures import figure_png, north_arrow, png_data_uri, pyplot, scale_bar
from gltd.documents.render import json_text
from gltd.documents.render import render_html as render_template
from gltd.errors import InputError
from gltd.fileio import require_folder, write_atomic

__all__ = [
    "render_json",
    "render_html",
    "render_pdf",
    "render_map_png",
    "displacement_context",
    "measures_html",
    "write_report",
    "FORMATS",
    "TEMPLATE",
    "BODY_TEMPLATE",
]

FORMATS = ("json", "html", "pdf")
TEMPLATE = "displacement.html"
#: The counts, measures, tests, map and caveats alone (included by :data:`TEMPLATE`).
BODY_TEMPLATE = "displacement_body.html"


def render_json(report: DisplacementReport) -> str:
    """The report as indented JSON (UTF-8 text)."""
    return json_text(report.as_dict())


def render_map_png(report: DisplacementReport, *, dpi: int = 110) -> bytes:
    """A static map: control (grey), rings, target (red outline), points before/after."""
    from matplotlib.patches import PathPatch
    from matplotlib.path import Path as MPath

    outer = report.ring_geoms[-1] if report.ring_geoms else report.target
    minx, miny, maxx, maxy = outer.buffer(max(200.0, _width(outer) * 0.5)).bounds
    fig, ax = pyplot().subplots(figsize=(6.5, 6.5))
    ax.set_xlim(minx, maxx)
    ax.set_ylim(miny, maxy)
    ax.set_aspect("equal")
    # Under every layer; with a basemap the control area lets it show through.
    shown = draw_basemap(ax) is not None
    control = (0.867, 0.867, 0.867, 0.45 if shown else 1.0)
    _draw(ax, report.control, PathPatch, MPath, fc=control, ec="#999999", lw=0.6)
    for i, ring in enumerate(report.ring_geoms):
        alpha = 0.28 - 0.2 * i / max(1, len(report.ring_geoms))
        _draw(ax, ring, PathPatch, MPath, fc=(1.0, 0.65, 0.0, alpha), ec="#cc8400", lw=0.8)
    _draw(ax, report.target, PathPatch, MPath, fc=(0.85, 0.1, 0.1, 0.18), ec="#b00000", lw=1.8)
    pb, pa = report.points_before, report.points_after
    ax.scatter(pb[:, 0], pb[:, 1], s=7, c="#1f5fbf", marker="o", label=f"avant ({len(pb)})",
               alpha=0.7, linewidths=0)  # fmt: skip
    ax.scatter(pa[:, 0], pa[:, 1], s=9, c="#d62728", marker="x", label=f"après ({len(pa)})",
               alpha=0.8, linewidths=0.8)  # fmt: skip
    ax.set_xlim(minx, maxx)
    ax.set_ylim(miny, maxy)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    scale_bar(ax, fraction=0.25, corner="left")
    north_arrow(ax, x=0.06, y=0.95)
    ax.legend(loc="upper right", fontsize=8, framealpha=0.9)
    ax.set_title("Cible (rouge), anneaux (orange), témoin (gris)", fontsize=9)
    return figure_png(fig, dpi=dpi)


def _width(geom: Any) -> float:
    minx, miny, maxx, maxy = geom.bounds
    return float(max(maxx - minx, maxy - miny))


def _draw(ax: Any, geom: Any, patch_cls: Any, path_cls: Any, **kw: Any) -> None:
    if geom is None or geom.is_empty:
        return
    polys = getattr(geom, "geoms", [geom])
    for poly in polys:
        if poly.geom_type != "Polygon":
            continue
        verts: list[tuple[float, float]] = []
        codes: list[int] = []
        for ring in [poly.exterior, *poly.interiors]:
            pts = list(ring.coords)
            verts += pts
            codes += [path_cls.MOVETO] + [path_cls.LINETO] * (len(pts) - 2) + [path_cls.CLOSEPOLY]
        ax.add_patch(patch_cls(path_cls(verts, codes), **kw))


def displacement_context(report: DisplacementReport, *, with_map: bool = True) -> dict[str, Any]:
    """What ``displacement.html`` shows: the report, its plain values and the map."""
    img = png_data_uri(render_map_png(report)) if with_map else None
    return {"r": report, "d": report.as_dict(), "map_uri": img, "verdicts": VERDICT_LABELS}


def render_html(report: DisplacementReport, *, with_map: bool = True) -> str:
    """The report as a self-contained HTML page (map embedded as a data URI)."""
    return render_template(TEMPLATE, displacement_context(report, with_map=with_map))


def measures_html(data: dict[str, Any], *, map_uri: str | None = None) -> str:
    """The counts, measures, tests and caveats of a stored report (its
    :meth:`~gltd.displacement.DisplacementReport.as_dict`) as an HTML fragment, the
    report's own; ``map_uri`` is the address of its map, if any."""
    return render_template(
        BODY_TEMPLATE, {"d": data, "map_uri": map_uri, "verdicts": VERDICT_LABELS}
    )


def render_pdf(report: DisplacementReport) -> bytes:
    """The HTML report printed to PDF (only the embedded map, a data: URI, is loaded)."""
    return render_document(TEMPLATE, displacement_context(report), "pdf")


def write_report(report: DisplacementReport, fmt: str, out: str | Path) -> Path:
    """Render in ``fmt`` and write ``out`` in one go (nothing is written on error)."""
    if fmt not in FORMATS:
        raise InputError(f"format inconnu : « {fmt} » (attendu : {', '.join(FORMATS)})")
    path = require_folder(out)  # before rendering a PDF for nothing
    if fmt == "json":
        return write_atomic(path, render_json(report))
    return write_atomic(path, render_document(TEMPLATE, displacement_context(report), fmt))
