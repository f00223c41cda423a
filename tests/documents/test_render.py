"""One document renderer: one Jinja environment, one PDF path, one figure-to-PNG, one
atomic writer, and every document's template in the one environment."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

import gltd
from gltd.analysis.events import EventSet
from gltd.analysis.knox import near_repeat
from gltd.documents import ENV, render_document
from gltd.errors import InputError
from gltd.near_repeat import render

SRC = Path(gltd.__file__).parent


def _sources() -> dict[str, str]:
    """The package's modules outside the web application (which has its own pages)."""
    return {
        str(p.relative_to(SRC)): p.read_text(encoding="utf-8")
        for p in SRC.rglob("*.py")
        if p.relative_to(SRC).parts[0] != "web"
    }


def _where(pattern: str) -> list[str]:
    return sorted(
        name for name, text in _sources().items() if re.search(pattern, text, re.MULTILINE)
    )


def test_one_home_for_each_piece() -> None:
    assert _where(r"\bEnvironment\(") == ["documents/render.py"]
    assert _where(r"^\s*(from|import) weasyprint") == ["documents/render.py"]
    assert _where(r"\.savefig\(") == ["documents/figures.py"]
    assert _where(r"\bos\.replace\(|\.replace\(\w+\)\s*$|\.part\b") == ["fileio.py"]
    assert _where(r"def _?(nice_length|scale_bar)\b") == ["documents/figures.py"]
    assert _where(r"babel") == ["documents/fmt.py"]


def test_every_document_template_is_in_the_one_environment() -> None:
    names = set(ENV.list_templates())
    assert {"bilan.html", "displacement.html", "study.html", "near_repeat.html"} <= names
    assert not list(SRC.glob("*/templates/*.html")) or all(
        p.parts[-3] in ("documents", "web") for p in SRC.glob("*/templates/*.html")
    )


def test_unknown_format_and_undefined_values_are_refused() -> None:
    with pytest.raises(InputError, match="format inconnu"):
        render_document("near_repeat.html", {}, "docx")
    with pytest.raises(Exception, match="undefined"):  # a missing figure is an error
        render_document("near_repeat.html", {}, "html")


def test_near_repeat_html_uses_the_shared_filters() -> None:
    rng = np.random.default_rng(3)
    n = 400
    x, y = rng.uniform(0, 3000, n), rng.uniform(0, 3000, n)
    days = rng.uniform(0, 200, n)
    when = np.datetime64("2018-01-01") + (days * 86400).astype("timedelta64[s]")
    events = EventSet.from_arrays(x, y, when, crs="EPSG:2154", date_only=False)
    res = near_repeat(
        events,
        distance_edges=[0, 100, 200, 5000],
        time_edges=[0, 7, 14, float("inf")],
        permutations=19,
        seed=1,
    )
    page = render(res, "html", source="essai")
    assert "\u202f" in page  # pairs counted in thousands, with the narrow no-break space
    assert "100, 200, 5\u202f000" in page and "14, ∞" in page  # band edges, as written
    assert not re.search(r"(src|href)=|https?://|file:", page.split("<body>")[1])
