"""Knox near-repeat counts: brute force, analytic expectation, pointpats, seeds, ties."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from gltd.analysis import knox_kernel as kk
from gltd.analysis.events import EventSet
from gltd.analysis.knox import near_repeat


def _brute(x, y, t, d_edges, t_edges, metric):  # type: ignore[no-untyped-def]
    """Every unordered pair, band [a, b) on both axes, distances as R's dist()."""
    n = len(x)
    out = np.zeros((len(d_edges) - 1, len(t_edges) - 1), dtype=np.int64)
    for i in range(n):
        for j in range(i + 1, n):
            dx, dy = x[i] - x[j], y[i] - y[j]
            d = abs(dx) + abs(dy) if metric == "manhattan" else np.sqrt(dx * dx + dy * dy)
            dt = abs(t[i] - t[j])
            for a in range(len(d_edges) - 1):
                if d_edges[a] <= d < d_edges[a + 1]:
                    for b in range(len(t_edges) - 1):
                        if t_edges[b] <= dt < t_edges[b + 1]:
                            out[a, b] += 1
    return out


def _grid_data(seed: int, n: int = 70) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Integer coordinates and days: many pairs fall exactly on the band edges, many ties
    and several events at identical locations."""
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 12, n).astype(float)
    y = rng.integers(0, 12, n).astype(float)
    t = rng.integers(0, 30, n).astype(float)
    return x, y, t


EDGE_CASES = [
    ([0, 0.1, 1, 2, 5], [0, 1, 3, 7]),  # same location band, closed at 0
    ([0, 3, 5, np.inf], [0, 2, 5, np.inf]),  # open last bands ("more than")
    ([1, 2, 5, 8], [2, 3, 10]),  # first band away from 0: closer pairs left out
    ([0, 5], [0, 1]),  # a single cell: same day, within 5
    ([0, np.inf], [0, 4, 9]),  # all distances
    ([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]),  # > 8 bands
]


@pytest.mark.parametrize("metric", ["euclidean", "manhattan"])
@pytest.mark.parametrize(("d_edges", "t_edges"), EDGE_CASES)
def test_observed_equals_brute_force(metric: str, d_edges: list, t_edges: list) -> None:
    for seed in (1, 2):
        x, y, t = _grid_data(seed)
        r = near_repeat(x, y, t, d_edges, t_edges, metric=metric, permutations=0, seed=0)
        np.testing.assert_array_equal(r.observed, _brute(x, y, t, d_edges, t_edges, metric))
        assert r.n_pairs == len(x) * (len(x) - 1) // 2


@pytest.mark.parametrize("metric", ["euclidean", "manhattan"])
def test_float_coordinates_and_datetimes(metric: str) -> None:
    """Non-integer distances and times with seconds (the scan path of the kernel)."""
    rng = np.random.default_rng(7)
    n = 80
    x, y = rng.uniform(0, 300, n), rng.uniform(0, 300, n)
    base = np.datetime64("2018-03-01T00:00:00")
    secs = rng.integers(0, 20 * 86400, n)
    when = base + secs.astype("timedelta64[s]")
    d_edges, t_edges = [0, 25, 60, 120], [0, 0.5, 2, 7, 12.25]
    r = near_repeat(x, y, when, d_edges, t_edges, metric=metric, permutations=0)
    np.testing.assert_array_equal(
        r.observed, _brute(x, y, secs / 86400.0, d_edges, t_edges, metric)
    )
    assert not r.date_only
    h = near_repeat(
        x, y, when, d_edges, [0, 6, 30, 100], metric=metric, unit="hours", permutations=0
    )
    np.testing.assert_array_equal(
        h.observed, _brute(x, y, secs / 3600.0, d_edges, [0, 6, 30, 100], metric)
    )


def test_permuted_tables_equal_brute_force_on_the_permuted_times() -> None:
    x, y, t = _grid_data(3)
    d_fin = np.array([0, 0.1, 1, 2, 5.0])
    pairs = kk.build_close_pairs(x, y, d_fin, "euclidean")
    rng = np.random.default_rng(11)
    tp = t[pairs.order].astype(np.int32)
    batch = np.stack([rng.permutation(tp) for _ in range(5)])
    got = kk.count_batch(batch, pairs, np.array([0, 1, 3, 7]))
    xs, ys = x[pairs.order], y[pairs.order]
    for b in range(5):
        want = _brute(xs, ys, batch[b], list(d_fin), [0, 1, 3, 7], "euclidean")
        np.testing.assert_array_equal(got[b], want)


def test_in_kernel_shuffles_are_permutations_and_are_what_is_counted() -> None:
    x, y, t = _grid_data(4)
    pairs = kk.build_close_pairs(x, y, np.array([0, 0.1, 1, 2, 5.0]), "manhattan")
    tp = t[pairs.order].astype(np.int32)
    states = kk.permutation_states(9, 0, 6)
    rows = kk.shuffled(tp, states)
    for row in rows:
        np.testing.assert_array_equal(np.sort(row), np.sort(tp))
    assert len({row.tobytes() for row in rows}) == 6
    edges = np.array([0, 1, 3, 7])
    np.testing.assert_array_equal(
        kk.count_permutations(tp, pairs, edges, states), kk.count_batch(rows, pairs, edges)
    )
    # permutation r has its own stream: batches of any size give the same tables
    again = np.concatenate([kk.permutation_states(9, 0, 2), kk.permutation_states(9, 2, 4)])
    np.testing.assert_array_equal(again, states)


def test_shuffle_is_uniform_over_positions() -> None:
    """Each value lands in each position with probability 1/n (chi-square, 4 values)."""
    from scipy import stats

    tp = np.arange(4, dtype=np.int32)
    rows = kk.shuffled(tp, kk.permutation_states(2024, 0, 8000))
    counts = np.stack([(rows == v).sum(axis=0) for v in range(4)])
    chi2 = ((counts - 2000) ** 2 / 2000).sum()
    assert stats.chi2.sf(chi2, df=9) > 0.001


@pytest.mark.parametrize("metric", ["euclidean", "manhattan"])
def test_grid_pair_search_equals_scipy_ckdtree(metric: str) -> None:
    """Close pairs found on the grid = ``cKDTree.query_pairs`` (strict < r, R's distance)."""
    from scipy.spatial import cKDTree

    rng = np.random.default_rng(17)
    x = np.concatenate(
        [rng.uniform(0, 1000, 400), np.full(5, 500.0), rng.integers(0, 50, 60) * 20.0]
    )
    y = np.concatenate(
        [rng.uniform(0, 800, 400), np.full(5, 500.0), rng.integers(0, 50, 60) * 20.0]
    )
    edges = np.array([0, 0.1, 20, 40, 60.0])
    pairs = kk.build_close_pairs(x, y, edges, metric)
    o = pairs.order
    got = set()
    for i in range(len(x)):
        for d in range(4):
            for s in range(pairs.seg_ptr[i * 4 + d], pairs.seg_ptr[i * 4 + d + 1]):
                a, b = sorted((int(o[i]), int(o[pairs.nbr[s]])))
                got.add((a, b, d))
    ref = cKDTree(np.column_stack([x, y])).query_pairs(60.0, p=1 if metric == "manhattan" else 2)
    want = set()
    for a, b in ref:
        dist = kk.pair_distances(np.array([x[a] - x[b]]), np.array([y[a] - y[b]]), metric)[0]
        if dist < 60.0:
            want.add((min(a, b), max(a, b), int(np.searchsorted(edges, dist, side="right") - 1)))
    assert got == want
    assert pairs.band_totals.sum() == len(want)


def test_mean_of_permuted_counts_converges_to_the_analytic_expectation() -> None:
    """E[count(d, k)] = S_d × T_k / N with S_d, T_k over ALL pairs (not the table's margins).

    Under a uniform permutation, a fixed pair of locations receives a uniformly drawn pair
    of distinct events' times, so P(|Δt| in band k) = T_k / N, T_k counted over all N
    pairs (pairs beyond the last distance edge included). The check allows 4.5 standard
    errors of the Monte Carlo mean (computed from the permuted counts themselves).
    """
    x, y, t = _grid_data(5, n=60)
    d_edges, t_edges = [0, 0.1, 2, 4], [0, 2, 5, 9]
    r = near_repeat(x, y, t, d_edges, t_edges, permutations=20000, seed=123)
    n_all = 60 * 59 // 2
    xa, ya, ta = x, y, t
    s_all = _brute(xa, ya, np.zeros_like(ta), d_edges, [0, 1], "euclidean")[:, 0]
    t_all = _brute(np.zeros_like(xa), np.zeros_like(ya), ta, [0, 1], t_edges, "euclidean")[0]
    expected = np.outer(s_all, t_all) / n_all
    np.testing.assert_allclose(r.expected, expected, rtol=1e-12)
    se = r.permuted.std(axis=0) / np.sqrt(r.permutations)
    assert (np.abs(r.mean_permuted - expected) <= 4.5 * se + 1e-12).all()
    # the table's own margins would give a different (wrong) expectation here
    naive = np.outer(r.observed.sum(1), r.observed.sum(0)) / r.observed.sum()
    assert not np.allclose(naive, expected, rtol=0.02)


def test_same_seed_same_p_values_and_recorded_seed() -> None:
    x, y, t = _grid_data(8)
    a = near_repeat(x, y, t, [0, 1, 3, 6], [0, 2, 5, 10], permutations=199, seed=42)
    b = near_repeat(x, y, t, [0, 1, 3, 6], [0, 2, 5, 10], permutations=199, seed=42)
    np.testing.assert_array_equal(a.p_value, b.p_value)
    np.testing.assert_array_equal(a.permuted, b.permuted)
    c = near_repeat(x, y, t, [0, 1, 3, 6], [0, 2, 5, 10], permutations=199)
    again = near_repeat(x, y, t, [0, 1, 3, 6], [0, 2, 5, 10], permutations=199, seed=c.seed)
    np.testing.assert_array_equal(c.p_value, again.p_value)
    p = (np.sum(a.permuted >= a.observed, axis=0) + 1) / 200
    np.testing.assert_array_equal(a.p_value, p)


def test_ties_and_identical_locations_as_documented() -> None:
    """Three events at one address on the same day, one the next day at 50 m.

    Identical locations have distance 0 (band [0, 0.1)); same-day events have Δt = 0
    (band [0, 1)); each of the C(3, 2) = 3 pairs at the address is counted once.
    """
    x = [10.0, 10.0, 10.0, 60.0]
    y = [5.0, 5.0, 5.0, 5.0]
    t = pd.to_datetime(["2018-05-02", "2018-05-02", "2018-05-02", "2018-05-03"])
    r = near_repeat(x, y, t, [0, 0.1, 100], [0, 1, 2], permutations=0)
    assert r.date_only
    np.testing.assert_array_equal(r.observed, [[3, 0], [0, 3]])


def test_eventset_date_only_uses_local_days_across_dst() -> None:
    """Local midnights 23 h apart (DST starts 25 March 2018) are still one day apart."""
    t = np.array(["2018-03-24T23:00:00", "2018-03-25T22:00:00"], dtype="datetime64[ns]")
    ev = EventSet.from_arrays([0.0, 0.0], [0.0, 5.0], t, date_only=True)
    r = near_repeat(ev, [0, 10], [0, 1, 2], permutations=0)
    np.testing.assert_array_equal(r.observed, [[0, 1]])


def test_global_knox_on_burkitt_equals_pointpats() -> None:
    """libpysal's burkitt data, δ = 20, τ = 5: pointpats' Knox statistic is 13.

    pointpats counts d ≤ δ and |Δt| ≤ τ; in gltd's [a, b) bands that is the distance band
    [0, nextafter(20)) and, T being whole days, the time band [0, 6).
    """
    import geopandas as gpd
    import libpysal
    from pointpats.spacetime import Knox

    df = gpd.read_file(libpysal.examples.get_path("burkitt.shp"))
    assert (df["T"] == df["T"].round()).all()
    ref = Knox(df[["X", "Y"]].to_numpy(), df[["T"]].to_numpy(), delta=20, tau=5, permutations=0)
    assert ref.statistic_ == 13
    r = near_repeat(
        df["X"],
        df["Y"],
        df["T"],
        [0, np.nextafter(20, np.inf), np.inf],
        [0, 6, np.inf],
        permutations=99,
        seed=1,
    )
    assert r.observed[0, 0] == 13
    np.testing.assert_array_equal(r.observed, ref.observed)
    np.testing.assert_allclose(r.expected, ref.expected, rtol=1e-12)


def test_analysis_package_stays_pure() -> None:
    import subprocess
    import sys

    code = (
        "import sys, gltd.analysis.knox, gltd.analysis.knox_kernel;"
        "bad=[m for m in ('sqlalchemy','fastapi','typer') if m in sys.modules];"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert res.returncode == 0, res.stdout + res.stderr


def test_docstring_example_runs() -> None:
    import doctest

    import gltd.analysis.knox as mod

    failures, _ = doctest.testmod(mod, verbose=False)
    assert failures == 0
