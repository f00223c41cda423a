"""KDE of 1,000,000 points on a 500 × 500 grid: gltd (binned) vs scipy.stats.gaussian_kde.

scipy's exact evaluation costs n_points × n_cells kernel sums: it is timed on a subset of
points (all 250,000 cells) and extrapolated linearly to 1,000,000 points (the cost is
linear in the number of points). Run: ``.venv/bin/python benchmarks/bench_kde.py``.
"""

from __future__ import annotations

import time

import numpy as np
from scipy.stats import gaussian_kde

from gltd.analysis.grid import make_grid
from gltd.analysis.kde import kde_direct, kde_grid

N = 1_000_000
SUBSET = 2_000
CELL = 20.0  # 500 × 500 cells of 20 m: a 10 km × 10 km city
H = 100.0


def main() -> None:
    rng = np.random.default_rng(2018)
    x0, y0 = 614_000.0, 6_749_000.0
    k = N // 2
    x = np.r_[rng.normal(x0 + 5000, 1500, k), rng.uniform(x0, x0 + 10_000, N - k)]
    y = np.r_[rng.normal(y0 + 5000, 1500, k), rng.uniform(y0, y0 + 10_000, N - k)]
    grid = make_grid((x0, y0, x0 + 9_999, y0 + 9_999), CELL)
    assert grid.shape == (500, 500)
    kde_grid(x[:1000], y[:1000], grid, H)  # warm-up
    times = []
    for _ in range(5):
        t = time.perf_counter()
        res = kde_grid(x, y, grid, H)
        times.append(time.perf_counter() - t)
    t_gltd = float(np.median(times))

    xc, yc = grid.centres()
    sub = rng.choice(N, SUBSET, replace=False)
    kde = gaussian_kde(np.vstack([x[sub], y[sub]]))
    t = time.perf_counter()
    kde(np.vstack([xc.ravel(), yc.ravel()]))
    t_sub = time.perf_counter() - t
    t_scipy = t_sub * N / SUBSET

    # Accuracy of the binned surface against direct summation (5,000 points, same h).
    few = rng.choice(N, 5_000, replace=False)
    approx = kde_grid(x[few], y[few], grid, H).density
    pick = rng.choice(grid.n_cells, 20_000, replace=False)
    exact = kde_direct(x[few], y[few], xc.ravel()[pick], yc.ravel()[pick], H)
    err = float(np.abs(approx.ravel()[pick] - exact).max() / exact.max())

    print(f"points: {N:,}, grid: {grid.nx} x {grid.ny} ({CELL:g} m), bandwidth {H:g} m")
    print(f"gltd kde_grid (median of 5): {t_gltd:.3f} s  (target <= 0.5 s)")
    print(f"scipy gaussian_kde on {SUBSET:,} points x 250,000 cells: {t_sub:.2f} s")
    print(f"scipy extrapolated to {N:,} points: {t_scipy:,.0f} s")
    print(f"ratio scipy / gltd: {t_scipy / t_gltd:,.0f}x")
    print(f"max |binned - direct| / peak (5,000 points, 20,000 cells): {err:.1e}")
    print(f"peak density: {res.density.max():.1f} events/km2")


if __name__ == "__main__":
    main()
