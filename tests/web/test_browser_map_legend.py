"""The web map explains itself (Debian's Chromium, real uvicorn): a legend block with
swatches for every layer drawn, zone names on the map, French numbers and dates in the
tooltips and the slider label, a play button that walks the slider, a map that fills the
window."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from gltd.model import Incident
from gltd.store.engine import make_engine
from web_support import (
    CARMES_XY,
    browser_login,
    french_page,
    seeded_database,
    serving,
    settings_for,
    web_settings,
)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from gltd.web.app import create_app

    tmp = tmp_path_factory.mktemp("map-legend")
    url = seeded_database(tmp)
    # A dense cluster in June 2018 in Les Carmes and a thin background: a Gi* hot spot.
    with Session(make_engine(url)) as s, s.begin():
        for k in range(160):
            dx, dy = (k % 4) * 40, (k // 4 % 4) * 40
            far = k % 5 == 0
            s.add(
                Incident(
                    occurred_at=datetime(2018, 6, 1, 12, tzinfo=UTC) + timedelta(hours=4 * k),
                    category="trafic_stupefiants",
                    x=CARMES_XY[0] + (1500 * ((k // 5) % 5 - 2) if far else dx),
                    y=CARMES_XY[1] + (1500 * ((k // 25) % 5 - 2) if far else dy),
                    lon=None,
                    lat=None,
                    source="test",
                    source_ref=f"g{k}",
                )
            )
    app = create_app(settings_for(url), web=web_settings(tmp))
    with serving(app) as base:
        yield base


def test_legend_french_numbers_and_play(
    server: str, chromium_path: str, artifacts_dir: Path
) -> None:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        page = french_page(p, chromium_path)
        browser = page.context.browser
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        browser_login(page, server, "police.analyste")
        page.goto(f"{server}/carte?du=2018-06-01&au=2018-06-30")
        legend = page.locator("#legend")
        expect(legend.locator("[data-layer=density]")).to_contain_text("faits par cellule de 250 m")
        expect(legend.locator("[data-layer=zones]")).to_contain_text("2 zones")
        for box, name in (
            ("#lyr-hotspots", "hotspots"),
            ("#lyr-emerging", "emerging"),
            ("#lyr-cameras", "cameras"),
            ("#lyr-interventions", "interventions"),
        ):
            with page.expect_response(lambda r, n=name: f"/api/map/{n}" in r.url):
                page.check(box)
            expect(legend.locator(f"[data-layer={name}]")).to_be_visible()
        # Every layer drawn has its block, each with at least one swatch.
        names = legend.locator(".legend-block").evaluate_all(
            "bs => bs.map(b => [b.dataset.layer, b.querySelectorAll('.swatch').length])"
        )
        assert {n for n, _ in names} == {
            "zones", "density", "hotspots", "emerging", "cameras", "interventions"
        }  # fmt: skip
        assert all(k > 0 for _, k in names), names
        hot = legend.locator("[data-layer=hotspots]").inner_text()
        for label in ("point chaud 99 %", "point chaud 95 %", "point chaud 90 %"):
            assert label in hot
        assert legend.locator("[data-layer=emerging] li").count() == 16  # present + folded
        # Zone names are written on the map.
        expect(page.locator(".leaflet-tooltip.zone-label", has_text="Les Carmes")).to_be_visible()
        # Tooltips in French: a decimal comma in z, French dates.
        page.evaluate(
            """() => { const m = document.getElementById('map').gltdMap;
                 m.eachLayer(l => { if (l.getTooltip && l.getTooltip()) { l.openTooltip(); } }); }"""
        )
        texts = [t.strip() for t in page.locator(".leaflet-tooltip").all_inner_texts()]
        zs = [t for t in texts if " z = " in t]
        assert zs, texts
        assert all(re.search(r"z = -?\d+,\d\d ;", t) for t in zs), zs
        assert not [t for t in texts if re.search(r"\d{4}-\d\d-\d\d", t)], texts
        assert "Caméra Carmes (depuis le 24/03/2018)" in texts
        # The slider label in French; the play button walks the weeks.
        expect(page.locator("#slider-label")).to_have_text(
            "du 01/06/2018 au 30/06/2018 (période entière)"
        )
        page.select_option("#f-step", "week")
        expect(page.locator("#slider-label")).to_have_text("du 01/06/2018 au 07/06/2018 (1/5)")
        page.click("#f-play")
        expect(page.locator("#slider-label")).to_have_text(
            "du 08/06/2018 au 14/06/2018 (2/5)", timeout=5000
        )
        page.click("#f-play")  # pause
        expect(page.locator("#f-play")).to_have_attribute("aria-label", "Lecture")
        # The map fills the window below the header.
        box = page.locator("#map").bounding_box()
        assert box["y"] + box["height"] >= 900 - 20
        assert box["width"] >= 1366 - 300 - 60
        page.screenshot(path=str(artifacts_dir / "web-map-legend.png"))
        assert not errors, errors
        browser.close()


def test_print_button_gives_the_page_of_the_layers_and_period_on_screen(
    server: str, chromium_path: str, artifacts_dir: Path, tmp_path: Path
) -> None:
    import json
    import shutil
    import subprocess

    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        page = french_page(p, chromium_path)
        browser = page.context.browser
        browser_login(page, server, "ville.analyste")
        page.goto(f"{server}/carte?du=2018-06-01&au=2018-06-30")
        expect(page.locator("#legend [data-layer=density]")).to_be_visible()
        with page.expect_response(lambda r: "/api/map/hotspots" in r.url):
            page.check("#lyr-hotspots")
        page.select_option("#p-paper", "A3")
        page.click("#p-pdf")
        link = page.locator("#p-link")
        expect(link).to_have_text("Ouvrir la carte (PDF)", timeout=60_000)
        page.screenshot(path=str(artifacts_dir / "web-map-print.png"))
        pdf = page.request.get(f"{server}{link.get_attribute('href')}")
        assert pdf.status == 200 and pdf.body()[:5] == b"%PDF-"
        path = tmp_path / "carte.pdf"
        path.write_bytes(pdf.body())
        if shutil.which("pdftotext"):
            text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True,
                                  text=True, check=True).stdout.replace("\u202f", " ")  # fmt: skip
            assert "Carte du GLTD" in text
            assert "Période : du 01/06/2018 au 30/06/2018" in text
            assert "Couches : densité des faits, points chauds (Gi*), zones" in text
            assert "point chaud 99 %" in text and "Échelle 1:" in text
        subprocess.run(["pdftoppm", "-r", "40", "-png", "-singlefile", str(path),
                        str(artifacts_dir / "web-map-print-a3")], check=True)  # fmt: skip
        # The same layers as GeoJSON, with their method block.
        page.click("#p-geojson")
        expect(link).to_have_text("Télécharger les couches (GeoJSON)", timeout=60_000)
        doc = json.loads(page.request.get(f"{server}{link.get_attribute('href')}").body())
        assert set(doc["method"]) == {"density", "hotspots"}
        assert doc["period"]["label"] == "du 01/06/2018 au 30/06/2018"
        browser.close()
