"""Near-repeat analysis: the Knox test by distance band × time band (NRC / R NearRepeat).

For every pair of events (unordered, each pair once) the distance and the time difference
are taken; the table counts the pairs by distance band × time band. Under the null of no
space–time interaction the times are exchangeable across locations: the event times are
permuted over the locations (Monte Carlo, ``permutations`` times) and the table recounted.

- Knox ratio = observed / mean of the permuted counts (Johnson et al. 2007);
- p-value = (number of permuted counts ≥ observed + 1) / (permutations + 1) (one-sided,
  Besag & Diggle 1977), as in R NearRepeat and the Near Repeat Calculator;
- analytic expectation of a cell: ``S_d × T_k / N`` where ``S_d`` is the number of pairs,
  over all pairs, in distance band ``d``, ``T_k`` the number of pairs in time band ``k``
  and ``N = n(n−1)/2`` (under a uniform permutation, a fixed pair of locations receives a
  uniformly drawn pair of distinct times).

Bands are ``[a, b)`` on the edges given, like R NearRepeat (``cut(..., right = FALSE)``);
pairs outside the first and last edge are not in the table (give ``inf`` as last edge
for an open band). ``nrc=True`` reproduces the Near Repeat Calculator 1.3 cell for cell
on its two runs published with R NearRepeat: coordinates held in single precision
(``float32``), a "same location" band of distance exactly 0 (in single precision), then
``[0, b₁)`` minus that, ``[b₁, b₂)``…, the "more than" bands, and the NRC's ``a to b``
labels (which stand for ``[a − 1, b)``, Steenbeek's NearRepeat vignette "NRC").

References
----------
Knox, E. G. (1964). The detection of space-time interactions. *JRSS C* 13(1), 25–30.
Besag, J. & Diggle, P. J. (1977). Simple Monte Carlo tests for spatial pattern. *JRSS C*
26(3), 327–333.
Johnson, S. D. et al. (2007). Space–time patterns of risk. *Journal of Quantitative
Criminology* 23, 201–219.
Ratcliffe, J. H. (2009). *Near Repeat Calculator* 1.3. Temple University.
Steenbeek, W. (2019). *NearRepeat*: Near Repeat calculation using the Knox test (R package).

Examples
--------
>>> import numpy as np
>>> from gltd.analysis.knox import near_repeat
>>> r = near_repeat([0, 0, 50, 400], [0, 0, 0, 0], [0, 2, 3, 40], [0, 0.1, 100], [0, 7, 14],
...                 permutations=99, seed=1)
>>> r.observed.tolist()
[[1, 0], [2, 0]]
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from gltd.analysis import knox_bands as kb
from gltd.analysis.events import EventSet, check_metric_crs
from gltd.analysis.knox_bands import nrc_coordinates
from gltd.errors import InputError

__all__ = [
    "NearRepeatResult",
    "monte_carlo_p_value",
    "near_repeat",
    "nrc_coordinates",
    "significance_level",
    "DEFAULT_ALPHA",
]

#: Significance threshold on the Monte Carlo p-value (with observed > mean permuted).
DEFAULT_ALPHA = 0.05


@dataclass(frozen=True, eq=False)
class NearRepeatResult:
    """Knox near-repeat table: one cell per distance band × time band.

    Attributes
    ----------
    distance_edges, time_edges : tuple of float
        Band edges as applied: band ``d`` is ``[distance_edges[d], distance_edges[d + 1])``
        (``inf`` for an open band), same for time (in ``unit``). With ``nrc`` the « same
        location » band is reported as ``[0, 0]``: distance exactly 0.
    distance_labels, time_labels : tuple of str
        Row and column labels (interval notation, or the NRC's own with ``nrc``).
    observed : int array (D, K)
        Observed pairs per cell.
    mean_permuted, median_permuted : float arrays (D, K)
        Mean and median of the permuted counts.
    expected : float array (D, K)
        Analytic expectation under the permutation null (``S_d × T_k / N``).
    knox_ratio, knox_ratio_median : float arrays (D, K)
        Observed / mean (and / median) of the permuted counts.
    p_value : float array (D, K)
        ``(#{permuted ≥ observed} + 1) / (permutations + 1)``.
    significant : bool array (D, K)
        ``p_value ≤ alpha`` and observed > mean permuted (risk raised).
    permuted : int array (permutations, D, K)
        Every permuted table (for further statistics).
    """

    distance_edges: tuple[float, ...]
    time_edges: tuple[float, ...]
    distance_labels: tuple[str, ...]
    time_labels: tuple[str, ...]
    observed: np.ndarray
    mean_permuted: np.ndarray
    median_permuted: np.ndarray
    expected: np.ndarray
    knox_ratio: np.ndarray
    knox_ratio_median: np.ndarray
    p_value: np.ndarray
    significant: np.ndarray
    permuted: np.ndarray
    alpha: float
    permutations: int
    seed: int
    n: int
    n_pairs: int
    close_pairs: int
    metric: str
    unit: str
    nrc: bool
    date_only: bool
    runtime_s: float
    method: dict[str, Any] = field(default_factory=dict)

    def cells(self) -> list[dict[str, Any]]:
        """One dict per cell, rows first (JSON-ready: ``inf``/``nan`` become ``None``)."""
        out = []
        for d, dl in enumerate(self.distance_labels):
            for k, tl in enumerate(self.time_labels):
                p = float(self.p_value[d, k])
                out.append(
                    {
                        "distance_band": dl,
                        "distance_from": _num(self.distance_edges[d]),
                        "distance_to": _num(self.distance_edges[d + 1]),
                        "time_band": tl,
                        "time_from": _num(self.time_edges[k]),
                        "time_to": _num(self.time_edges[k + 1]),
                        "observed": int(self.observed[d, k]),
                        "mean_permuted": _num(self.mean_permuted[d, k]),
                        "expected": _num(self.expected[d, k]),
                        "knox_ratio": _num(self.knox_ratio[d, k]),
                        "knox_ratio_median": _num(self.knox_ratio_median[d, k]),
                        "p_value": _num(p),
                        "significant": bool(self.significant[d, k]),
                        "level": significance_level(p, bool(self.significant[d, k])),
                    }
                )
        return out

    def to_frame(self) -> pd.DataFrame:
        """The cells as a DataFrame (one row per distance band × time band)."""
        return pd.DataFrame(self.cells())

    def to_dict(self) -> dict[str, Any]:
        """Parameters, table and method, JSON-ready."""
        return {
            "parameters": {
                "distance_edges": [_num(e) for e in self.distance_edges],
                "time_edges": [_num(e) for e in self.time_edges],
                "metric": self.metric,
                "unit": self.unit,
                "nrc": self.nrc,
                "permutations": self.permutations,
                "seed": self.seed,
                "alpha": self.alpha,
            },
            "n": self.n,
            "n_pairs": self.n_pairs,
            "close_pairs": self.close_pairs,
            "date_only": self.date_only,
            "runtime_s": round(self.runtime_s, 4),
            "distance_labels": list(self.distance_labels),
            "time_labels": list(self.time_labels),
            "cells": self.cells(),
            "method": self.method,
        }


def monte_carlo_p_value(observed: Any, permuted: Any) -> np.ndarray:
    """``(#{permuted ≥ observed} + 1) / (permutations + 1)`` per cell (Besag & Diggle 1977).

    ``permuted`` has the permutations on its first axis. The Near Repeat Calculator's
    verbose output gives the same p-values from its own permuted counts.
    """
    perm = np.asarray(permuted)
    return ((perm >= np.asarray(observed)).sum(axis=0) + 1) / (perm.shape[0] + 1)


def significance_level(p: float, raised: bool = True) -> str:
    """``"***"`` (p ≤ 0.001), ``"**"`` (≤ 0.01), ``"*"`` (≤ 0.05) or ``""``."""
    if not raised or not math.isfinite(p):
        return ""
    for cut, mark in ((0.001, "***"), (0.01, "**"), (0.05, "*")):
        if p <= cut + 1e-12:
            return mark
    return ""


def near_repeat(
    events_or_x: Any,
    y: Any = None,
    t: Any = None,
    distance_edges: Sequence[float] | None = None,
    time_edges: Sequence[float] | None = None,
    *,
    permutations: int = 999,
    seed: int | None = None,
    metric: str = "euclidean",
    unit: str = "days",
    nrc: bool = False,
    alpha: float = DEFAULT_ALPHA,
    date_only: bool | None = None,
    progress: Callable[[int, int], None] | None = None,
    crs: str | None = None,
) -> NearRepeatResult:
    """Knox near-repeat table with Monte Carlo p-values.

    Parameters
    ----------
    events_or_x : EventSet or array-like
        An :class:`EventSet` (then ``y`` and ``t`` may carry the distance and time edges),
        or the x coordinates (metres).
    y, t : array-like
        y coordinates and times: datetimes/dates, or numbers already in ``unit``.
    distance_edges, time_edges : sequence of float
        Strictly increasing band edges ≥ 0; ``inf`` allowed as last edge. With ``nrc``:
        the NRC's band limits starting at 0 (e.g. ``0, 100, 200, 300``).
    permutations : int
        Monte Carlo permutations of the times (999 as R NearRepeat).
    seed : int, optional
        Seed of the ``numpy.random.Generator``; drawn (and reported) when omitted.
    metric : {"euclidean", "manhattan"}
    unit : {"days", "hours"}
        Unit of the time edges. Date-only data gives whole days.
    nrc : bool
        Near Repeat Calculator arithmetic, edges and labels (single-precision coordinates,
        « same location » = distance 0).
    alpha : float
        Significance threshold on the p-value.
    date_only : bool, optional
        Times are dates (differences in whole days); inferred when omitted.
    progress : callable(done, total), optional
        Called after each batch of permutations.
    crs : str, optional
        How the coordinates are known, for the method block (default: the EventSet's
        CRS, or « as given » for arrays).

    Returns
    -------
    NearRepeatResult
    """
    from gltd.analysis import knox_kernel as kk

    start = time.perf_counter()
    ev_crs: str | None = None
    if isinstance(events_or_x, EventSet):
        ev = events_or_x
        ev_crs = ev.crs
        check_metric_crs(ev.crs)
        if distance_edges is None and time_edges is None and y is not None:
            distance_edges, time_edges = y, t
        x_arr, y_arr = ev.x, ev.y
        ticks, per_unit, integer, is_date = kb.ticks_from_events(ev, unit)
    else:
        if y is None or t is None:
            raise InputError("near_repeat : donnez un EventSet ou les tableaux x, y et t")
        x_arr = kb.coords(events_or_x, "x")
        y_arr = kb.coords(y, "y")
        ticks, per_unit, integer, is_date = kb.ticks(t, unit, date_only)
    if distance_edges is None or time_edges is None:
        raise InputError("near_repeat : les bornes des bandes de distance et de temps manquent")
    if metric not in ("euclidean", "manhattan"):
        raise InputError(f"distance « {metric} » inconnue (attendu euclidean ou manhattan)")
    n = len(x_arr)
    if not (len(y_arr) == n == len(ticks)):
        raise InputError(f"x, y et t n'ont pas la même longueur ({n}, {len(y_arr)}, {len(ticks)})")
    if n < 2:
        raise InputError(
            f"il faut au moins deux événements pour une analyse de répétition ({n} fourni)"
        )
    if permutations < 0:
        raise InputError("le nombre de permutations doit être positif ou nul")
    d_edges = kb.band_edges(distance_edges, "distance")
    t_edges = kb.band_edges(time_edges, "temps")
    if nrc:
        d_edges, t_edges = kb.nrc_edges(d_edges, t_edges)
        x_arr, y_arr = kb.nrc_coordinates(x_arr), kb.nrc_coordinates(y_arr)
    kb.check_span(ticks, t_edges, per_unit, integer, unit)

    d_fin, d_below, d_open = _extend(d_edges)
    t_fin_units, t_below, t_open = _extend(t_edges)
    t_thr = t_fin_units * per_unit
    if integer:  # integer Δt < e  ⇔  Δt < ⌈e⌉ (e snapped when it is an integer up to rounding)
        snapped = np.round(t_thr)
        near = np.abs(t_thr - snapped) <= 1e-9 * np.maximum(1.0, np.abs(t_thr))
        t_thr = np.where(near, snapped, np.ceil(t_thr))
    pairs = kk.build_close_pairs(x_arr, y_arr, d_fin, metric)
    if integer and (ticks.max() - ticks.min()) < 2**31 - 1:
        tp = (ticks - ticks.min()).astype(np.int32)[pairs.order]
        thr: np.ndarray = np.minimum(t_thr, 2**62).astype(np.int64)
    else:
        tp = ticks.astype(np.float64)[pairs.order]
        thr = t_thr.astype(np.float64)
    n_all = n * (n - 1) // 2
    s_tot = pairs.band_totals
    t_tot = kk.time_band_totals(tp, thr)

    def full(c: np.ndarray) -> np.ndarray:
        return _full_table(c, s_tot, t_tot, n_all)[
            ..., d_below : len(d_fin) - 1 + d_open, t_below : len(thr) - 1 + t_open
        ]

    observed = full(kk.count_table(tp, pairs, thr))
    s_ext = np.append(s_tot, n_all - s_tot.sum())[d_below : len(d_fin) - 1 + d_open]
    t_ext = np.append(t_tot, n_all - t_tot.sum())[t_below : len(thr) - 1 + t_open]
    expected = np.outer(s_ext, t_ext) / n_all

    if seed is None:
        seed = int(np.random.SeedSequence().entropy % (2**63))  # type: ignore[operator]
    permuted = np.zeros((permutations, *observed.shape), dtype=np.int64)
    batch = int(max(2, min(64, (1 << 23) // max(n, 1))))
    done = 0
    while done < permutations:
        b = min(batch, permutations - done)
        states = kk.permutation_states(seed, done, b)
        permuted[done : done + b] = full(kk.count_permutations(tp, pairs, thr, states))
        done += b
        if progress is not None:
            progress(done, permutations)

    with np.errstate(divide="ignore", invalid="ignore"):
        if permutations:
            mean = permuted.mean(axis=0)
            median = np.median(permuted, axis=0)
            p = monte_carlo_p_value(observed, permuted)
        else:
            mean = np.full(observed.shape, np.nan)
            median = mean.copy()
            p = mean.copy()
        ratio = observed / mean
        ratio_med = observed / median
    significant = (p <= alpha + 1e-12) & (observed > mean)
    d_labels = kb.band_labels(d_edges, "m", nrc, same_location=nrc)
    t_labels = kb.band_labels(t_edges, kb.UNIT_FR[unit], nrc, same_location=False)
    if nrc:  # the « same location » band is d = 0 exactly: reported as [0, 0]
        d_edges = np.concatenate([[0.0, 0.0], d_edges[2:]])
    method = {
        "name": "Test de Knox par bandes (répétitions proches)",
        "pairs": "paires non ordonnées, chacune comptée une fois",
        "bands": "[a, b) sur les bornes données"
        + (
            " ; mode NRC : « même lieu » = distance nulle, puis ]0, b₁), [b₁, b₂)…, "
            "libellés « a à b » = [a − 1, b)"
            if nrc
            else ""
        ),
        "coordinates": "simple précision (float32), comme le Near Repeat Calculator"
        if nrc
        else "double précision",
        "distance": "|Δx| + |Δy|" if metric == "manhattan" else "√(Δx² + Δy²)",
        "time": _time_claim(is_date, per_unit, unit),
        "crs": crs
        or (ev_crs if ev_crs is not None else "x/y tels que donnés (mètres, système non précisé)"),
        "alpha": alpha,
        "permutations": permutations,
        "seed": int(seed),
        "null": "permutation des dates entre les lieux (Monte Carlo)",
        "knox_ratio": "observé / moyenne des comptes permutés",
        "p_value": "(nombre de comptes permutés ≥ observé + 1) / (permutations + 1)",
        "significance": f"p ≤ {alpha:g} et observé > moyenne permutée",
        "expected": "S_d × T_k / N (toutes les paires)",
        "references": [
            "Knox (1964) JRSS C 13:25-30",
            "Johnson et al. (2007) J Quant Criminol 23:201-219",
            "Ratcliffe (2009) Near Repeat Calculator 1.3",
            "Steenbeek (2019) R package NearRepeat",
        ],
    }
    return NearRepeatResult(
        distance_edges=tuple(float(e) for e in d_edges),
        time_edges=tuple(float(e) for e in t_edges),
        distance_labels=d_labels,
        time_labels=t_labels,
        observed=observed,
        mean_permuted=mean,
        median_permuted=median,
        expected=expected,
        knox_ratio=ratio,
        knox_ratio_median=ratio_med,
        p_value=p,
        significant=significant,
        permuted=permuted,
        alpha=alpha,
        permutations=permutations,
        seed=int(seed),
        n=n,
        n_pairs=n_all,
        close_pairs=pairs.n_pairs,
        metric=metric,
        unit=unit,
        nrc=nrc,
        date_only=is_date,
        runtime_s=time.perf_counter() - start,
        method=method,
    )


def _time_claim(is_date: bool, per_unit: int, unit: str) -> str:
    if is_date:
        return "écart en jours entiers entre dates (jours civils)"
    if per_unit == 1:
        return f"écart des valeurs données, en {kb.UNIT_FR[unit]}"
    return f"écart à la seconde près, bornes en {kb.UNIT_FR[unit]}"


def _full_table(c: np.ndarray, s_tot: np.ndarray, t_tot: np.ndarray, n_all: int) -> np.ndarray:
    """Add the "beyond the last finite edge" row and column from invariant margins."""
    shape = (*c.shape[:-2], c.shape[-2] + 1, c.shape[-1] + 1)
    out = np.zeros(shape, dtype=np.int64)
    out[..., :-1, :-1] = c
    out[..., :-1, -1] = s_tot - c.sum(axis=-1)
    out[..., -1, :-1] = t_tot - c.sum(axis=-2)
    out[..., -1, -1] = n_all - out[..., :-1, :].sum(axis=(-2, -1)) - out[..., -1, :-1].sum(axis=-1)
    return out


def _extend(edges: np.ndarray) -> tuple[np.ndarray, int, int]:
    """Finite edges starting at 0 for the kernel, and whether a band below / above exists."""
    finite = edges[np.isfinite(edges)]
    below = int(finite[0] > 0)
    fin = np.concatenate([[0.0], finite]) if below else finite
    return fin.astype(np.float64), below, int(not np.isfinite(edges[-1]))


def _num(v: Any) -> float | None:
    f = float(v)
    return f if math.isfinite(f) else None
