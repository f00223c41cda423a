"""Static maps say their scale and their north: one scale bar and one north arrow
(documents.figures), drawn on every static map that has a scale bar."""

from __future__ import annotations

import re
from pathlib import Path

import gltd
from gltd.documents.figures import north_arrow, pyplot, scale_bar

SRC = Path(gltd.__file__).parent


def test_north_arrow_points_up_at_the_top_of_the_map() -> None:
    fig, ax = pyplot().subplots()
    ax.set_xlim(0, 5000)
    ax.set_ylim(0, 5000)
    assert scale_bar(ax) == 1000.0
    north_arrow(ax)
    (arrow,) = [t for t in ax.texts if t.get_text() == "N"]
    tip, tail = arrow.xy, arrow.xyann
    assert tip[0] == tail[0] and tip[1] > tail[1] > 0.8  # vertical, pointing up, top of map
    assert "1 km" in [t.get_text() for t in ax.texts]
    pyplot().close(fig)


def test_every_static_map_with_a_scale_bar_has_a_north_arrow() -> None:
    with_bar = sorted(
        str(p.relative_to(SRC))
        for p in SRC.rglob("*.py")
        if re.search(r"\bscale_bar\(ax", p.read_text(encoding="utf-8"))
    )
    assert len(with_bar) >= 4, with_bar  # bilan, study, displacement, hotspots --format png
    missing = [
        name
        for name in with_bar
        if "north_arrow(ax" not in (SRC / name).read_text(encoding="utf-8")
    ]
    assert not missing, missing
