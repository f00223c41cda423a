"""The hotspot map: Getis-Ord Gi* cells of one period, the same for every caller.

:func:`hotspot_map` is the one function that draws a hotspot map for the bilan
(:func:`gltd.report.hotspots.hotspot_layers`), the web map
(:func:`gltd.web.map_data.hotspots_geojson`) and the relevance study
(:func:`gltd.cctv.study.surroundings.hotspot_status`). It returns typed cells in the
analysis CRS (``GLTD_ANALYSIS_CRS``, Lambert-93 by default); only the web converts them to
GeoJSON, at its edge.

The grid is laid on the **extent of every located incident of the store**
(:func:`incident_extent`, or the web cube's extent, which is the same), whatever the
period and the categories: so every period and every caller share the same cells, and Gi*
compares a cell with the same study area. Gi* uses a distance band (``2 × cell`` by
default) and classes from Benjamini–Hochberg adjusted p-values
(:func:`gltd.analysis.gistar.gi_star_grid`); the class labels are
:data:`gltd.analysis.gistar.CLASS_LABELS_FR`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import Engine, func, select

from gltd.analysis.gistar import CLASS_LABELS_FR, gi_star_grid
from gltd.analysis.grid import Grid, make_grid
from gltd.errors import InputError
from gltd.geo import analysis_crs

__all__ = ["HotspotCell", "HotspotMap", "hotspot_map", "incident_extent", "HOT_MIN_CLASS"]

#: A cell is *hot* (bilan, study) from this Gi* class on: 95 % after the FDR correction.
HOT_MIN_CLASS = 2


@dataclass(frozen=True)
class HotspotCell:
    """One grid cell of a hotspot map (coordinates in the analysis CRS)."""

    id: int  #: cell id on the grid (``row × nx + col``)
    x: float  #: centre
    y: float
    bounds: tuple[float, float, float, float]  #: ``xmin, ymin, xmax, ymax``
    count: int  #: events of the period in the cell
    z: float | None  #: Gi* z-score (None when undefined)
    p_fdr: float | None  #: Benjamini–Hochberg adjusted p-value
    hot_cold_class: int  #: −3 … 3 (cold 99 % … hot 99 %, 0 not significant)
    label: str  #: the class in words (:data:`~gltd.analysis.gistar.CLASS_LABELS_FR`)


@dataclass(frozen=True, eq=False)
class HotspotMap:
    """Gi* on the grid for one period (arrays shaped ``(ny, nx)``)."""

    grid: Grid
    counts: np.ndarray
    z: np.ndarray
    p_fdr: np.ndarray
    classes: np.ndarray
    n_events: int
    #: what was computed and how (Gi* block, grid, neighbourhood)
    method: dict[str, Any]
    #: why there is no statistic (no event, too few cells, every cell equal), or None
    note: str | None = None

    def cell(self, cid: int) -> HotspotCell:
        """The cell of id ``cid``."""
        return self._cells(np.array([cid], dtype="int64"))[0]

    def cell_at(self, x: float, y: float) -> HotspotCell | None:
        """The cell holding the point ``(x, y)``, or None outside the grid."""
        cid = int(self.grid.locate(np.array([x]), np.array([y]))[0])
        return None if cid < 0 else self.cell(cid)

    def significant(self) -> tuple[HotspotCell, ...]:
        """Cells classed hot or cold (class ≠ 0), in cell-id order."""
        return self._cells(np.flatnonzero(self.classes.ravel()))

    def hot(self, min_class: int = HOT_MIN_CLASS) -> tuple[HotspotCell, ...]:
        """Cells classed hot at ``min_class`` or more (95 % by default), in cell-id order."""
        return self._cells(np.flatnonzero(self.classes.ravel() >= min_class))

    def _cells(self, ids: np.ndarray) -> tuple[HotspotCell, ...]:
        b = self.grid.cell_bounds(ids).tolist()
        counts = self.counts.ravel()[ids].tolist()
        zs = self.z.ravel()[ids].tolist()
        ps = self.p_fdr.ravel()[ids].tolist()
        cls = self.classes.ravel()[ids].tolist()
        return tuple(
            HotspotCell(
                id=int(i),
                x=(b[k][0] + b[k][2]) / 2,
                y=(b[k][1] + b[k][3]) / 2,
                bounds=(b[k][0], b[k][1], b[k][2], b[k][3]),
                count=int(counts[k]),
                z=None if math.isnan(zs[k]) else zs[k],
                p_fdr=None if math.isnan(ps[k]) else ps[k],
                hot_cold_class=int(cls[k]),
                label=CLASS_LABELS_FR[int(cls[k])],
            )
            for k, i in enumerate(ids.tolist())
        )


def incident_extent(engine: Engine) -> tuple[float, float, float, float] | None:
    """``(xmin, ymin, xmax, ymax)`` of every located incident of the store (None if none)."""
    from gltd.model import Incident

    with engine.connect() as conn:
        row = conn.execute(
            select(
                func.min(Incident.x),
                func.min(Incident.y),
                func.max(Incident.x),
                func.max(Incident.y),
            ).where(Incident.x.is_not(None), Incident.y.is_not(None))
        ).one()
    if any(v is None for v in row):
        return None
    x0, y0, x1, y1 = (float(v) for v in row)
    return (x0, y0, x1, y1)


def hotspot_map(
    x: Sequence[float] | np.ndarray,
    y: Sequence[float] | np.ndarray,
    *,
    extent: tuple[float, float, float, float],
    cell: float = 250.0,
    distance: float | None = None,
    crs: str | None = None,
    max_cells: int | None = None,
) -> HotspotMap:
    """Gi* hot and cold cells of the events ``x``, ``y`` (one period, analysis CRS).

    Parameters
    ----------
    x, y : arrays
        The located events of the period and categories mapped.
    extent : (xmin, ymin, xmax, ymax)
        The study area: the extent of every located incident of the store
        (:func:`incident_extent`), so that every period and caller get the same cells.
    cell : float
        Cell side in metres.
    distance : float, optional
        Distance band of Gi* in metres (default ``2 × cell``).
    crs : str, optional
        The CRS of ``x``, ``y`` and ``extent`` (default: ``GLTD_ANALYSIS_CRS``).
    max_cells : int, optional
        Refuse a grid of more cells (the message gives the numbers).

    Returns
    -------
    HotspotMap
        Counts, z, FDR p-values and classes per cell; without a statistic (no event in
        the period, fewer than 3 cells, every cell equal) the classes are 0 and ``note``
        says why.
    """
    crs = crs or analysis_crs()
    band = float(distance if distance is not None else 2 * cell)
    grid = make_grid(extent, cell, crs=crs)
    if max_cells is not None and grid.n_cells > max_cells:
        raise InputError(
            f"grille trop fine pour la carte : {grid.n_cells:,} cellules de {cell:g} m "
            f"(au plus {max_cells:,}) : augmentez la taille de cellule".replace(",", " ")
        )
    xa = np.asarray(x, dtype="float64")
    ya = np.asarray(y, dtype="float64")
    ids = grid.locate(xa, ya)
    ids = ids[ids >= 0]
    counts = np.bincount(ids, minlength=grid.n_cells).reshape(grid.shape).astype("int64")
    method: dict[str, Any] = {
        "statistic": "Getis-Ord Gi* (Getis & Ord 1992 ; Ord & Getis 1995)",
        "distance_m": band,
        "grid": grid.describe(),
        "extent": "emprise de tous les faits localisés de la base (toutes périodes et "
        "catégories) : mêmes cellules pour chaque période",
    }
    nan = np.full(grid.shape, np.nan)
    zero = np.zeros(grid.shape, dtype="int64")
    if counts.sum() == 0:
        note = "aucun fait sur la période"
        return HotspotMap(grid, counts, nan, nan.copy(), zero, 0, method | {"note": note}, note)
    try:
        res = gi_star_grid(counts, cell, distance=band)
    except InputError as exc:
        note = str(exc)
        n = int(counts.sum())
        return HotspotMap(grid, counts, nan, nan.copy(), zero, n, method | {"note": note}, note)
    return HotspotMap(
        grid=grid,
        counts=counts,
        z=res.z,
        p_fdr=res.p_fdr,
        classes=np.asarray(res.hot_cold_class, dtype="int64"),
        n_events=int(counts.sum()),
        method={**res.method, **method},
    )
