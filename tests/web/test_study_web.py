"""The relevance study from the web, on the 2018 demo: the CLI's service, date and PDF."""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from demo_support import demo_database
from gltd.accounts import demo_password
from gltd.cli.main import app as cli_app
from gltd.store.engine import make_engine
from gltd.web.app import create_app
from web_support import SECRET, finished_job, login, page_token, settings_for, web_settings

#: A site in Les Carmes (the demo's drug market), WGS84.
CARMES = (47.9020, 1.9010)
ANALYST = "csu-analyste"


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return demo_database(tmp_path_factory.mktemp("demo"), accounts_secret=SECRET)


def _client(url: str, tmp_path: Path) -> TestClient:
    return TestClient(create_app(settings_for(url), web=web_settings(tmp_path)))


def _form_default(page: str, name: str) -> str:
    m = re.search(rf'<input name="{name}" type="date"[^>]*value="([^"]+)"', page)
    assert m, f"no default for {name}"
    return m.group(1)


def _cli_conclusion(url: str, tmp_path: Path, as_of: str) -> dict[str, Any]:
    out = tmp_path / "cli.json"
    at = f"{CARMES[0]},{CARMES[1]}"
    res = CliRunner().invoke(
        cli_app,
        ["cctv", "study", "--db", url, "--at", at, "--radius", "100", "--as-of", as_of,
         "--format", "json", "--out", str(out)],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    return dict(json.loads(out.read_text(encoding="utf-8")))


def test_web_study_of_a_carmes_site_is_the_cli_pdf_at_the_latest_data(
    demo_url: str, tmp_path: Path
) -> None:
    with _client(demo_url, tmp_path) as c:
        login(c, ANALYST, demo_password(SECRET, ANALYST))
        page = html.unescape(c.get("/analyses").text)
        as_of = _form_default(page, "as_of")
        # The latest incident of the 2018 demo is on 24 September 2018.
        assert as_of == "2018-09-24"
        assert "dernière donnée de la base (24/09/2018)" in page
        # The camera requests are offered, to attach the study to one of them.
        assert "demande n° 1 (riverains, 12/06/2018)" in page
        r = c.post(
            "/analyses/relevance",
            data={"csrf_token": page_token(c), "as_of": as_of, "request_id": "",
                  "lat": str(CARMES[0]), "lon": str(CARMES[1]), "radius": "100"},
            follow_redirects=False,
        )  # fmt: skip
        assert r.status_code == 303, r.text[:500]
        run_id = int(r.headers["location"].rsplit("/", 1)[1])
        state = finished_job(c, run_id)
        assert state["status"] == "done", state
        web = c.get(f"/analyses/runs/{run_id}/resultat.json").json()
        doc = c.get(f"/analyses/runs/{run_id}/fichier")
        assert doc.status_code == 200
        assert doc.headers["content-type"] == "application/pdf"
        assert doc.content.startswith(b"%PDF")
        run_page = html.unescape(c.get(f"/analyses/runs/{run_id}").text)
    assert web["as_of"] == "2018-09-24"
    assert web["periods"][0]["start"] == "2015-09-24"
    assert web["periods"][2]["end"] == "2018-09-23"
    assert web["incidents"]["total"] > 0
    cli = _cli_conclusion(demo_url, tmp_path, as_of)
    assert web["conclusion"] == cli["conclusion"]
    assert web["incidents"] == cli["incidents"]
    # The PDF's plan draws every fact of the three years on the site (and those around it).
    plan = web["plan"]
    assert plan["shown"] == plan["n"] == len(plan["x"]) == len(plan["y"])
    assert sum(plan["in_site"]) == web["incidents"]["total"] < plan["n"]
    assert plan == cli["plan"]
    assert web["conclusion"]["label"] in run_page
    assert f"{web['incidents']['total']} fait(s) du 24/09/2015 au 23/09/2018" in run_page
    pdf = tmp_path / "web.pdf"
    pdf.write_bytes(doc.content)
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext is not installed")
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "du 24 septembre 2015 au 23 septembre 2018" in text
    assert f"Avec {web['incidents']['total']} faits en trois ans" in text
    assert "0 fait en trois ans" not in text
    assert cli["conclusion"]["label"] in text


def test_web_study_without_a_date_uses_the_latest_data(demo_url: str, tmp_path: Path) -> None:
    with _client(demo_url, tmp_path) as c:
        login(c, ANALYST, demo_password(SECRET, ANALYST))
        r = c.post(
            "/analyses/relevance",
            data={"csrf_token": page_token(c), "as_of": "", "request_id": "1", "radius": "100"},
            follow_redirects=False,
        )
        assert r.status_code == 303, r.text[:500]
        run_id = int(r.headers["location"].rsplit("/", 1)[1])
        assert finished_job(c, run_id)["status"] == "done"
        res = c.get(f"/analyses/runs/{run_id}/resultat.json").json()
    assert res["as_of"] == "2018-09-24"
    assert res["site"]["camera_request_id"] == 1
    assert res["incidents"]["total"] > 0


def test_study_plan_draws_at_most_its_cap_and_says_so(demo_url: str) -> None:
    from datetime import date

    from gltd.cctv.study import relevance_study
    from gltd.cctv.study.relevance import PLAN_POINTS_MAX, PLAN_SPAN

    engine = make_engine(demo_url)
    res = relevance_study(
        engine, lat=CARMES[0], lon=CARMES[1], radius=1000, as_of=date(2018, 9, 24), store=False
    )
    plan = res["plan"]
    assert plan["half_width_m"] == 1000 * PLAN_SPAN
    assert plan["n"] > PLAN_POINTS_MAX >= plan["shown"] == len(plan["x"])


def test_web_siting_defaults_to_the_latest_data_and_lists_the_sites(
    demo_url: str, tmp_path: Path
) -> None:
    from datetime import date

    from gltd.cctv.siting import run_siting
    from gltd.timeutil import make_period

    with _client(demo_url, tmp_path) as c:
        login(c, ANALYST, demo_password(SECRET, ANALYST))
        page = html.unescape(c.get("/analyses").text)
        siting = page.split('id="analysis-siting"', 1)[1]  # the other forms have periods too
        first, last = _form_default(siting, "first"), _form_default(siting, "last")
        assert (first, last) == ("2017-09-25", "2018-09-24")
        r = c.post(
            "/analyses/siting",
            data={"csrf_token": page_token(c), "first": first, "last": last, "n_sites": "3",
                  "radius": "100"},
            follow_redirects=False,
        )  # fmt: skip
        assert r.status_code == 303, r.text[:500]
        run_id = int(r.headers["location"].rsplit("/", 1)[1])
        assert finished_job(c, run_id)["status"] == "done"
        web = c.get(f"/analyses/runs/{run_id}/resultat.json").json()
        doc = c.get(f"/analyses/runs/{run_id}/fichier")
        raw_page = c.get(f"/analyses/runs/{run_id}").text
        run_page = html.unescape(raw_page)
    # The download is the siting document (PDF), as `gltd cctv siting --format pdf` writes.
    assert doc.status_code == 200 and doc.headers["content-type"] == "application/pdf"
    assert doc.content.startswith(b"%PDF")
    pdf = tmp_path / "implantation.pdf"
    pdf.write_bytes(doc.content)
    text = " ".join(
        subprocess.run(
            ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout.split()
    )
    assert "Implantation de nouvelles caméras" in text and "du 25 septembre 2017" in text
    gain1 = f"{web['sites'][0]['gain']:.0f}"
    assert f"1 {web['sites'][0]['candidate']} " in text and gain1 in text
    # The run page's map of the sites (drawn by static/js/forms.js from its data).
    box = re.search(r'<div id="siting-map"[^>]*>', raw_page)
    assert box is not None
    data = html.unescape(re.search(r'data-sites="([^"]*)"', box.group(0)).group(1))  # type: ignore[union-attr]
    shown = json.loads(data)
    assert [(s["rank"], s["lat"], s["lon"]) for s in shown] == [
        (s["rank"], s["lat"], s["lon"]) for s in web["sites"]
    ]
    assert shown[0]["gain"] == gain1
    assert 'data-radius="100.0"' in box.group(0)
    assert "du=2018-09-24&amp;au=2018-09-24" in box.group(0)
    period = make_period(date(2017, 9, 25), date(2018, 9, 24))
    same = run_siting(
        make_engine(demo_url), grid=100.0, k=3, radius=100.0, start=period.start,
        end=period.end, store=False,
    )  # fmt: skip
    assert [s["candidate"] for s in web["sites"]] == [s["candidate"] for s in same["sites"]]
    assert web["covered_weight"] == same["covered_weight"] > 0
    table = run_page[run_page.index('id="siting-sites"') :]
    for s in web["sites"]:  # French decimals: 47,90246
        lat, lon = (f"{s[k]:.5f}".replace(".", ",") for k in ("lat", "lon"))
        assert f'<td>{s["rank"]}</td><td class="num">{lat}</td><td class="num">{lon}</td>' in table
    assert f"{len(web['sites'])} site(s) proposé(s)" in run_page
    share = f"{100 * web['covered_share']:.1f}".replace(".", ",")
    assert f"non encore filmé(s) ({share}\u202f%)" in run_page
