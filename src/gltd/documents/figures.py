"""Figures of the documents and maps (matplotlib, Agg backend, no internet): the one
figure-to-PNG conversion, the one ``data:`` URI, the one scale bar and north arrow.

Documents embed their charts and maps as ``data:image/png;base64,…`` URIs, the only URLs
the PDF renderer accepts (:mod:`gltd.report.document`).
"""

from __future__ import annotations

import base64
import io
import math
from types import ModuleType
from typing import Any, Literal

from gltd.documents.fmt import fr_dec

__all__ = [
    "pyplot",
    "figure_png",
    "png_data_uri",
    "figure_data_uri",
    "nice_length",
    "scale_bar",
    "north_arrow",
]


def pyplot() -> ModuleType:
    """``matplotlib.pyplot`` on the Agg backend (no display needed)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def figure_png(fig: Any, *, dpi: int, tight: bool = True) -> bytes:
    """The figure as PNG bytes on a white background; the figure is closed."""
    plt = pyplot()
    try:
        buf = io.BytesIO()
        extra = {"bbox_inches": "tight"} if tight else {}
        fig.savefig(buf, format="png", dpi=dpi, facecolor="white", **extra)
        return buf.getvalue()
    finally:
        plt.close(fig)


def png_data_uri(png: bytes) -> str:
    """``data:image/png;base64,…`` for PNG bytes."""
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def figure_data_uri(fig: Any, *, dpi: int, tight: bool = True) -> str:
    """The figure as a PNG ``data:`` URI (see :func:`figure_png`)."""
    return png_data_uri(figure_png(fig, dpi=dpi, tight=tight))


def nice_length(target_m: float) -> float:
    """The largest 1, 2 or 5 × 10ⁿ metres not above ``target_m``."""
    mag = 10 ** math.floor(math.log10(target_m))
    for m in (5, 2, 1):
        if m * mag <= target_m:
            return float(m * mag)
    return float(mag)


def scale_bar(
    ax: Any,
    *,
    length: float | None = None,
    fraction: float = 0.2,
    corner: Literal["left", "right"] = "right",
    color: str = "black",
    fontsize: float = 8,
    zorder: float = 7,
) -> float:
    """Draw a scale bar near the bottom ``corner`` of a map in metres; return its length.

    Without ``length``, the bar is the :func:`nice_length` of ``fraction`` of the map's
    width. Call it after the axis limits are set. Labelled ``500 m`` or ``1 km``.
    """
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    w, h = x1 - x0, y1 - y0
    size = length if length is not None else nice_length(w * fraction)
    start = x0 + 0.05 * w if corner == "left" else x1 - 0.05 * w - size
    y = y0 + 0.05 * h
    ax.plot([start, start + size], [y, y], color=color, lw=2, solid_capstyle="butt", zorder=zorder)
    label = f"{fr_dec(size / 1000)} km" if size >= 1000 else f"{fr_dec(size)} m"
    ax.text(
        start + size / 2,
        y + 0.015 * h,
        label,
        ha="center",
        va="bottom",
        fontsize=fontsize,
        color=color,
        zorder=zorder,
    )
    return size


def north_arrow(
    ax: Any,
    *,
    x: float = 0.95,
    y: float = 0.95,
    size: float = 0.08,
    color: str = "black",
    fontsize: float = 10,
    zorder: float = 7,
) -> None:
    """Draw a north arrow (« N » over an arrow pointing up) with its tip at ``(x, y)`` in
    axes fractions; the maps are drawn in a projected CRS with north up."""
    ax.annotate(
        "N",
        xy=(x, y),
        xytext=(x, y - size),
        xycoords="axes fraction",
        ha="center",
        va="center",
        fontsize=fontsize,
        fontweight="bold",
        color=color,
        zorder=zorder,
        arrowprops={"arrowstyle": "-|>", "color": color, "lw": 1.5},
        bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.75},
    )
