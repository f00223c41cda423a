"""Each ``method`` / ``params`` block says what the computation did (issue: metadata that
tells the truth): near repeat, movement, coverage, siting, rate comparisons."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import sparse, stats

from gltd.analysis.coverage import coverage_matrix
from gltd.analysis.events import EventSet
from gltd.analysis.knox import monte_carlo_p_value, near_repeat
from gltd.analysis.movement import movement
from gltd.analysis.siting import site_cameras
from gltd.analysis.trends import poisson_rate_test
from gltd.errors import InputError
from gltd.near_repeat import NearRepeatParams, run_from_file


def _brute(x, y, t, d_edges, t_edges, metric):  # type: ignore[no-untyped-def]
    i, j = np.triu_indices(len(x), 1)
    dx, dy = x[i] - x[j], y[i] - y[j]
    d = np.abs(dx) + np.abs(dy) if metric == "manhattan" else np.hypot(dx, dy)
    dt = np.abs(t[i] - t[j])
    out = np.zeros((len(d_edges) - 1, len(t_edges) - 1), dtype=int)
    for a in range(len(d_edges) - 1):
        for b in range(len(t_edges) - 1):
            out[a, b] = np.sum(
                (d >= d_edges[a])
                & (d < d_edges[a + 1])
                & (dt >= t_edges[b])
                & (dt < t_edges[b + 1])
            )
    return out


@pytest.mark.parametrize("metric", ["euclidean", "manhattan"])
def test_near_repeat_method_block(metric: str) -> None:
    rng = np.random.default_rng(3)
    x, y = rng.uniform(0, 800, 120), rng.uniform(0, 800, 120)
    t = rng.integers(0, 60, 120).astype(float)
    r = near_repeat(x, y, t, [0, 50, 150], [0, 3, 10], metric=metric, permutations=49,
                    seed=5, alpha=0.1)  # fmt: skip
    m = r.method
    assert m["distance"] == ("|Δx| + |Δy|" if metric == "manhattan" else "√(Δx² + Δy²)")
    np.testing.assert_array_equal(r.observed, _brute(x, y, t, [0, 50, 150], [0, 3, 10], metric))
    assert (m["alpha"], m["permutations"], m["seed"]) == (0.1, 49, 5)
    assert "p ≤ 0.1" in m["significance"]
    np.testing.assert_array_equal(r.p_value, monte_carlo_p_value(r.observed, r.permuted))
    np.testing.assert_array_equal(
        r.significant, (r.p_value <= 0.1) & (r.observed > r.mean_permuted)
    )
    assert m["coordinates"] == "double précision" and m["time"].startswith("écart des valeurs")
    assert m["crs"].startswith("x/y tels que donnés")
    # NRC mode: the block says single precision, and the counts are those of float32 x/y
    n = near_repeat(x + 6.8e6, y, t, [0, 50, 150], [0, 3, 10], metric=metric, nrc=True,
                    permutations=0)  # fmt: skip
    assert "simple précision" in n.method["coordinates"]
    x32 = (x + 6.8e6).astype(np.float32).astype(float)
    y32 = y.astype(np.float32).astype(float)
    fine = _brute(x32, y32, t, [0, 1e-300, 50, 150], [0, 3, 10], metric)
    np.testing.assert_array_equal(n.observed[:3, :2], fine)


def test_near_repeat_time_and_crs_claims(tmp_path: Path) -> None:
    days = pd.to_datetime(["2018-05-01", "2018-05-02", "2018-05-09"])
    r = near_repeat([0.0, 5, 9], [0.0, 0, 0], days, [0, 10], [0, 2], permutations=0)
    assert r.method["time"] == "écart en jours entiers entre dates (jours civils)"
    hours = pd.to_datetime(["2018-05-01 10:00", "2018-05-01 13:30", "2018-05-02 09:00"])
    r = near_repeat([0.0, 5, 9], [0.0, 0, 0], hours, [0, 10], [0, 4], unit="hours",
                    permutations=0)  # fmt: skip
    assert r.method["time"] == "écart à la seconde près, bornes en h"
    assert r.observed.tolist() == [[1]]  # 3 h 30 apart: in [0, 4) h
    p = tmp_path / "utm.csv"
    p.write_text("x,y,date\n448000,5411000,2018-05-01\n448010,5411000,2018-05-02\n"
                 "448500,5411500,2018-05-20\n", encoding="utf-8")  # fmt: skip
    params = NearRepeatParams(distance_edges=(0, 100), time_edges=(0, 7), permutations=0)
    assert (
        run_from_file(p, params).method["crs"]
        == "x/y tels que donnés (mètres, système non précisé)"
    )
    assert run_from_file(p, params, crs="EPSG:32631").method["crs"] == "EPSG:32631"
    with pytest.raises(InputError, match=r"EPSG:4326 est en degrés"):
        run_from_file(p, params, crs="EPSG:4326")
    ll = tmp_path / "ll.csv"
    ll.write_text("lon,lat,date\n1.90,47.90,2018-05-01\n1.901,47.90,2018-05-02\n"
                  "1.95,47.92,2018-05-20\n", encoding="utf-8")  # fmt: skip
    assert run_from_file(ll, params).method["crs"] == "EPSG:2154 (projeté depuis lon/lat WGS84)"
    with pytest.raises(InputError, match=r"--crs EPSG:32631 s'applique à des colonnes x/y"):
        run_from_file(ll, params, crs="EPSG:32631")


def test_movement_method_block() -> None:
    rng = np.random.default_rng(1)
    t0 = np.full(300, np.datetime64("2018-01-01"), dtype="datetime64[ns]")
    before = EventSet.from_arrays(rng.uniform(0, 2000, 300), rng.uniform(0, 2000, 300), t0)
    after = EventSet.from_arrays(rng.uniform(0, 2000, 250), rng.uniform(0, 2000, 250), t0[:250])
    r = movement(before, after, 250.0, min_class=3, sample=0.8, iterations=120, seed=9)
    m = r.method
    for k in ("sample", "iterations", "confidence", "seed"):
        assert m["sppt"][k] == r.sppt_cells.params[k]
    assert (m["n_before"], m["n_after"]) == (300, 250)
    assert m["hotspot_threshold"].startswith("classe Gi* ≥ 3")
    assert m["grid"] == r.grid.describe()


def test_coverage_params_block() -> None:
    # camera at the origin facing north, 90° field, 20 m range; a dome at (100, 0)
    px = np.array(
        [0.0, 20.0 * np.sin(np.radians(45)), 20.0 * np.sin(np.radians(45.01)), 0.0, 100.0]
    )
    py = np.array(
        [20.0, 20.0 * np.cos(np.radians(45)), 20.0 * np.cos(np.radians(45.01)), -5.0, -19.0]
    )
    cov = coverage_matrix(px, py, np.array([0.0, 100.0]), np.array([0.0, 0.0]),
                          range_m=20.0, heading_deg=np.array([0.0, np.nan]),
                          field_angle_deg=np.array([90.0, 90.0]))  # fmt: skip
    m = cov.params
    assert "distance ≤ portée" in m["method"] and "écart angulaire ≤ angle/2" in m["method"]
    # on the arc (distance = range) and on the edge (45° = angle/2): inside; 45.01°: not
    assert cov.matrix[0].toarray().ravel().tolist() == [True, True, False, False, False]
    assert "sans orientation" in m["dome"]
    assert cov.matrix[1].toarray().ravel().tolist() == [False, False, False, False, True]
    assert (m["n_views"], m["n_points"]) == (2, 5)


def test_siting_params_block() -> None:
    a = sparse.csr_matrix(np.array([[1, 1, 0, 0], [0, 1, 1, 0], [0, 0, 1, 1]], dtype=bool))
    res = site_cameras(a, np.ones(4), 3, budget=25_000, cost=12_000, exact=True)
    p = res.as_dict()["params"]
    assert p["k_requested"] == 3 and p["k_used"] == res.k == 2
    assert p["exact_status"] == "optimum prouvé par le solveur"
    assert "greedy" in p and res.as_dict()["method"] == "exact"
    only = site_cameras(a, np.ones(4), 1).as_dict()
    assert "exact" not in only["params"] and only["method"] == "glouton"


def test_rate_comparison_block() -> None:
    r = poisson_rate_test(30, 18, 90, 60, confidence=0.9).as_dict()
    assert r["confidence"] == 0.9 and "90 %" in r["ci"] and "bilatéral" in r["test"]
    n, p0 = 48, 90 / 150
    assert r["p_value"] == pytest.approx(stats.binomtest(30, n, p0).pvalue)
    lo, hi = stats.binomtest(30, n, p0).proportion_ci(confidence_level=0.9, method="exact")
    scale = 60 / 90
    assert r["ci_low"] == pytest.approx(lo / (1 - lo) * scale)
    assert r["ci_high"] == pytest.approx(hi / (1 - hi) * scale)
