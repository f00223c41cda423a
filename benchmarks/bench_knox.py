"""Knox near-repeat: gltd against pointpats on the same generated data, side by side.

Data: n events uniform in a 10 km square over one year (whole days), seed 42.

1. The near-repeat table of the issue: 50,000 events, distance edges
   0, 0.1, 100, …, 500 m (6 bands) × time edges 0, 1, 7, 14, 21, 28, 35 days (6 bands),
   999 permutations — wall time and peak memory (RSS) of the process.
2. pointpats' own task: one distance threshold (100 m) and one time threshold (7 days),
   99 permutations, 20,000 and 50,000 events: ``pointpats.spacetime.knox`` (the old
   function) and ``pointpats.spacetime.Knox`` (the class) against gltd computing the same
   2 × 2 table (d ≤ 100 m is the band [0, nextafter(100)); |Δt| ≤ 7 whole days is [0, 8)).

Each run is a separate process (fresh memory, peak RSS from ``getrusage``); gltd's Numba
kernels are loaded from their on-disk cache by a warm-up call before the timed call.

Usage::

    .venv/bin/python benchmarks/bench_knox.py            # everything that fits
    .venv/bin/python benchmarks/bench_knox.py --full     # also pointpats' Knox class at 50k
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time

import numpy as np

DELTA, TAU = 100.0, 7
TABLE_D = [0, 0.1, 100, 200, 300, 400, 500]
TABLE_T = [0, 1, 7, 14, 21, 28, 35]


def data(n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(42)
    return rng.uniform(0, 10_000, n), rng.uniform(0, 10_000, n), rng.integers(0, 365, n)


def worker(task: str, n: int, permutations: int) -> dict[str, float]:
    x, y, t = data(n)
    stat = float("nan")
    if task.startswith("gltd"):
        from gltd.analysis.knox import near_repeat

        if task == "gltd-table":
            d_edges, t_edges = TABLE_D, TABLE_T
        else:
            d_edges = [0, np.nextafter(DELTA, np.inf), np.inf]
            t_edges = [0, TAU + 1, np.inf]
        # warm-up on 2,000 events: loads the Numba kernels from their on-disk cache
        near_repeat(x[:2000], y[:2000], t[:2000], d_edges, t_edges, permutations=3, seed=0)
        start, cpu0 = time.perf_counter(), time.process_time()
        r = near_repeat(x, y, t, d_edges, t_edges, permutations=permutations, seed=1)
        cpu = time.process_time() - cpu0
        if task != "gltd-table":
            stat = float(r.observed[0, 0])
        seconds = time.perf_counter() - start
        extra = {"close_pairs": r.close_pairs, "cpu_s": cpu}
    elif task == "pointpats-knox":
        import warnings

        from pointpats.spacetime import knox

        warnings.simplefilter("ignore")
        s, tt = np.column_stack([x, y]), t.reshape(-1, 1).astype(float)
        np.random.seed(1)
        start = time.perf_counter()
        res = knox(s, tt, delta=DELTA, tau=TAU, permutations=permutations)
        seconds = time.perf_counter() - start
        stat, extra = float(res["stat"]), {}
    elif task == "pointpats-Knox":
        from pointpats.spacetime import Knox

        s, tt = np.column_stack([x, y]), t.reshape(-1, 1).astype(float)
        np.random.seed(1)
        start = time.perf_counter()
        k = Knox(s, tt, delta=DELTA, tau=TAU, permutations=permutations)
        seconds = time.perf_counter() - start
        stat, extra = float(k.statistic_), {}
    else:
        raise SystemExit(f"unknown task {task}")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    return {"seconds": seconds, "rss_mb": rss, "stat": stat, **extra}


def run(task: str, n: int, permutations: int) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--worker", task, str(n), str(permutations)],
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        return {"seconds": float("nan"), "rss_mb": float("nan"), "error": out.stderr[-300:]}
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    full = "--full" in sys.argv
    print("Knox near-repeat benchmark (2-core machine; each run in its own process)\n")
    r = run("gltd-table", 50_000, 999)
    print(
        f"1. table 6 × 6 bands, 50,000 events, 999 permutations: {r['seconds']:.1f} s "
        f"(CPU {r.get('cpu_s', float('nan')):.1f} s over 2 threads; load {os.getloadavg()[0]:.1f}), "
        f"peak RSS {r['rss_mb']:.0f} MB, {int(r.get('close_pairs', 0)):,} close pairs "
        f"(targets: ≤ 30 s, ≤ 2048 MB)\n"
    )
    print("2. pointpats' task: d ≤ 100 m, |Δt| ≤ 7 days, 99 permutations")
    print(f"{'n':>7} {'function':<22} {'seconds':>9} {'peak MB':>9} {'statistic':>10}")
    for n in (20_000, 50_000):
        rows = {"gltd": run("gltd-2x2", n, 99), "pointpats knox()": run("pointpats-knox", n, 99)}
        if n == 20_000 or full:
            rows["pointpats Knox"] = run("pointpats-Knox", n, 99)
        for name, res in rows.items():
            print(
                f"{n:>7} {name:<22} {res['seconds']:>9.3f} {res['rss_mb']:>9.0f} "
                f"{res.get('stat', float('nan')):>10.0f}"
            )
        peers = {k: v for k, v in rows.items() if k != "gltd" and np.isfinite(v["seconds"])}
        best = min(peers, key=lambda k: peers[k]["seconds"])
        ratio = peers[best]["seconds"] / rows["gltd"]["seconds"]
        print(f"{n:>7} gltd is {ratio:.0f}× faster than pointpats' fastest ({best})\n")
        if n == 50_000 and not full:
            print("        (pointpats' Knox class at 50,000 not run: ~3 min and 13.6 GB per the")
            print("         issue; run with --full to measure it)\n")


if __name__ == "__main__":
    if len(sys.argv) >= 2 and sys.argv[1] == "--worker":
        print(json.dumps(worker(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))))
    else:
        main()
