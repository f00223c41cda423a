"""Emerging hot spots: the 17 ArcGIS categories on hand-built series, and the cube Gi*."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy import sparse

from gltd.analysis.emerging import (
    CATEGORIES,
    CATEGORY_LABELS_FR,
    classify_location,
    emerging_hotspots,
    emerging_hotspots_grid,
)
from gltd.analysis.events import EventSet
from gltd.analysis.spacetime_cube import make_cube, step_edges
from gltd.analysis.weights import distance_band
from gltd.errors import InputError

H, C = "H", "C"


def _cls(pattern: str, trend: int = 0) -> str:
    hot = [ch == H for ch in pattern]
    cold = [ch == C for ch in pattern]
    return classify_location(hot, cold, trend)


def _mirror(pattern: str) -> str:
    return pattern.translate(str.maketrans({H: C, C: H}))


# (series oldest → final step, trend of the z-scores, expected category of the hot side)
CASES = [
    (".........H", 0, "new_hot"),
    ("C........H", 0, "new_hot"),  # never hot before: new (ArcGIS order: new before oscillating)
    (".......HHH", 0, "consecutive_hot"),
    ("C......HHH", 0, "consecutive_hot"),
    ("HHHHHHHHHH", 1, "intensifying_hot"),
    ("HHHHHHHHHH", 0, "persistent_hot"),
    (".HHHHHHHHH", 0, "persistent_hot"),  # 90 % incl. final: not "consecutive" (needs < 90 %)
    ("HHHHHHHHHH", -1, "diminishing_hot"),
    ("H..H...H.H", 0, "sporadic_hot"),
    ("H.HHHHHH.H", 0, "sporadic_hot"),  # 80 % hot: not persistent
    ("C..H....HH", 0, "oscillating_hot"),
    ("H..C.....H", 0, "oscillating_hot"),
    ("HHHHHHHHH.", 0, "historical_hot"),  # sfdep/pyehsa: persistent (final step ignored)
    ("HHHHHHHHH.", -1, "historical_hot"),  # final not hot: not "diminishing"
    ("HHHHHHHH..", 0, "no_pattern"),  # 80 % and final not hot
    ("..........", 0, "no_pattern"),
    ("....H.....", 0, "no_pattern"),
]


@pytest.mark.parametrize(("pattern", "trend", "expected"), CASES)
def test_hot_categories(pattern: str, trend: int, expected: str) -> None:
    assert _cls(pattern, trend) == expected


@pytest.mark.parametrize(("pattern", "trend", "expected"), CASES)
def test_cold_categories_mirror_hot(pattern: str, trend: int, expected: str) -> None:
    # Cold spots intensify when the z-scores go down: the trend sign flips too.
    assert _cls(_mirror(pattern), -trend) == expected.replace("_hot", "_cold")


def test_every_category_is_reached() -> None:
    seen = {e for _, _, e in CASES} | {e.replace("_hot", "_cold") for _, _, e in CASES}
    assert seen == set(CATEGORIES)
    assert len(CATEGORIES) == 17 and set(CATEGORY_LABELS_FR) == set(CATEGORIES)


def test_ninety_percent_is_exact_on_twenty_steps() -> None:
    # 18 of 20 = 90 %: persistent. 17 of 20 = 85 %: sporadic.
    assert _cls("H.HHHHHHH.HHHHHHHHHH") == "persistent_hot"
    assert _cls("H.HHHHHH..HHHHHHHHHH") == "sporadic_hot"


def test_final_step_cold_wins_over_a_hot_past() -> None:
    # 9 hot steps then a cold final step: the final state decides (new cold spot).
    assert _cls("HHHHHHHHHC") == "new_cold"


def _spacetime_weights(w: sparse.csr_array, t_len: int, k: int) -> sparse.csr_array:
    """Explicit (T·n × T·n) weights: bin (t, i) sees (s, j) for s in t−k … t, j ∈ N(i) ∪ {i}."""
    n = w.shape[0]
    wi = sparse.csr_array(w + sparse.identity(n, format="csr"))
    blocks = [[None] * t_len for _ in range(t_len)]
    for t in range(t_len):
        for s in range(max(0, t - k), t + 1):
            blocks[t][s] = wi
    for t in range(t_len):
        for s in range(t_len):
            if blocks[t][s] is None:
                blocks[t][s] = sparse.csr_array((n, n))
    return sparse.csr_array(sparse.block_array(blocks))


def test_cube_gistar_equals_esda_on_space_time_weights() -> None:
    esda = pytest.importorskip("esda")
    from libpysal.weights import W

    rng = np.random.default_rng(2)
    t_len, ny, nx = 12, 5, 6
    cube = rng.poisson(2, (t_len, ny, nx))
    cube[8:, 2, 3] += 7
    ys, xs = np.mgrid[0:ny, 0:nx]
    xy = np.column_stack([(xs.ravel() + 0.5) * 100, (ys.ravel() + 0.5) * 100])
    w = distance_band(xy, 150.0)
    st = _spacetime_weights(w, t_len, 1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = esda.G_Local(
            cube.reshape(-1).astype(float),
            W.from_sparse(sparse.csr_matrix(st)),
            star=None,
            transform="B",
            permutations=0,
        )
    res = emerging_hotspots(cube.reshape(t_len, -1), w, time_steps=1)
    assert_allclose(res.z.ravel(), ref.Zs, atol=1e-9, rtol=0)
    grid = emerging_hotspots_grid(cube, 100.0, 150.0, time_steps=1)
    assert_allclose(grid.z, res.z, atol=1e-12, rtol=0)
    assert list(grid.category) == list(res.category)


def test_emerging_finds_a_new_and_an_intensifying_hot_spot() -> None:
    rng = np.random.default_rng(4)
    t_len = 20
    cube = rng.poisson(1, (t_len, 15, 15))
    cube[-1, 3, 3] += 80  # appears at the final step only
    cube[:, 10, 10] += np.arange(t_len) * 3 + 30  # hot all along, growing
    res = emerging_hotspots_grid(cube, 250.0, 250.0, time_steps=0)
    cat = res.category.reshape(15, 15)
    assert cat[3, 3] == "new_hot"
    assert cat[10, 10] == "intensifying_hot"
    assert res.trend_z.reshape(15, 15)[10, 10] > 0


def test_emerging_needs_ten_steps() -> None:
    with pytest.raises(InputError, match="au moins 10"):
        emerging_hotspots_grid(np.random.default_rng(0).poisson(1, (6, 4, 4)), 250, 250)


def test_cube_steps_are_aligned_on_the_end() -> None:
    e = step_edges("2018-01-01T00:00+01:00", "2018-03-26T00:00+02:00", "week")
    # 12 weeks back from Monday 26 March 2018 (local): 1 January 2018 is exactly the start.
    assert len(e) == 13
    assert str(e[0]) == "2017-12-31T23:00:00.000000000"  # 1 Jan 00:00 CET
    assert str(e[-1]) == "2018-03-25T22:00:00.000000000"  # 26 Mar 00:00 CEST
    ev = EventSet.from_arrays(
        [100.0, 300.0, 300.0, 100.0],
        [100.0, 100.0, 100.0, 100.0],
        t=["2017-12-30T12:00Z", "2018-01-02T12:00Z", "2018-03-20T12:00Z", "2018-03-25T21:00Z"],
    )
    cube = make_cube(ev, 250, "week", start="2018-01-01T00:00+01:00", end="2018-03-26T00:00+02:00")
    assert cube.counts.shape == (12, 1, 2)
    assert cube.n == 3 and cube.n_excluded == 1
    assert cube.counts[0, 0, 1] == 1 and cube.counts[-1].tolist() == [[1, 1]]
    assert cube.step_labels()[0] == "2018-01-01"
