"""Getis-Ord Gi* local hotspot statistic, with Benjamini–Hochberg FDR and 90/95/99 % classes.

For each location *i*, with binary weights including the self-weight ``w_ii = 1``,
``W_i = Σ_j w_ij``, ``S1_i = Σ_j w_ij²``, the mean ``x̄`` and ``s² = Σx²/n − x̄²`` over all
``n`` locations (Getis & Ord 1992; Ord & Getis 1995)::

    Gi* = (Σ_j w_ij x_j − x̄ W_i) / ( s √((n S1_i − W_i²) / (n − 1)) )

``Gi*`` is already a z-score. The p-value is two-sided, ``2·(1 − Φ(|z|))`` (ArcGIS "Hot
Spot Analysis"); PySAL's ``esda.G_Local(star=True, transform="B")`` gives the same ``Zs``
and a one-sided ``p_norm`` (half our p). Classes follow ArcGIS's ``Gi_Bin``: ±3, ±2, ±1
for hot/cold spots at 99, 95 and 90 % confidence, from the FDR-adjusted p-values when
the correction is on (Benjamini & Hochberg 1995), which is ArcGIS's FDR option.

On a regular grid with a distance band, the neighbourhood sums ``Σ_j w_ij x_j`` and
``W_i`` are a 2-D convolution of the counts (and of ones) with a disk kernel, computed
with :func:`scipy.ndimage.correlate` or by FFT: exact, and much faster than building a
weights object.

References
----------
Getis, A. & Ord, J. K. (1992). The analysis of spatial association by use of distance
statistics. *Geographical Analysis* 24(3), 189–206.
Ord, J. K. & Getis, A. (1995). Local spatial autocorrelation statistics: distributional
issues and an application. *Geographical Analysis* 27(4), 286–306.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import ndimage, signal, sparse
from scipy.special import ndtr

from gltd.analysis.fdr import bh_adjust
from gltd.analysis.weights import WeightsSpec, grid_disk, knn
from gltd.errors import InputError

__all__ = [
    "GiStarResult",
    "gi_star",
    "gi_star_grid",
    "gi_z_from_sums",
    "classify",
    "neighbourhood_sums",
    "CLASS_LABELS_FR",
]

#: French labels of the hot/cold classes.
CLASS_LABELS_FR = {
    3: "point chaud 99 %",
    2: "point chaud 95 %",
    1: "point chaud 90 %",
    0: "non significatif",
    -1: "point froid 90 %",
    -2: "point froid 95 %",
    -3: "point froid 99 %",
}

#: Kernels with more cells than this are applied by FFT rather than direct correlation.
FFT_KERNEL_CELLS = 169


@dataclass(frozen=True, eq=False)
class GiStarResult:
    """Gi* z-scores, p-values and classes (arrays shaped like the input values).

    Attributes
    ----------
    z : float array
        Gi* z-scores (NaN where undefined: a location whose neighbourhood is everything).
    p : float array
        Two-sided normal p-values.
    p_fdr : float array
        Benjamini–Hochberg adjusted p-values (over all locations).
    hot_cold_class : int array
        −3 … 3: cold 99 % … hot 99 % (0 = not significant), from ``p_fdr`` when
        ``method["correction"]`` is ``"fdr_bh"``, else from ``p``.
    method : dict
        Parameters (weights, correction, n, mean, std).
    """

    z: np.ndarray
    p: np.ndarray
    p_fdr: np.ndarray
    hot_cold_class: np.ndarray
    method: dict[str, Any] = field(default_factory=dict)

    @property
    def n_hot(self) -> int:
        """Number of hot spots (any confidence)."""
        return int((self.hot_cold_class > 0).sum())

    @property
    def n_cold(self) -> int:
        """Number of cold spots (any confidence)."""
        return int((self.hot_cold_class < 0).sum())


def classify(z: np.ndarray, p: np.ndarray) -> np.ndarray:
    """ArcGIS ``Gi_Bin`` classes: ``sign(z)·(3 if p < .01, 2 if p < .05, 1 if p < .10)``.

    Examples
    --------
    >>> classify(np.array([3.0, -2.0, 1.0]), np.array([0.001, 0.04, 0.5])).tolist()
    [3, -2, 0]
    """
    level = np.zeros(np.shape(p), dtype="int64")
    pp = np.where(np.isnan(p), 1.0, p)
    level[pp < 0.10] = 1
    level[pp < 0.05] = 2
    level[pp < 0.01] = 3
    return (np.sign(np.nan_to_num(z)).astype("int64") * level).astype("int64")


def _check_values(x: np.ndarray) -> None:
    n = x.size
    if n < 3:
        raise InputError(
            f"Gi* impossible sur {n} cellule(s) ou zone(s) : il en faut au moins 3 "
            "(réduisez la taille de cellule ou élargissez l'emprise)"
        )
    if not np.all(np.isfinite(x)):
        raise InputError("Gi* : certaines valeurs sont manquantes ou infinies")
    if np.ptp(x) == 0:
        raise InputError(
            f"Gi* impossible : toutes les {n} cellules ou zones ont la même valeur "
            f"({float(x.flat[0]):g}), il n'y a pas de concentration à mesurer"
        )


def gi_z_from_sums(
    lag: np.ndarray,
    w_sum: np.ndarray,
    s1: np.ndarray,
    n: int,
    mean: float,
    std: float,
) -> np.ndarray:
    """The Gi* z-score from neighbourhood sums (self included) and global moments.

    ``lag = Σ_j w_ij x_j``, ``w_sum = W_i``, ``s1 = S1_i``; ``mean`` and ``std`` (population
    standard deviation) over the ``n`` locations. NaN where the denominator is 0.
    """
    var_term = (n * s1 - w_sum * w_sum) / (n - 1)
    den = std * np.sqrt(np.clip(var_term, 0.0, None))
    with np.errstate(invalid="ignore", divide="ignore"):
        z = (lag - mean * w_sum) / den
    return np.where(den > 0, z, np.nan)


def _finish(
    x: np.ndarray,
    lag: np.ndarray,
    w_sum: np.ndarray,
    s1: np.ndarray,
    fdr: bool,
    method: dict[str, Any],
) -> GiStarResult:
    n = x.size
    mean = float(x.mean())
    std = float(x.std())
    z = gi_z_from_sums(lag, w_sum, s1, n, mean, std)
    p = np.where(np.isnan(z), 1.0, 2.0 * ndtr(-np.abs(np.nan_to_num(z))))
    p_fdr = bh_adjust(p)
    cls = classify(z, p_fdr if fdr else p)
    method = {
        "statistic": "Getis-Ord Gi* (z analytique, p bilatérale)",
        "correction": "fdr_bh" if fdr else "aucune",
        "classes": "±3/±2/±1 : 99/95/90 % (comme Gi_Bin d'ArcGIS)",
        "n": n,
        "mean": mean,
        "std": std,
        **method,
    }
    return GiStarResult(z=z, p=p, p_fdr=p_fdr, hot_cold_class=cls, method=method)


def gi_star(values: Any, weights: Any, *, alpha_fdr: bool = True) -> GiStarResult:
    """Gi* on any set of locations (grid cells, zones) with given binary weights.

    Parameters
    ----------
    values : 1-D array
        Value (count) of each location.
    weights : scipy.sparse matrix (n, n)
        Binary weights **without** self-weights (as :func:`~gltd.analysis.weights.distance_band`
        or :func:`~gltd.analysis.weights.knn` give); the self-weight ``w_ii = 1`` is added.
    alpha_fdr : bool
        Classify from Benjamini–Hochberg adjusted p-values (default, as ArcGIS's FDR
        option) rather than raw p-values.

    Returns
    -------
    GiStarResult

    Examples
    --------
    >>> from gltd.analysis.weights import distance_band
    >>> xy = np.column_stack([np.arange(5.0), np.zeros(5)])
    >>> r = gi_star(np.array([0, 0, 1, 5, 9.0]), distance_band(xy, 1.0))
    >>> bool(r.z[4] > r.z[0])
    True
    """
    x = np.asarray(values, dtype="float64").ravel()
    _check_values(x)
    w = sparse.csr_array(weights, dtype="float64")
    if w.shape != (x.size, x.size):
        raise ValueError(f"weights shape {w.shape} does not match {x.size} values")
    w = w.copy()
    w.setdiag(0)
    w.eliminate_zeros()
    lag = w @ x + x
    w_sum = np.asarray(w.sum(axis=1)).ravel() + 1.0
    s1 = np.asarray(w.multiply(w).sum(axis=1)).ravel() + 1.0
    return _finish(x, lag, w_sum, s1, alpha_fdr, {"weights": "fournis", "self_weight": 1})


def neighbourhood_sums(values: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """``Σ_j w_ij x_j`` on a grid for a symmetric binary kernel (zero outside the grid).

    Direct correlation for small kernels, FFT for large ones (rounded back to integers
    when the values are integers, so that both paths are exact).
    """
    k = kernel.astype("float64")
    v = np.asarray(values, dtype="float64")
    if kernel.sum() <= FFT_KERNEL_CELLS:
        return np.asarray(ndimage.correlate(v, k, mode="constant", cval=0.0))
    out = signal.fftconvolve(v, k[::-1, ::-1], mode="same")
    if np.all(v == np.round(v)):
        out = np.round(out)
    return np.asarray(out)


def gi_star_grid(
    counts2d: Any,
    cell: float,
    *,
    distance: float | None = None,
    k: int | None = None,
    alpha_fdr: bool = True,
) -> GiStarResult:
    """Gi* on every cell of a regular grid (arrays of the result are ``(ny, nx)``).

    Parameters
    ----------
    counts2d : (ny, nx) array
        Counts (or any values) per cell.
    cell : float
        Cell side in metres.
    distance : float, optional
        Distance band in metres between cell centres (convolution with a disk kernel).
    k : int, optional
        k nearest neighbours (k-d tree on the cell centres) — instead of ``distance``.
    alpha_fdr : bool
        Classify from FDR-adjusted p-values.
    """
    x = np.asarray(counts2d, dtype="float64")
    if x.ndim != 2:
        raise ValueError("counts2d must be a 2-D array (ny, nx)")
    if (distance is None) == (k is None):
        raise InputError("Gi* sur grille : indiquez soit une distance, soit k voisins")
    _check_values(x)
    if k is not None:
        ny, nx = x.shape
        xs, ys = np.meshgrid((np.arange(nx) + 0.5) * cell, (np.arange(ny) + 0.5) * cell)
        w = knn(np.column_stack([xs.ravel(), ys.ravel()]), int(k))
        flat = gi_star(x.ravel(), w, alpha_fdr=alpha_fdr)
        method = {**flat.method, "weights": WeightsSpec("knn", float(k)).describe(self_weight=True)}
        return GiStarResult(
            z=flat.z.reshape(x.shape),
            p=flat.p.reshape(x.shape),
            p_fdr=flat.p_fdr.reshape(x.shape),
            hot_cold_class=flat.hot_cold_class.reshape(x.shape),
            method=method,
        )
    assert distance is not None
    kernel = grid_disk(cell, distance)
    lag = neighbourhood_sums(x, kernel)
    w_sum = neighbourhood_sums(np.ones_like(x), kernel)
    res = _finish(
        x.ravel(),
        lag.ravel(),
        w_sum.ravel(),
        w_sum.ravel(),
        alpha_fdr,
        {
            "weights": WeightsSpec("distance", float(distance)).describe(self_weight=True),
            "kernel_cells": int(kernel.sum()),
        },
    )
    return GiStarResult(
        z=res.z.reshape(x.shape),
        p=res.p.reshape(x.shape),
        p_fdr=res.p_fdr.reshape(x.shape),
        hot_cold_class=res.hot_cold_class.reshape(x.shape),
        method=res.method,
    )
