"""Charts and the static map of the bilan (matplotlib, Agg backend), as PNG data URIs."""

from __future__ import annotations

from datetime import date
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.collections import PatchCollection  # noqa: E402
from matplotlib.colors import LogNorm  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import Patch, Rectangle  # noqa: E402

from gltd.basemap import draw_basemap  # noqa: E402
from gltd.documents.figures import figure_data_uri, north_arrow, scale_bar  # noqa: E402
from gltd.documents.fmt import fr_date_abbr, fr_int, fr_month_abbr  # noqa: E402

__all__ = [
    "requisitions_chart",
    "cameras_chart",
    "calendar_chart",
    "trend_chart",
    "hotspot_map",
    "STATUS_COLOURS",
]

INK = "#1d2b3a"
ACCENT = "#1f4e79"
LIGHT = "#9db7d3"
STATUS_COLOURS = {"persistant": "#b2182b", "apparu": "#f28e2b", "disparu": "#2c7fb8"}
KIND_MARKERS = {
    "occupation": ("s", "#1f4e79"),
    "interpellations": ("o", "#b2182b"),
    "perquisition": ("D", "#6a3d9a"),
    "controle": ("^", "#4d9221"),
    "fermeture_administrative": ("X", "#000000"),
    "detection_cynophile": ("P", "#8c510a"),
    "autre": ("v", "#666666"),
}
plt.rcParams.update(
    {
        "font.family": ["Liberation Sans", "DejaVu Sans"],
        "font.size": 9,
        "axes.edgecolor": "#888888",
        "axes.labelcolor": INK,
        "xtick.color": INK,
        "ytick.color": INK,
        "axes.spines.top": False,
        "axes.spines.right": False,
    }
)


def _uri(fig: Figure, dpi: int = 170) -> str:
    return figure_data_uri(fig, dpi=dpi)


def _hatch(bar: Any, face: str | None = None) -> None:
    """Hatch a bar of an incomplete year or month (``face``: its lighter colour)."""
    if face is not None:
        bar.set_facecolor(face)
    bar.set_hatch("///")
    bar.set_edgecolor(ACCENT)


def _count_above(ax: Any, text: str, x: float, y: float, fontsize: float = 8) -> None:
    """A bar's count written just above it."""
    ax.annotate(text, (x, y), ha="center", va="bottom", fontsize=fontsize, xytext=(0, 2),
                textcoords="offset points")  # fmt: skip


def requisitions_chart(per_year: list[dict[str, Any]]) -> str | None:
    """Bars of requisitions per year; a partial last year is hatched and labelled."""
    if not per_year:
        return None
    fig, ax = plt.subplots(figsize=(6.6, 2.6))
    years = [r["year"] for r in per_year]
    counts = [r["count"] for r in per_year]
    colours = [LIGHT if r["partial"] else ACCENT for r in per_year]
    bars = ax.bar(years, counts, color=colours, width=0.7)
    for b, r in zip(bars, per_year, strict=True):
        if r["partial"]:
            _hatch(b)
        label = fr_int(r["count"]) + ("*" if r["partial"] else "")
        _count_above(ax, label, b.get_x() + b.get_width() / 2, b.get_height())
    ax.set_xticks(years)
    ax.set_ylabel("réquisitions reçues")
    ax.set_ylim(0, max(counts) * 1.18 + 1)
    ax.set_title(
        "Réquisitions judiciaires d'images reçues par année", fontsize=9, color=INK, loc="left"
    )
    if per_year[-1]["partial"]:
        _partial_note(ax, date.fromisoformat(per_year[-1]["until"]))
    return _uri(fig)


def _partial_note(ax: Any, until: date) -> None:
    ax.text(
        0.0,
        -0.22,
        f"* année en cours, au {fr_date_abbr(until)}",
        transform=ax.transAxes,
        fontsize=7.5,
        color="#555555",
    )


def cameras_chart(by_year: list[dict[str, Any]], as_of: str | None = None) -> str | None:
    """Cameras in service at the end of each year, HD and standard definition stacked; the
    year of ``as_of`` (ISO day, unless 31 December) is counted on that day, hatched and marked
    « année en cours » like the requisitions chart."""
    if not by_year:
        return None
    until = date.fromisoformat(as_of) if as_of else None
    partial = (
        until is not None
        and until.year == by_year[-1]["year"]
        and until.month * 100 + until.day != 1231
    )
    fig, ax = plt.subplots(figsize=(6.6, 2.6))
    years = [r["year"] for r in by_year]
    hd = np.array([r["hd"] for r in by_year])
    sd = np.array([r["count"] - r["hd"] for r in by_year])
    sd_bars = ax.bar(years, sd, color="#c9c9c9", width=0.7, label="définition standard")
    hd_bars = ax.bar(years, hd, bottom=sd, color=ACCENT, width=0.7, label="haute définition")
    if partial:
        for b, colour in ((sd_bars[-1], "#e6e6e6"), (hd_bars[-1], LIGHT)):
            _hatch(b, colour)
    for i, (y, total) in enumerate(zip(years, hd + sd, strict=True)):
        star = "*" if partial and i == len(years) - 1 else ""
        _count_above(ax, fr_int(total) + star, y, total)
    ax.set_xticks(years)
    ax.set_ylabel("caméras en service")
    ax.set_ylim(0, max(hd + sd) * 1.18 + 1)
    ax.set_title(
        "Caméras en service au 31 décembre de chaque année", fontsize=9, color=INK, loc="left"
    )
    ax.legend(frameon=False, fontsize=8, loc="upper left")
    if partial and until is not None:
        _partial_note(ax, until)
    return _uri(fig)


def trend_chart(trend: dict[str, Any], now_label: str, ref_label: str) -> str | None:
    """Incidents per month of the period (bars) beside the same month of the comparison
    (line); a month the period covers only in part is hatched and marked with its days."""
    months, ref = trend["months"], trend["months_ref"]
    if not months or (trend["total"] == 0 and trend["total_ref"] == 0):
        return None
    fig, ax = plt.subplots(figsize=(6.8, 2.7))
    xs = np.arange(len(months))
    counts = [m["count"] for m in months]
    bars = ax.bar(xs, counts, color=ACCENT, width=0.62, label=now_label, zorder=2)
    full = max(m["days"] for m in months)
    for b, m in zip(bars, months, strict=True):
        if m["days"] < min(full, 28):
            _hatch(b, LIGHT)
        _count_above(ax, fr_int(m["count"]), b.get_x() + b.get_width() / 2, b.get_height(), 7.5)
    k = min(len(ref), len(months))
    ax.plot(xs[:k], [r["count"] for r in ref[:k]], color="#b2182b", marker="o", ms=3.5,
            lw=1.4, label=ref_label, zorder=3)  # fmt: skip
    labels = [
        fr_month_abbr(m["month"]) + (f"\n({m['days']} j)" if m["days"] < min(full, 28) else "")
        for m in months
    ]
    ax.set_xticks(xs)
    ax.set_xticklabels(labels, fontsize=8)
    top = max([*counts, *[r["count"] for r in ref[:k]], 1])
    ax.set_ylim(0, top * 1.22)
    ax.set_ylabel("faits enregistrés")
    ax.set_title("Faits liés aux stupéfiants enregistrés, par mois", fontsize=9, color=INK,
                 loc="left")  # fmt: skip
    ax.grid(axis="y", color="#e5e5e5", zorder=0)
    handles = [
        Patch(facecolor=ACCENT, label=now_label),
        plt.Line2D([], [], color="#b2182b", marker="o", ms=3.5, lw=1.4, label=ref_label),
    ]
    ax.legend(handles=handles, frameon=False, fontsize=7.5, loc="upper right", ncol=2)
    return _uri(fig)


def calendar_chart(calendar: list[dict[str, Any]], first: str, last: str) -> str | None:
    """Operations on a time line, one row per zone, one marker per kind."""
    if not calendar:
        return None
    zones = list(dict.fromkeys(r["zone"] for r in calendar))
    fig, ax = plt.subplots(figsize=(6.8, 0.45 * len(zones) + 1.1))
    seen: set[str] = set()
    for r in calendar:
        marker, colour = KIND_MARKERS.get(r["kind"], KIND_MARKERS["autre"])
        y = len(zones) - 1 - zones.index(r["zone"])
        d = mdates.date2num(date.fromisoformat(r["date"]))
        size = 28 + 10 * (r["arrests_trafficker"] + r["arrests_consumer"])
        ax.scatter(
            [d],
            [y],
            marker=marker,
            s=min(size, 160),
            color=colour,
            alpha=0.8,
            edgecolors="white",
            linewidths=0.5,
            label=None if r["kind_label"] in seen else r["kind_label"],
            zorder=3,
        )
        seen.add(r["kind_label"])
        if r["dog_detection"]:
            ax.scatter([d], [y + 0.28], marker="|", s=18, color="#8c510a", zorder=3)
    ax.set_yticks(range(len(zones)))
    ax.set_yticklabels(list(reversed(zones)))
    ax.set_ylim(-0.7, len(zones) - 0.3)
    ax.set_xlim(
        mdates.date2num(date.fromisoformat(first)) - 3,
        mdates.date2num(date.fromisoformat(last)) + 3,
    )
    ax.xaxis.set_major_locator(mdates.MonthLocator())
    ax.xaxis.set_major_formatter(
        plt.FuncFormatter(lambda v, _p: fr_month_abbr(mdates.num2date(v).month))
    )
    ax.grid(axis="x", color="#e5e5e5", zorder=0)
    ax.legend(
        frameon=False,
        fontsize=7.5,
        ncol=5,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.12),
        markerscale=0.8,
    )
    return _uri(fig)


def _panel(
    ax: Any,
    layers: dict[str, Any],
    bbox: tuple[float, float, float, float] | None,
    title: str,
    zoom: tuple[float, float, float, float] | None = None,
) -> None:
    x0, y0, cell = layers["x0"], layers["y0"], layers["cell"]
    counts = layers["counts"]
    ny, nx = counts.shape
    extent = (x0, x0 + nx * cell, y0, y0 + ny * cell)
    shown = np.where(counts > 0, counts, np.nan)
    if np.nanmax(np.nan_to_num(shown, nan=0)) > 0:
        ax.imshow(
            shown,
            origin="lower",
            extent=extent,
            cmap="Greys",
            norm=LogNorm(vmin=1, vmax=max(2.0, float(np.nanmax(shown)))),
            alpha=0.8,
            interpolation="nearest",
            zorder=1,
        )
    zones = layers["zones"]
    for _, z in zones.iterrows():
        geoms = getattr(z.geometry, "geoms", [z.geometry])
        for g in geoms:
            xs, ys = g.exterior.xy
            ax.plot(xs, ys, color=INK, lw=0.8, zorder=4)
        if z["name"] != "Reste de la ville":
            c = z.geometry.representative_point()
            inside_zoom = zoom is not None and zoom[0] < c.x < zoom[2] and zoom[1] < c.y < zoom[3]
            if (bbox is None and not inside_zoom) or (
                bbox is not None and bbox[0] < c.x < bbox[2] and bbox[1] < c.y < bbox[3]
            ):
                ax.annotate(
                    z["name"],
                    (c.x, c.y),
                    fontsize=7,
                    ha="center",
                    va="center",
                    color=INK,
                    zorder=6,
                    bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.75},
                )
    # One collection per status (not one patch per cell): a city-wide map of a million
    # incidents has thousands of hot cells.
    for st, colour in STATUS_COLOURS.items():
        cells = [h for h in layers["hot_cells"] if str(h["status"]) == st]
        if not cells:
            continue
        gone = st == "disparu"
        ax.add_collection(
            PatchCollection(
                [Rectangle((h["x"] - cell / 2, h["y"] - cell / 2), cell, cell) for h in cells],
                facecolor="none" if gone else colour,
                edgecolor=colour,
                linewidth=1.0,
                alpha=1.0 if gone else 0.85,
                hatch="////" if gone else None,
                zorder=3,
            ),
            autolim=False,
        )
    cams = layers["cameras"]
    if len(cams):
        ax.scatter(cams["x"], cams["y"], s=3, color="#000000", marker=".", zorder=5, label="caméra")
    if bbox is not None:
        ax.set_xlim(bbox[0], bbox[2])
        ax.set_ylim(bbox[1], bbox[3])
    elif len(zones):
        b = zones.total_bounds
        ax.set_xlim(b[0] - 200, b[2] + 200)
        ax.set_ylim(b[1] - 200, b[3] + 200)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    for sp in ax.spines.values():
        sp.set_visible(True)
        sp.set_color("#bbbbbb")
    ax.set_title(title, fontsize=9, color=INK, loc="left")
    draw_basemap(ax)  # under every layer; nothing without a raster basemap
    scale_bar(ax, length=1000.0, color=INK, fontsize=7)
    north_arrow(ax, color=INK, fontsize=8, size=0.07)


def hotspot_map(
    layers: dict[str, Any],
    zoom_zones: tuple[str, ...] = ("Les Carmes", "Carmes Nord", "L'Argonne", "Secteur Est"),
) -> str:
    """Two panels: the whole territory and a zoom on the northern zones (if they exist)."""
    zones = layers["zones"]
    sel = zones[zones["name"].isin(zoom_zones)] if len(zones) else zones
    zoom = None
    if len(sel) >= 2:
        b = sel.total_bounds
        pad = 500.0
        zoom = (b[0] - pad, b[1] - pad, b[2] + pad, b[3] + pad)
    fig = plt.figure(figsize=(7.0, 5.6))
    if zoom is not None:
        ax1 = fig.add_axes((0.0, 0.08, 0.36, 0.88))
        ax2 = fig.add_axes((0.38, 0.08, 0.62, 0.88))
        _panel(ax1, layers, None, "Commune", zoom)
        _panel(ax2, layers, zoom, "Centre et nord")
        ax1.add_patch(
            Rectangle(
                (zoom[0], zoom[1]),
                zoom[2] - zoom[0],
                zoom[3] - zoom[1],
                fill=False,
                ec="#555555",
                ls="--",
                lw=0.8,
                zorder=8,
            )
        )
    else:
        ax = fig.add_axes((0.0, 0.08, 1.0, 0.88))
        _panel(ax, layers, None, "Territoire")
    handles = [
        Patch(
            facecolor=STATUS_COLOURS["persistant"],
            edgecolor=STATUS_COLOURS["persistant"],
            label="point chaud persistant",
        ),
        Patch(
            facecolor=STATUS_COLOURS["apparu"], edgecolor=STATUS_COLOURS["apparu"], label="apparu"
        ),
        Patch(facecolor="none", edgecolor=STATUS_COLOURS["disparu"], hatch="////", label="disparu"),
        Patch(facecolor="#9a9a9a", alpha=0.6, label="densité des faits (période)"),
        plt.Line2D([], [], marker=".", color="black", lw=0, label="caméra en service"),
    ]
    fig.legend(
        handles=handles,
        loc="lower center",
        ncol=5,
        frameon=False,
        fontsize=7.2,
        bbox_to_anchor=(0.5, 0.0),
    )
    return _uri(fig, dpi=190)
