"""Rendering of a displacement report: JSON, HTML (Jinja2), PDF (WeasyPrint) and a map.

The map is a static PNG drawn with matplotlib (no tiles, no internet): target, rings,
control, and the events before and after around the target.
"""

from __future__ import annotations

import base64
import io
import json
import math
from pathlib import Path
from typing import Any

from gltd.errors import InputError
from gltd.fileio import require_folder, write_atomic
from gltd.services.displacement import DisplacementReport

__all__ = ["render_json", "render_html", "render_pdf", "render_map_png", "write_report", "FORMATS"]

FORMATS = ("json", "html", "pdf")
TEMPLATES = Path(__file__).resolve().parent / "templates"


def render_json(report: DisplacementReport) -> str:
    """The report as indented JSON (UTF-8 text)."""
    return json.dumps(report.as_dict(), ensure_ascii=False, indent=2)


def render_map_png(report: DisplacementReport, *, dpi: int = 110) -> bytes:
    """A static map: control (grey), rings, target (red outline), points before/after."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import PathPatch
    from matplotlib.path import Path as MPath

    outer = report.ring_geoms[-1] if report.ring_geoms else report.target
    minx, miny, maxx, maxy = outer.buffer(max(200.0, _width(outer) * 0.5)).bounds
    fig, ax = plt.subplots(figsize=(6.5, 6.5))
    try:
        _draw(ax, report.control, PathPatch, MPath, fc="#dddddd", ec="#999999", lw=0.6)
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
        _scale_bar(ax, minx, miny, maxx, maxy)
        ax.legend(loc="upper right", fontsize=8, framealpha=0.9)
        ax.set_title("Cible (rouge), anneaux (orange), témoin (gris)", fontsize=9)
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight")
        return buf.getvalue()
    finally:
        plt.close(fig)


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


def _scale_bar(ax: Any, minx: float, miny: float, maxx: float, maxy: float) -> None:
    span = (maxx - minx) / 4
    length = 10 ** math.floor(math.log10(span))
    for k in (5, 2):
        if k * length <= span:
            length *= k
            break
    x0, y0 = minx + (maxx - minx) * 0.05, miny + (maxy - miny) * 0.05
    ax.plot([x0, x0 + length], [y0, y0], color="black", lw=2)
    ax.text(x0 + length / 2, y0 + (maxy - miny) * 0.015, f"{length:g} m", ha="center", fontsize=8)


def _fmt(v: float | None, digits: int = 2) -> str:
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return "—"
    return f"{v:.{digits}f}".replace(".", ",").replace("-", "−")


def render_html(report: DisplacementReport, *, with_map: bool = True) -> str:
    """The report as a self-contained HTML page (map embedded as a data URI)."""
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html"])
    )
    env.filters["num"] = _fmt
    img = base64.b64encode(render_map_png(report)).decode("ascii") if with_map else None
    return env.get_template("displacement.html").render(r=report, d=report.as_dict(), map_png=img)


def render_pdf(report: DisplacementReport) -> bytes:
    """The HTML report printed to PDF with WeasyPrint (no network access)."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    # only the embedded map (data: URI) may be loaded: no network, no local files
    fetcher = URLFetcher(allowed_protocols=["data"])
    out = HTML(string=render_html(report), url_fetcher=fetcher).write_pdf()
    assert out is not None
    return bytes(out)


def write_report(report: DisplacementReport, fmt: str, out: str | Path) -> Path:
    """Render in ``fmt`` and write ``out`` in one go (nothing is written on error)."""
    if fmt not in FORMATS:
        raise InputError(f"format inconnu : « {fmt} » (attendu : {', '.join(FORMATS)})")
    path = require_folder(out)  # before rendering a PDF for nothing
    data: bytes
    if fmt == "json":
        data = render_json(report).encode("utf-8")
    elif fmt == "html":
        data = render_html(report).encode("utf-8")
    else:
        data = render_pdf(report)
    return write_atomic(path, data)
