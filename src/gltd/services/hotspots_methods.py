"""The hotspot methods on an EventSet: :func:`run_hotspots` (``kde``, ``gistar``,
``lisa``, ``emerging``, ``compare``) → :class:`~gltd.services.hotspots_output.HotspotOutput`
(JSON payload with its ``method`` block and every cell, a vector layer, a raster, map layers).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
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
from gltd.mapping.render import MapLayers
from gltd.services.hotspots_inputs import (
    _check_events,
    _check_spread,
    _period_dict,
    _period_label,
    _select,
)
from gltd.services.hotspots_output import HotspotOutput
from gltd.timeutil import Period

__all__ = ["METHODS", "run_hotspots"]

METHODS = ("kde", "gistar", "lisa", "emerging", "compare")


def _clean(v: Any) -> Any:
    if isinstance(v, float | np.floating):
        return float(v) if np.isfinite(v) else None
    if isinstance(v, np.integer):
        return int(v)
    return v


def _cells(grid: Grid, columns: dict[str, np.ndarray]) -> list[dict[str, Any]]:
    xy = grid.centres_flat()
    ids = np.arange(grid.n_cells)
    cols = {k: np.asarray(v).ravel().tolist() for k, v in columns.items()}
    return [
        {"id": int(i), "x": float(xy[i, 0]), "y": float(xy[i, 1])}
        | {k: _clean(cols[k][i]) for k in cols}
        for i in ids
    ]


def run_hotspots(
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
) -> HotspotOutput:
    """Run one hotspot method on events (already in the analysis CRS).

    ``period`` selects the events studied; ``compare_to`` the reference period of
    ``method="compare"`` (default: the period of equal length just before). Weights
    default to a distance band of two cells (500 m for 250 m cells).
    """
    if method not in METHODS:
        raise InputError(f"méthode inconnue : « {method} » (attendu {', '.join(METHODS)})")
    cats = list(categories or [])
    say = progress or (lambda _msg: None)
    spec: WeightsSpec = parse_weights(weights) if weights else WeightsSpec("distance", 2 * cell)
    ev = _select(events, period, cats)
    what = f"sur la période {_period_label(period)}" + (f" ({', '.join(cats)})" if cats else "")
    _check_events(ev, what, method)
    base_method: dict[str, Any] = {
        "name": method,
        "crs": ev.crs,
        "cell_m": cell,
        "period": _period_dict(period),
        "categories": cats or "toutes",
        "source": source,
        "n": ev.n,
    }
    summary: dict[str, Any]
    caption_src = f"Source : {source}. " if source else ""
    say("calcul")
    if method == "kde":
        r = kde_events(ev, cell, bandwidth)
        gc = grid_counts(ev, cell, grid=r.grid)
        grid, raster = r.grid, r.density
        cols = {"count": gc.counts, "statistic": r.density, "p_value": np.full(grid.shape, np.nan)}
        cols["class"] = np.full(grid.shape, None, dtype=object)
        mblock = {**base_method, **r.method, "bandwidth_m": r.bandwidth}
        layers = MapLayers(grid, "Densité des faits (noyau gaussien)", "", surface=r.density)
        summary = {"max_density_km2": float(r.density.max())}
        label = "densité (faits par km²)"
    elif method in ("gistar", "lisa"):
        gc = grid_counts(ev, cell)
        grid = gc.grid
        _check_spread(gc.counts, cell, ev.n, what)
        if method == "gistar":
            if spec.kind == "distance":
                g = gi_star_grid(gc.counts, cell, distance=spec.value)
            else:
                g = gi_star_grid(gc.counts, cell, k=int(spec.value))
            cls = g.hot_cold_class
            cols = {"count": gc.counts, "statistic": g.z, "p_value": g.p_fdr, "class": cls}
            cols["p_raw"] = g.p
            mblock = {**base_method, **g.method, "weights": spec.describe()}
            layers = MapLayers(grid, "Points chauds et froids (Getis-Ord Gi*)", "", classes=cls)
            summary = {
                "n_hot": g.n_hot,
                "n_cold": g.n_cold,
                "by_class": {CLASS_LABELS_FR[k]: int((cls == k).sum()) for k in range(-3, 4)},
            }
            raster, label = g.z, "z Gi*"
        else:
            w = build_weights(grid.centres_flat(), spec)
            lr = local_moran(gc.flat(), w, permutations=permutations, seed=seed)
            cluster = lr.cluster.reshape(grid.shape)
            cols = {
                "count": gc.counts,
                "statistic": lr.local_i.reshape(grid.shape),
                "p_value": lr.p_sim.reshape(grid.shape),
                "class": cluster,
            }
            mblock = {**base_method, **lr.method, "weights": spec.describe()}
            # Draw HH as hot 95 %, LL as cold 95 %, outliers at 90 %.
            draw = np.select(
                [cluster == 1, cluster == 3, cluster == 4, cluster == 2], [2, -2, 1, -1], 0
            )
            layers = MapLayers(grid, "Concentrations locales (I de Moran local)", "", classes=draw)
            summary = {QUADRANT_LABELS_FR[k]: int((cluster == k).sum()) for k in range(5)}
            raster, label = lr.local_i.reshape(grid.shape), "I de Moran local"
    elif method == "emerging":
        start = period.start if period else None
        end = period.end if period else None
        cube = make_cube(ev, cell, step, start=start, end=end)
        grid = cube.grid
        _check_spread(cube.counts.sum(axis=0), cell, ev.n, what)
        if spec.kind != "distance":
            raise InputError("l'analyse émergente utilise une bande de distance (distance:M)")
        er = emerging_hotspots_grid(cube.counts, cell, spec.value)
        cat = er.category.reshape(grid.shape)
        cols = {
            "count": cube.counts.sum(axis=0),
            "statistic": er.trend_z.reshape(grid.shape),
            "p_value": er.trend_p.reshape(grid.shape),
            "class": cat,
            "n_hot_steps": er.hot.sum(axis=0).reshape(grid.shape),
            "n_cold_steps": er.cold.sum(axis=0).reshape(grid.shape),
        }
        mblock = {
            **base_method,
            **er.method,
            "weights": spec.describe(),
            "step": step,
            "steps": cube.step_labels(),
            "n_excluded": cube.n_excluded,
        }
        layers = MapLayers(
            grid,
            "Points chauds émergents",
            "",
            categories=cat,
            category_labels=CATEGORY_LABELS_FR,
        )
        summary = {CATEGORY_LABELS_FR[k]: v for k, v in er.counts_by_category().items()}
        raster, label = er.trend_z.reshape(grid.shape), "z de tendance Mann-Kendall"
    ref: Period | None = None
    if method == "compare":
        ref = compare_to or (period.previous() if period is not None else None)
        if ref is None:
            raise InputError("comparaison : indiquez --period et --compare-to (DEBUT..FIN)")
        before = _select(events, ref, cats)
        _check_events(before, f"sur la période de référence {ref.label()}", method)
        dist = spec.value if spec.kind == "distance" else None
        k = int(spec.value) if spec.kind == "knn" else None
        zone_ids = [int(z) for z in zones["id"]] if zones is not None and len(zones) else None
        for e, lab in ((before, f"de référence {ref.label()}"), (ev, what)):
            _check_spread(grid_counts(e, cell).counts, cell, e.n, lab)
        mv = movement(before, ev, cell, distance=dist, k=k, zone_ids=zone_ids, seed=seed)
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
        mblock = {
            **base_method,
            **mv.method,
            "compare_to": _period_dict(ref),
            "weights": spec.describe(),
        }
        summary = {
            "appeared": mv.change.n_appeared,
            "vanished": mv.change.n_vanished,
            "persisted": mv.change.n_persisted,
            "centre_shifts": shifts,
            "sppt": {
                "cells": mv.sppt_cells.as_dict(),
                "zones": mv.sppt_zones.as_dict() if mv.sppt_zones is not None else None,
                "zone_cell_s_index": {
                    names.get(z, str(z)): v for z, v in mv.zone_cell_s_index.items()
                },
            },
        }
        layers = MapLayers(grid, "Points chauds apparus, disparus, persistants", "", change=status)
        raster, label = mv.gi_after.z - mv.gi_before.z, "différence des z Gi*"
    say("mise en forme")
    mblock["n_locations"] = grid.n_cells
    mblock["n"] = ev.n
    layers.zones = zones
    bw = mblock.get("bandwidth_m")
    rule = "règle de Silverman" if bandwidth is None else "donnée"
    wdesc = spec.label() if method != "kde" else f"largeur de bande {bw:.0f} m ({rule})"
    layers.caption = (
        f"Période : {_period_label(period)}"
        + (f" ; référence : {ref.label()}" if ref is not None else "")
        + f". {caption_src}Méthode : {method}, cellules de {cell:g} m, {wdesc}"
        + (
            ", correction FDR (Benjamini-Hochberg)"
            if method in ("gistar", "emerging", "compare")
            else ""
        )
        + f". n = {ev.n} faits. Lambert-93 (EPSG:2154)."
    )
    from gltd.mapping.vector import cells_frame

    attrs = {k: [_clean(v) for v in np.asarray(c).ravel().tolist()] for k, c in cols.items()}
    attrs = {k: v for k, v in attrs.items() if any(a is not None for a in v)}
    frame = cells_frame(grid, grid.cell_ids().ravel(), attrs)
    payload = {
        "method": {**mblock, "grid": grid.describe()},
        "summary": summary,
        "cells": _cells(grid, cols),
    }
    return HotspotOutput(method, payload, grid, frame, np.asarray(raster, float), label, layers)
