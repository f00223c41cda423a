"""Camera siting as a maximal covering location problem (Church & ReVelle 1974).

Choose ``k`` sites among candidates so as to maximise the weight of incidents covered
(within a radius, or a field of view) that no existing camera already covers:

``max Σ_i w_i z_i``  subject to  ``Σ_j y_j ≤ k``,  ``z_i ≤ Σ_{j ∈ N_i} y_j``,
``y_j, z_i ∈ {0, 1}`` — ``N_i`` the candidates covering incident ``i``.

Two solvers:

- :func:`greedy_max_cover`: at each step take the candidate with the largest marginal
  covered weight, with *lazy evaluation* (Minoux 1978; « CELF », Leskovec et al. 2007):
  the marginal gains only decrease (submodularity), so a stale gain is an upper bound and
  only the top of a heap needs recomputing. The greedy solution is within ``1 − 1/e``
  (≈ 63 %) of the optimum (Nemhauser, Wolsey & Fisher 1978) and usually much closer.
- :func:`exact_max_cover`: the integer programme solved by PySAL ``spopt``'s ``MCLP``
  with PuLP's bundled CBC solver (offline). Incidents with the same set of covering
  candidates are merged first (summing their weights): the optimum is unchanged and the
  programme much smaller.

:func:`site_cameras` runs one or both and reports the optimality gap
``(optimum − greedy) / optimum`` whenever both ran.

References
----------
Church, R. & ReVelle, C. (1974). The maximal covering location problem. *Papers of the
Regional Science Association* 32, 101–118.
Nemhauser, G., Wolsey, L. & Fisher, M. (1978). An analysis of approximations for
maximizing submodular set functions. *Mathematical Programming* 14, 265–294.
Minoux, M. (1978). Accelerated greedy algorithms for maximizing submodular set functions.
*Optimization Techniques*, LNCIS 7, 234–243.
Feng, X., Barcelos, G., Gaboardi, J. D. et al. (2022). spopt: a python package for
solving spatial optimization problems in PySAL. *JOSS* 7(74), 3330.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import sparse

from gltd.analysis.coverage import coverage_matrix

__all__ = [
    "SitingResult",
    "site_cameras",
    "greedy_max_cover",
    "exact_max_cover",
    "solve_max_cover",
    "candidate_coverage",
]


@dataclass(frozen=True, eq=False)
class SitingResult:
    """The chosen sites and what they cover.

    Attributes
    ----------
    chosen : int array
        Indices of the chosen candidates (in the greedy order when the greedy ran alone,
        else the exact solution sorted by marginal gain).
    gains : float array
        Weight newly covered by each chosen site, in that order.
    covered_weight : float
        Weight covered by the chosen sites (beyond existing coverage).
    available_weight : float
        Total weight not covered by existing cameras (the most that could be gained).
    existing_weight : float
        Weight already covered by existing cameras (left out of the objective).
    k : int
        Number of sites allowed (after the budget).
    method : str
        ``"glouton"`` or ``"exact"``: the solution reported.
    greedy_weight, optimum : float or None
        Covered weight of the greedy solution, and the proven optimum (exact run only).
    gap : float or None
        ``(optimum − greedy_weight) / optimum`` when both ran (0 when optimum is 0).
    params : dict
        Parameters and method notes.
    """

    chosen: np.ndarray
    gains: np.ndarray
    covered_weight: float
    available_weight: float
    existing_weight: float
    k: int
    method: str
    greedy_weight: float | None = None
    optimum: float | None = None
    gap: float | None = None
    greedy_chosen: np.ndarray | None = None
    params: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """Plain values for JSON."""
        return {
            "chosen": [int(i) for i in self.chosen],
            "gains": [float(g) for g in self.gains],
            "covered_weight": float(self.covered_weight),
            "available_weight": float(self.available_weight),
            "existing_weight": float(self.existing_weight),
            "covered_share": (
                float(self.covered_weight / self.available_weight)
                if self.available_weight > 0
                else None
            ),
            "k": self.k,
            "method": self.method,
            "greedy_weight": self.greedy_weight,
            "optimum": self.optimum,
            "gap": self.gap,
            "greedy_chosen": (
                None if self.greedy_chosen is None else [int(i) for i in self.greedy_chosen]
            ),
            "params": self.params,
        }


def candidate_coverage(
    candidates_xy: np.ndarray,
    demand_xy: np.ndarray,
    *,
    radius: float,
    heading_deg: np.ndarray | None = None,
    field_angle_deg: float | np.ndarray = 360.0,
) -> sparse.csr_matrix:
    """Sparse (candidates × demand) boolean matrix: which candidate covers which point."""
    c = np.asarray(candidates_xy, dtype="float64").reshape(-1, 2)
    d = np.asarray(demand_xy, dtype="float64").reshape(-1, 2)
    cov = coverage_matrix(
        d[:, 0],
        d[:, 1],
        c[:, 0],
        c[:, 1],
        range_m=radius,
        heading_deg=heading_deg,
        field_angle_deg=field_angle_deg,
    )
    return cov.matrix


def greedy_max_cover(
    cover: sparse.csr_matrix, weights: np.ndarray, k: int, *, lazy: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """Greedy maximal covering (lazy evaluation by default).

    Ties are broken by the lowest candidate index, so the lazy and the plain greedy
    return the same sites.

    Parameters
    ----------
    cover : csr_matrix (m × n)
        ``cover[j, i]`` true when candidate ``j`` covers point ``i``.
    weights : array of n floats (≥ 0)
    k : int
        Number of sites to choose (stops early when nothing more can be gained).

    Returns
    -------
    chosen, gains : arrays
        Chosen candidate indices in order, and the weight each one added.

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import sparse
    >>> A = sparse.csr_matrix(np.array([[1, 1, 0], [0, 1, 1], [0, 0, 1]], dtype=bool))
    >>> greedy_max_cover(A, np.array([1.0, 2.0, 3.0]), 1)[0]
    array([1])
    """
    a = sparse.csr_matrix(cover, dtype=bool)
    a.sort_indices()
    m = a.shape[0]
    residual = np.asarray(weights, dtype="float64").copy()
    if np.any(residual < 0) or not np.all(np.isfinite(residual)):
        raise ValueError("greedy_max_cover: weights must be finite and non-negative")
    indptr, indices = a.indptr, a.indices

    def gain(j: int) -> float:
        return float(residual[indices[indptr[j] : indptr[j + 1]]].sum())

    def take(j: int) -> None:
        residual[indices[indptr[j] : indptr[j + 1]]] = 0.0

    chosen: list[int] = []
    gains: list[float] = []
    k = min(int(k), m)
    if not lazy:
        for _ in range(k):
            g = np.asarray(a.astype("float64") @ residual).ravel()
            if chosen:
                g[chosen] = -1.0
            j = int(np.argmax(g))
            if g[j] <= 0:
                break
            chosen.append(j)
            gains.append(float(g[j]))
            take(j)
        return np.asarray(chosen, dtype="int64"), np.asarray(gains, dtype="float64")

    initial = np.asarray(a.astype("float64") @ residual).ravel()
    heap = [(-float(initial[j]), j) for j in range(m) if initial[j] > 0]
    heapq.heapify(heap)
    while heap and len(chosen) < k:
        _, j = heapq.heappop(heap)
        fresh = gain(j)
        if fresh <= 0:
            continue
        if not heap or (-fresh, j) <= heap[0]:
            chosen.append(j)
            gains.append(fresh)
            take(j)
        else:
            heapq.heappush(heap, (-fresh, j))
    return np.asarray(chosen, dtype="int64"), np.asarray(gains, dtype="float64")


def _merge_demand(cover: sparse.csr_matrix, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Merge points covered by the same candidate set; drop uncoverable or weightless ones.

    Returns the (groups × candidates) 0/1 pattern matrix as a list of index arrays encoded
    in a dense boolean array, and the summed weights.
    """
    w = np.asarray(weights, dtype="float64")
    at = sparse.csr_matrix(cover.T, dtype=bool)
    at.sort_indices()
    groups: dict[bytes, int] = {}
    gw: list[float] = []
    patterns: list[np.ndarray] = []
    for i in range(at.shape[0]):
        if w[i] <= 0:
            continue
        idx = at.indices[at.indptr[i] : at.indptr[i + 1]]
        if len(idx) == 0:
            continue
        key = idx.tobytes()
        g = groups.get(key)
        if g is None:
            groups[key] = len(gw)
            gw.append(float(w[i]))
            patterns.append(idx)
        else:
            gw[g] += float(w[i])
    dense = np.zeros((len(gw), cover.shape[0]), dtype=bool)
    for g, idx in enumerate(patterns):
        dense[g, idx] = True
    return dense, np.asarray(gw, dtype="float64")


def exact_max_cover(
    cover: sparse.csr_matrix,
    weights: np.ndarray,
    k: int,
    *,
    time_limit: float | None = None,
) -> tuple[np.ndarray, float]:
    """Exact maximal covering by integer programming (spopt ``MCLP`` + CBC).

    Returns
    -------
    chosen : int array
        Indices of the chosen candidates (sorted).
    optimum : float
        The covered weight of the optimal solution (of the best one found when
        ``time_limit`` stopped the solver: see :func:`solve_max_cover`).
    """
    chosen, weight, _ = solve_max_cover(cover, weights, k, time_limit=time_limit)
    return chosen, weight


def solve_max_cover(
    cover: sparse.csr_matrix,
    weights: np.ndarray,
    k: int,
    *,
    time_limit: float | None = None,
) -> tuple[np.ndarray, float, bool]:
    """:func:`exact_max_cover` and whether the solver proved the solution optimal."""
    import pulp
    from spopt.locate import MCLP

    a = sparse.csr_matrix(cover, dtype=bool)
    m = a.shape[0]
    k = min(int(k), m)
    patterns, gw = _merge_demand(a, weights)
    if k <= 0 or len(gw) == 0:
        return np.asarray([], dtype="int64"), 0.0, True
    # spopt wants a cost matrix (clients × facilities) and a service radius: 0 where the
    # candidate covers the group, 2 where it does not, radius 1.
    cost = np.where(patterns, 0.0, 2.0)
    model = MCLP.from_cost_matrix(cost, gw, service_radius=1.0, p_facilities=k, name="gltd")
    solver = pulp.PULP_CBC_CMD(msg=False, timeLimit=time_limit)
    model.solve(solver, results=False)
    proven = int(getattr(model.problem, "sol_status", 0) or 0) == pulp.LpSolutionOptimal
    chosen = np.asarray(
        [j for j, v in enumerate(model.fac_vars) if (v.value() or 0.0) > 0.5], dtype="int64"
    )
    covered = patterns[:, chosen].any(axis=1) if len(chosen) else np.zeros(len(gw), bool)
    return chosen, float(gw[covered].sum()), proven


def _weight_covered(cover: sparse.csr_matrix, weights: np.ndarray, chosen: np.ndarray) -> float:
    if len(chosen) == 0:
        return 0.0
    hit = np.asarray(cover[chosen].sum(axis=0)).ravel() > 0
    return float(np.asarray(weights, dtype="float64")[hit].sum())


def site_cameras(
    cover: sparse.csr_matrix,
    weights: np.ndarray,
    k: int,
    *,
    existing_covered: np.ndarray | None = None,
    budget: float | None = None,
    cost: float | None = None,
    exact: bool = False,
    greedy: bool = True,
    time_limit: float | None = None,
) -> SitingResult:
    """Choose up to ``k`` sites maximising the newly covered weight.

    Parameters
    ----------
    cover : csr_matrix (candidates × points)
        From :func:`candidate_coverage`.
    weights : array of n floats
        Weight of each point (e.g. per category).
    k : int
        Number of new cameras.
    existing_covered : bool array of n, optional
        Points already in an existing field of view: their weight is removed.
    budget, cost : float, optional
        With both, at most ``floor(budget / cost)`` cameras.
    exact : bool
        Also solve exactly (spopt MCLP + CBC) and report the gap.
    greedy : bool
        Run the greedy (default); set False with ``exact=True`` to skip it.

    Returns
    -------
    SitingResult
    """
    w = np.asarray(weights, dtype="float64")
    a = sparse.csr_matrix(cover, dtype=bool)
    if a.shape[1] != len(w):
        raise ValueError("site_cameras: cover has a column per point and weights one value each")
    if k < 0:
        raise ValueError("site_cameras: k must be non-negative")
    k_eff = int(k)
    if budget is not None and cost is not None:
        if cost <= 0:
            raise ValueError("site_cameras: the cost per camera must be positive")
        k_eff = min(k_eff, int(math.floor(budget / cost + 1e-9)))
    existing = (
        np.zeros(len(w), dtype=bool)
        if existing_covered is None
        else np.asarray(existing_covered, dtype=bool)
    )
    existing_weight = float(w[existing].sum())
    w_new = np.where(existing, 0.0, w)
    available = float(w_new.sum())
    params: dict[str, Any] = {
        "model": "couverture maximale (Church & ReVelle 1974)",
        "k_requested": int(k),
        "budget_eur": budget,
        "cost_eur": cost,
        "n_candidates": int(a.shape[0]),
        "n_points": int(len(w)),
    }
    g_chosen: np.ndarray | None = None
    g_weight: float | None = None
    g_gains = np.asarray([], dtype="float64")
    if greedy or not exact:
        g_chosen, g_gains = greedy_max_cover(a, w_new, k_eff)
        g_weight = float(g_gains.sum())
        params["greedy"] = "glouton à évaluation paresseuse (Minoux 1978), garantie ≥ 1 − 1/e"
        params["k_used"] = k_eff
    if not exact:
        assert g_chosen is not None and g_weight is not None
        return SitingResult(
            g_chosen, g_gains, g_weight, available, existing_weight, k_eff, "glouton",
            g_weight, None, None, g_chosen, params,
        )  # fmt: skip
    e_chosen, optimum, proven = solve_max_cover(a, w_new, k_eff, time_limit=time_limit)
    params["exact"] = "spopt MCLP, solveur CBC (PuLP), demandes fusionnées par motif de couverture"
    params["exact_status"] = (
        "optimum prouvé par le solveur"
        if proven
        else "meilleure solution trouvée dans le temps imparti (optimum non prouvé)"
    )
    params["k_used"] = k_eff
    if time_limit is not None:
        params["time_limit_s"] = time_limit
    # Order the exact sites by marginal gain for display; sites that add nothing (the
    # solver may place all k even when fewer suffice) are left out.
    order, gains = greedy_max_cover(a[e_chosen], w_new, len(e_chosen))
    e_sorted = e_chosen[order].astype("int64") if len(order) else e_chosen[:0]
    gap = None
    if g_weight is not None:
        gap = 0.0 if optimum <= 0 else max(0.0, (optimum - g_weight) / optimum)
    return SitingResult(
        e_sorted, gains, _weight_covered(a, w_new, e_chosen), available, existing_weight,
        k_eff, "exact", g_weight, optimum, gap, g_chosen, params,
    )  # fmt: skip
