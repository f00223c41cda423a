"""``--nrc`` against the Near Repeat Calculator 1.3: its arithmetic, rule by rule and cell by cell.

The two NRC runs published with the R package NearRepeat (Steenbeek) are the reference:
``chicago_be_month1`` (970 burglaries, Manhattan, 100 m × 3, 7 days × 3) and
``chicago_arson`` (522 arsons, Manhattan, 200 m × 3, 1 day × 3). Their NRC « verbose »
outputs (``*_NRverbose_*.csv``) and the arson input are not shipped with gltd: they are
read from the folder named by ``GLTD_NRC_REFERENCE_DIR``, else from ``shared/data/`` next to
the repository; the test skips, saying so, when they are absent. The rules found on them
(single-precision coordinates, « same location » = distance 0, ``[a, b)`` bands) are also
tested on hand-built pairs that need no external data.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np
import pytest

from gltd.analysis.knox import monte_carlo_p_value, near_repeat
from gltd.near_repeat import read_events_csv

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "tests" / "data" / "near_repeat"


def _reference_dir() -> Path:
    env = os.environ.get("GLTD_NRC_REFERENCE_DIR")
    return Path(env) if env else ROOT.parent / "shared" / "data"


def _find(pattern: str) -> Path | None:
    for folder in (_reference_dir(), SHIPPED):
        hits = sorted(folder.glob(pattern)) if folder.is_dir() else []
        if hits:
            return hits[0]
    return None


def _parse_verbose(path: Path) -> dict:
    """Observed table, labels and per-cell statistics of an NRC verbose CSV."""
    lines = path.read_text(encoding="latin-1").splitlines()
    start = lines.index("Observed frequencies distribution")
    cols = [c.strip() for c in lines[start + 1].split(",")[2:] if c.strip()]
    rows, labels = [], []
    for ln in lines[start + 3 :]:
        parts = [c.strip() for c in ln.split(",")]
        if len(parts) < 3 or not parts[0].isdigit():
            break
        labels.append(parts[1])
        rows.append([int(v) if v else 0 for v in parts[2 : 2 + len(cols)]])
    cells: dict[tuple[int, int], dict] = {}
    for k, ln in enumerate(lines):
        m = re.fullmatch(r"Row (\d+) Column (\d+)", ln.strip())
        if not m:
            continue
        block: dict = {"expected": []}
        for sub in lines[k + 1 : k + 12]:
            head, _, rest = sub.partition(",")
            values = [v.strip() for v in rest.split(",") if v.strip()]
            if head in ("Expected", ""):
                block["expected"] += [int(v) for v in values]
            elif head in ("Observed", "Mean", "P value", "Obs over Mean Exp"):
                block[head] = float(values[0])
            if head == "Obs over Mean Exp":
                break
        cells[(int(m[1]) - 1, int(m[2]) - 1)] = block
    return {"observed": np.array(rows), "rows": labels, "cols": cols, "cells": cells}


RUNS = {
    # name: (input file, verbose file pattern, distance edges, time edges)
    "chicago_be_month1": ("chicago_be_month1.csv", [0, 100, 200, 300], [0, 7, 14, 21]),
    "chicago_arson": ("chicago_arson.csv", [0, 200, 400, 600], [0, 1, 2, 3]),
}


@pytest.mark.parametrize("name", sorted(RUNS))
def test_nrc_mode_reproduces_both_published_runs_cell_for_cell(name: str) -> None:
    data_name, d_edges, t_edges = RUNS[name]
    data = _find(data_name)
    verbose = _find(f"{name}_NRverbose*.csv")
    if data is None or verbose is None:
        pytest.skip(
            f"données de référence du NRC absentes ({data_name} et {name}_NRverbose*.csv, "
            "livrées avec le paquet R NearRepeat, inst/extdata) : placez-les dans "
            f"{_reference_dir()} ou nommez leur dossier dans GLTD_NRC_REFERENCE_DIR"
        )
    nrc = _parse_verbose(verbose)
    r = near_repeat(
        read_events_csv(data), d_edges, t_edges, metric="manhattan", nrc=True, permutations=0
    )
    np.testing.assert_array_equal(r.observed, nrc["observed"])
    # the labels say the same as the NRC's, in French
    fr = {"Same location": "Même lieu"}
    rows = [
        fr.get(s, re.sub(r"More than (\S+)", r"Plus de \1", s).replace(" to ", " à "))
        for s in nrc["rows"]
    ]
    assert [lab.removesuffix(" m") for lab in r.distance_labels] == rows
    cols = [
        re.sub(r"More than (\S+)", r"Plus de \1", s).replace(" to ", " à ") for s in nrc["cols"]
    ]
    assert [lab.removesuffix(" j") for lab in r.time_labels] == cols
    # NRC's own statistics follow from its permuted counts by gltd's formulas
    assert len(nrc["cells"]) == r.observed.size
    for (d, k), c in nrc["cells"].items():
        perm = np.array(c["expected"])
        assert c["Observed"] == r.observed[d, k]
        assert perm.mean() == pytest.approx(c["Mean"], rel=1e-12)
        assert monte_carlo_p_value(c["Observed"], perm) == pytest.approx(c["P value"])
        if perm.mean() > 0:
            assert c["Observed"] / perm.mean() == pytest.approx(c["Obs over Mean Exp"])


def _pair(dx: float, dy: float, *, x1: float = 0.0, y1: float = 0.0, days: int = 0, **kw):
    """NRC table of the pair (x1, y1), (x1 + dx, y1 + dy) ``days`` apart, plus a far, late
    event so that the time bands fit in the span."""
    x = [x1, x1 + dx, x1 + 1e5]
    y = [y1, y1 + dy, y1]
    t = np.array([0, days, 400])
    return near_repeat(
        x,
        y,
        t,
        kw.pop("d", [0, 200, 400, 600]),
        kw.pop("t", [0, 1, 2, 3]),
        metric="manhattan",
        nrc=True,
        permutations=0,
        **kw,
    )


def _cell(r) -> tuple[str, str]:
    """Labels of the one cell holding the close pair (the far event is « Plus de … »)."""
    obs = r.observed.copy()
    obs[-1, :] = 0
    (d,), (k,) = np.nonzero(obs)
    return r.distance_labels[d], r.time_labels[k]


def test_nrc_same_location_is_distance_zero_not_below_one_metre() -> None:
    """The arson run counts a same-day pair 0.56 m apart in « 1 to 200 », not « same
    location »: the NRC's same location is a distance of exactly 0."""
    assert _cell(_pair(0.0, 0.0)) == ("Même lieu", "0 à 1 j")
    assert _cell(_pair(0.56, 0.0, x1=351048.1, y1=575625.4)) == ("1 à 200 m", "0 à 1 j")
    assert _cell(_pair(0.0, 0.9)) == ("1 à 200 m", "0 à 1 j")
    r = _pair(0.0, 0.0)
    assert r.distance_edges[:3] == (0.0, 0.0, 200.0)
    assert "distance nulle" in r.method["bands"]


def test_nrc_coordinates_are_single_precision() -> None:
    """In single precision (float32) y = 6 800 399.96 is 6 800 400: a pair 399.96 m apart
    in double precision is 400 m for the NRC, hence « 401 to 600 » (as the arson run's
    pair 399.96 m apart). Without ``nrc`` the double-precision distance is kept."""
    y1 = 6_800_000.0
    r = _pair(0.0, 399.96, x1=600_000.0, y1=y1, days=200)
    assert _cell(r) == ("401 à 600 m", "Plus de 3 j")
    plain = near_repeat(
        [600_000.0, 600_000.0],
        [y1, y1 + 399.96],
        [0, 0],
        [0, 400, 600],
        [0, 1],
        metric="manhattan",
        permutations=0,
    )
    assert plain.observed.tolist() == [[1], [0]]
    # 0.2 m apart in y ≈ 6.8 million: the same single-precision coordinate
    assert _cell(_pair(0.0, 0.2, x1=600_000.0, y1=y1)) == ("Même lieu", "0 à 1 j")
    assert "simple précision" in r.method["coordinates"]


def test_nrc_band_boundaries_are_closed_below_open_above() -> None:
    """[a, b): 200 m exactly is « 201 à 400 m », 199.9 m is « 1 à 200 m »; a 1-day gap
    is « 2 à 2 j » (the NRC's label for [1, 2)), 3 days « Plus de 3 j ». The edge applies to
    the single-precision distance: 199.99 m at y ≈ 6.8 million is 200 m."""
    assert _cell(_pair(0.0, 199.99, x1=600_000.0, y1=6_800_000.0)) == ("201 à 400 m", "0 à 1 j")
    assert _cell(_pair(200.0, 0.0)) == ("201 à 400 m", "0 à 1 j")
    assert _cell(_pair(199.9, 0.0)) == ("1 à 200 m", "0 à 1 j")
    assert _cell(_pair(120.0, 80.0)) == ("201 à 400 m", "0 à 1 j")  # Manhattan 200
    far = _pair(600.0, 0.0)
    assert far.observed[-1].tolist() == [1, 0, 0, 2] and far.observed[:-1].sum() == 0
    assert _cell(_pair(10.0, 0.0, days=1)) == ("1 à 200 m", "2 à 2 j")
    assert _cell(_pair(10.0, 0.0, days=2)) == ("1 à 200 m", "3 à 3 j")
    assert _cell(_pair(10.0, 0.0, days=3)) == ("1 à 200 m", "Plus de 3 j")
