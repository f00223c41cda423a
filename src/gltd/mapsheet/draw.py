"""The map of a sheet drawn with matplotlib at its printed size: the layers of
:class:`~gltd.mapsheet.layers.MapData`, zone names, scale bar and north arrow; the extent
fitted to the paper so that one millimetre is the same distance across and down."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from gltd.documents.figures import figure_png, north_arrow, pyplot, scale_bar
from gltd.mapping.legend import (
    CAMERA_COLOUR,
    CATEGORY_COLOURS,
    CLASS_COLOURS,
    DENSITY_RAMP,
    INTERVENTION_COLOUR,
    ZONE_COLOUR,
)
from gltd.mapsheet.layers import MapData
from gltd.mapsheet.legend import LegendBlock

__all__ = ["DrawnMap", "draw_map", "draw_scale", "outline_rings", "MAX_ZONE_LABELS"]

MM = 1 / 25.4
#: Zone names are written when there are at most this many zones.
MAX_ZONE_LABELS = 80


@dataclass(frozen=True)
class DrawnMap:
    """The map as PNG bytes, its scale (1 : ``scale``) and its scale bar in metres."""

    png: bytes
    scale: float
    bar_m: float
    extent: tuple[float, float, float, float]


def _bounds(data: MapData) -> tuple[float, float, float, float] | None:
    """The zones' extent when drawn (the territory), else that of everything drawn."""
    if data.zones is not None and len(data.zones):
        x0, y0, x1, y1 = (float(v) for v in data.zones.total_bounds)
        return x0, y0, x1, y1
    boxes = [
        [float(v) for v in f.total_bounds]
        for f in (data.interventions, data.cameras)
        if f is not None and len(f)
    ]
    if data.grid is not None:
        boxes.append([float(v) for v in data.grid.bounds])
    if not boxes:
        return None
    arr = np.array(boxes)
    return (
        float(arr[:, 0].min()),
        float(arr[:, 1].min()),
        float(arr[:, 2].max()),
        float(arr[:, 3].max()),
    )


def _fit(
    box: tuple[float, float, float, float], width_mm: float, height_mm: float
) -> tuple[float, float, float, float]:
    """``box`` padded by 4 % and widened to the paper's aspect ratio (same scale both ways)."""
    x0, y0, x1, y1 = box
    w, h = max(x1 - x0, 100.0), max(y1 - y0, 100.0)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    w, h = w * 1.08, h * 1.08
    if w / h < width_mm / height_mm:
        w = h * width_mm / height_mm
    else:
        h = w * height_mm / width_mm
    return cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2


def draw_scale(data: MapData, width_mm: float, height_mm: float) -> float:
    """The scale denominator of the map of ``data`` drawn ``width_mm`` wide."""
    x0, _y0, x1, _y1 = _fit(_bounds(data) or (0.0, 0.0, 1000.0, 1000.0), width_mm, height_mm)
    return (x1 - x0) / (width_mm / 1000)


def _rgba(hex_colour: str, alpha: float) -> tuple[float, float, float, float]:
    h = hex_colour.lstrip("#")
    return (int(h[0:2], 16) / 255, int(h[2:4], 16) / 255, int(h[4:6], 16) / 255, alpha)


def _cells(ax: Any, data: MapData, extent: tuple[float, float, float, float]) -> None:
    """The grid layers as RGBA bytes at the grid's resolution (one pixel per cell: fast to
    draw, sharp at any size)."""
    from matplotlib.colors import LinearSegmentedColormap, PowerNorm

    g = data.grid
    if g is None:
        return
    gx0, gy0, gx1, gy1 = g.bounds
    im_extent = (gx0, gx1, gy0, gy1)
    if data.density is not None and data.density.max() > 0:
        cmap = LinearSegmentedColormap.from_list("gltd-density", list(DENSITY_RAMP))
        norm = PowerNorm(0.5, vmin=0.0, vmax=float(data.density.max()))
        dens = cmap(norm(data.density.astype("float64")), bytes=True)
        dens[..., 3] = np.where(data.density > 0, 191, 0)
        ax.imshow(dens, origin="lower", extent=im_extent, interpolation="nearest", zorder=2)
    rgba = np.zeros((*g.shape, 4), dtype="uint8")
    if data.hotspots is not None:
        for k, (col, _label) in CLASS_COLOURS.items():
            rgba[data.hotspots.classes == k] = _rgba8(col, 217)
    if data.emerging is not None:
        for code, col in CATEGORY_COLOURS.items():
            rgba[data.emerging == code] = _rgba8(col, 217)
    if rgba[..., 3].any():
        ax.imshow(rgba, origin="lower", extent=im_extent, interpolation="nearest", zorder=3)


def _rgba8(hex_colour: str, alpha: int) -> tuple[int, int, int, int]:
    h = hex_colour.lstrip("#")
    return (int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16), alpha)


def _paths(geoms: Any) -> list[Any]:
    """Matplotlib paths of polygons (holes kept), without geopandas' plotting (which
    redraws the whole figure at each call)."""
    from matplotlib.path import Path as MPath

    out = []
    for g in geoms:
        for poly in getattr(g, "geoms", [g]):
            if poly.geom_type != "Polygon" or poly.is_empty:
                continue
            rings = [np.asarray(poly.exterior.coords)] + [
                np.asarray(r.coords) for r in poly.interiors
            ]
            out.append(MPath.make_compound_path(*[MPath(r, closed=True) for r in rings]))
    return out


def outline_rings(geoms: Any) -> list[np.ndarray]:
    """Every ring (outer and holes) of the polygons as its own closed line, so that an
    outline never joins one ring to the next."""
    return [
        np.asarray(ring.coords)
        for g in geoms
        for poly in getattr(g, "geoms", [g])
        if poly.geom_type == "Polygon"
        for ring in (poly.exterior, *poly.interiors)
    ]


def _fill(ax: Any, geoms: Any, **kw: Any) -> None:
    from matplotlib.collections import PathCollection

    paths = _paths(geoms)
    if paths:
        ax.add_collection(PathCollection(paths, **kw), autolim=False)


def _outlines(ax: Any, data: MapData, extent: tuple[float, float, float, float]) -> None:
    from matplotlib.collections import LineCollection

    if data.interventions is not None and len(data.interventions):
        _fill(ax, data.interventions.geometry, facecolor=_rgba(INTERVENTION_COLOUR, 0.12),
              edgecolor=INTERVENTION_COLOUR, linewidth=1.2, zorder=4)  # fmt: skip
    zones = data.zones
    if zones is not None and len(zones):
        rings = outline_rings(zones.geometry)
        ax.add_collection(LineCollection(rings, colors=ZONE_COLOUR, linewidths=0.9,
                                         linestyles="--", zorder=5), autolim=False)  # fmt: skip
        if len(zones) <= MAX_ZONE_LABELS:
            x0, y0, x1, y1 = extent
            for geom, name in zip(zones.geometry, zones["name"], strict=True):
                c = geom.representative_point()
                if x0 < c.x < x1 and y0 < c.y < y1:
                    ax.annotate(str(name), (c.x, c.y), fontsize=7, ha="center", va="center",
                                color="#111111", fontweight="bold", zorder=8,
                                bbox={"boxstyle": "round,pad=0.15", "fc": "white",
                                      "ec": "none", "alpha": 0.75})  # fmt: skip
    cams = data.cameras
    if cams is not None and len(cams):
        _fill(ax, cams.geometry, facecolor=(1, 1, 1, 0.5), edgecolor=CAMERA_COLOUR,
              linewidth=0.6, zorder=6)  # fmt: skip
        xs = [p.x for p in cams["point"]]
        ys = [p.y for p in cams["point"]]
        ax.scatter(xs, ys, s=8, c=CAMERA_COLOUR, edgecolors="white", linewidths=0.5, zorder=7)


def _mpl_legend(
    fig: Any, blocks: list[LegendBlock], box: tuple[float, float, float, float]
) -> None:
    """The legend blocks drawn in ``box`` (figure fractions), for the PNG."""
    import textwrap

    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    handles: list[Any] = []
    titles: set[int] = set()
    for b in blocks:
        titles.add(len(handles))
        handles.append(Patch(facecolor="none", edgecolor="none",
                             label="\n".join(textwrap.wrap(b.title, 42))))  # fmt: skip
        for s in b.swatches:
            if s.kind == "point":
                handles.append(Line2D([], [], marker="o", lw=0, color=s.colour, label=s.label))
            elif s.kind == "line":
                handles.append(Line2D([], [], ls="--", color=s.edge, label=s.label))
            elif s.kind == "ramp":
                handles.append(Patch(facecolor=DENSITY_RAMP[-2], label=s.label))
            else:
                handles.append(Patch(facecolor=s.colour, edgecolor=s.edge, label=s.label))
        if b.note:
            handles.append(Patch(facecolor="none", edgecolor="none", label=b.note))
    ax = fig.add_axes(box)
    ax.axis("off")
    leg = ax.legend(handles=handles, loc="upper left", fontsize=7, frameon=False, borderaxespad=0)
    for i, text in enumerate(leg.get_texts()):
        if i in titles:
            text.set_fontweight("bold")


def draw_map(
    data: MapData,
    *,
    width_mm: float,
    height_mm: float,
    dpi: int = 150,
    page: dict[str, Any] | None = None,
    basemap: Any = None,
) -> DrawnMap:
    """The map at ``width_mm`` × ``height_mm``. With ``page`` (``title``, ``lines``,
    ``legend`` blocks, ``map_box`` in mm from the top left), the figure is the whole page:
    the PNG format. ``basemap(ax, extent)`` draws a basemap under the layers, if given."""
    plt = pyplot()
    box = _bounds(data) or (0.0, 0.0, 1000.0, 1000.0)
    if page is None:
        fig = plt.figure(figsize=(width_mm * MM, height_mm * MM))
        ax = fig.add_axes((0, 0, 1, 1))
        mw, mh = width_mm, height_mm
    else:
        pw, ph = page["size_mm"]
        left, top, mw, mh = page["map_box"]
        fig = plt.figure(figsize=(pw * MM, ph * MM))
        ax = fig.add_axes((left / pw, 1 - (top + mh) / ph, mw / pw, mh / ph))
        fig.text(left / pw, 1 - 8 / ph, page["title"], fontsize=14, fontweight="bold", va="top")
        fig.text(left / pw, 1 - 15 / ph, "\n".join(page["lines"]), fontsize=8, va="top")
        fig.text(left / pw, 0.012, page["footer"], fontsize=6.5, va="bottom", wrap=True)
        lx = (left + mw + 5) / pw
        _mpl_legend(fig, page["legend"], (lx, 0.1, 1 - lx - 0.01, 1 - (top + 2) / ph - 0.1))
    extent = _fit(box, mw, mh)
    x0, y0, x1, y1 = extent
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    if basemap is not None:
        basemap(ax, extent)
    _cells(ax, data, extent)
    _outlines(ax, data, extent)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("")
    ax.set_ylabel("")
    for sp in ax.spines.values():
        sp.set_color("#888888")
    bar = scale_bar(ax, fraction=0.2, corner="right", fontsize=8)
    north_arrow(ax)
    png = figure_png(fig, dpi=dpi, tight=False)
    return DrawnMap(png=png, scale=(x1 - x0) / (mw / 1000), bar_m=bar, extent=extent)
