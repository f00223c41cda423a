"""Emerging hot spot analysis (ArcGIS Pro definitions) on a space-time cube.

1. **Gi\\* per bin** (location *i*, step *t*): the neighbourhood is every location within
   the spatial band (self included) at steps ``t − K … t`` (``K = time_steps``, ArcGIS's
   *neighborhood time step*, default 1). Mean and standard deviation are taken over the
   whole cube (``n = T × locations``), then p-values are two-sided and corrected by
   Benjamini–Hochberg over all bins (ArcGIS applies an FDR correction). A bin is *hot*
   when ``p <= alpha`` and ``z > 0``, *cold* when ``p <= alpha`` and ``z < 0``.
2. **Trend** of each location's Gi\\* z-score series: Mann–Kendall test
   (:func:`gltd.analysis.trends.mann_kendall`, level ``trend_alpha``).
3. **Category** (hot; cold mirrors it with cold bins and a downward trend for
   "intensifying"), tested in this order, which is ArcGIS's reading of its definitions:

   - final step hot:
     *new* (no hot step before), *consecutive* (one unbroken final run of ≥ 2 hot steps,
     no hot step before the run, < 90 % of steps hot), then if ≥ 90 % of steps are hot:
     *intensifying* (significant upward trend), *diminishing* (significant downward
     trend), *persistent* (no significant trend); otherwise (< 90 %): *oscillating* (a
     cold step before) or *sporadic* (never cold);
   - final step not hot and ≥ 90 % of steps hot: *historical*;
   - otherwise the cold mirror, else *no pattern*.

   "≥ 90 %" is ``10 × hot_steps >= 9 × T`` (exact integer test).

Differences with other implementations: the R package **sfdep** (and the Python package
**pyehsa**, which ports it) tests *persistent* before *historical* and does not require
the final step to be hot for *persistent*, so a location hot at 90 % of the steps but not
at the last one becomes *persistent* there and *historical* here (ArcGIS); sfdep's
*new* also requires no significant bin at all before (cold included), and its default
threshold is 0.01 with permutation p-values and no FDR.

References
----------
Esri (2024). *How Emerging Hot Spot Analysis works*, ArcGIS Pro 3.x documentation.
Getis & Ord (1992); Mann (1945); Kendall (1975); Benjamini & Hochberg (1995).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import sparse
from scipy.special import ndtr

from gltd.analysis.fdr import bh_adjust
from gltd.analysis.gistar import gi_z_from_sums, neighbourhood_sums
from gltd.analysis.trends import mann_kendall_columns
from gltd.analysis.weights import grid_disk
from gltd.errors import InputError

__all__ = [
    "EmergingResult",
    "emerging_hotspots",
    "emerging_hotspots_grid",
    "classify_location",
    "CATEGORIES",
    "CATEGORY_LABELS_FR",
    "MIN_STEPS",
]

#: The 17 categories (ArcGIS Pro).
CATEGORIES = (
    "no_pattern",
    "new_hot",
    "consecutive_hot",
    "intensifying_hot",
    "persistent_hot",
    "diminishing_hot",
    "sporadic_hot",
    "oscillating_hot",
    "historical_hot",
    "new_cold",
    "consecutive_cold",
    "intensifying_cold",
    "persistent_cold",
    "diminishing_cold",
    "sporadic_cold",
    "oscillating_cold",
    "historical_cold",
)

CATEGORY_LABELS_FR = {
    "no_pattern": "aucun motif détecté",
    "new_hot": "nouveau point chaud",
    "consecutive_hot": "point chaud consécutif",
    "intensifying_hot": "point chaud en intensification",
    "persistent_hot": "point chaud persistant",
    "diminishing_hot": "point chaud en diminution",
    "sporadic_hot": "point chaud sporadique",
    "oscillating_hot": "point chaud oscillant",
    "historical_hot": "point chaud historique",
    "new_cold": "nouveau point froid",
    "consecutive_cold": "point froid consécutif",
    "intensifying_cold": "point froid en intensification",
    "persistent_cold": "point froid persistant",
    "diminishing_cold": "point froid en diminution",
    "sporadic_cold": "point froid sporadique",
    "oscillating_cold": "point froid oscillant",
    "historical_cold": "point froid historique",
}

#: ArcGIS requires at least ten time steps for the trend test to be meaningful.
MIN_STEPS = 10


@dataclass(frozen=True, eq=False)
class EmergingResult:
    """Per-bin Gi* and per-location category.

    Attributes
    ----------
    category : object array (n_locations,)
        One of :data:`CATEGORIES`.
    z, p, p_fdr : float arrays ``(T, n_locations)``
    hot, cold : bool arrays ``(T, n_locations)``
    trend_z, trend_p : float arrays (n_locations,)
        Mann–Kendall on each location's z series.
    method : dict
    """

    category: np.ndarray
    z: np.ndarray
    p: np.ndarray
    p_fdr: np.ndarray
    hot: np.ndarray
    cold: np.ndarray
    trend_z: np.ndarray
    trend_p: np.ndarray
    method: dict[str, Any] = field(default_factory=dict)

    def counts_by_category(self) -> dict[str, int]:
        """Number of locations per category (all 17 keys)."""
        return {c: int((self.category == c).sum()) for c in CATEGORIES}


def _side(sig: np.ndarray, other: np.ndarray, trend: int, kind: str) -> str | None:
    """Category on one side (hot or cold) when the final step is significant on it."""
    t_len = sig.size
    n_sig = int(sig.sum())
    if not sig[-1]:
        return f"historical_{kind}" if 10 * n_sig >= 9 * t_len else None
    if n_sig == 1:
        return f"new_{kind}"
    # length of the final run
    run = int(np.argmin(sig[::-1])) if not sig.all() else t_len
    ninety = 10 * n_sig >= 9 * t_len
    if run >= 2 and n_sig == run and not ninety:
        return f"consecutive_{kind}"
    if ninety:
        up = trend if kind == "hot" else -trend
        if up > 0:
            return f"intensifying_{kind}"
        if up < 0:
            return f"diminishing_{kind}"
        return f"persistent_{kind}"
    return f"oscillating_{kind}" if other[:-1].any() else f"sporadic_{kind}"


def classify_location(hot: Any, cold: Any, trend: int) -> str:
    """ArcGIS category of one location.

    Parameters
    ----------
    hot, cold : bool sequences (T,)
        Significant hot / cold bins in time order (the last is the final step).
    trend : int
        +1 significant upward trend of the z-scores, −1 downward, 0 none.

    Examples
    --------
    >>> classify_location([0] * 9 + [1], [0] * 10, 0)
    'new_hot'
    >>> classify_location([1] * 9 + [0], [0] * 10, 0)  # sfdep: persistent
    'historical_hot'
    """
    h = np.asarray(hot, dtype=bool)
    c = np.asarray(cold, dtype=bool)
    if h.size == 0:
        return "no_pattern"
    if h[-1]:
        return _side(h, c, trend, "hot") or "no_pattern"
    if c[-1]:
        return _side(c, h, trend, "cold") or "no_pattern"
    return _side(h, c, trend, "hot") or _side(c, h, trend, "cold") or "no_pattern"


def _finish(
    x: np.ndarray,
    lag: np.ndarray,
    w_sum: np.ndarray,
    alpha: float,
    fdr: bool,
    trend_alpha: float,
    method: dict[str, Any],
) -> EmergingResult:
    t_len, n_loc = x.shape
    if t_len < MIN_STEPS:
        raise InputError(
            f"analyse émergente impossible : {t_len} pas de temps, il en faut au moins "
            f"{MIN_STEPS} (allongez la période ou prenez un pas plus court)"
        )
    if np.ptp(x) == 0:
        raise InputError(
            "analyse émergente impossible : toutes les cases du cube ont la même valeur"
        )
    n = x.size
    z = gi_z_from_sums(lag, w_sum, w_sum, n, float(x.mean()), float(x.std()))
    p = np.where(np.isnan(z), 1.0, 2.0 * ndtr(-np.abs(np.nan_to_num(z))))
    p_fdr = bh_adjust(p)
    pu = p_fdr if fdr else p
    hot = (pu <= alpha) & (np.nan_to_num(z) > 0)
    cold = (pu <= alpha) & (np.nan_to_num(z) < 0)
    category = np.empty(n_loc, dtype=object)
    any_sig = hot.any(axis=0) | cold.any(axis=0)
    # One vectorised Mann-Kendall over all locations (a loop cost seconds on big grids).
    _, _, trend_z, trend_p = mann_kendall_columns(z)
    category[:] = "no_pattern"
    for i in np.flatnonzero(any_sig):
        up = trend_p[i] < trend_alpha
        trend = (1 if trend_z[i] > 0 else -1) if up else 0
        category[i] = classify_location(hot[:, i], cold[:, i], trend)
    method = {
        "statistic": "analyse de points chauds émergents (définitions ArcGIS Pro)",
        "gi_star": "Gi* par case, moyenne et écart-type sur tout le cube",
        "correction": "fdr_bh" if fdr else "aucune",
        "alpha": alpha,
        "trend": f"Mann-Kendall sur les z de chaque lieu, seuil {trend_alpha}",
        "n_steps": t_len,
        "n_locations": n_loc,
        **method,
    }
    return EmergingResult(
        category=category,
        z=z,
        p=p,
        p_fdr=p_fdr,
        hot=hot,
        cold=cold,
        trend_z=trend_z,
        trend_p=trend_p,
        method=method,
    )


def _time_window(a: np.ndarray, k: int) -> np.ndarray:
    """``out[t] = Σ_{s = max(0, t−k)}^{t} a[s]`` along axis 0."""
    c = np.cumsum(a, axis=0)
    out = c.copy()
    if k + 1 < a.shape[0]:
        out[k + 1 :] -= c[: -(k + 1)]
    return out


def emerging_hotspots(
    values: Any,
    weights: Any,
    *,
    time_steps: int = 1,
    alpha: float = 0.05,
    fdr: bool = True,
    trend_alpha: float = 0.05,
) -> EmergingResult:
    """Emerging hot spots for any locations (cells, zones) with binary spatial weights.

    Parameters
    ----------
    values : array ``(T, n_locations)``
        Counts per step and location (time in rows, oldest first).
    weights : scipy.sparse ``(n, n)``
        Binary spatial weights without self-weights.
    time_steps : int
        Number of previous steps in the neighbourhood (ArcGIS default 1).
    alpha : float
        Significance of hot/cold bins (after FDR when ``fdr``).
    fdr : bool
        Benjamini–Hochberg over all bins.
    trend_alpha : float
        Level of the Mann–Kendall test.
    """
    x = np.asarray(values, dtype="float64")
    if x.ndim != 2:
        raise ValueError("values must be (T, n_locations)")
    w = sparse.csr_array(weights, dtype="float64").copy()
    w.setdiag(0)
    w.eliminate_zeros()
    card = np.asarray(w.sum(axis=1)).ravel() + 1.0
    spatial = (w @ x.T).T + x
    lag = _time_window(spatial, time_steps)
    steps = np.minimum(np.arange(x.shape[0]), time_steps) + 1.0
    w_sum = steps[:, None] * card[None, :]
    return _finish(
        x, lag, w_sum, alpha, fdr, trend_alpha, {"weights": "fournis", "time_steps": time_steps}
    )


def emerging_hotspots_grid(
    counts3d: Any,
    cell: float,
    distance: float,
    *,
    time_steps: int = 1,
    alpha: float = 0.05,
    fdr: bool = True,
    trend_alpha: float = 0.05,
) -> EmergingResult:
    """Emerging hot spots on a grid cube ``(T, ny, nx)`` with a distance band (convolution).

    Results are per cell in cell-id order (``row × nx + col``).
    """
    x3 = np.asarray(counts3d, dtype="float64")
    if x3.ndim != 3:
        raise ValueError("counts3d must be (T, ny, nx)")
    kernel = grid_disk(cell, distance)
    spatial = np.stack([neighbourhood_sums(x3[t], kernel) for t in range(x3.shape[0])])
    card = neighbourhood_sums(np.ones(x3.shape[1:]), kernel).ravel()
    t_len = x3.shape[0]
    lag = _time_window(spatial.reshape(t_len, -1), time_steps)
    steps = np.minimum(np.arange(t_len), time_steps) + 1.0
    w_sum = steps[:, None] * card[None, :]
    return _finish(
        x3.reshape(t_len, -1),
        lag,
        w_sum,
        alpha,
        fdr,
        trend_alpha,
        {
            "weights": {"type": "bande de distance", "distance_m": distance, "binary": True},
            "time_steps": time_steps,
            "cell_m": cell,
        },
    )
