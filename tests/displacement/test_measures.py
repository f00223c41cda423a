"""Bowers & Johnson's displacement measures and the WDD test on hand-computed cases."""

from __future__ import annotations

import math

import pytest

from gltd.analysis.displacement import displacement_measures, ring_measures
from gltd.analysis.wdd import wdd_test


def test_partial_displacement_hand_computed() -> None:
    # A 100→50, B 50→60, C 1000→1000
    # SM = 50/1000 − 100/1000 = −0.05 ; BDM = 60/1000 − 50/1000 = +0.01
    # WDQ = 0.01 / −0.05 = −0.2 ; TNE = (100 − 50) + (50 − 60) = 40
    m = displacement_measures(100, 50, 50, 60, 1000, 1000)
    assert m.sm == pytest.approx(-0.05)
    assert m.bdm == pytest.approx(0.01)
    assert m.wdq == pytest.approx(-0.2)
    assert m.tne == pytest.approx(40.0)
    assert (m.tne_target, m.tne_buffer) == (pytest.approx(50.0), pytest.approx(-10.0))
    assert m.verdict == "deplacement_partiel" and m.wdq_meaningful
    assert "déplacement partiel" in m.interpretation_fr
    assert "40.0 faits évités" in m.interpretation_fr


def test_diffusion_of_benefits_sign() -> None:
    # A 100→60, B 80→60, C 1000→1000: SM = −0.04, BDM = −0.02 (buffer improved)
    # WDQ = −0.02/−0.04 = +0.5 > 0 → diffusion ; TNE = 40 + 20 = 60
    m = displacement_measures(100, 60, 80, 60, 1000, 1000)
    assert m.bdm == pytest.approx(-0.02)
    assert m.wdq == pytest.approx(0.5)
    assert m.tne == pytest.approx(60.0)
    assert m.verdict == "diffusion"
    assert "diffusion des bénéfices" in m.interpretation_fr


def test_displacement_exceeding_the_gain() -> None:
    # A 100→80, B 50→100, C 1000→1000: SM = −0.02, BDM = +0.05, WDQ = −2.5
    # TNE = 20 − 50 = −30 (30 more facts than the control's trend predicts)
    m = displacement_measures(100, 80, 50, 100, 1000, 1000)
    assert m.wdq == pytest.approx(-2.5)
    assert m.tne == pytest.approx(-30.0)
    assert m.verdict == "deplacement_excedentaire"
    assert "30.0 faits de plus" in m.interpretation_fr


def test_displacement_equal_to_the_gain() -> None:
    # A 40→20, B 20→40, C 100→100: SM = −0.2, BDM = +0.2, WDQ = −1, TNE = 0
    m = displacement_measures(40, 20, 20, 40, 100, 100)
    assert m.wdq == -1.0
    assert m.verdict == "deplacement_egal"
    assert m.tne == 0.0


def test_target_worsened_wdq_not_meaningful() -> None:
    # A 50→70, B 40→30, C 500→500: SM = 70/500 − 50/500 = +0.04 ≥ 0
    m = displacement_measures(50, 70, 40, 30, 500, 500)
    assert m.sm == pytest.approx(0.04)
    assert math.isnan(m.wdq) and not m.wdq_meaningful
    assert m.verdict == "cible_non_amelioree"
    assert "non significatif/non interprétable" in m.interpretation_fr
    assert m.as_dict()["wdq"] is None


def test_a_fall_that_follows_the_city_trend_is_not_a_success() -> None:
    # A 100→50 but the control also halved (1000→500): SM = 0.1 − 0.1 = 0
    m = displacement_measures(100, 50, 40, 20, 1000, 500)
    assert m.sm == pytest.approx(0.0)
    assert m.verdict == "cible_non_amelioree"
    assert m.tne_target == pytest.approx(0.0) and m.tne == pytest.approx(0.0)


def test_measures_do_not_depend_on_the_after_period_length_but_tne_does() -> None:
    a = displacement_measures(100, 50, 50, 60, 1000, 1000)
    b = displacement_measures(100, 100, 50, 120, 1000, 2000)  # after counts doubled
    assert (b.sm, b.bdm, b.wdq) == pytest.approx((a.sm, a.bdm, a.wdq))
    assert b.tne == pytest.approx(2 * a.tne)


def test_zero_counts() -> None:
    m = displacement_measures(10, 5, 3, 4, 0, 100)
    assert m.verdict == "temoin_vide" and math.isnan(m.sm) and math.isnan(m.tne)
    assert "zone témoin" in m.interpretation_fr
    m = displacement_measures(0, 0, 10, 10, 100, 100)
    assert m.sm == 0.0 and m.verdict == "cible_non_amelioree"
    assert any("rien à réduire" in n for n in m.notes_fr)
    m = displacement_measures(20, 10, 0, 0, 100, 100)
    assert m.bdm == 0.0 and m.wdq == 0.0 and m.verdict == "neutre"
    assert m.small_numbers
    with pytest.raises(ValueError, match="a1 doit être un effectif"):
        displacement_measures(1, -2, 0, 0, 1, 1)


def test_small_numbers_flag() -> None:
    assert displacement_measures(9, 5, 30, 30, 100, 100).small_numbers
    assert not displacement_measures(30, 15, 30, 30, 100, 100).small_numbers


def test_rings_share_target_and_control() -> None:
    # A 100→50, C 1000→1000; rings 50→60 (displacement), 50→50, 50→40 (diffusion)
    rs = ring_measures(100, 50, [(50, 60), (50, 50), (50, 40)], 1000, 1000)
    assert [r.verdict for r in rs] == ["deplacement_partiel", "neutre", "diffusion"]
    assert [r.wdq for r in rs] == pytest.approx([-0.2, 0.0, 0.2])


# --- Weighted displacement difference -------------------------------------------------


def test_wdd_published_example() -> None:
    # Wheeler & Ratcliffe (2018), Crime Science 7:11: treated 100→80, control 100→90:
    # WDD = −20 − (−10) = −10; SE = √(100 + 80 + 100 + 90) = √370 = 19.235 — only the
    # four counts of treated and control areas (no displacement area in this example).
    r = wdd_test((100, 80), (100, 90))
    assert r.estimate == -10.0
    assert r.se == pytest.approx(19.235, abs=5e-4)
    assert r.se == pytest.approx(math.sqrt(370))
    assert r.z == pytest.approx(-10 / math.sqrt(370))
    assert r.p_value == pytest.approx(0.6031, abs=1e-4)  # 2 × Φ(−0.5199)
    assert r.ci_low == pytest.approx(-10 - 1.959964 * math.sqrt(370), abs=1e-5)
    assert not r.significant and r.label_fr == "différence non significative"


def test_wdd_paper_example_with_displacement_area() -> None:
    # Wheeler & Ratcliffe (2018) main example, pinned by the R package ptools
    # (tests: wdd(c(308,318), c(207,110), c(150,140), c(178,157), alpha=0.05)
    # gives −118, √1568, z −2.98, 95 % CI −196 to −40 after rounding).
    r = wdd_test((207, 110), (308, 318), (178, 157), (150, 140))
    assert r.estimate == -118.0
    assert r.se == pytest.approx(math.sqrt(1568))
    assert round(r.z, 2) == -2.98
    assert (round(r.ci_low), round(r.ci_high)) == (-196, -40)
    assert r.est_local == -107.0 and r.est_displace == -11.0
    assert r.significant and r.label_fr.startswith("baisse significative")


def test_wdd_time_weights_hand_computed() -> None:
    # control 20→20, treated 20→10, 2 periods before for 1 after (ptools example):
    # local = (10/1 − 20/2) − (20/1 − 20/2) = −10 ; var = 10 + 20/4 + 20 + 20/4 = 40
    r = wdd_test((20, 10), (20, 20), time_weights=(2, 1))
    assert r.estimate == pytest.approx(-10.0)
    assert r.se == pytest.approx(math.sqrt(40))


def test_wdd_shared_control_variance() -> None:
    # treated 100→80, control 100→90, buffer 50→60 with the same control:
    # est = (−20 + 10) + (10 + 10) = 10 ; var = 100+80+50+60 + (1+1)²·(100+90) = 1050
    r = wdd_test((100, 80), (100, 90), (50, 60))
    assert r.estimate == pytest.approx(10.0)
    assert r.se == pytest.approx(math.sqrt(1050))
    assert r.params["shared_control"] is True
    assert r.se_displace == pytest.approx(math.sqrt(50 + 60 + 100 + 90))


def test_wdd_with_control_scaled_to_the_target_is_minus_tne() -> None:
    # Control weighted by C0/A0 (local) and C0/B0 (buffer): WDD = −TNE of Bowers-Johnson.
    a0, a1, b0, b1, c0, c1 = 120, 70, 80, 95, 2000, 1800
    m = displacement_measures(a0, a1, b0, b1, c0, c1)
    r = wdd_test((a0, a1), (c0, c1), (b0, b1), area_weights=(c0 / a0, 1, c0 / b0, 1))
    assert r.estimate == pytest.approx(-m.tne)
    k = (a0 + b0) / c0
    assert r.se == pytest.approx(math.sqrt(a0 + a1 + b0 + b1 + k**2 * (c0 + c1)))


def test_wdd_zero_counts_and_bad_input() -> None:
    r = wdd_test((0, 0), (0, 0))
    assert math.isnan(r.p_value) and r.label_fr.startswith("aucun fait")
    assert r.as_dict()["z"] is None
    with pytest.raises(ValueError, match="deux effectifs"):
        wdd_test((1, 2, 3), (1, 2))
    with pytest.raises(ValueError, match="positifs ou nuls"):
        wdd_test((1, -2), (1, 2))
    with pytest.raises(ValueError, match="time_weights"):
        wdd_test((1, 2), (1, 2), time_weights=(0, 1))
