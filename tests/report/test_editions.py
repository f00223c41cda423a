"""Acceptance of the bilan's two editions on the 2018 demo: one computation, two templates.

Every page of both editions is rendered to PNG (kept in the test artifacts, to look at);
in both: no percentage for a change whose smaller count is under 10, the HTML says the
same numbers as the JSON, no line of the PDF text breaks between a number and its unit, no
ISO date and no Python module name. The press edition holds on two A4 pages.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from typer.testing import CliRunner

from demo_support import (
    DataKeys,
    assert_keys_say_the_json,
    demo_bilan,
    demo_database,
    lookup,
    signed_percentages,
)
from gltd.cli.main import app
from gltd.documents.fmt import parse_fr_number
from gltd.report.render import render_html, render_json, render_pdf
from gltd.store.engine import make_engine
from gltd.timeutil import parse_period

EDITIONS = ("complete", "presse")
UNIT_AT_LINE_START = re.compile(r"^\s*(%|€|m²|km|m|kg|g|h|j|jours?|faits|ha)(?![\w-])")
NUMBER_AT_LINE_END = re.compile(r"\d\s*$")


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return demo_database(tmp_path_factory.mktemp("editions"))


@pytest.fixture(scope="module")
def bilan(demo_url: str) -> dict[str, Any]:
    return demo_bilan(demo_url)


@pytest.fixture(scope="module")
def data(bilan: dict[str, Any]) -> dict[str, Any]:
    return dict(json.loads(render_json(bilan)))


@pytest.fixture(scope="module")
def pdfs(bilan: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("editions-pdf")
    out = {}
    for edition in EDITIONS:
        path = folder / f"bilan-{edition}.pdf"
        path.write_bytes(render_pdf(bilan, edition=edition))
        out[edition] = path
    return out


@pytest.fixture(scope="module")
def pdf_texts(pdfs: dict[str, Path]) -> dict[str, str]:
    return {
        e: subprocess.run(
            ["pdftotext", "-layout", str(p), "-"], check=True, capture_output=True, text=True
        ).stdout
        for e, p in pdfs.items()
    }


def _tests(b: dict[str, Any]) -> list[dict[str, Any]]:
    inc = b["incidents"]
    return [r["test"] for sec in ("by_zone", "totals", "other_categories") for r in inc[sec]] + [
        r["test"] for r in b["arrests_by_zone"]
    ]


@pytest.mark.parametrize("edition", EDITIONS)
def test_every_page_is_rendered_and_not_blank(
    edition: str, pdfs: dict[str, Path], tmp_path: Path, artifacts_dir: Path
) -> None:
    pdf = pdfs[edition]
    prefix = tmp_path / "page"
    subprocess.run(["pdftoppm", "-r", "50", "-png", str(pdf), str(prefix)], check=True)
    pages = sorted(tmp_path.glob("page-*.png"))
    if edition == "presse":
        assert len(pages) == 2
    else:
        assert len(pages) >= 8
    for page in pages:
        img = Image.open(page).convert("L")
        w, h = img.size
        assert (w, h) == pytest.approx((413, 585), abs=2)  # A4 at 50 dpi
        share = sum(img.histogram()[:200]) / (w * h)
        assert share > 0.01, f"{edition} {page.name} looks (nearly) empty ({share:.4f})"
        # No near-empty page: ink reaches below the top third of the page.
        lower = img.crop((0, h // 3, w, h - 40))
        assert sum(lower.histogram()[:200]) / (lower.width * lower.height) > 0.003, page.name
        (artifacts_dir / f"bilan-{edition}-{page.name}").write_bytes(page.read_bytes())


@pytest.mark.parametrize("edition", EDITIONS)
def test_no_percentage_on_small_numbers(
    edition: str, bilan: dict[str, Any], data: dict[str, Any], pdf_texts: dict[str, str]
) -> None:
    tests = _tests(data)
    allowed = {round(t["change_pct"]) for t in tests if not t["small_numbers"]}
    small = {
        round(t["change_pct"]) for t in tests if t["small_numbers"] and t["change_pct"] is not None
    }
    # The demo has changes on small numbers whose percentage no other row shares.
    assert small - allowed
    for where, text in (
        ("HTML", render_html(bilan, edition=edition)),
        ("PDF", pdf_texts[edition]),
    ):
        printed = signed_percentages(text)
        assert printed, where
        assert printed <= allowed, f"{edition} {where}: {printed - allowed}"


#: A number as the documents print it (French: ``1 234``, ``2,25``, ``150 000 €``).
NUMBER = re.compile(r"(?<![\w,])[+\u2212-]?\d[\d\u202f\u00a0]*(?:,\d+)?")


@pytest.mark.parametrize("edition", EDITIONS)
def test_html_says_the_json_numbers(
    edition: str, bilan: dict[str, Any], data: dict[str, Any]
) -> None:
    html = render_html(bilan, edition=edition)
    parser = DataKeys()
    parser.feed(html)
    assert len(parser.found) >= (10 if edition == "presse" else 150)
    assert_keys_say_the_json(parser.found, data)
    if edition == "presse":
        # Every number of the key figures and the changes is one of the JSON's, by key.
        keys = {k for k, _, _ in parser.found}
        for f in data["press"]["key_figures"]:
            assert f["key"] in keys and (f["ref_key"] is None or f["ref_key"] in keys)
        for c in data["press"]["changes"]:
            assert {f"{c['path']}.count", f"{c['path']}.count_ref"} <= keys
            assert lookup(data, c["path"]) == c["test"]


@pytest.mark.parametrize("edition", EDITIONS)
def test_pdf_text_in_french_typography(edition: str, pdf_texts: dict[str, str]) -> None:
    text = pdf_texts[edition]
    lines = text.splitlines()
    for before, line in zip(lines, lines[1:], strict=False):
        if NUMBER_AT_LINE_END.search(before):
            assert not UNIT_AT_LINE_START.match(line), (edition, before, line)
    assert not re.search(r"\b\d{4}-\d{2}-\d{2}\b", text), re.findall(r".*\d{4}-\d{2}-\d{2}.*", text)
    assert not re.search(r"\bgltd\.[a-z_]", text), re.findall(r".*gltd\.[a-z_].*", text)
    # « Reste de la ville » is a row of the tables, never a place of a sentence.
    for phrase in ("Reste de la ville (", "de Reste de la ville", "Reste de la ville :",
                   "Reste de la ville —"):  # fmt: skip
        assert phrase not in text.replace("\u00a0", " "), (edition, phrase)


def test_press_edition_is_a_selection_that_cannot_be_misquoted(
    data: dict[str, Any], pdf_texts: dict[str, str]
) -> None:
    press = data["press"]
    changes = press["changes"]
    assert 3 <= len(changes) <= 4
    ps = [c["test"]["p_value"] for c in changes]
    assert ps == sorted(ps)
    for c in changes:
        t = c["test"]
        assert t["significant"] and not t["small_numbers"]
        assert min(t["count"], t["count_ref"]) >= 10
    # The headline of the article, with its two counts beside its percentage.
    flat = re.sub(r"\s+", " ", pdf_texts["presse"].replace("\u00a0", " ").replace("\u202f", " "))
    assert (
        "Les Carmes — interpellations de consommateurs : 45 contre 20 (+125 %, p = 0,003)" in flat
    )
    assert "mesurent l'activité des services" in flat and "saisies" in flat
    assert "Chiffres clés" in flat and "comparaison : 22" in flat  # 41 traffickers, 22 before
    # Changes on small numbers (Secteur Est: 1 → 45) are left to the full edition.
    assert "Secteur Est — trafic" not in flat
    assert press["changes_small_numbers"] > 0


def test_cli_press_edition_and_bad_edition(demo_url: str, tmp_path: Path) -> None:
    args = ["report", "--db", demo_url, "--from", "2018-03-24", "--to", "2018-09-24"]
    out = tmp_path / "presse.html"
    res = CliRunner().invoke(app, [*args, "--edition", "presse", "--format", "html", "--out",
                                   str(out)])  # fmt: skip
    assert res.exit_code == 0, res.output
    assert "édition presse" in out.read_text(encoding="utf-8")
    bad = tmp_path / "x.pdf"
    res = CliRunner().invoke(app, [*args, "--edition", "journal", "--out", str(bad)])
    assert res.exit_code == 2 and "complete ou presse" in res.output
    assert not bad.exists()


def test_full_edition_tells_the_bar_closure_with_the_domain_figures(
    demo_url: str, data: dict[str, Any], pdf_texts: dict[str, str]
) -> None:
    """The displacement section is gltd.displacement's analysis, not a recount."""
    from sqlalchemy import func, select

    from gltd.displacement import run_displacement
    from gltd.model import AnalysisRun
    from gltd.report.story import RINGS_M

    moves = {d["name"]: d for d in data["displacement"]}
    bar = moves["Fermeture administrative du bar « Le Score »"]
    # The series of operations is what the whole bilan measures: not analysed again.
    assert not any(d["kind"] == "operations" for d in data["displacement"])
    engine = make_engine(demo_url)
    rep = run_displacement(
        engine,
        intervention_id=bar["intervention_id"],
        before=f"{bar['days']}d",
        after=f"{bar['days']}d",
        rings=list(RINGS_M),
        categories=data["hotspots"]["categories"],
        store=False,
    )
    assert bar["days"] == 158  # 20 April to 24 September 2018, both included
    assert bar["counts"] == rep.as_dict()["counts"]
    assert [(r["before"], r["after"]) for r in bar["rings"]] == [(r.b0, r.b1) for r in rep.rings]
    assert rep.wdd is not None and bar["wdd"]["p_value"] == pytest.approx(rep.wdd.p_value)
    assert bar["measures"]["verdict"] == rep.overall.verdict
    # The bilan stores no analysis run of its own.
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(AnalysisRun)).scalar_one() == 0
    flat = re.sub(r"\s+", " ", pdf_texts["complete"].replace("\u00a0", " "))
    assert "Interventions de la période : effet et déplacement" in flat
    assert "Fermeture administrative du bar « Le Score » (20 avril 2018)" in flat
    assert "Fermeture administrative du bar « Le Score » (20 avril 2018)" in re.sub(
        r"\s+", " ", pdf_texts["presse"].replace("\u00a0", " ")
    )


def test_monthly_trend_adds_up_to_the_zone_table(data: dict[str, Any]) -> None:
    trend = data["trend"]
    totals = data["incidents"]["totals"]
    assert trend["categories"] == data["incidents"]["categories"]
    assert sum(m["count"] for m in trend["months"]) == sum(t["test"]["count"] for t in totals)
    assert sum(m["count"] for m in trend["months_ref"]) == sum(
        t["test"]["count_ref"] for t in totals
    )
    # 24 March to 24 September: seven months, the first and last ones partial.
    assert [(m["month"], m["days"]) for m in trend["months"]][:: len(trend["months"]) - 1] == [
        (3, 8),
        (9, 24),
    ]
    assert sum(m["days"] for m in trend["months"]) == data["period"]["days"]


def test_requisitions_of_the_period_are_the_registers(
    demo_url: str, data: dict[str, Any], pdf_texts: dict[str, str]
) -> None:
    from gltd.cctv.requisitions import period_counts

    period = parse_period("2018-03-24..2018-09-24")
    c = period_counts(make_engine(demo_url), start=period.start, end=period.end)
    inp = data["requisitions"]["in_period"]
    assert (inp["count"], inp["delivered"], inp["useful"]) == (
        c.count,
        c.by_status["remise"],
        c.useful,
    )
    assert 0 < inp["useful"] < inp["delivered"] <= inp["count"]
    flat = re.sub(r"\s+", " ", pdf_texts["complete"].replace("\u00a0", " "))
    assert f"dont {inp['useful']} jugées utiles à l'enquête" in flat


def _json_numbers(v: Any, out: set[float]) -> None:
    if isinstance(v, dict):
        for x in v.values():
            _json_numbers(x, out)
    elif isinstance(v, list):
        for x in v:
            _json_numbers(x, out)
    elif isinstance(v, bool) or v is None:
        return
    elif isinstance(v, int | float):
        a = abs(float(v))
        out.update({a, a * 100, a / 1000})  # as is, as a percentage, grams in kilograms
    elif isinstance(v, str):  # dates, labels and sentences the JSON already says
        for m in NUMBER.findall(v):
            out.add(abs(parse_fr_number(m.lstrip("+\u2212-"))))


def _visible_text(html: str) -> str:
    html = re.sub(r"(?s)<style.*?</style>|<script.*?</script>|<head.*?</head>", " ", html)
    return re.sub(r"<[^>]+>", " ", html)


@pytest.mark.parametrize("edition", EDITIONS)
def test_every_number_of_the_html_is_one_of_the_json(
    edition: str, bilan: dict[str, Any], data: dict[str, Any]
) -> None:
    """Not only the keyed ones: every number printed (percentages, p-values, rates,
    counts in sentences) is, once rounded as printed, a number of the JSON."""
    known: set[float] = set()
    _json_numbers(data, known)
    # Thresholds and references the method text names.
    known.update({0.001, 0.05, 5.0, 95.0, 30.0, 1940.0, 1992.0, 1995.0, 2003.0, 2018.0})
    text = _visible_text(render_html(bilan, edition=edition))
    unknown = []
    for m in NUMBER.findall(text):
        raw = m.lstrip("+\u2212-")
        h = abs(parse_fr_number(raw))
        digits = len(raw.split(",")[1]) if "," in raw else 0
        if not any(abs(round(j, digits) - h) < 1e-9 for j in known):
            unknown.append(m)
    assert not unknown, f"{edition}: {sorted(set(unknown))[:20]}"


def test_a_bilan_of_some_zones_analyses_only_their_interventions(demo_url: str) -> None:
    from gltd.report.story import displacement_sections
    from gltd.store.zones import resolve_zone_ids

    engine = make_engine(demo_url)
    period = parse_period("2018-03-24..2018-09-24")
    cats = ["trafic_stupefiants", "point_de_deal"]
    source = resolve_zone_ids(engine, ["La Source"])
    assert displacement_sections(engine, period, cats, zone_ids=source) == ([], [])
    carmes = resolve_zone_ids(engine, ["Les Carmes"])
    sections, reports = displacement_sections(engine, period, cats, zone_ids=carmes)
    assert [s["name"] for s in sections] == ["Fermeture administrative du bar « Le Score »"]
    assert len(reports) == 1
