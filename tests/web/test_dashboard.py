"""The dashboard: headline tiles like the bilan's cover, p-values as in the PDF, a monthly
trend per zone and category, a zone filter and category chips."""

from __future__ import annotations

import html
import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from gltd.model import Incident, Operation
from gltd.store.engine import make_engine
from gltd.store.migrate import upgrade
from gltd.timeutil import PARIS
from gltd.web.app import create_app
from web_support import CARMES_XY, login, seed, settings_for, web_settings

PERIOD = "du=2018-03-24&au=2018-09-23"
#: Facts added in Les Carmes during the period: 12 + 40 = 52 against 4, p < 0,001.
EXTRA = 40


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    url = f"sqlite:///{tmp_path_factory.mktemp('dash') / 'dash.db'}"
    upgrade(url)
    ids = seed(url)
    with Session(make_engine(url)) as s, s.begin():
        carmes = ids["zones"]["carmes"]
        for k in range(EXTRA):
            s.add(
                Incident(
                    occurred_at=datetime(2018, 5, 2, 21, 0, tzinfo=UTC) + timedelta(days=2 * k),
                    category="usage_stupefiants",
                    x=CARMES_XY[0] + 10 * (k % 5),
                    y=CARMES_XY[1],
                    zone_id=carmes,
                    source="test-dash",
                    source_ref=str(k),
                )
            )
        for when, traffickers, consumers in (
            (datetime(2018, 6, 5, 6, 0, tzinfo=UTC), 3, 2),
            (datetime(2018, 7, 9, 6, 0, tzinfo=UTC), 1, 4),
            (datetime(2017, 6, 5, 6, 0, tzinfo=UTC), 2, 0),  # the reference period
        ):
            s.add(
                Operation(
                    started_at=when,
                    kind="occupation",
                    zone_id=carmes,
                    planned=False,
                    arrests_trafficker=traffickers,
                    arrests_consumer=consumers,
                    source="test-dash",
                    source_ref=when.isoformat(),
                )
            )
    return {"url": url, "ids": ids}


@pytest.fixture(scope="module")
def client(base: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> Any:
    app = create_app(settings_for(base["url"]), web=web_settings(tmp_path_factory.mktemp("w")))
    with TestClient(app) as c:
        assert login(c, "police.analyste").status_code == 303
        yield c


def _text(fragment: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", fragment))).strip()


def _tile(page: str, key: str) -> str:
    m = re.search(
        rf'<div class="tile" id="tile-{key}">(.*?)</div>\s*(?=<div class="tile"|</section>)',
        page,
        re.S,
    )
    assert m, f"no tile {key}"
    return _text(m.group(1))


def _row(page: str, zone: str) -> str:
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", page, re.S):
        if zone in html.unescape(row):
            return _text(row)
    raise AssertionError(f"no row for {zone}")


def test_tiles_give_the_period_and_its_reference_like_the_bilan_cover(client: TestClient) -> None:
    page = client.get(f"/?{PERIOD}").text
    # 12 + 40 in Les Carmes, 3 in L'Argonne; the year before 4 and 3.
    incidents = _tile(page, "incidents")
    assert incidents.startswith(f"{12 + EXTRA + 3} faits enregistrés")
    assert "référence : 7" in incidents and "p < 0,001" in incidents
    assert _tile(page, "operations").startswith("2 opérations référence : 1")
    assert _tile(page, "arrests_trafficker").startswith(
        "4 interpellations de trafiquants référence : 2"
    )
    assert _tile(page, "arrests_consumer").startswith(
        "6 interpellations de consommateurs référence : 0"
    )
    assert _tile(page, "cameras").startswith("2 caméras en service")


def test_tiles_follow_what_the_account_reads(
    base: dict[str, Any], tmp_path_factory: pytest.TempPathFactory
) -> None:
    app = create_app(settings_for(base["url"]), web=web_settings(tmp_path_factory.mktemp("v")))
    with TestClient(app) as c:
        assert login(c, "ville.analyste").status_code == 303
        page = c.get(f"/?{PERIOD}").text
    assert 'id="tile-incidents"' in page
    assert 'id="tile-operations"' not in page  # the city does not read the operations


def test_p_values_are_written_as_in_the_pdf(client: TestClient) -> None:
    page = client.get(f"/?{PERIOD}").text
    carmes = _row(page, "Les Carmes")
    assert "p < 0,001" in carmes
    assert "0,000" not in page
    assert "p = 1,00" in _row(page, "L'Argonne")  # 3 against 3


def test_monthly_trend_per_zone_and_category(client: TestClient, base: dict[str, Any]) -> None:
    carmes = base["ids"]["zones"]["carmes"]
    page = client.get(f"/?{PERIOD}&zone={carmes}&categorie=usage_stupefiants").text
    m = re.search(r"<canvas id=\"trend-chart\"[^>]* data-trend='([^']*)'", page)
    assert m
    trend = json.loads(html.unescape(m.group(1)))
    assert len(trend["months"]) == 24 and trend["months"][-1] == "sept. 2018"
    assert [s["label"] for s in trend["series"]] == ["Usage de stupéfiants"]
    counts = dict(zip(trend["first_days"], trend["series"][0]["counts"], strict=True))
    engine = make_engine(base["url"])
    with Session(engine) as s:
        days = s.scalars(
            select(Incident.occurred_at).where(
                Incident.zone_id == carmes, Incident.category == "usage_stupefiants"
            )
        ).all()
    expected: dict[str, int] = {}
    for d in days:
        local = d.astimezone(PARIS)
        key = f"{local.year}-{local.month:02d}-01"
        expected[key] = expected.get(key, 0) + 1
    assert {k: v for k, v in counts.items() if v} == expected
    assert sum(counts.values()) == EXTRA
    # The chart library is served by gltd, no CDN.
    assert '<script src="/static/vendor/chart.js/chart.umd.min.js"' in page
    assert client.get("/static/vendor/chart.js/chart.umd.min.js").status_code == 200


def test_clicking_a_zone_filters_the_page_to_it(client: TestClient, base: dict[str, Any]) -> None:
    carmes = base["ids"]["zones"]["carmes"]
    page = client.get(f"/?{PERIOD}").text
    found = re.findall(r'<a class="zone-link" href="([^"]+)">([^<]+)</a>', page)
    links = {html.unescape(name): html.unescape(href) for href, name in found}
    assert links["Les Carmes"] == f"/?{PERIOD}&zone={carmes}"
    zoned = client.get(links["Les Carmes"]).text
    assert "Tableau de bord — Les Carmes" in zoned
    assert _tile(zoned, "incidents").startswith(f"{12 + EXTRA} faits enregistrés (Les Carmes)")
    assert re.search(
        r'<tr class="[^"]*selected">\s*<td><a class="zone-link"[^>]*>Les Carmes<', zoned
    )
    assert client.get(f"/?{PERIOD}&zone=999").status_code == 400


def test_categories_are_chosen_by_checkboxes(client: TestClient) -> None:
    page = client.get(f"/?{PERIOD}&categorie=usage_stupefiants").text
    boxes = re.findall(r'<input type="checkbox" name="categorie" value="([^"]+)"( checked)?>', page)
    assert len(boxes) > 5
    assert [v for v, checked in boxes if checked] == ["usage_stupefiants"]
    assert _tile(page, "incidents").startswith(f"{EXTRA} faits enregistrés")
