"""Emerging hot spots on 10,000 cells × 52 weeks: gltd vs a PySAL pipeline.

The peer is what one would write with PySAL: esda.G_Local on the explicit space-time
weights (each bin sees its spatial neighbours at the same and the previous week) over the
520,000 bins, then the same Mann-Kendall per cell (gltd.analysis.trends). The categories
are then identical. Run: ``.venv/bin/python benchmarks/bench_emerging.py``.
"""

from __future__ import annotations

import time
import warnings

import numpy as np
from scipy import sparse

from gltd.analysis.emerging import emerging_hotspots_grid
from gltd.analysis.trends import mann_kendall
from gltd.analysis.weights import distance_band

T, NY, NX = 52, 100, 100
CELL, DIST = 250.0, 500.0


def main() -> None:
    import esda
    from libpysal.weights import W

    rng = np.random.default_rng(2018)
    cube = rng.poisson(0.5, (T, NY, NX))
    cube[30:, 40:46, 40:46] += rng.poisson(2, (T - 30, 6, 6))  # a hot spot that emerges
    cube[:, 70:74, 20:24] += rng.poisson(3, (T, 4, 4))  # a persistent one
    t = time.perf_counter()
    res = emerging_hotspots_grid(cube, CELL, DIST, time_steps=1)
    t_gltd = time.perf_counter() - t

    t = time.perf_counter()
    ys, xs = np.mgrid[0:NY, 0:NX]
    xy = np.column_stack([(xs.ravel() + 0.5) * CELL, (ys.ravel() + 0.5) * CELL])
    ws = sparse.csr_array(distance_band(xy, DIST) + sparse.identity(NY * NX, format="csr"))
    rows = []
    for k in range(T):
        blocks = [None] * T
        for s in range(T):
            blocks[s] = ws if s in (k - 1, k) else None
        rows.append(blocks)
    st = sparse.block_array(rows, format="csr")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        g = esda.G_Local(
            cube.reshape(-1).astype(float),
            W.from_sparse(sparse.csr_matrix(st)),
            star=None,
            transform="B",
            permutations=0,
        )
    z = g.Zs.reshape(T, -1)
    for i in range(z.shape[1]):
        mann_kendall(z[:, i])
    t_peer = time.perf_counter() - t

    print(f"cube: {NY * NX:,} cells x {T} weeks = {NY * NX * T:,} bins, band {DIST:g} m")
    print(f"gltd emerging_hotspots_grid: {t_gltd:.2f} s  (target <= 20 s)")
    print(f"PySAL pipeline (space-time W + esda.G_Local + same Mann-Kendall): {t_peer:.2f} s")
    print(f"ratio peer / gltd: {t_peer / t_gltd:.1f}x")
    print(f"max |z_esda - z_gltd| = {float(np.nanmax(np.abs(z - res.z))):.1e}")
    counts = {k: v for k, v in res.counts_by_category().items() if v and k != "no_pattern"}
    print(f"categories: {counts}")


if __name__ == "__main__":
    main()
