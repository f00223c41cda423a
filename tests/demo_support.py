"""The Orléans demo (seed 2018, the article's figures) as a test database, and the bilan's
HTML numbers read back by their JSON key. Shared by the bilan, edition and study tests."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from gltd.demo.scenario import build_demo
from gltd.documents.fmt import parse_fr_number
from gltd.report.builder import build_bilan, resolve_compare
from gltd.store.engine import make_engine
from gltd.store.migrate import upgrade
from gltd.timeutil import parse_period

#: A signed percentage as the documents print it: ``+125 %``, ``−17 %``.
SIGNED_PCT = re.compile(r"([+\u2212-])\s?(\d[\d\u202f\u00a0 ]*)\s?%")

#: The bilan period of the article, compared with the year before.
BILAN_PERIOD = "2018-03-24..2018-09-24"


def demo_database(folder: Path, *, accounts_secret: str | None = None) -> str:
    """A migrated SQLite database ``folder/demo.db`` holding the demo; its URL. With
    ``accounts_secret``, the demo accounts too (passwords derived from that secret)."""
    url = f"sqlite:///{folder / 'demo.db'}"
    upgrade(url)
    engine = make_engine(url)
    build_demo(engine, seed=2018)
    if accounts_secret is not None:
        from gltd.accounts import ensure_demo_accounts

        ensure_demo_accounts(engine, accounts_secret)
    engine.dispose()
    return url


def demo_bilan(url: str) -> dict[str, Any]:
    """The bilan of :data:`BILAN_PERIOD` against the previous year."""
    period = parse_period(BILAN_PERIOD)
    ref, kind = resolve_compare(period, "previous-year")
    return build_bilan(make_engine(url), period, ref, compare_kind=kind)


class DataKeys(HTMLParser):
    """The text of every element carrying a data-key attribute: (key, data-fmt, text)."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, str, str]] = []
        self._stack: list[tuple[str, str, list[str]] | None] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        key = a.get("data-key")
        self._stack.append((key, a.get("data-fmt") or "int", []) if key else None)

    def handle_endtag(self, tag: str) -> None:
        item = self._stack.pop() if self._stack else None
        if item is not None:
            self.found.append((item[0], item[1], "".join(item[2]).strip()))

    def handle_data(self, data: str) -> None:
        for item in self._stack:
            if item is not None:
                item[2].append(data)


def lookup(doc: dict[str, Any], path: str) -> Any:
    """The value at a dotted key (``arrests_by_zone.3.test.count``) of the JSON."""
    cur: Any = doc
    for part in path.split("."):
        cur = cur[int(part)] if isinstance(cur, list) else cur[part]
    return cur


def assert_keys_say_the_json(found: list[tuple[str, str, str]], data: dict[str, Any]) -> None:
    """Each printed number is the JSON's value at its key, rounded as its format says
    (a missing value printed « — »)."""
    for key, fmt, text in found:
        value = lookup(data, key)
        if value is None:
            assert text == "—", key
        elif fmt == "pct":
            assert parse_fr_number(text) == pytest.approx(round(value * 100), abs=0.5), key
        elif fmt == "num2":
            assert parse_fr_number(text) == pytest.approx(round(value, 2), abs=0.005), key
        else:
            assert parse_fr_number(text) == pytest.approx(round(value), abs=0.5), key


def signed_percentages(text: str) -> set[int]:
    """The signed percentages printed in ``text`` (:data:`SIGNED_PCT`), as integers."""
    out = set()
    for sign, digits in SIGNED_PCT.findall(text):
        v = int(re.sub(r"\D", "", digits))
        out.add(-v if sign in "\u2212-" else v)
    return out
