"""Maximal covering: greedy (lazy and plain) vs exact (spopt MCLP + CBC) vs enumeration."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy import sparse

from gltd.analysis.siting import (
    candidate_coverage,
    exact_max_cover,
    greedy_max_cover,
    site_cameras,
)


def _brute_optimum(a: np.ndarray, w: np.ndarray, k: int) -> float:
    best = 0.0
    for combo in itertools.combinations(range(a.shape[0]), k):
        best = max(best, float(w[a[list(combo)].any(axis=0)].sum()))
    return best


def test_classic_case_where_greedy_is_not_optimal() -> None:
    # Points 0..5 of weight 1. S0 = {0,1,2,3}, S1 = {0,1,4}, S2 = {2,3,5}.
    # Greedy takes S0 (4) then 1 more = 5; the optimum S1 ∪ S2 covers all 6.
    a = np.zeros((3, 6), dtype=bool)
    a[0, [0, 1, 2, 3]] = True
    a[1, [0, 1, 4]] = True
    a[2, [2, 3, 5]] = True
    res = site_cameras(sparse.csr_matrix(a), np.ones(6), 2, exact=True)
    assert res.greedy_weight == 5.0
    assert res.optimum == 6.0
    assert res.gap == pytest.approx(1 / 6)
    assert sorted(res.chosen.tolist()) == [1, 2]
    assert res.method == "exact" and res.covered_weight == 6.0


def test_disjoint_sets_greedy_is_optimal_and_exact_agrees() -> None:
    # Disjoint coverage sets: greedy picks the k heaviest, which is optimal.
    rng = np.random.default_rng(1)
    a = np.zeros((8, 40), dtype=bool)
    for j in range(8):
        a[j, j * 5 : (j + 1) * 5] = True
    w = rng.integers(1, 10, 40).astype(float)
    res = site_cameras(sparse.csr_matrix(a), w, 3, exact=True)
    heaviest = np.sort([w[j * 5 : (j + 1) * 5].sum() for j in range(8)])[-3:].sum()
    assert res.greedy_weight == pytest.approx(heaviest)
    assert res.optimum == pytest.approx(heaviest)
    assert res.gap == 0.0


def test_k_equal_one_greedy_is_optimal() -> None:
    rng = np.random.default_rng(2)
    a = rng.random((12, 30)) < 0.3
    w = rng.random(30)
    g, _ = greedy_max_cover(sparse.csr_matrix(a), w, 1)
    _, opt = exact_max_cover(sparse.csr_matrix(a), w, 1)
    assert float(w[a[g[0]]].sum()) == pytest.approx(opt)
    assert opt == pytest.approx(_brute_optimum(a, w, 1))


@pytest.mark.parametrize("seed", [3, 4, 5, 6])
def test_exact_equals_enumeration_and_is_at_least_greedy(seed: int) -> None:
    rng = np.random.default_rng(seed)
    a = rng.random((9, 25)) < 0.25
    w = rng.integers(1, 6, 25).astype(float)
    res = site_cameras(sparse.csr_matrix(a), w, 3, exact=True)
    assert res.optimum == pytest.approx(_brute_optimum(a, w, 3))
    assert res.optimum >= res.greedy_weight - 1e-9
    assert res.greedy_weight >= (1 - 1 / np.e) * res.optimum
    assert res.gap == pytest.approx((res.optimum - res.greedy_weight) / res.optimum)


def test_lazy_and_plain_greedy_choose_the_same_sites() -> None:
    rng = np.random.default_rng(11)
    a = sparse.csr_matrix(rng.random((200, 500)) < 0.03)
    w = rng.integers(0, 4, 500).astype(float)
    lazy = greedy_max_cover(a, w, 15, lazy=True)
    plain = greedy_max_cover(a, w, 15, lazy=False)
    assert lazy[0].tolist() == plain[0].tolist()
    assert np.allclose(lazy[1], plain[1])
    assert np.all(np.diff(lazy[1]) <= 1e-12)  # gains never increase (submodularity)


def test_existing_coverage_and_budget() -> None:
    # Three candidates on a line, radius 10; points near each; the first area is
    # already covered by an existing camera.
    cand = np.array([[0.0, 0.0], [100.0, 0.0], [200.0, 0.0]])
    pts = np.array([[1.0, 0], [2, 0], [3, 0], [4, 0], [101, 0], [102, 0], [201, 0]])
    a = candidate_coverage(cand, pts, radius=10.0)
    existing = np.array([True, True, True, True, False, False, False])
    res = site_cameras(a, np.ones(7), 5, existing_covered=existing, budget=25_000, cost=12_000)
    assert res.k == 2
    assert res.chosen.tolist() == [1, 2]
    assert res.covered_weight == 3.0 and res.existing_weight == 4.0
    assert res.available_weight == 3.0


def test_weights_per_category_change_the_choice() -> None:
    cand = np.array([[0.0, 0.0], [100.0, 0.0]])
    pts = np.array([[1.0, 0], [2, 0], [3, 0], [101, 0]])
    a = candidate_coverage(cand, pts, radius=10.0)
    assert site_cameras(a, np.ones(4), 1).chosen.tolist() == [0]
    assert site_cameras(a, np.array([1.0, 1, 1, 5]), 1).chosen.tolist() == [1]


def test_bad_inputs() -> None:
    a = sparse.csr_matrix(np.ones((2, 3), dtype=bool))
    with pytest.raises(ValueError, match="weights"):
        site_cameras(a, np.ones(4), 1)
    with pytest.raises(ValueError, match="cost"):
        site_cameras(a, np.ones(3), 1, budget=10, cost=0)
