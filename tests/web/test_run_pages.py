"""Run pages show each result as its users read it, with the parameters in French.

The Knox table coloured as in the near-repeat HTML export, the displacement report's
measures and map, a hot-spot run's counts; one run per job in the list; a web run filed
under its category.
"""

from __future__ import annotations

import html
import re
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from gltd.hotspots import run_hotspots_db
from gltd.model import Intervention
from gltd.store.engine import make_engine
from gltd.store.migrate import upgrade
from gltd.store.runs import get_run, list_runs
from gltd.timeutil import make_period
from gltd.web.app import create_app
from web_support import finished_job, login, page_token, seed, settings_for, web_settings

ANALYST = "police.analyste"


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    url = f"sqlite:///{tmp_path_factory.mktemp('runs') / 'runs.db'}"
    upgrade(url)
    ids = seed(url)
    return {"url": url, "ids": ids, "results": tmp_path_factory.mktemp("results")}


@pytest.fixture(scope="module")
def client(base: dict[str, Any]) -> Any:
    app = create_app(settings_for(base["url"]), web=web_settings(base["results"]))
    with TestClient(app) as c:
        assert login(c, ANALYST).status_code == 303
        yield c


def _launch(c: TestClient, kind: str, data: dict[str, str]) -> int:
    token = page_token(c, "/analyses")
    r = c.post(f"/analyses/{kind}", data={**data, "csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303, html.unescape(r.text)[:2000]
    run_id = int(r.headers["location"].rsplit("/", 1)[1])
    state = finished_job(c, run_id)
    assert state["status"] == "done", state["error"]
    return run_id


NEAR_REPEAT = {
    "first": "2018-01-01",
    "last": "2018-09-30",
    "categories": "trafic_stupefiants",
    "permutations": "99",
}


@pytest.fixture(scope="module")
def near_repeat_run(client: TestClient) -> int:
    return _launch(client, "near_repeat", NEAR_REPEAT)


def _text(page: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


def test_near_repeat_run_page_shows_the_coloured_knox_table_of_the_export(
    client: TestClient, near_repeat_run: int
) -> None:
    page = client.get(f"/analyses/runs/{near_repeat_run}").text
    assert '<table class="knox">' in page
    run = get_run(client.app.state.gltd.engine, near_repeat_run)  # type: ignore[attr-defined]
    assert run is not None
    cells = run.result["cells"]
    classes = re.findall(r'<td class="(ns|p05|p01|p001)"', page)
    assert len(classes) == len(cells)  # one coloured cell per Knox cell
    # Same table as the HTML export of the run (one rendering).
    export = client.get(f"/analyses/runs/{near_repeat_run}/fichier").text
    assert re.findall(r'<td class="(ns|p05|p01|p001)"', export) == classes
    # Its colours are served to the page (the page's CSP forbids inline styles).
    assert '/analyses/styles/knox.css"' in page
    css = client.get("/analyses/styles/knox.css")
    assert css.status_code == 200 and "td.p001" in css.text
    assert css.headers["content-type"].startswith("text/css")


def test_run_parameters_are_in_french(client: TestClient, near_repeat_run: int) -> None:
    text = _text(client.get(f"/analyses/runs/{near_repeat_run}").text)
    assert "catégories : trafic de stupéfiants" in text
    assert "période : du 1er janvier 2018 au 30 septembre 2018" in text
    assert "distance : euclidienne" in text
    assert "seuil : p ≤ 0,05" in text
    for raw in ("['trafic_stupefiants']", "trafic_stupefiants", "2018-01-01", "euclidean"):
        assert raw not in text.split("Détail complet")[0], raw


def test_a_web_run_is_filed_under_its_category(client: TestClient, near_repeat_run: int) -> None:
    run = get_run(client.app.state.gltd.engine, near_repeat_run)  # type: ignore[attr-defined]
    assert run is not None and run.category == "trafic_stupefiants"


def test_displacement_run_page_shows_the_measures_and_the_map(
    client: TestClient, base: dict[str, Any]
) -> None:
    with Session(make_engine(base["url"])) as s:
        iid = s.scalars(select(Intervention.id).where(Intervention.name == "Caméra Carmes")).one()
    run_id = _launch(
        client, "displacement", {"intervention_id": str(iid), "before": "3M", "buffer": "300"}
    )
    page = client.get(f"/analyses/runs/{run_id}").text
    text = _text(page)
    assert "Mesures de Bowers & Johnson" in text
    run = get_run(client.app.state.gltd.engine, run_id)  # type: ignore[attr-defined]
    assert run is not None
    counts = run.result["counts"]["target"]
    assert f"Cible (A) {counts['before']} {counts['after']}" in text
    assert "durée avant / après : 3 mois" in text
    assert "intervention : Caméra Carmes" in text
    m = re.search(r'<img class="map"[^>]*src="([^"]+)"', page)
    assert m, "no map on the run page"
    png = client.get(m.group(1))
    assert png.status_code == 200 and png.content[:8] == b"\x89PNG\r\n\x1a\n"


def test_hotspot_run_page_shows_the_counts(client: TestClient, base: dict[str, Any]) -> None:
    engine = make_engine(base["url"])
    out = run_hotspots_db(
        engine,
        method="gistar",
        period=make_period(date(2018, 1, 1), date(2018, 9, 30)),
        categories=["trafic_stupefiants"],
    )
    assert out.run_id is not None
    summary = get_run(engine, out.run_id).result  # type: ignore[union-attr]
    text = _text(client.get(f"/analyses/runs/{out.run_id}").text)
    assert f"points chauds {summary['n_hot']}" in text
    assert f"points froids {summary['n_cold']}" in text
    assert f"non significatif {summary['by_class']['non significatif']}" in text
    assert "méthode : points chauds (Gi*)" in text
    assert "Points chauds — n°" in text  # the kind by its name, not « hotspots »


def test_each_job_appears_once_in_the_runs_list(client: TestClient) -> None:
    engine = client.app.state.gltd.engine  # type: ignore[attr-defined]
    before = {r.id for r in list_runs(engine, with_result=False)}
    run_id = _launch(client, "near_repeat", NEAR_REPEAT)
    after = {r.id for r in list_runs(engine, with_result=False)}
    assert after - before == {run_id}
    page = client.get("/analyses").text
    listed = re.findall(r"<tr><td>(\d+)</td>", page)
    assert listed.count(str(run_id)) == 1
    assert len(listed) == len(set(listed))
