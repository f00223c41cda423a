"""Add forms start from sensible values: « reçue le » and « début » are the application's
« now » (its reference date, « à la date du », at the current clock time), not empty."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from gltd.store.migrate import upgrade
from gltd.timeutil import PARIS
from gltd.web.app import create_app
from web_support import login, seed, settings_for, web_settings

DEMO_DAY = date(2018, 9, 24)


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> str:
    u = f"sqlite:///{tmp_path_factory.mktemp('defaults') / 'gltd.db'}"
    upgrade(u)
    seed(u)
    return u


def _client(url: str, tmp: Path, day: date | None, user: str) -> Iterator[TestClient]:
    app = create_app(settings_for(url), web=web_settings(tmp, reference_date=day))
    with TestClient(app) as c:
        assert login(c, user).status_code == 303
        yield c


@pytest.fixture(scope="module")
def demo(url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """The application « à la date du 24/09/2018 », as the demo runs it (CSU coordinator:
    requisitions, viewings, camera requests, actions)."""
    yield from _client(url, tmp_path_factory.mktemp("web"), DEMO_DAY, "csu.coordinateur")


def value_of(page: str, name: str) -> str:
    """The initial value of the input ``name`` of a form page."""
    m = re.search(rf'<input name="{name}"[^>]*?value="([^"]*)"', page)
    assert m, f"no input {name}"
    return html.unescape(m[1])


def selected(page: str, name: str) -> str:
    m = re.search(rf'<select name="{name}".*?</select>', page, re.S)
    assert m, f"no select {name}"
    chosen = re.search(r'<option value="([^"]*)" selected', m[0])
    return chosen[1] if chosen else ""


def test_requisition_is_received_now_at_the_reference_date(demo: TestClient) -> None:
    page = demo.get("/requisitions/nouveau").text
    received = datetime.fromisoformat(value_of(page, "received_at"))
    assert received.date() == DEMO_DAY
    # the current clock time (Paris), to the minute
    clock = datetime.now(PARIS).replace(tzinfo=None)
    delta = abs((received - datetime.combine(DEMO_DAY, clock.time())).total_seconds())
    assert delta < 120 or delta > 86400 - 120  # around midnight the clock may turn


def test_other_forms_start_at_the_reference_date(
    demo: TestClient, url: str, tmp_path: Path
) -> None:
    for police in _client(url, tmp_path, DEMO_DAY, "police.coordinateur"):
        op = police.get("/operations/nouveau").text
        assert value_of(op, "started_at").startswith("2018-09-24T")
        assert value_of(op, "arrests_trafficker") == "0"
    action = demo.get("/actions/nouveau").text
    assert value_of(action, "decided_on") == "2018-09-24"
    assert selected(action, "status") == "a_faire"
    request = demo.get("/demandes/nouveau").text
    assert value_of(request, "received_on") == "2018-09-24"
    viewing = demo.get("/visionnages/nouveau").text
    assert selected(viewing, "action") == "visionnage"


def test_without_reference_date_forms_start_today(url: str, tmp_path: Path) -> None:
    for c in _client(url, tmp_path, None, "csu.coordinateur"):
        page = c.get("/requisitions/nouveau").text
        today = datetime.now(PARIS).date()
        assert datetime.fromisoformat(value_of(page, "received_at")).date() == today
        assert value_of(c.get("/demandes/nouveau").text, "received_on") == today.isoformat()
