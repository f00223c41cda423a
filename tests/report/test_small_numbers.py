"""Below 10 events in either period a change is given in counts, never as a percentage."""

from __future__ import annotations

import json
import re
import subprocess
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from demo_support import signed_percentages
from gltd.model import Incident, Zone
from gltd.report.builder import build_bilan, resolve_compare
from gltd.report.render import render_html, render_json, render_pdf
from gltd.store.engine import make_engine, session_scope
from gltd.timeutil import PARIS, parse_period

SQUARES = {
    "Nord": "POLYGON((1.90 47.91, 1.91 47.91, 1.91 47.92, 1.90 47.92, 1.90 47.91))",
    "Sud": "POLYGON((1.90 47.89, 1.91 47.89, 1.91 47.90, 1.90 47.90, 1.90 47.89))",
}
#: zone → (count a year before, count in the period)
COUNTS = {"Nord": (2, 55), "Sud": (40, 80)}


def _load(url: str) -> None:
    from datetime import datetime

    engine = make_engine(url)
    with session_scope(engine) as s:
        zones = {n: Zone(name=n, kind="quartier", geometry_wkt=w) for n, w in SQUARES.items()}
        s.add_all(zones.values())
        s.flush()
        i = 0
        for name, (n_ref, n_now) in COUNTS.items():
            for year, n in ((2019, n_ref), (2020, n_now)):
                for k in range(n):
                    t = datetime(year, 6, 1, 12, tzinfo=PARIS) + timedelta(hours=25 * k)
                    s.add(
                        Incident(
                            occurred_at=t,
                            category="trafic_stupefiants",
                            x=620_000.0 + 40 * (k % 7),
                            y=6_755_000.0 + (0 if name == "Nord" else 2_000) + 40 * (k % 5),
                            zone_id=zones[name].id,
                            source="test",
                            source_ref=f"T{i}",
                        )
                    )
                    i += 1


def _strings(v: Any) -> list[str]:
    if isinstance(v, dict):
        return [s for x in v.values() for s in _strings(x)]
    if isinstance(v, list):
        return [s for x in v for s in _strings(x)]
    return [v] if isinstance(v, str) else []


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_no_percentage_on_small_numbers(db_url: str, tmp_path: Path) -> None:
    _load(db_url)
    period = parse_period("2020-06-01..2020-08-31")
    ref, kind = resolve_compare(period, "previous-year")
    b = build_bilan(make_engine(db_url), period, ref, compare_kind=kind)
    rows = {r["zone"]: r["test"] for r in b["incidents"]["by_zone"]}
    assert (rows["Nord"]["count_ref"], rows["Nord"]["count"]) == COUNTS["Nord"]
    assert (rows["Sud"]["count_ref"], rows["Sud"]["count"]) == COUNTS["Sud"]
    assert rows["Nord"]["small_numbers"] and not rows["Sud"]["small_numbers"]
    # Changes allowed as percentages: every test on 10 events or more in both periods.
    tests = [
        r["test"] for sec in ("by_zone", "totals", "other_categories") for r in b["incidents"][sec]
    ] + [r["test"] for r in b["arrests_by_zone"]]
    allowed = {round(t["change_pct"]) for t in tests if not t["small_numbers"]}
    forbidden = round(rows["Nord"]["change_pct"])  # +2 650 %
    assert forbidden not in allowed and round(rows["Sud"]["change_pct"]) in allowed

    json_text = " ".join(_strings(json.loads(render_json(b))))
    html = render_html(b)
    pdf = tmp_path / "bilan.pdf"
    pdf.write_bytes(render_pdf(b))
    pdf_text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    for where, text in (("JSON", json_text), ("HTML", html), ("PDF", pdf_text)):
        printed = signed_percentages(text)
        assert printed <= allowed, f"{where}: {printed - allowed}"
        assert round(rows["Sud"]["change_pct"]) in printed, where
        assert re.search(r"de 2 à 55", text), where
    # The synthesis says it in counts, with the unit.
    nord = [s["text"] for s in b["synthesis"] if s.get("lead", "").startswith("Nord")]
    assert nord and "de 2 à 55\u00a0faits" in nord[0] and "%" not in nord[0].split("IC")[0]
