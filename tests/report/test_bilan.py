"""The GLTD bilan: the article's figures on the demo, HTML = JSON, PDF pages, CLI."""

from __future__ import annotations

import json
import re
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from scipy import stats
from typer.testing import CliRunner

from gltd.cli.main import app
from gltd.demo.scenario import build_demo
from gltd.documents.fmt import parse_fr_number
from gltd.report.builder import build_bilan, resolve_compare
from gltd.report.render import render_html
from gltd.store.engine import make_engine
from gltd.store.migrate import upgrade
from gltd.timeutil import parse_period

ARGS = ["--from", "2018-03-24", "--to", "2018-09-24", "--compare", "previous-year"]


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('bilan') / 'demo.db'}"
    upgrade(url)
    engine = make_engine(url)
    build_demo(engine, seed=2018)
    engine.dispose()
    return url


@pytest.fixture(scope="module")
def bilan(demo_url: str) -> dict[str, Any]:
    period = parse_period("2018-03-24..2018-09-24")
    ref, kind = resolve_compare(period, "previous-year")
    return build_bilan(make_engine(demo_url), period, ref, compare_kind=kind)


@pytest.fixture(scope="module")
def bilan_json(demo_url: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("json") / "bilan.json"
    res = CliRunner().invoke(
        app, ["report", "--db", demo_url, *ARGS, "--format", "json", "--out", str(out)]
    )
    assert res.exit_code == 0, res.output
    return dict(json.loads(out.read_text(encoding="utf-8")))


def _row(rows: list[dict[str, Any]], **match: Any) -> dict[str, Any]:
    found = [r for r in rows if all(r.get(k) == v for k, v in match.items())]
    assert len(found) == 1, match
    return found[0]


def test_json_bilan_has_the_article_figures(bilan_json: dict[str, Any]) -> None:
    ops = bilan_json["operations"]
    assert ops["arrests"]["trafficker"] == 41
    assert 45 <= ops["total"] <= 55  # « une cinquantaine d'opérations »
    carmes = _row(bilan_json["arrests_by_zone"], zone="Les Carmes", role="consumer")["test"]
    assert (carmes["count_ref"], carmes["count"]) == (20, 45)
    assert carmes["change_pct"] == pytest.approx(125.0)
    # Equal periods (185 days each): the exact test is a binomial test of 45 out of 65
    # at p0 = 1/2 (R: poisson.test(c(45, 20), c(185, 185))).
    assert carmes["exposure"] == carmes["exposure_ref"] == 185
    assert carmes["p_value"] == pytest.approx(stats.binomtest(45, 65, 0.5).pvalue, rel=1e-12)
    assert carmes["significant"] is True
    assert "+125 % (20 → 45)" in carmes["text"].replace("\u00a0", " ")
    years = {r["year"]: r["count"] for r in bilan_json["requisitions"]["per_year"]}
    assert years[2011] == 66 and years[2018] == 171
    assert bilan_json["requisitions"]["first_year"] == 2011
    cams = bilan_json["cameras"]
    assert 200 < cams["count"] < 215 and cams["annual_cost_eur"] == pytest.approx(150_000)
    assert cams["expiring_count"] > 0
    method = bilan_json["method"]
    assert method["period"]["first_day"] == "2018-03-24"
    assert method["period"]["last_day"] == "2018-09-24"
    assert method["compare"]["first_day"] == "2017-03-24"
    assert "Poisson" in method["tests"]["rate_comparison"]
    assert method["tests"]["small_numbers_threshold"] == 10
    assert "activité des services" in method["caveat"]
    assert "_layers" not in bilan_json
    texts = " ".join(s["text"] for s in bilan_json["synthesis"]).replace("\u00a0", " ")
    assert "Les Carmes — interpellations de consommateurs : +125 % (20 → 45), p = 0,003" in texts


def test_hotspots_show_the_displacement_and_the_new_market(bilan_json: dict[str, Any]) -> None:
    by_zone = {z["zone"]: z for z in bilan_json["hotspots"]["by_zone"]}
    assert by_zone["Secteur Est"]["apparu"] > 0 and by_zone["Secteur Est"]["persistant"] == 0
    assert by_zone["Carmes Nord"]["apparu"] > 0
    assert by_zone["Les Carmes"]["persistant"] > 0


class _Keys(HTMLParser):
    """Collect the text of every element carrying a data-key attribute."""

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


def _lookup(doc: dict[str, Any], path: str) -> Any:
    cur: Any = doc
    for part in path.split("."):
        cur = cur[int(part)] if isinstance(cur, list) else cur[part]
    return cur


def test_html_shows_the_same_numbers_as_the_json(
    bilan: dict[str, Any], bilan_json: dict[str, Any]
) -> None:
    parser = _Keys()
    parser.feed(render_html(bilan))
    assert len(parser.found) > 150
    keys = {k for k, _, _ in parser.found}
    for needed in (
        "operations.total",
        "operations.arrests.trafficker",
        "requisitions.per_year.0.count",
        "requisitions.per_year.7.count",
        "cameras.count",
    ):
        assert needed in keys
    carmes = next(
        i
        for i, r in enumerate(bilan_json["arrests_by_zone"])
        if r["zone"] == "Les Carmes" and r["role"] == "consumer"
    )
    assert f"arrests_by_zone.{carmes}.test.count" in keys
    for key, fmt, text in parser.found:
        value = _lookup(bilan_json, key)
        if value is None:
            assert text == "—", key
        elif fmt == "pct":
            assert parse_fr_number(text) == pytest.approx(round(value * 100), abs=0.5), key
        elif fmt == "num2":
            assert parse_fr_number(text) == pytest.approx(round(value, 2), abs=0.005), key
        else:
            assert parse_fr_number(text) == pytest.approx(round(value), abs=0.5), key
    # the headline, as a journalist would read it
    body = render_html(bilan).replace("\u00a0", " ").replace("\u202f", " ")
    assert "+125 % (20 → 45), p = 0,003" in body


def test_pdf_pages_are_not_blank(demo_url: str, tmp_path: Path, artifacts_dir: Path) -> None:
    pdf = tmp_path / "bilan.pdf"
    res = CliRunner().invoke(
        app, ["report", "--db", demo_url, *ARGS, "--format", "pdf", "--out", str(pdf)]
    )
    assert res.exit_code == 0, res.output
    assert pdf.read_bytes()[:5] == b"%PDF-"
    prefix = tmp_path / "page"
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(pdf), str(prefix)], check=True)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) >= 6
    for page in pages:
        img = Image.open(page).convert("L")
        dark = sum(img.histogram()[:200])
        share = dark / (img.width * img.height)
        assert share > 0.005, f"{page.name} looks blank ({share:.4f} dark pixels)"
    (artifacts_dir / "bilan-demo.pdf").write_bytes(pdf.read_bytes())
    _assert_french_typography(pdf)


UNIT_AT_LINE_START = re.compile(r"^\s*(%|€|m|km|g|kg|m²)(?![\w-])")
NUMBER_AT_LINE_END = re.compile(r"\d\s*$")


def _assert_french_typography(pdf: Path) -> None:
    """No line breaks between a number and its unit, no ISO date, no module name."""
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    lines = text.splitlines()
    for before, line in zip(lines, lines[1:], strict=False):
        if NUMBER_AT_LINE_END.search(before):
            assert not UNIT_AT_LINE_START.match(line), (before, line)
    assert not re.search(r"\b\d{4}-\d{2}-\d{2}\b", text), re.findall(r".*\d{4}-\d{2}-\d{2}.*", text)
    assert not re.search(r"\bgltd\.[a-z_]", text)
    assert "IC 95 %" in text and "IC 95\n" not in text


def test_report_cli_errors_are_plain_messages(demo_url: str, tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "x.json"
    bad_fmt = runner.invoke(
        app, ["report", "--db", demo_url, *ARGS, "--format", "docx", "--out", str(out)]
    )
    assert bad_fmt.exit_code == 2 and "pdf, html ou json" in bad_fmt.output
    bad_cmp = runner.invoke(
        app,
        [
            "report",
            "--db",
            demo_url,
            "--from",
            "2018-03-24",
            "--to",
            "2018-09-24",
            "--compare",
            "last-week",
            "--format",
            "json",
            "--out",
            str(out),
        ],
    )
    assert bad_cmp.exit_code == 2 and "previous-year" in bad_cmp.output
    bad_zone = runner.invoke(
        app,
        [
            "report",
            "--db",
            demo_url,
            *ARGS,
            "--zones",
            "Atlantide",
            "--format",
            "json",
            "--out",
            str(out),
        ],
    )
    assert bad_zone.exit_code == 2 and "zone inconnue" in bad_zone.output
    assert not out.exists()


def test_previous_period_and_zone_filter(demo_url: str, tmp_path: Path) -> None:
    out = tmp_path / "b.json"
    res = CliRunner().invoke(
        app,
        [
            "report",
            "--db",
            demo_url,
            "--from",
            "2018-03-24",
            "--to",
            "2018-09-24",
            "--compare",
            "previous-period",
            "--zones",
            "Les Carmes,Carmes Nord",
            "--format",
            "json",
            "--out",
            str(out),
        ],
    )
    assert res.exit_code == 0, res.output
    b = json.loads(out.read_text(encoding="utf-8"))
    assert b["compare"]["last_day"] == "2018-03-23"
    assert b["compare"]["days"] == b["period"]["days"] == 185
    assert {r["zone"] for r in b["incidents"]["by_zone"]} == {"Les Carmes", "Carmes Nord"}
    assert {z["zone"] for z in b["operations"]["by_zone"]} == {"Les Carmes", "Carmes Nord"}
    assert b["operations"]["total"] == 16 + 4
