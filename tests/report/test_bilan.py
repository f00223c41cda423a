"""The GLTD bilan: the article's figures on the demo, HTML = JSON, PDF pages, CLI."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from scipy import stats
from typer.testing import CliRunner, Result

from demo_support import DataKeys, assert_keys_say_the_json, demo_bilan, demo_database
from gltd.cli.main import app
from gltd.report.render import render_html

PERIOD = ["--from", "2018-03-24", "--to", "2018-09-24"]
ARGS = [*PERIOD, "--compare", "previous-year"]


def _report_json(url: str, out: Path, *options: str) -> Result:
    """``gltd report`` on ``url`` with ``options``, written as JSON to ``out``."""
    return CliRunner().invoke(
        app, ["report", "--db", url, *options, "--format", "json", "--out", str(out)]
    )


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return demo_database(tmp_path_factory.mktemp("bilan"))


@pytest.fixture(scope="module")
def bilan(demo_url: str) -> dict[str, Any]:
    return demo_bilan(demo_url)


@pytest.fixture(scope="module")
def bilan_json(demo_url: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("json") / "bilan.json"
    res = _report_json(demo_url, out, *ARGS)
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


def test_html_shows_the_same_numbers_as_the_json(
    bilan: dict[str, Any], bilan_json: dict[str, Any]
) -> None:
    parser = DataKeys()
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
    assert_keys_say_the_json(parser.found, bilan_json)
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
    bad_cmp = _report_json(demo_url, out, *PERIOD, "--compare", "last-week")
    assert bad_cmp.exit_code == 2 and "previous-year" in bad_cmp.output
    bad_zone = _report_json(demo_url, out, *ARGS, "--zones", "Atlantide")
    assert bad_zone.exit_code == 2 and "zone inconnue" in bad_zone.output
    assert not out.exists()


def test_previous_period_and_zone_filter(demo_url: str, tmp_path: Path) -> None:
    out = tmp_path / "b.json"
    res = _report_json(
        demo_url, out, *PERIOD, "--compare", "previous-period", "--zones", "Les Carmes,Carmes Nord"
    )
    assert res.exit_code == 0, res.output
    b = json.loads(out.read_text(encoding="utf-8"))
    assert b["compare"]["last_day"] == "2018-03-23"
    assert b["compare"]["days"] == b["period"]["days"] == 185
    assert {r["zone"] for r in b["incidents"]["by_zone"]} == {"Les Carmes", "Carmes Nord"}
    assert {z["zone"] for z in b["operations"]["by_zone"]} == {"Les Carmes", "Carmes Nord"}
    assert b["operations"]["total"] == 16 + 4
