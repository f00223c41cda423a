"""Static PNG maps (matplotlib, Agg backend, no internet): hotspot cells, hotspot zones
(polygons filled by class) or a density surface, zone outlines, legend, scale bar, north arrow and a caption giving the period,
the source and the method."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from gltd.analysis.grid import Grid
from gltd.basemap import draw_basemap
from gltd.documents.figures import figure_png, north_arrow, pyplot, scale_bar
from gltd.fileio import write_atomic
from gltd.mapping.legend import CATEGORY_COLOURS, CHANGE_COLOURS, CLASS_COLOURS

__all__ = ["MapLayers", "render_png", "CLASS_COLOURS", "CATEGORY_COLOURS", "CHANGE_COLOURS"]


#: Zone names stay readable over coloured cells: a light box behind the text.
LABEL_BOX = {"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.75}


@dataclass
class MapLayers:
    """What to draw. Arrays are ``(ny, nx)`` on ``grid`` (row 0 = south).

    For zones, ``polygons`` (GeoDataFrame in ``grid.crs`` with a ``name`` column) are
    filled by ``polygon_classes`` (−3…3 as Gi* classes, one per polygon); the map then
    covers the polygons' extent.
    """

    grid: Grid
    title: str
    caption: str
    surface: np.ndarray | None = None
    surface_label: str = "faits par km²"
    classes: np.ndarray | None = None
    categories: np.ndarray | None = None
    category_labels: dict[str, str] = field(default_factory=dict)
    change: np.ndarray | None = None
    zones: Any = None  # GeoDataFrame in grid.crs with a "name" column
    points: np.ndarray | None = None  # (n, 2) optional event points (small n only)
    polygons: Any = None  # GeoDataFrame of analysed zones (analysis CRS)
    polygon_classes: np.ndarray | None = None  # one class (−3…3) per polygon
    polygon_class_labels: dict[int, str] = field(default_factory=dict)


def _rgba(hex_colour: str, alpha: float = 1.0) -> tuple[float, float, float, float]:
    h = hex_colour.lstrip("#")
    return (int(h[0:2], 16) / 255, int(h[2:4], 16) / 255, int(h[4:6], 16) / 255, alpha)


def _draw_polygons(
    ax: Any, layers: MapLayers, handles: list[Any], patch: Any, ground: float = 1.0
) -> None:
    """Zones filled by class, outlined, named (names only when there are few zones).

    ``ground`` is the opacity of the fill of zones without a class (lower over a basemap).
    """
    poly = layers.polygons
    cls = (
        np.zeros(len(poly), dtype="int64")
        if layers.polygon_classes is None
        else np.asarray(layers.polygon_classes, dtype="int64")
    )
    poly.plot(ax=ax, facecolor=_rgba("#f4f4f4", ground), edgecolor="#666666", linewidth=0.6)
    for k, (col, label) in CLASS_COLOURS.items():
        m = cls == k
        if m.any():
            poly[m].plot(ax=ax, facecolor=col, edgecolor="#444444", linewidth=0.6, alpha=0.9)
            text = layers.polygon_class_labels.get(k, label)
            handles.append(patch(facecolor=col, label=f"{text} ({int(m.sum())})"))
    if len(poly) <= 40 and "name" in poly.columns:
        for geom, name in zip(poly.geometry, poly["name"], strict=True):
            c = geom.representative_point()
            ax.annotate(str(name), (c.x, c.y), fontsize=7, ha="center", color="#111111",
                        bbox=LABEL_BOX)  # fmt: skip
    if not (cls != 0).any():
        handles.append(
            patch(facecolor="#f4f4f4", edgecolor="#666666", label="aucune zone significative")
        )


def render_png(layers: MapLayers, path: str | Path, *, dpi: int = 150) -> Path:
    """Draw the map and write it as PNG."""
    from matplotlib.patches import Patch

    plt = pyplot()

    g = layers.grid
    xmin, ymin, xmax, ymax = g.bounds
    if layers.polygons is not None and len(layers.polygons):
        bx0, by0, bx1, by1 = (float(v) for v in layers.polygons.total_bounds)
        pad = 0.03 * max(bx1 - bx0, by1 - by0, 1.0)
        xmin, ymin, xmax, ymax = bx0 - pad, by0 - pad, bx1 + pad, by1 + pad
    fig, ax = plt.subplots(figsize=(8.5, 8.8))
    fig.subplots_adjust(left=0.04, right=0.96, top=0.93, bottom=0.14)
    extent = (xmin, xmax, ymin, ymax)
    ax.set_xlim(xmin, xmax)
    ax.set_ylim(ymin, ymax)
    ax.set_aspect("equal")
    # Under every layer; nothing without a raster basemap.
    shown = draw_basemap(ax, crs=g.crs, attribution_below=True) is not None
    ground = 0.35 if shown else 1.0
    handles: list[Any] = []
    if layers.surface is not None:
        surf = np.ma.masked_less_equal(layers.surface, 0.0)
        im = ax.imshow(surf, origin="lower", extent=extent, cmap="YlOrRd", interpolation="nearest")
        cb = fig.colorbar(im, ax=ax, shrink=0.6, pad=0.01)
        cb.set_label(layers.surface_label)
    rgba = np.zeros((*g.shape, 4))
    if layers.classes is not None:
        for k, (col, label) in CLASS_COLOURS.items():
            m = layers.classes == k
            if m.any():
                rgba[m] = _rgba(col, 0.9)
                handles.append(Patch(facecolor=col, label=f"{label} ({int(m.sum())})"))
    if layers.categories is not None:
        for code, col in CATEGORY_COLOURS.items():
            m = layers.categories == code
            if m.any():
                rgba[m] = _rgba(col, 0.9)
                label = layers.category_labels.get(code, code)
                handles.append(Patch(facecolor=col, label=f"{label} ({int(m.sum())})"))
    if layers.change is not None:
        for status, col in CHANGE_COLOURS.items():
            m = layers.change == status
            if m.any():
                rgba[m] = _rgba(col, 0.9)
                handles.append(Patch(facecolor=col, label=f"point chaud {status} ({int(m.sum())})"))
    if rgba[..., 3].any():
        ax.imshow(rgba, origin="lower", extent=extent, interpolation="nearest")
    if layers.polygons is not None and len(layers.polygons):
        _draw_polygons(ax, layers, handles, Patch, ground)
    if layers.points is not None and len(layers.points):
        ax.scatter(layers.points[:, 0], layers.points[:, 1], s=2, c="#333333", alpha=0.4)
    if layers.zones is not None and len(layers.zones):
        layers.zones.boundary.plot(ax=ax, color="#222222", linewidth=1.0)
        for _, z in layers.zones.iterrows():
            c = z.geometry.representative_point()
            ax.annotate(str(z.get("name", "")), (c.x, c.y), fontsize=8, ha="center",
                        va="center", color="#111111", zorder=6, bbox=LABEL_BOX)  # fmt: skip
        handles.append(Patch(facecolor="none", edgecolor="#222222", label="zones"))
    if not handles and layers.surface is None:
        handles.append(
            Patch(facecolor="white", edgecolor="#999999", label="aucune cellule significative")
        )
    ax.set_xlim(xmin, xmax)
    ax.set_ylim(ymin, ymax)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("")  # geopandas labels the axes from the CRS; the map has no axes
    ax.set_ylabel("")
    if handles:
        ax.legend(handles=handles, loc="lower left", fontsize=7, framealpha=0.9)
    # Scale bar (bottom right) and north arrow (top right).
    scale_bar(ax, fraction=0.2, corner="right")
    north_arrow(ax)
    ax.set_title(layers.title, fontsize=12)
    fig.text(0.04, 0.02, layers.caption, fontsize=7.5, va="bottom", ha="left", wrap=True)
    return write_atomic(path, figure_png(fig, dpi=dpi, tight=False), parents=True)
