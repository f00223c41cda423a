"""The displacement report reads each ring's verdict in French, never its code."""

from __future__ import annotations

import re
from typing import Any

from gltd.analysis.displacement import VERDICT_LABELS, VERDICTS, ring_measures
from gltd.displacement import measures_html


def _report(rings: list[tuple[int, int]]) -> dict[str, Any]:
    """A stored report (as the run page reads it) with real measures for ``rings``."""
    measures = ring_measures(20, 10, rings, 100, 100)
    return {
        "measures": {**measures[0].as_dict(), "interpretation_fr": "lecture"},
        "warnings": [],
        "counts": {
            "target": {"before": 20, "after": 10},
            "buffer": {"before": sum(b for b, _ in rings), "after": sum(a for _, a in rings)},
            "control": {"before": 100, "after": 100},
        },
        "rings": [
            {
                "inner_m": 100 * i,
                "outer_m": 100 * (i + 1),
                "before": b,
                "after": a,
                "measures": m.as_dict(),
                "wdd": None,
            }
            for i, ((b, a), m) in enumerate(zip(rings, measures, strict=True))
        ],  # fmt: skip
        "wdd": None,
        "sppt": None,
        "caveats": [],
    }


def test_rings_show_the_verdict_label() -> None:
    # ring 1: 10 -> 15 (partial displacement), ring 2: 10 -> 10, ring 3: 10 -> 5 (diffusion)
    page = measures_html(_report([(10, 15), (10, 10), (10, 5)]))
    cells = re.findall(r"<td>([^<]*)</td>", page)
    for code in ("deplacement_partiel", "neutre", "diffusion"):
        assert VERDICT_LABELS[code] in cells
    assert "déplacement partiel" in cells
    assert not re.search(r"deplacement[ _]partiel|\bneutre\b", page)


def test_every_verdict_has_a_french_label() -> None:
    assert set(VERDICT_LABELS) == set(VERDICTS)
    assert not any("_" in label for label in VERDICT_LABELS.values())
    assert len(set(VERDICT_LABELS.values())) == len(VERDICTS)
