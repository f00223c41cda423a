"""Spatial weights for hotspot statistics: distance band, k nearest neighbours and, for
zones (polygons), queen or rook contiguity.

Weights are binary ``scipy.sparse.csr_array`` matrices **without self-weights**
(``w_ii = 0``); the Gi* code adds the self-weight. They are built with a k-d tree
(``scipy.spatial.cKDTree``), which takes about a second for 250,000 cell centres.

For a regular grid with a distance band, :func:`grid_disk` gives the neighbourhood as a
small boolean kernel, so that neighbourhood sums become a convolution (see
:func:`gltd.analysis.gistar.gi_star_grid`).

Conventions follow libpysal: ``DistanceBand(threshold, binary=True)`` takes the points at
distance ``<= threshold``; ``KNN(k)`` the ``k`` nearest other points; contiguity is
libpysal's ``Queen`` / ``Rook`` on the polygons (:func:`contiguity`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
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
    "contiguity",
    "islands",
    "grid_disk",
    "EPS",
    "SELF_WEIGHT_GI",
    "SELF_WEIGHT_NONE",
]

#: Relative tolerance on the distance threshold (cell centres on a grid are at exact
#: multiples of the cell, computed in floating point).
EPS = 1e-9


#: The self-weight as a ``method`` block says it: Gi* counts the location itself.
SELF_WEIGHT_GI = "w_ii = 1 (Gi*)"
#: Local Moran (LISA) leaves the location out of its own spatial lag.
SELF_WEIGHT_NONE = "w_ii = 0 (I de Moran local : le lieu n'est pas son propre voisin)"


@dataclass(frozen=True)
class WeightsSpec:
    """How neighbours are chosen: ``kind`` is ``"distance"`` (value in metres),
    ``"knn"`` (value = k), or ``"queen"`` / ``"rook"`` (contiguity of polygons, value 0)."""

    kind: str
    value: float

    def describe(self, *, self_weight: bool) -> dict[str, Any]:
        """Plain description for a ``method`` block.

        ``self_weight`` says what the statistic does with the location itself: Gi* counts
        it among its neighbours (``w_ii = 1``), local Moran does not (``w_ii = 0``).
        """
        own = SELF_WEIGHT_GI if self_weight else SELF_WEIGHT_NONE
        if self.kind in CONTIGUITY:
            return {
                "type": f"contiguïté {self.kind}",
                "rule": (
                    "zones partageant au moins un sommet (queen)"
                    if self.kind == "queen"
                    else "zones partageant au moins un côté (rook)"
                ),
                "engine": "libpysal.weights." + self.kind.capitalize(),
                "binary": True,
                "self_weight": own,
            }
        if self.kind == "distance":
            return {
                "type": "bande de distance",
                "distance_m": self.value,
                "binary": True,
                "self_weight": own,
            }
        return {
            "type": "k plus proches voisins",
            "k": int(self.value),
            "binary": True,
            "self_weight": own,
        }

    def label(self) -> str:
        """``distance:500``, ``knn:8``, ``queen`` or ``rook``."""
        if self.kind in CONTIGUITY:
            return self.kind
        return f"distance:{self.value:g}" if self.kind == "distance" else f"knn:{int(self.value)}"


#: Contiguity kinds (polygons only).
CONTIGUITY = ("queen", "rook")


def parse_weights(text: str, *, polygons: bool = False) -> WeightsSpec:
    """Parse ``distance:500`` (metres) or ``knn:8``; also ``queen`` / ``rook`` when
    ``polygons`` (zones) is true.

    Examples
    --------
    >>> parse_weights("knn:8")
    WeightsSpec(kind='knn', value=8.0)
    >>> parse_weights("Queen", polygons=True)
    WeightsSpec(kind='queen', value=0.0)
    """
    kind, _, val = text.strip().partition(":")
    kind = kind.lower()
    if kind in CONTIGUITY and not val:
        if polygons:
            return WeightsSpec(kind, 0.0)
        raise InputError(
            f"voisinage illisible : « {text} » sur une grille (la contiguïté {kind} ne "
            "s'applique qu'aux zones, unités « zones » ; attendu distance:MÈTRES ou knn:K)",
            field="weights",
        )
    try:
        value = float(val)
    except ValueError:
        value = float("nan")
    if kind not in ("distance", "knn") or not math.isfinite(value) or value <= 0:
        raise InputError(
            f"voisinage illisible : « {text} » (attendu distance:MÈTRES, ex. distance:500, "
            "ou knn:K, ex. knn:8" + (", ou queen ou rook)" if polygons else ")")
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
    """Weights between points (centres) from a distance or kNN :class:`WeightsSpec`."""
    if spec.kind in CONTIGUITY:
        raise ValueError("contiguity weights need polygons: use contiguity()")
    if spec.kind == "distance":
        return distance_band(xy, spec.value)
    return knn(xy, int(spec.value))


def contiguity(geometries: Sequence[Any], *, rook: bool = False) -> sparse.csr_array:
    """Binary queen (or rook) contiguity between polygons, as libpysal computes it.

    Two polygons are neighbours when they share at least one vertex (queen) or one edge
    (rook), the rule of libpysal's ``Queen.from_iterable`` / ``Rook.from_iterable``
    (Anselin 1988, *Spatial Econometrics*, ch. 3), which builds the matrix here. Polygons
    that only nearly touch (gaps or overlaps of digitisation) are not neighbours: see
    :func:`islands`.

    Parameters
    ----------
    geometries : sequence of shapely (Multi)Polygons
        In any CRS (only the topology matters).
    rook : bool
        Rook instead of queen.

    Returns
    -------
    scipy.sparse.csr_array
        ``(n, n)`` symmetric binary matrix without self-weights, rows in input order.
    """
    import warnings

    from libpysal.weights import Queen, Rook

    geoms = list(geometries)
    n = len(geoms)
    builder = Rook if rook else Queen
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # libpysal warns about islands: we report them
        w = builder.from_iterable(geoms, ids=list(range(n)), id_order=list(range(n)))
        m = w.sparse
    out = sparse.csr_array(m, dtype="float64")
    out.data[:] = 1.0
    out.setdiag(0)
    out.eliminate_zeros()
    out.sort_indices()
    return out


def islands(weights: Any) -> np.ndarray:
    """Indices of the locations without any neighbour (empty rows, self-weight ignored).

    Examples
    --------
    >>> islands(distance_band(np.array([[0.0, 0], [1, 0], [9, 0]]), 1.0)).tolist()
    [2]
    """
    w = abs(sparse.csr_array(weights, dtype="float64"))
    off = np.asarray(w.sum(axis=1)).ravel() - w.diagonal()
    return np.flatnonzero(off == 0)


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
