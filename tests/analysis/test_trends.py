"""Known values for the period comparison and the Mann–Kendall trend test."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from gltd.analysis.trends import mann_kendall, mann_kendall_columns, poisson_rate_test


def test_poisson_matches_r_poisson_test_example() -> None:
    # R 4.x, example(poisson.test): poisson.test(c(11, 6+8+7), c(800, 1083+1050+878))
    # count1 = 11, p-value = 0.07967, 95 % CI 0.8584264 4.2772659, rate ratio 1.971488
    r = poisson_rate_test(11, 21, 800, 3011)
    assert r.rate_ratio == pytest.approx(1.971488, abs=1e-6)
    assert r.p_value == pytest.approx(0.07967, abs=1e-5)
    assert r.ci_low == pytest.approx(0.8584264, abs=1e-6)
    assert r.ci_high == pytest.approx(4.2772659, abs=1e-6)
    assert not r.significant


def test_equal_periods_is_a_binomial_half_test() -> None:
    r = poisson_rate_test(45, 20)
    assert r.change_pct == pytest.approx(125.0)
    assert r.p_value == pytest.approx(stats.binomtest(45, 65, 0.5).pvalue)
    assert r.significant and r.label_fr == "hausse significative"
    assert r.ci_low > 1.0


def test_small_numbers_are_flagged_whatever_the_change() -> None:
    r = poisson_rate_test(9, 4)  # "+125 %" on 4 → 9
    assert r.change_pct == pytest.approx(125.0)
    assert r.small_numbers
    assert r.label_fr == "effectifs trop faibles pour conclure"
    assert r.p_value > 0.05


def test_exposure_adjustment() -> None:
    # Same daily rate over 100 and 200 days: ratio 1, no evidence of change.
    r = poisson_rate_test(50, 100, 100, 200)
    assert r.rate_ratio == pytest.approx(1.0)
    assert r.p_value == pytest.approx(1.0)


def test_zero_counts() -> None:
    r = poisson_rate_test(0, 0)
    assert math.isnan(r.p_value) and r.label_fr.startswith("aucun")
    r = poisson_rate_test(12, 0)
    assert math.isinf(r.rate_ratio) and r.as_dict()["rate_ratio"] is None
    with pytest.raises(ValueError):
        poisson_rate_test(-1, 3)


def test_mann_kendall_hand_computed() -> None:
    # x = 1, 3, 2, 5, 4: S = (+1+1+1+1) + (-1+1+1) + (+1+1) + (-1) = 6 ; n=5, no ties
    mk = mann_kendall([1, 3, 2, 5, 4])
    assert mk.s == 6
    assert mk.var_s == pytest.approx(5 * 4 * 15 / 18)
    assert mk.z == pytest.approx(5 / math.sqrt(5 * 4 * 15 / 18))
    assert mk.p_value == pytest.approx(2 * stats.norm.sf(mk.z))


def test_mann_kendall_ties_variance() -> None:
    x = [1, 1, 2, 2, 2, 3]
    mk = mann_kendall(x)
    n = 6
    expected = (n * (n - 1) * (2 * n + 5) - (2 * 1 * 9) - (3 * 2 * 11)) / 18
    assert mk.var_s == pytest.approx(expected)
    assert mk.s == 11


def test_mann_kendall_agrees_with_kendall_tau_without_ties() -> None:
    rng = np.random.default_rng(3)
    x = rng.normal(size=40) + np.linspace(0, 2, 40)
    mk = mann_kendall(x)
    tau = stats.kendalltau(np.arange(40), x)
    assert mk.s == pytest.approx(tau.statistic * 40 * 39 / 2)
    assert mk.trend == "hausse"
    assert mann_kendall(x[::-1]).trend == "baisse"
    assert mann_kendall(np.ones(10)).trend == "stable"


@pytest.mark.parametrize(("k", "n"), [(0, 7), (3, 7), (7, 7), (45, 65), (11, 32), (1, 200)])
def test_interval_equals_scipy_clopper_pearson(k: int, n: int) -> None:
    ci = stats.binomtest(k, n, 0.4).proportion_ci(confidence_level=0.95, method="exact")
    r = poisson_rate_test(k, n - k, 2.0, 3.0)
    scale = 3.0 / 2.0

    def rr(p: float) -> float:
        return math.inf if p >= 1 else p / (1 - p) * scale

    assert r.ci_low == pytest.approx(rr(ci.low), rel=1e-9, abs=1e-12)
    assert r.ci_high == pytest.approx(rr(ci.high), rel=1e-9) or math.isinf(r.ci_high)


def test_mann_kendall_columns_is_mann_kendall_of_each_column() -> None:
    rng = np.random.default_rng(7)
    x = rng.poisson(1.0, (26, 500)).astype("float64")  # many ties
    x[:, 0] = 0.0  # constant: Var S = 0
    x[:, 1] = np.arange(26)  # a clear rise
    x[4, 2] = np.nan  # a missing value is dropped, as mann_kendall does
    s, var_s, z, p = mann_kendall_columns(x, chunk=64)
    for i in range(x.shape[1]):
        mk = mann_kendall(x[:, i])
        assert (s[i], var_s[i]) == (mk.s, pytest.approx(mk.var_s)), i
        assert z[i] == pytest.approx(mk.z) and p[i] == pytest.approx(mk.p_value), i
    assert z[1] > 5 and p[0] == 1.0


def test_same_counts_are_answered_once_and_still_checked() -> None:
    # The dashboard asks for the same zone counts for its table and for its tiles: the
    # second call is the first call's (frozen) result, whatever the integer type.
    first = poisson_rate_test(1234, 1100, 183, 184)
    again = poisson_rate_test(np.int64(1234), np.int64(1100), 183.0, 184.0)
    assert again is first
    assert first.p_value == pytest.approx(stats.binomtest(1234, 2334, 183 / 367).pvalue)
    assert poisson_rate_test(1234, 1100, 184, 183) is not first  # exposures are in the key
    with pytest.raises(ValueError):
        poisson_rate_test(-1, 1100, 183, 184)


def test_fast_two_sided_p_is_scipys_number() -> None:
    # Exactly SciPy's p-value (not approximately): both sides of the mode, far tails,
    # near the mode, the equal-periods p = 0.5 and the dashboard's unequal periods.
    from gltd.analysis.trends import binomial_two_sided_p

    rng = np.random.default_rng(7)
    cases = [(k, 1000, 0.5) for k in range(0, 1001, 37)]
    for _ in range(150):
        n = int(rng.integers(512, 2_000_000))
        p = float(rng.choice([0.5, 183 / 367, 184 / 366, rng.uniform(0.05, 0.95)]))
        sd = float(rng.choice([0.5, 2, 8, 40])) * math.sqrt(n * p * (1 - p))
        cases.append((int(np.clip(rng.normal(p * n, sd), 0, n)), n, p))
    for k, n, p in cases:
        assert binomial_two_sided_p(k, n, p) == stats.binomtest(k, n, p).pvalue, (k, n, p)
