"""Map tooltips show names as text, never as HTML (Debian's Chromium, real uvicorn).

A zone, a camera and an intervention named with markup (``<img src=x onerror=…>``,
``<b>X</b>``) must appear literally in their tooltips, with no element injected.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from gltd.model import Camera, Intervention, Zone
from gltd.store.engine import make_engine
from web_support import (
    ARGONNE_XY,
    browser_login,
    french_page,
    seeded_database,
    serving,
    settings_for,
    web_settings,
)

pytestmark = pytest.mark.browser

ZONE = "<img src=x onerror=\"document.body.dataset.xss='zone'\" id=inj-zone>"
CAMERA = "<b>X</b>"
INTERVENTION = "<img src=x id=inj-intervention>"
# A third square, east of L'Argonne (WGS84), named with markup.
SQUARE = "POLYGON((1.945 47.910, 1.955 47.910, 1.955 47.918, 1.945 47.918, 1.945 47.910))"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from gltd.web.app import create_app

    tmp = tmp_path_factory.mktemp("map-text")
    url = seeded_database(tmp)
    with Session(make_engine(url)) as s, s.begin():
        s.add(Zone(name=ZONE, kind="quartier", geometry_wkt=SQUARE, illustrative=False))
        s.add(
            Camera(
                code=CAMERA,
                lon=1.95,
                lat=47.914,
                x=ARGONNE_XY[0] + 1300,
                y=ARGONNE_XY[1],
                field_angle_deg=360.0,
                range_m=40.0,
                retention_days=10,
            )
        )
        # Retired before the period shown: not drawn, not counted (issue: "253 caméras").
        s.add(
            Camera(code="RETIREE", lon=1.951, lat=47.915, x=ARGONNE_XY[0] + 1400,
                   y=ARGONNE_XY[1], field_angle_deg=360.0, range_m=40.0, retention_days=10,
                   installed_on=date(2012, 1, 1), removed_on=date(2017, 6, 1))
        )  # fmt: skip
        s.add(
            Intervention(
                name=INTERVENTION,
                kind="camera",
                geometry_wkt=SQUARE,
                started_on=datetime(2018, 5, 1, tzinfo=UTC),
            )
        )
    app = create_app(settings_for(url), web=web_settings(tmp))
    with serving(app) as base:
        yield base


def test_tooltips_show_markup_as_text(server: str, chromium_path: str, artifacts_dir: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        page = french_page(p, chromium_path)
        browser = page.context.browser
        browser_login(page, server, "ville.analyste")
        page.goto(f"{server}/carte?du=2018-03-24&au=2018-09-23")
        expect(page.locator("#legend")).to_contain_text("Densité")
        with page.expect_response(lambda r: "/api/map/cameras" in r.url):
            page.check("#lyr-cameras")
        with page.expect_response(lambda r: "/api/map/interventions" in r.url):
            page.check("#lyr-interventions")
        expect(page.locator("#legend")).to_contain_text("Caméras : 3 en service")
        # Open every tooltip bound on the map (the layers are drawn on a canvas).
        page.evaluate(
            """() => { const m = document.getElementById('map').gltdMap;
                 m.eachLayer(l => { if (l.getTooltip && l.getTooltip()) { l.openTooltip(); } }); }"""
        )
        tips = page.locator(".leaflet-tooltip")
        texts = [t.strip() for t in tips.all_inner_texts()]
        assert ZONE in texts
        assert f"Caméra {CAMERA} (en service)" in texts
        assert not [t for t in texts if "RETIREE" in t]
        assert f"{INTERVENTION} (depuis le 01/05/2018)" in texts
        # Nothing was parsed as markup: no element but the text span inside tooltips.
        assert page.locator(".leaflet-tooltip img, .leaflet-tooltip b").count() == 0
        assert page.locator("#inj-zone, #inj-intervention").count() == 0
        assert page.evaluate("() => document.body.dataset.xss") is None
        page.screenshot(path=str(artifacts_dir / "web-map-tooltips-text.png"), full_page=True)
        browser.close()
