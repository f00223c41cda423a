"""Gi*, FDR and weights against PySAL (esda/libpysal) and SciPy on the same data."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy import stats

from gltd.analysis.fdr import bh_adjust
from gltd.analysis.gistar import classify, gi_star, gi_star_grid
from gltd.analysis.weights import distance_band, grid_disk, knn, parse_weights
from gltd.errors import InputError

esda = pytest.importorskip("esda")
libpysal = pytest.importorskip("libpysal")


def _g_local(y: np.ndarray, w: object) -> object:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return esda.G_Local(y, w, star=True, transform="B", permutations=0)


def _grid_xy(ny: int, nx: int, cell: float) -> np.ndarray:
    ys, xs = np.mgrid[0:ny, 0:nx]
    return np.column_stack([(xs.ravel() + 0.5) * cell, (ys.ravel() + 0.5) * cell])


def test_gistar_equals_esda_on_columbus_queen(columbus) -> None:
    y, _, w = columbus
    ref = _g_local(y, w)
    r = gi_star(y, w.sparse)
    assert_allclose(r.z, ref.Zs, rtol=0, atol=1e-9)
    # esda's p_norm is one-sided; ours is two-sided (ArcGIS).
    assert_allclose(r.p, 2 * ref.p_norm, rtol=0, atol=1e-9)


def test_gistar_equals_esda_on_columbus_knn_and_distance(columbus) -> None:
    y, xy, _ = columbus
    ref = _g_local(y, libpysal.weights.KNN.from_array(xy, k=5))
    assert_allclose(gi_star(y, knn(xy, 5)).z, ref.Zs, atol=1e-9, rtol=0)
    wd = libpysal.weights.DistanceBand(xy, threshold=1.5, binary=True, silence_warnings=True)
    assert_allclose(gi_star(y, distance_band(xy, 1.5)).z, _g_local(y, wd).Zs, atol=1e-9, rtol=0)


@pytest.mark.parametrize("distance", [250.0, 500.0, 760.0, 3100.0])
def test_gistar_grid_convolution_equals_esda_distance_band(distance: float) -> None:
    # 3100 m = 12.4 cells: the kernel has > 169 cells, so the FFT path is exercised.
    rng = np.random.default_rng(3)
    c = rng.poisson(2, (30, 40))
    c[10:14, 10:15] += 6
    res = gi_star_grid(c, 250.0, distance=distance)
    xy = _grid_xy(30, 40, 250.0)
    wd = libpysal.weights.DistanceBand(xy, threshold=distance, binary=True, silence_warnings=True)
    ref = _g_local(c.ravel().astype(float), wd)
    assert_allclose(res.z.ravel(), ref.Zs, rtol=0, atol=1e-9)
    assert_allclose(res.p.ravel(), 2 * ref.p_norm, rtol=0, atol=1e-9)
    assert res.hot_cold_class[11, 12] > 0


def test_gistar_grid_knn_equals_sparse_path() -> None:
    rng = np.random.default_rng(5)
    c = rng.poisson(3, (12, 9)).astype(float)
    res = gi_star_grid(c, 100.0, k=8)
    ref = gi_star(c.ravel(), knn(_grid_xy(12, 9, 100.0), 8))
    assert_allclose(res.z.ravel(), ref.z, atol=1e-12, rtol=0)


def test_gistar_hand_computed_line() -> None:
    # Five locations on a line 1 m apart, band 1 m; x = [0, 0, 1, 5, 9].
    # n = 5, mean = 3, s² = (0+0+1+25+81)/5 − 9 = 12.4. Location 4: neighbours {3, 4}:
    # W = 2, S1 = 2, Σwx = 14 → z = (14 − 6) / (√12.4 · √((10 − 4)/4)) = 1.855 …
    x = np.array([0, 0, 1, 5, 9.0])
    xy = np.column_stack([np.arange(5.0), np.zeros(5)])
    r = gi_star(x, distance_band(xy, 1.0))
    assert r.z[4] == pytest.approx(8 / (np.sqrt(12.4) * np.sqrt(1.5)), abs=1e-12)


def test_fdr_equals_scipy() -> None:
    rng = np.random.default_rng(0)
    p = np.concatenate([rng.uniform(size=200), rng.uniform(0, 0.01, 30), [0.05, 0.05, 1.0, 0.2]])
    assert_allclose(bh_adjust(p), stats.false_discovery_control(p, method="bh"), atol=1e-15)
    assert_allclose(bh_adjust(p.reshape(-1, 13)).ravel(), bh_adjust(p), atol=0)


def test_classes_use_fdr_adjusted_p() -> None:
    rng = np.random.default_rng(1)
    c = rng.poisson(2, (20, 20))
    c[5, 5] += 9
    r = gi_star_grid(c, 250, distance=500)
    assert_array_equal(r.hot_cold_class, classify(r.z, r.p_fdr))
    raw = gi_star_grid(c, 250, distance=500, alpha_fdr=False)
    assert_array_equal(raw.hot_cold_class, classify(raw.z, raw.p))
    assert raw.n_hot >= r.n_hot
    assert r.method["correction"] == "fdr_bh"


def test_grid_disk_and_weights_parse() -> None:
    assert grid_disk(250, 500).sum() == 13
    assert grid_disk(250, 353.6).sum() == 9  # diagonal at 353.55 m included
    assert parse_weights("distance:500").value == 500
    with pytest.raises(InputError, match="voisinage illisible"):
        parse_weights("queen")
    with pytest.raises(InputError, match="k doit être un entier"):
        parse_weights("knn:2.5")


def test_gistar_refuses_constant_and_tiny_inputs() -> None:
    with pytest.raises(InputError, match="même valeur"):
        gi_star_grid(np.zeros((5, 5)), 250, distance=500)
    with pytest.raises(InputError, match="au moins 3"):
        gi_star_grid(np.array([[4]]), 250, distance=500)
