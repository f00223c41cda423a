"""Benchmark: a displacement analysis with 5 rings on 1,000,000 incidents.

gltd: bounding-box filter + ``shapely.contains_xy`` on prepared polygons
(:func:`gltd.displacement.count_before_after`), then Bowers–Johnson measures per
ring, the WDD test and Andresen's SPPT on a 250 m grid over the study area.

Peer: the naive geopandas approach on the same data — a GeoDataFrame of the points,
``geopandas.sjoin(points, areas, predicate="within")`` and a groupby on (area, period).
Both must give the same counts.

Run: ``.venv/bin/python benchmarks/bench_displacement.py [--n 1000000] [--repeat 3]``
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import shapely
from shapely.geometry import Point, box

from gltd.analysis.displacement import ring_measures
from gltd.analysis.sppt import sppt
from gltd.analysis.wdd import wdd_test
from gltd.displacement import count_before_after, make_rings

X0, Y0 = 619_000.0, 6_754_000.0  # Orléans, Lambert-93 (approximate)


def make_data(n: int, seed: int = 2018) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Points over a 10 km city (70 % uniform, 30 % in Gaussian hotspots), half after."""
    rng = np.random.default_rng(seed)
    n_u = int(n * 0.7)
    x = np.empty(n)
    y = np.empty(n)
    x[:n_u] = rng.uniform(X0 - 5000, X0 + 5000, n_u)
    y[:n_u] = rng.uniform(Y0 - 5000, Y0 + 5000, n_u)
    centres = rng.uniform(-3000, 3000, size=(20, 2))
    centres[0] = (0.0, 0.0)  # a hotspot on the target
    k = rng.integers(0, 20, n - n_u)
    x[n_u:] = X0 + centres[k, 0] + rng.normal(0, 250, n - n_u)
    y[n_u:] = Y0 + centres[k, 1] + rng.normal(0, 250, n - n_u)
    is_after = rng.random(n) < 0.5
    return x, y, is_after


def areas() -> tuple[object, tuple[object, ...], object]:
    """Target disc (100 m), 5 rings of 100 m, control = city minus the outer ring."""
    target = Point(X0, Y0).buffer(100, quad_segs=32)
    rings = make_rings(target, [100, 200, 300, 400, 500])
    city = box(X0 - 5000, Y0 - 5000, X0 + 5000, Y0 + 5000)
    control = city.difference(target.buffer(500, quad_segs=16))
    return target, rings, control


def run_gltd(x: np.ndarray, y: np.ndarray, is_after: np.ndarray) -> np.ndarray:
    """Counting + measures + WDD + SPPT (250 m grid), as the service does."""
    target, rings, control = areas()
    counts = count_before_after(x, y, is_after, [target, *rings, control])
    (a0, a1), (c0, c1) = counts[0], counts[-1]
    ring_measures(int(a0), int(a1), [(int(b0), int(b1)) for b0, b1 in counts[1:-1]],
                  int(c0), int(c1))  # fmt: skip
    b0, b1 = counts[1:-1].sum(axis=0)
    wdd_test((a0, a1), (c0, c1), (b0, b1), area_weights=(c0 / a0, 1, c0 / b0, 1))
    study = shapely.union_all([rings[-1].union(target), control])
    shapely.prepare(study)
    inside = shapely.contains_xy(study, x, y)
    xs, ys, aft = x[inside], y[inside], is_after[inside]
    ix = np.floor((xs - xs.min()) / 250).astype("int64")
    iy = np.floor((ys - ys.min()) / 250).astype("int64")
    nx = int(ix.max()) + 1
    cell = iy * nx + ix
    sppt(cell[~aft], cell[aft], nx * (int(iy.max()) + 1), seed=0)
    return counts


def run_geopandas(x: np.ndarray, y: np.ndarray, is_after: np.ndarray) -> np.ndarray:
    """The naive way: sjoin the points with the areas, then group."""
    import geopandas as gpd

    target, rings, control = areas()
    pts = gpd.GeoDataFrame({"after": is_after}, geometry=gpd.points_from_xy(x, y), crs="EPSG:2154")
    polys = gpd.GeoDataFrame(
        {"area": np.arange(7)}, geometry=[target, *rings, control], crs="EPSG:2154"
    )
    joined = gpd.sjoin(pts, polys, predicate="within")
    g = joined.groupby(["area", "after"]).size()
    out = np.zeros((7, 2), dtype="int64")
    for (area, after), v in g.items():
        out[int(area), int(bool(after))] = int(v)
    return out


def best_of(fn, *args, repeat: int) -> tuple[float, object]:  # type: ignore[no-untyped-def]
    best, res = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        res = fn(*args)
        best = min(best, time.perf_counter() - t0)
    return best, res


def run_end_to_end(x: np.ndarray, y: np.ndarray, is_after: np.ndarray, path: str) -> float:
    """Insert the incidents into a SQLite store and time ``run_displacement`` (load included)."""
    import os
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import insert

    from gltd.displacement import run_displacement
    from gltd.geo import geometry_to_lonlat as to_wgs84
    from gltd.model import Incident, Zone
    from gltd.store.engine import make_engine
    from gltd.store.migrate import upgrade

    if os.path.exists(path):
        os.remove(path)
    url = f"sqlite:///{path}"
    upgrade(url)
    engine = make_engine(url)
    rng = np.random.default_rng(1)
    start = datetime(2018, 6, 1, tzinfo=UTC)
    offs = rng.uniform(0, 182, len(x))
    with engine.begin() as conn:
        conn.execute(
            insert(Zone),
            [{"name": "Ville", "kind": "commune", "illustrative": True,
              "geometry_wkt": to_wgs84(box(X0 - 5000, Y0 - 5000, X0 + 5000, Y0 + 5000)).wkt}],
        )  # fmt: skip
        rows = [
            {
                "occurred_at": start + timedelta(days=float(o)) * (1 if a else -1),
                "category": "trafic_stupefiants",
                "x": float(xi),
                "y": float(yi),
                "source": "bench",
                "source_ref": str(i),
            }
            for i, (xi, yi, a, o) in enumerate(zip(x, y, is_after, offs, strict=True))
        ]
        conn.execute(insert(Incident), rows)
    lat_lon = to_wgs84(Point(X0, Y0))
    t0 = time.perf_counter()
    run_displacement(
        engine, around=(lat_lon.y, lat_lon.x), radius=100, start="2018-06-01", before="182d",
        rings=[100, 200, 300, 400, 500], store=False, now=datetime(2019, 6, 1, tzinfo=UTC),
    )  # fmt: skip
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument(
        "--store", metavar="FILE", help="also time run_displacement end to end on a SQLite file"
    )
    args = ap.parse_args()
    x, y, is_after = make_data(args.n)
    t_gltd, c_gltd = best_of(run_gltd, x, y, is_after, repeat=args.repeat)
    t_gpd, c_gpd = best_of(run_geopandas, x, y, is_after, repeat=max(1, args.repeat - 2))
    same = np.array_equal(np.asarray(c_gltd), np.asarray(c_gpd))
    print(f"incidents: {args.n:,}  areas: target + 5 rings + control")
    print(f"counts (before, after) target/rings/control:\n{np.asarray(c_gltd).tolist()}")
    print(f"same counts as geopandas sjoin: {same}")
    print(f"gltd (count + measures + WDD + SPPT 250 m): {t_gltd:.3f} s (best of {args.repeat})")
    print(f"geopandas sjoin + groupby (counts only):   {t_gpd:.3f} s")
    print(f"ratio peer/gltd: {t_gpd / t_gltd:.1f}x")
    if not same:
        raise SystemExit("counts differ")
    if args.store:
        t = run_end_to_end(x, y, is_after, args.store)
        print(f"run_displacement end to end on SQLite (load_events included): {t:.2f} s")


if __name__ == "__main__":
    main()
