"""Gi* + FDR on a 250,000-cell grid: gltd (disk convolution) vs esda.G_Local.

Same counts, same distance band (500 m on 250 m cells: 12 neighbours + self). esda needs
a weights object: it is built here with gltd's k-d tree (faster than libpysal's
DistanceBand) and converted with ``W.from_sparse``; both times are printed, and the ratio
is given for the statistic alone and for weights + statistic. esda's z equals gltd's.
Run: ``.venv/bin/python benchmarks/bench_gistar.py``.
"""

from __future__ import annotations

import time
import warnings

import numpy as np
from scipy import sparse
from scipy.stats import false_discovery_control

from gltd.analysis.gistar import gi_star_grid
from gltd.analysis.grid import make_grid
from gltd.analysis.weights import distance_band

NY = NX = 500
CELL = 250.0
DIST = 500.0


def main() -> None:
    import esda
    from libpysal.weights import W

    rng = np.random.default_rng(2018)
    counts = rng.poisson(0.8, (NY, NX))
    counts[200:220, 300:330] += rng.poisson(3, (20, 30))
    gi_star_grid(counts[:50, :50], CELL, distance=DIST)  # warm-up
    times = []
    for _ in range(5):
        t = time.perf_counter()
        res = gi_star_grid(counts, CELL, distance=DIST)  # includes BH-FDR and classes
        times.append(time.perf_counter() - t)
    t_gltd = float(np.median(times))

    grid = make_grid((0, 0, NX * CELL - 1, NY * CELL - 1), CELL)
    t = time.perf_counter()
    w_sp = distance_band(grid.centres_flat(), DIST)
    t_knn = time.perf_counter() - t
    t = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        w = W.from_sparse(sparse.csr_matrix(w_sp))
    t_w = time.perf_counter() - t
    t = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        g = esda.G_Local(counts.ravel().astype(float), w, star=True, transform="B", permutations=0)
        p_fdr = false_discovery_control(2 * g.p_norm, method="bh")
    t_esda = time.perf_counter() - t
    dz = float(np.nanmax(np.abs(g.Zs - res.z.ravel())))
    dp = float(np.nanmax(np.abs(p_fdr - res.p_fdr.ravel())))

    print(f"grid: {NX} x {NY} = {NX * NY:,} cells of {CELL:g} m, band {DIST:g} m")
    print(f"gltd gi_star_grid + FDR (median of 5): {t_gltd:.3f} s  (target <= 2 s)")
    print(f"esda weights: k-d tree {t_knn:.2f} s + W.from_sparse {t_w:.2f} s")
    print(f"esda G_Local(star, B, permutations=0) + scipy FDR: {t_esda:.2f} s")
    print(f"ratio esda / gltd, statistic only: {t_esda / t_gltd:,.1f}x")
    print(f"ratio esda / gltd, weights + statistic: {(t_knn + t_w + t_esda) / t_gltd:,.1f}x")
    print(f"max |z_esda - z_gltd| = {dz:.1e}, max |p_fdr diff| = {dp:.1e}")
    print(f"hot cells: {res.n_hot:,}, cold cells: {res.n_cold:,}")


if __name__ == "__main__":
    main()
