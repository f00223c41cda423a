"""Spatial weights for hotspot statistics: distance band and k nearest neighbours.

Weights are binary ``scipy.sparse.csr_array`` matrices **without self-weights**
(``w_ii = 0``); the Gi* code adds the self-weight. They are built with a k-d tree
(``scipy.spatial.cKDTree``), which takes about a second for 250,000 cell centres.

For a regular grid with a distance band, :func:`grid_disk` gives the neighbourhood as a
small boolean kernel, so that neighbourhood sums become a convolution (see
:func:`gltd.analysis.gistar.gi_star_grid`).

Conventions follow libpysal: ``DistanceBand(threshold, binary=True)`` takes the points at
distance ``<= threshold``; ``KNN(k)`` the ``k`` nearest other points.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import sparse
from scipy.spatial import cKDTree

from gltd.errors import InputError

__all__ = [
    "WeightsSpec",
    "parse_weights",
    "distance_band",
    "knn",
    "build_weights",
    "grid_disk",
    "EPS",
]

#: Relative tolerance on the distance threshold (cell centres on a grid are at exact
#: multiples of the cell, computed in floating point).
EPS = 1e-9


@dataclass(frozen=True)
class WeightsSpec:
    """How neighbours are chosen: ``kind`` is ``"distance"`` (value in metres) or
    ``"knn"`` (value = k)."""

    kind: str
    value: float

    def describe(self) -> dict[str, Any]:
        """Plain description for a ``method`` block."""
        if self.kind == "distance":
            return {
                "type": "bande de distance",
                "distance_m": self.value,
                "binary": True,
                "self_weight": "w_ii = 1 (Gi*)",
            }
        return {
            "type": "k plus proches voisins",
            "k": int(self.value),
            "binary": True,
            "self_weight": "w_ii = 1 (Gi*)",
        }

    def label(self) -> str:
        """``distance:500`` or ``knn:8``."""
        return f"distance:{self.value:g}" if self.kind == "distance" else f"knn:{int(self.value)}"


def parse_weights(text: str) -> WeightsSpec:
    """Parse ``distance:500`` (metres) or ``knn:8``.

    Examples
    --------
    >>> parse_weights("knn:8")
    WeightsSpec(kind='knn', value=8.0)
    """
    kind, _, val = text.strip().partition(":")
    kind = kind.lower()
    try:
        value = float(val)
    except ValueError:
        value = float("nan")
    if kind not in ("distance", "knn") or not math.isfinite(value) or value <= 0:
        raise InputError(
            f"voisinage illisible : « {text} » (attendu distance:MÈTRES, ex. distance:500, "
            "ou knn:K, ex. knn:8)"
        )
    if kind == "knn" and value != int(value):
        raise InputError(f"voisinage « {text} » : k doit être un entier")
    return WeightsSpec(kind, value)


def distance_band(xy: np.ndarray, threshold: float) -> sparse.csr_array:
    """Binary weights ``w_ij = 1`` when ``0 < d_ij <= threshold`` (``i != j``).

    Parameters
    ----------
    xy : (n, 2) array
        Coordinates in metres.
    threshold : float
        Band in metres.

    Returns
    -------
    scipy.sparse.csr_array
        ``(n, n)`` binary matrix without self-weights.
    """
    xy = np.asarray(xy, dtype="float64")
    n = len(xy)
    tree = cKDTree(xy)
    pairs = tree.query_pairs(threshold * (1 + EPS), output_type="ndarray")
    i = np.concatenate([pairs[:, 0], pairs[:, 1]])
    j = np.concatenate([pairs[:, 1], pairs[:, 0]])
    data = np.ones(len(i), dtype="float64")
    w = sparse.csr_array((data, (i, j)), shape=(n, n))
    w.sort_indices()
    return w


def knn(xy: np.ndarray, k: int) -> sparse.csr_array:
    """Binary weights to the ``k`` nearest other points (rows sum to ``k``).

    Ties at the k-th distance are broken by the k-d tree's order, as in libpysal's
    ``KNN``; the matrix is not symmetric.
    """
    xy = np.asarray(xy, dtype="float64")
    n = len(xy)
    k = int(k)
    if k >= n:
        raise InputError(f"knn:{k} impossible avec {n} cellules ou zones (k doit être < {n})")
    tree = cKDTree(xy)
    _, idx = tree.query(xy, k=k + 1)
    rows = np.arange(n)[:, None]
    is_self = idx == rows
    # Drop self; if self is not among the k+1 (duplicate points), drop the farthest.
    has_self = is_self.any(axis=1)
    is_self[~has_self, -1] = True
    keep = ~is_self
    j = idx[keep].reshape(n, k)
    i = np.repeat(np.arange(n), k)
    w = sparse.csr_array((np.ones(n * k), (i, j.ravel())), shape=(n, n))
    w.sort_indices()
    return w


def build_weights(xy: np.ndarray, spec: WeightsSpec) -> sparse.csr_array:
    """Weights from a :class:`WeightsSpec`."""
    if spec.kind == "distance":
        return distance_band(xy, spec.value)
    return knn(xy, int(spec.value))


def grid_disk(cell: float, distance: float) -> np.ndarray:
    """Neighbourhood kernel of a distance band on a square grid, self included.

    ``kernel[r + di, r + dj]`` is 1 when ``cell·√(di² + dj²) <= distance`` (the same
    neighbours as :func:`distance_band` on the cell centres, plus the cell itself).

    Examples
    --------
    >>> grid_disk(250, 250).astype(int).tolist()
    [[0, 1, 0], [1, 1, 1], [0, 1, 0]]
    """
    if distance <= 0 or cell <= 0:
        raise InputError("la distance de voisinage et la taille de cellule doivent être > 0")
    ratio = distance / cell * (1 + EPS)
    r = int(math.floor(ratio))
    d = np.arange(-r, r + 1)
    di, dj = np.meshgrid(d, d, indexing="ij")
    return (di * di + dj * dj) <= ratio * ratio
