"""Knox table on Chicago's January 2016 burglaries against R NearRepeat and the NRC.

Data: ``tests/data/near_repeat/chicago_be_month1.csv`` (970 residential burglaries, x/y in metres,
date; no header), a copy of the project's shared data.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from gltd.analysis.knox import near_repeat

DATA = Path(__file__).resolve().parent.parent / "data" / "near_repeat" / "chicago_be_month1.csv"


@pytest.fixture(scope="module")
def chicago() -> pd.DataFrame:
    assert DATA.exists(), f"shared data missing: {DATA}"
    return pd.read_csv(DATA, header=None, names=["x", "y", "date"], parse_dates=["date"])


def test_observed_table_equals_r_nearrepeat(chicago: pd.DataFrame) -> None:
    """Published by R NearRepeat (Steenbeek), vignette « NearRepeat », Manhattan distance,
    sds = c(0, 0.1, 200, 400, 600), tds = c(0, 7, 14, 21)."""
    r = near_repeat(
        chicago.x,
        chicago.y,
        chicago.date,
        [0, 0.1, 200, 400, 600],
        [0, 7, 14, 21],
        metric="manhattan",
        permutations=999,
        seed=20160101,
    )
    published = [[28, 5, 5], [141, 69, 27], [186, 140, 100], [237, 192, 128]]
    np.testing.assert_array_equal(r.observed, published)
    assert r.n == 970 and r.date_only
    # Published: p = 0.001 for the first column of the first two rows (no permuted count
    # reaches the observed one). Under the null, P(count ≥ 28) ≈ 1e-4 for the first cell
    # (4 of 39,960 permutations over 40 seeds), so about 9 seeds in 10 give 0.001 with
    # 999 permutations, as R did; the seed is fixed here, not searched for.
    assert r.p_value[0, 0] == pytest.approx(0.001)
    assert r.p_value[1, 0] == pytest.approx(0.001)
    assert r.significant[0, 0] and r.significant[1, 0]
    # Published Knox ratios 1.80 and 1.41 (2 decimals). Without Monte Carlo noise the
    # ratio is observed / analytic expectation: it rounds to the published values.
    assert round(float(r.observed[0, 0] / r.expected[0, 0]), 2) == 1.80
    assert round(float(r.observed[1, 0] / r.expected[1, 0]), 2) == 1.41
    # With 999 permutations, R's ratio and ours both carry Monte Carlo error: the standard
    # error of obs/mean is ratio × sd / (mean √999). Tolerance: half a unit of the last
    # published digit + 4 standard errors of the difference of two independent runs.
    for row, published_ratio in ((0, 1.80), (1, 1.41)):
        mean = r.mean_permuted[row, 0]
        se = r.knox_ratio[row, 0] * r.permuted[:, row, 0].std() / (mean * np.sqrt(999))
        assert abs(r.knox_ratio[row, 0] - published_ratio) <= 0.005 + 4 * np.sqrt(2) * se


def test_nrc_mode_reproduces_the_near_repeat_calculator(chicago: pd.DataFrame) -> None:
    """NRC 1.3 verbose output shipped with R NearRepeat (inst/extdata/
    chicago_be_month1_NRverbose_2019-09-23_143005.csv): spatial bandwidth 100 m × 3
    bands, temporal bandwidth 7 days × 3 bands, Manhattan — « Observed frequencies
    distribution »."""
    r = near_repeat(
        chicago.x,
        chicago.y,
        chicago.date,
        [0, 100, 200, 300],
        [0, 7, 14, 21],
        metric="manhattan",
        nrc=True,
        permutations=19,
        seed=1,
    )
    assert r.distance_labels == (
        "Même lieu",
        "1 à 100 m",
        "101 à 200 m",
        "201 à 300 m",
        "Plus de 300 m",
    )
    assert r.time_labels == ("0 à 7 j", "8 à 14 j", "15 à 21 j", "Plus de 21 j")
    nrc_observed = [
        [28, 5, 5, 2],
        [44, 13, 8, 4],
        [97, 56, 19, 16],
        [77, 67, 45, 20],
        [182194, 146149, 95237, 45879],
    ]
    np.testing.assert_array_equal(r.observed, nrc_observed)
    assert r.observed.sum() == 970 * 969 // 2
    assert r.distance_edges == (0, 0, 100, 200, 300, np.inf)  # « même lieu » : d = 0
    assert r.time_edges == (0, 7, 14, 21, np.inf)
    # every permuted table keeps all pairs (open bands filled by subtraction)
    assert (r.permuted.sum(axis=(1, 2)) == 970 * 969 // 2).all()
