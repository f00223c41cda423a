"""The web map draws the offline basemap under its layers (Debian's Chromium, real uvicorn):
raster MBTiles tiles through Leaflet, vector PMTiles tiles through protomaps-leaflet, all
fetched from gltd's own /tiles/… routes."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from basemap_support import ATTRIBUTION, write_mbtiles, write_pmtiles
from web_support import (
    browser_login,
    french_page,
    seeded_database,
    serving,
    settings_for,
    web_settings,
)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> dict:
    tmp = tmp_path_factory.mktemp("browser-basemap")
    url = seeded_database(tmp)
    write_mbtiles(tmp / "orleans.mbtiles")
    write_pmtiles(tmp / "orleans.pmtiles")
    return {"tmp": tmp, "url": url}


def _map(page: Any, base: str, suffix: str) -> list[Any]:
    """Log in, open the map and return the tile responses it got from gltd."""
    got: list[Any] = []
    page.on("response", lambda r: got.append(r) if "/tiles/" in r.url else None)
    browser_login(page, base, "ville.analyste")
    with page.expect_response(lambda r: "/tiles/" in r.url and r.url.endswith(suffix)):
        page.goto(f"{base}/carte?du=2018-03-24&au=2018-09-23")
    page.wait_for_function("() => document.getElementById('map').gltdBasemap !== undefined")
    page.wait_for_timeout(600)  # let the other visible tiles arrive
    return got


@pytest.mark.parametrize(
    ("name", "suffix"), [("orleans.mbtiles", ".png"), ("orleans.pmtiles", ".pbf")]
)
def test_map_requests_and_draws_the_basemap_tiles(
    world: dict, name: str, suffix: str, chromium_path: str, artifacts_dir: Path
) -> None:
    from playwright.sync_api import expect, sync_playwright

    from gltd.web.app import create_app

    settings = replace(settings_for(world["url"]), basemap=str(world["tmp"] / name))
    app = create_app(settings, web=web_settings(world["tmp"]))
    with serving(app) as base, sync_playwright() as p:
        page = french_page(p, chromium_path, 1200, 800)
        browser = page.context.browser
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        got = _map(page, base, suffix)
        ok = [r for r in got if r.status == 200]
        assert len(ok) >= 4, [(r.url, r.status) for r in got]
        assert all(r.url.startswith(f"{base}/tiles/") and r.url.endswith(suffix) for r in got)
        if suffix == ".png":
            expect(page.locator(".leaflet-tile-pane img.leaflet-tile-loaded").first).to_be_visible()
            expect(page.locator(".leaflet-control-attribution")).to_contain_text(ATTRIBUTION)
        else:
            expect(page.locator(".leaflet-control-attribution")).to_contain_text("OpenStreetMap")
            # protomaps-leaflet paints the vector tiles on canvases in the tile pane.
            painted = page.evaluate(
                """() => Array.from(document.querySelectorAll('.leaflet-tile-pane canvas'))
                     .some(c => { const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                                  for (let i = 0; i < d.length; i += 4) { if (d[i + 3] > 0) return true; }
                                  return false; })"""
            )
            assert painted
        assert not [e for e in errors if "Content Security Policy" in e or "protomaps" in e], errors
        page.screenshot(path=str(artifacts_dir / f"web-map-basemap-{suffix[1:]}.png"))
        browser.close()


def test_forms_mini_map_draws_the_same_basemap(
    world: dict, chromium_path: str, artifacts_dir: Path
) -> None:
    """The camera form's mini map draws the basemap through the main map's code (app.js)."""
    from playwright.sync_api import expect, sync_playwright

    from gltd.web.app import create_app

    settings = replace(settings_for(world["url"]), basemap=str(world["tmp"] / "orleans.mbtiles"))
    app = create_app(settings, web=web_settings(world["tmp"]))
    with serving(app) as base, sync_playwright() as p:
        page = french_page(p, chromium_path, 1200, 800)
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        browser_login(page, base, "csu.coordinateur")
        with page.expect_response(lambda r: "/tiles/" in r.url and r.url.endswith(".png")) as tile:
            page.goto(f"{base}/cameras/nouveau")
        assert tile.value.status == 200
        mini = page.locator("#point-map")
        expect(mini.locator(".leaflet-tile-pane img.leaflet-tile-loaded").first).to_be_visible()
        expect(mini.locator(".leaflet-control-attribution")).to_contain_text(ATTRIBUTION)
        mini.screenshot(path=str(artifacts_dir / "web-form-mini-map-basemap.png"))
        assert not errors, errors
        page.context.browser.close()
