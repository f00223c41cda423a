"""Andresen's spatial point pattern test: hand-computed cases and the S-index formula."""

from __future__ import annotations

import math

import numpy as np
import pytest

from gltd.analysis.sppt import sppt, sppt_counts


def test_full_sample_interval_is_the_test_share() -> None:
    # sample = 100 %: every draw is the whole test pattern, so low = high = test share.
    # base: areas 0,0,1,1 (shares .5 .5 0); test: 0,1,1,1 (shares .25 .75 0)
    r = sppt([0, 0, 1, 1], [0, 1, 1, 1], 3, sample=1.0, iterations=50)
    np.testing.assert_allclose(r.base_share, [0.5, 0.5, 0.0])
    np.testing.assert_allclose(r.test_low, [0.25, 0.75, 0.0])
    np.testing.assert_allclose(r.test_high, [0.25, 0.75, 0.0])
    assert r.similar.tolist() == [False, False, True]
    # local S: +1 when the area gained weight in the test pattern
    assert r.local_s.tolist() == [-1, 1, 0]
    assert r.s_index == pytest.approx(1 / 3)
    assert r.robust_s_index == pytest.approx(0.0)  # area 2 empty in both: dropped
    assert (r.n_base, r.n_test) == (4, 4)


def test_all_test_events_in_one_area_is_deterministic_at_85_percent() -> None:
    # Whatever the 85 % draw, all sampled events lie in area 1: interval [1, 1] there and
    # [0, 0] elsewhere.
    r = sppt([1] * 10, [1] * 20, 4, seed=123)
    np.testing.assert_array_equal(r.test_low, [0, 1, 0, 0])
    np.testing.assert_array_equal(r.test_high, [0, 1, 0, 0])
    assert r.similar.all()
    assert r.s_index == 1.0 and r.robust_s_index == 1.0
    assert r.params["sample_size"] == 17  # round(0.85 × 20)


def test_s_index_and_robust_s_index_formula() -> None:
    # base [2,2,0,0], test [2,0,2,0], sample 100 %:
    # shares base .5 .5 0 0 / test .5 0 .5 0 -> similar T F F T
    # S = 2/4 ; robust S drops area 3 (empty in both) = 1/3
    r = sppt_counts([2, 2, 0, 0], [2, 0, 2, 0], sample=1.0)
    assert r.similar.tolist() == [True, False, False, True]
    assert r.s_index == pytest.approx(2 / 4)
    assert r.robust_s_index == pytest.approx(1 / 3)
    assert r.n_robust == 3


def test_order_statistics_follow_the_r_package() -> None:
    # R sppt: columns floor(0.025 × 200) + 1 = 6 and ceiling(0.975 × 200) = 195 (1-based)
    base = np.array([30, 50, 20])
    test = np.array([40, 40, 20])
    r = sppt_counts(base, test, seed=7)
    assert (r.params["rank_low"], r.params["rank_high"]) == (5, 194)
    # same draws, recomputed by hand with the same generator
    draws = np.random.default_rng(7).multivariate_hypergeometric(test, 85, size=200) / 85
    s = np.sort(draws, axis=0)
    np.testing.assert_allclose(r.test_low, s[5])
    np.testing.assert_allclose(r.test_high, s[194])
    expected = (base / 100 >= s[5]) & (base / 100 <= s[194])
    assert r.similar.tolist() == expected.tolist()


def test_resampling_is_without_replacement() -> None:
    # 85 % of 20 = 17 drawn from counts [10, 10]: every area gets between 7 and 10.
    r = sppt_counts([10, 10], [10, 10], seed=1)
    assert r.test_low.min() >= 7 / 17 and r.test_high.max() <= 10 / 17


def test_same_seed_same_result_and_seed_matters() -> None:
    rng = np.random.default_rng(0)
    base = rng.integers(0, 30, size=400)
    test = rng.integers(0, 30, size=500)
    a = sppt(base, test, 30, seed=42)
    b = sppt(base, test, 30, seed=42)
    np.testing.assert_array_equal(a.test_low, b.test_low)
    np.testing.assert_array_equal(a.test_high, b.test_high)
    assert a.s_index == b.s_index
    c = sppt(base, test, 30, seed=43)
    assert not (np.array_equal(a.test_low, c.test_low) and np.array_equal(a.test_high, c.test_high))


def test_labels_follow_the_robust_s_index() -> None:
    # sample = 100 %: similar iff the shares are equal (hand-checkable)
    assert sppt_counts([1, 1], [2, 2], sample=1.0).label_fr.endswith("globalement stable")
    # shares .5/.25/.25 vs .5/.5/0: similar T F F -> robust S = 1/3
    r = sppt_counts([2, 1, 1], [2, 2, 0], sample=1.0)
    assert r.robust_s_index == pytest.approx(1 / 3)
    assert r.label_fr == "répartition spatiale fortement modifiée"


def test_original_test_ignores_the_base_sampling_noise() -> None:
    # Known property (Wheeler, Steenbeek & Andresen 2018): drawing 85 % WITHOUT
    # replacement leaves little variation, so two samples of the same process are
    # often declared different when counts are large. Documented in docs/methods/sppt.md.
    rng = np.random.default_rng(5)
    p = rng.dirichlet(np.ones(20))
    base = rng.choice(20, size=3000, p=p)
    test = rng.choice(20, size=3000, p=p)
    r = sppt(base, test, 20, seed=1)
    assert r.robust_s_index < 1.0
    width = r.test_high - r.test_low
    # hypergeometric sd of a share: sqrt(p(1-p)/m × (N-m)/(N-1)) -> 95 % width ≈ 3.92 sd
    m, n = r.params["sample_size"], r.n_test
    sd = np.sqrt(r.test_share * (1 - r.test_share) / m * (n - m) / (n - 1))
    np.testing.assert_allclose(
        width.mean(), 3.92 * sd.mean(), rtol=0.1
    )  # 200 draws: Monte Carlo error


def test_events_outside_every_area_are_ignored() -> None:
    r = sppt([0, -1, 1], [0, 1, -1, -1], 2, sample=1.0)
    assert (r.n_base, r.n_test) == (2, 2)
    assert r.similar.all()


def test_bad_input() -> None:
    with pytest.raises(ValueError, match="aucun fait dans le motif de base"):
        sppt_counts([0, 0], [1, 2])
    with pytest.raises(ValueError, match="motif de test"):
        sppt_counts([1, 0], [0, 0])
    with pytest.raises(ValueError, match="même longueur"):
        sppt_counts([1, 0], [1, 0, 3])
    with pytest.raises(ValueError, match="part rééchantillonnée"):
        sppt_counts([1], [1], sample=0.0)
    with pytest.raises(ValueError, match="n_areas"):
        sppt([0, 5], [0], 3)


def test_as_dict_is_plain() -> None:
    d = sppt_counts([0, 3], [0, 3], sample=1.0).as_dict()
    assert d["s_index"] == 1.0 and d["n_robust"] == 1
    assert d["areas"][1]["similar"] is True
    d = sppt_counts([0, 3, 0], [0, 3, 1], sample=1.0).as_dict(nonempty_only=True)
    assert [a["area"] for a in d["areas"]] == [1, 2]
    empty = sppt_counts([1, 0], [1, 0], sample=1.0)
    assert not math.isnan(empty.robust_s_index)
