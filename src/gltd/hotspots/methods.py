"""The hotspot methods on a grid, one function each, in the registry :data:`METHODS`.

:func:`run_grid` selects the events, runs the method named (``kde``, ``gistar``, ``lisa``,
``emerging``, ``compare``) and puts its :class:`MethodRun` into a
:class:`~gltd.hotspots.result.HotspotResult` (JSON document with its ``method`` block and
every cell, a vector layer, a raster, map layers). A method receives a :class:`GridJob`
(what every method needs) and returns its cells' columns, its own ``method`` entries, its
summary and what the map draws.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from gltd.analysis.emerging import CATEGORY_LABELS_FR, emerging_hotspots_grid
from gltd.analysis.events import EventSet
from gltd.analysis.gistar import CLASS_LABELS_FR, gi_star_grid
from gltd.analysis.grid import Grid, grid_counts
from gltd.analysis.kde import kde_events
from gltd.analysis.lisa import QUADRANT_LABELS_FR, local_moran
from gltd.analysis.movement import movement
from gltd.analysis.spacetime_cube import make_cube
from gltd.analysis.weights import WeightsSpec, build_weights, parse_weights
from gltd.errors import InputError
from gltd.hotspots.inputs import (
    check_events,
    check_spread,
    crs_caption,
    crs_said,
    period_dict,
    period_label,
    select_events,
)
from gltd.hotspots.result import ChangeCount, HotColdCount, HotspotResult, clean_value
from gltd.mapping.render import MapLayers
from gltd.timeutil import Period

__all__ = ["GridJob", "MethodRun", "METHODS", "run_grid"]


@dataclass(frozen=True, eq=False)
class GridJob:
    """What every grid method receives."""

    events: EventSet  #: every event given (``compare`` takes its reference period here)
    selected: EventSet  #: the events studied (period and categories)
    what: str  #: the events studied, in words (for messages)
    cell: float
    bandwidth: float | None
    spec: WeightsSpec
    step: str
    period: Period | None
    compare_to: Period | None
    categories: list[str]
    zones: Any
    permutations: int
    seed: int


@dataclass(frozen=True, eq=False)
class MethodRun:
    """What one method gives back."""

    grid: Grid
    columns: dict[str, np.ndarray]  #: one value per cell, by field name
    method: dict[str, Any]  #: the method's own entries of the ``method`` block
    summary: dict[str, Any]
    layers: MapLayers
    raster: np.ndarray
    raster_label: str
    #: how the caption names the neighbourhood (weights or bandwidth)
    neighbourhood: str
    #: whether the classes come from FDR-adjusted p-values (said in the caption)
    fdr: bool
    reference: Period | None = None
    hot_cold: HotColdCount | None = None
    change: ChangeCount | None = None


def _cells(grid: Grid, columns: dict[str, np.ndarray]) -> list[dict[str, Any]]:
    xy = grid.centres_flat()
    ids = np.arange(grid.n_cells)
    cols = {k: np.asarray(v).ravel().tolist() for k, v in columns.items()}
    return [
        {"id": int(i), "x": float(xy[i, 0]), "y": float(xy[i, 1])}
        | {k: clean_value(cols[k][i]) for k in cols}
        for i in ids
    ]


def _kde(job: GridJob) -> MethodRun:
    ev = job.selected
    r = kde_events(ev, job.cell, job.bandwidth)
    gc = grid_counts(ev, job.cell, grid=r.grid)
    grid = r.grid
    cols = {"count": gc.counts, "statistic": r.density, "p_value": np.full(grid.shape, np.nan)}
    cols["class"] = np.full(grid.shape, None, dtype=object)
    rule = "règle de Silverman" if job.bandwidth is None else "donnée"
    return MethodRun(
        grid=grid,
        columns=cols,
        method={**r.method, "bandwidth_m": r.bandwidth},
        summary={"max_density_km2": float(r.density.max())},
        layers=MapLayers(grid, "Densité des faits (noyau gaussien)", "", surface=r.density),
        raster=r.density,
        raster_label="densité (faits par km²)",
        neighbourhood=f"largeur de bande {r.bandwidth:.0f} m ({rule})",
        fdr=False,
    )


def _gistar(job: GridJob) -> MethodRun:
    gc = grid_counts(job.selected, job.cell)
    check_spread(gc.counts, job.cell, job.selected.n, job.what)
    spec = job.spec
    if spec.kind == "distance":
        g = gi_star_grid(gc.counts, job.cell, distance=spec.value)
    else:
        g = gi_star_grid(gc.counts, job.cell, k=int(spec.value))
    cls = g.hot_cold_class
    cols = {"count": gc.counts, "statistic": g.z, "p_value": g.p_fdr, "class": cls}
    cols["p_raw"] = g.p
    return MethodRun(
        grid=gc.grid,
        columns=cols,
        method={**g.method, "weights": spec.describe(self_weight=True)},
        summary={
            "n_hot": g.n_hot,
            "n_cold": g.n_cold,
            "by_class": {CLASS_LABELS_FR[k]: int((cls == k).sum()) for k in range(-3, 4)},
        },
        layers=MapLayers(gc.grid, "Points chauds et froids (Getis-Ord Gi*)", "", classes=cls),
        raster=g.z,
        raster_label="z Gi*",
        neighbourhood=spec.label(),
        fdr=True,
        hot_cold=HotColdCount(n_hot=int(g.n_hot), n_cold=int(g.n_cold)),
    )


def _lisa(job: GridJob) -> MethodRun:
    gc = grid_counts(job.selected, job.cell)
    grid = gc.grid
    check_spread(gc.counts, job.cell, job.selected.n, job.what)
    w = build_weights(grid.centres_flat(), job.spec)
    lr = local_moran(gc.flat(), w, permutations=job.permutations, seed=job.seed)
    cluster = lr.cluster.reshape(grid.shape)
    cols = {
        "count": gc.counts,
        "statistic": lr.local_i.reshape(grid.shape),
        "p_value": lr.p_sim.reshape(grid.shape),
        "class": cluster,
    }
    # Draw HH as hot 95 %, LL as cold 95 %, outliers at 90 %.
    draw = np.select([cluster == 1, cluster == 3, cluster == 4, cluster == 2], [2, -2, 1, -1], 0)
    return MethodRun(
        grid=grid,
        columns=cols,
        method={**lr.method, "weights": job.spec.describe(self_weight=False)},
        summary={QUADRANT_LABELS_FR[k]: int((cluster == k).sum()) for k in range(5)},
        layers=MapLayers(grid, "Concentrations locales (I de Moran local)", "", classes=draw),
        raster=lr.local_i.reshape(grid.shape),
        raster_label="I de Moran local",
        neighbourhood=job.spec.label(),
        fdr=False,
    )


def _emerging(job: GridJob) -> MethodRun:
    start = job.period.start if job.period else None
    end = job.period.end if job.period else None
    cube = make_cube(job.selected, job.cell, job.step, start=start, end=end)
    grid = cube.grid
    check_spread(cube.counts.sum(axis=0), job.cell, job.selected.n, job.what)
    if job.spec.kind != "distance":
        raise InputError("l'analyse émergente utilise une bande de distance (distance:M)")
    er = emerging_hotspots_grid(cube.counts, job.cell, job.spec.value)
    cat = er.category.reshape(grid.shape)
    cols = {
        "count": cube.counts.sum(axis=0),
        "statistic": er.trend_z.reshape(grid.shape),
        "p_value": er.trend_p.reshape(grid.shape),
        "class": cat,
        "n_hot_steps": er.hot.sum(axis=0).reshape(grid.shape),
        "n_cold_steps": er.cold.sum(axis=0).reshape(grid.shape),
    }
    return MethodRun(
        grid=grid,
        columns=cols,
        method={
            **er.method,
            "weights": job.spec.describe(self_weight=True),
            "step": job.step,
            "steps": cube.step_labels(),
            "n_excluded": cube.n_excluded,
        },
        summary={CATEGORY_LABELS_FR[k]: v for k, v in er.counts_by_category().items()},
        layers=MapLayers(
            grid,
            "Points chauds émergents",
            "",
            categories=cat,
            category_labels=CATEGORY_LABELS_FR,
        ),
        raster=er.trend_z.reshape(grid.shape),
        raster_label="z de tendance Mann-Kendall",
        neighbourhood=job.spec.label(),
        fdr=True,
    )


def _compare(job: GridJob) -> MethodRun:
    ref = job.compare_to or (job.period.previous() if job.period is not None else None)
    if ref is None:
        raise InputError("comparaison : indiquez --period et --compare-to (DEBUT..FIN)")
    before = select_events(job.events, ref, job.categories)
    check_events(before, f"sur la période de référence {ref.label()}", "compare")
    spec, zones, ev = job.spec, job.zones, job.selected
    dist = spec.value if spec.kind == "distance" else None
    k = int(spec.value) if spec.kind == "knn" else None
    zone_ids = [int(z) for z in zones["id"]] if zones is not None and len(zones) else None
    for e, lab in ((before, f"de référence {ref.label()}"), (ev, job.what)):
        check_spread(grid_counts(e, job.cell).counts, job.cell, e.n, lab)
    mv = movement(before, ev, job.cell, distance=dist, k=k, zone_ids=zone_ids, seed=job.seed)
    grid = mv.grid
    status = mv.change.status
    cols = {
        "count": mv.counts_after,
        "count_before": mv.counts_before,
        "statistic": mv.gi_after.z,
        "p_value": mv.gi_after.p_fdr,
        "class": status,
        "class_before": mv.gi_before.hot_cold_class,
        "class_after": mv.gi_after.hot_cold_class,
        "sppt_similar": mv.sppt_cells.similar.reshape(grid.shape),
    }
    names = dict(zip(zones["id"], zones["name"], strict=True)) if zone_ids else {}
    shifts = [s.as_dict() | {"zone": names.get(s.zone_id, "ensemble")} for s in mv.shifts]
    summary = {
        "appeared": mv.change.n_appeared,
        "vanished": mv.change.n_vanished,
        "persisted": mv.change.n_persisted,
        "centre_shifts": shifts,
        "sppt": {
            "cells": mv.sppt_cells.as_dict(),
            "zones": mv.sppt_zones.as_dict() if mv.sppt_zones is not None else None,
            "zone_cell_s_index": {names.get(z, str(z)): v for z, v in mv.zone_cell_s_index.items()},
        },
    }
    return MethodRun(
        grid=grid,
        columns=cols,
        method={
            **mv.method,
            "compare_to": period_dict(ref),
            "weights": spec.describe(self_weight=True),
        },
        summary=summary,
        layers=MapLayers(grid, "Points chauds apparus, disparus, persistants", "", change=status),
        raster=mv.gi_after.z - mv.gi_before.z,
        raster_label="différence des z Gi*",
        neighbourhood=spec.label(),
        fdr=True,
        reference=ref,
        change=ChangeCount(
            appeared=int(mv.change.n_appeared),
            vanished=int(mv.change.n_vanished),
            persisted=int(mv.change.n_persisted),
            s_index_cells=float(mv.sppt_cells.s_index),
        ),
    )


#: The grid methods by name (``--method``).
METHODS: dict[str, Callable[[GridJob], MethodRun]] = {
    "kde": _kde,
    "gistar": _gistar,
    "lisa": _lisa,
    "emerging": _emerging,
    "compare": _compare,
}


def run_grid(
    events: EventSet,
    *,
    method: str,
    cell: float = 250.0,
    bandwidth: float | None = None,
    weights: str | None = None,
    step: str = "week",
    period: Period | None = None,
    compare_to: Period | None = None,
    categories: Sequence[str] | None = None,
    zones: Any = None,
    source: str = "",
    permutations: int = 999,
    seed: int = 0,
    progress: Callable[[str], None] | None = None,
) -> HotspotResult:
    """Run one grid method on events (already in the analysis CRS).

    ``period`` selects the events studied; ``compare_to`` the reference period of
    ``method="compare"`` (default: the period of equal length just before). Weights
    default to a distance band of two cells (500 m for 250 m cells). ``zones`` (stored
    zones) are drawn on the map and give ``compare`` its per-zone centre shifts.
    """
    if method not in METHODS:
        raise InputError(f"méthode inconnue : « {method} » (attendu {', '.join(METHODS)})")
    cats = list(categories or [])
    say = progress or (lambda _msg: None)
    spec: WeightsSpec = parse_weights(weights) if weights else WeightsSpec("distance", 2 * cell)
    ev = select_events(events, period, cats)
    what = f"sur la période {period_label(period)}" + (f" ({', '.join(cats)})" if cats else "")
    check_events(ev, what, method)
    job = GridJob(
        events=events,
        selected=ev,
        what=what,
        cell=cell,
        bandwidth=bandwidth,
        spec=spec,
        step=step,
        period=period,
        compare_to=compare_to,
        categories=cats,
        zones=zones,
        permutations=permutations,
        seed=seed,
    )
    say("calcul")
    run = METHODS[method](job)
    say("mise en forme")
    grid = run.grid
    mblock: dict[str, Any] = {
        "name": method,
        "crs": crs_said(ev),
        "cell_m": cell,
        "period": period_dict(period),
        "categories": cats or "toutes",
        "source": source,
        "n": ev.n,
        **run.method,
        "n_locations": grid.n_cells,
    }
    mblock["n"] = ev.n
    if ev.meta.get("source_crs"):
        mblock["source_crs"] = f"{ev.meta['source_crs']} (--crs), projeté en {ev.crs}"
    layers = run.layers
    layers.zones = zones
    ref = run.reference
    caption_src = f"Source : {source}. " if source else ""
    layers.caption = (
        f"Période : {period_label(period)}"
        + (f" ; référence : {ref.label()}" if ref is not None else "")
        + f". {caption_src}Méthode : {method}, cellules de {cell:g} m, {run.neighbourhood}"
        + (", correction FDR (Benjamini-Hochberg)" if run.fdr else "")
        + f". n = {ev.n} faits. {crs_caption(ev)}"
    )
    from gltd.mapping.vector import cells_frame

    cols = run.columns
    attrs = {k: [clean_value(v) for v in np.asarray(c).ravel().tolist()] for k, c in cols.items()}
    attrs = {k: v for k, v in attrs.items() if any(a is not None for a in v)}
    frame = cells_frame(grid, grid.cell_ids().ravel(), attrs)
    document = {
        "method": {**mblock, "grid": grid.describe()},
        "summary": run.summary,
        "cells": _cells(grid, cols),
    }
    return HotspotResult(
        method=method,
        units="grid",
        n_events=ev.n,
        document=document,
        grid=grid,
        frame=frame,
        raster=np.asarray(run.raster, float),
        raster_label=run.raster_label,
        layers=layers,
        hot_cold=run.hot_cold,
        change=run.change,
    )
