"""Siting benchmark: greedy on 20,000 candidates × 100,000 incidents (k = 20, target ≤ 30 s),
exact (spopt MCLP + CBC) on 500 candidates (target ≤ 60 s), and the greedy's gap.

Peers, on the same generated data:
- the plain greedy (every marginal gain recomputed at each step) vs gltd's lazy greedy;
- spopt ``MCLP.from_cost_matrix`` on the raw distance matrix (the documented way) vs
  gltd's exact path (same solver, incidents merged by coverage pattern), on 500
  candidates × 10,000 incidents (the raw dense matrix does not fit larger).

Run: ``.venv/bin/python benchmarks/bench_siting.py``
"""

from __future__ import annotations

import time

import numpy as np

from gltd.analysis.siting import candidate_coverage, greedy_max_cover, site_cameras


def incidents(rng: np.random.Generator, n: int) -> np.ndarray:
    """Clustered points in a 10 km square: 60 % around 40 hot spots, 40 % uniform."""
    centres = rng.uniform(0, 10_000, (40, 2))
    k = int(0.6 * n)
    pick = rng.integers(0, 40, k)
    clustered = centres[pick] + rng.normal(0, 120, (k, 2))
    return np.vstack([clustered, rng.uniform(0, 10_000, (n - k, 2))])


def main() -> None:
    rng = np.random.default_rng(2018)
    pts = incidents(rng, 100_000)
    w = rng.choice([1.0, 2.0, 3.0], len(pts))
    cand = rng.uniform(0, 10_000, (20_000, 2))

    t0 = time.perf_counter()
    cover = candidate_coverage(cand, pts, radius=100.0)
    t_cov = time.perf_counter() - t0
    t0 = time.perf_counter()
    res = site_cameras(cover, w, 20)
    t_greedy = time.perf_counter() - t0
    print(
        f"greedy 20,000 × 100,000, k=20: coverage {t_cov:.2f} s + greedy {t_greedy:.2f} s "
        f"= {t_cov + t_greedy:.2f} s (target ≤ 30 s); covered weight {res.covered_weight:g}"
    )
    t0 = time.perf_counter()
    plain, _ = greedy_max_cover(cover, w, 20, lazy=False)
    t_plain = time.perf_counter() - t0
    assert plain.tolist() == res.chosen.tolist()
    print(
        f"  peer: plain greedy {t_plain:.2f} s, lazy greedy {t_greedy:.2f} s, "
        f"ratio {t_plain / t_greedy:.1f}× (same sites)"
    )

    cand500 = cand[:500]
    t0 = time.perf_counter()
    cover500 = candidate_coverage(cand500, pts, radius=100.0)
    ex = site_cameras(cover500, w, 20, exact=True)
    t_exact = time.perf_counter() - t0
    print(
        f"exact 500 × 100,000, k=20: {t_exact:.2f} s (target ≤ 60 s); optimum {ex.optimum:g}, "
        f"greedy {ex.greedy_weight:g}, gap {100 * (ex.gap or 0):.3f} %"
    )

    # peer: spopt on the raw dense distance matrix, 10,000 incidents
    import pulp
    from scipy.spatial.distance import cdist
    from spopt.locate import MCLP

    sub = pts[:10_000]
    wsub = w[:10_000]
    t0 = time.perf_counter()
    cost = cdist(sub, cand500)
    m = MCLP.from_cost_matrix(cost, wsub, service_radius=100.0, p_facilities=20)
    m.solve(pulp.PULP_CBC_CMD(msg=False), results=False)
    t_peer = time.perf_counter() - t0
    peer_opt = float(pulp.value(m.problem.objective))
    t0 = time.perf_counter()
    mine = site_cameras(candidate_coverage(cand500, sub, radius=100.0), wsub, 20, exact=True,
                        greedy=False)  # fmt: skip
    t_mine = time.perf_counter() - t0
    print(
        f"  peer: spopt MCLP raw 500 × 10,000 {t_peer:.2f} s (optimum {peer_opt:g}), gltd "
        f"{t_mine:.2f} s (optimum {mine.optimum:g}), ratio {t_peer / t_mine:.1f}×"
    )


if __name__ == "__main__":
    main()
