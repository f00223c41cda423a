"""Local Moran (LISA) against PySAL esda on the same data, and by hand."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from gltd.analysis.lisa import local_moran
from gltd.analysis.weights import distance_band

esda = pytest.importorskip("esda")
libpysal = pytest.importorskip("libpysal")


def test_lisa_equals_esda_with_same_seed(columbus) -> None:
    y, _, w = columbus
    r = local_moran(y, w.sparse, permutations=999, seed=12345, engine="esda")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = esda.Moran_Local(y, w, transformation="r", permutations=999, seed=12345)
    assert_allclose(r.local_i, ref.Is, atol=1e-9, rtol=0)
    assert_array_equal(r.quadrant, ref.q)
    assert_allclose(r.p_sim, ref.p_sim, atol=0)
    # p_sim is one-sided: (M + 1)/(R + 1) with M <= R/2, so never above 0.5.
    assert r.p_sim.max() <= 0.5
    sig = r.cluster != 0
    assert_array_equal(r.cluster[sig], ref.q[sig])
    assert (r.p_sim[sig] <= 0.05).all()


def test_lisa_hand_computed_statistic() -> None:
    # Three points on a line, each the neighbour of the next: x = [1, 2, 6].
    # mean 3, s = √(14/3); z = (−2, −1, 3)/s; Σz² = 3; row-standardised lags:
    # lag0 = z1, lag1 = (z0 + z2)/2, lag2 = z1.  I_0 = 2·z0·z1/3 = 2·2/(14/3)/3.
    xy = np.column_stack([np.arange(3.0), np.zeros(3)])
    r = local_moran(np.array([1.0, 2.0, 6.0]), distance_band(xy, 1.0), permutations=9)
    s2 = 14 / 3
    assert r.local_i[0] == pytest.approx(2 * 2 / s2 / 3, abs=1e-12)
    assert r.local_i[2] == pytest.approx(2 * (3 * -1) / s2 / 3, abs=1e-12)
    assert r.quadrant.tolist() == [3, 2, 4]


def test_lisa_numpy_engine_agrees_with_esda_within_monte_carlo_error(columbus) -> None:
    # Both engines estimate the same permutation p-value; with R = 9999 the standard
    # error of each is at most √(0.25/9999) = 0.005, so two estimates differ by less than
    # 0.03 (> 4 standard errors of the difference) unless the schemes differ.
    y, _, w = columbus
    r = local_moran(y, w.sparse, permutations=9999, seed=7)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = esda.Moran_Local(y, w, transformation="r", permutations=9999, seed=7)
    assert np.abs(r.p_sim - ref.p_sim).max() < 0.03
    assert r.method["engine"] == "gltd"
    again = local_moran(y, w.sparse, permutations=9999, seed=7)
    assert_array_equal(again.p_sim, r.p_sim)  # same seed, same result
