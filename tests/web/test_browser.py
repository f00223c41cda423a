"""The web app in Debian's Chromium (Playwright), against a real uvicorn on loopback.

Screenshots go to the ``artifacts_dir`` folder (test-artifacts/) to be looked at.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from web_support import browser_login, seeded_database, serving, settings_for, web_settings

pytestmark = pytest.mark.browser

ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A seeded SQLite base served by uvicorn in a thread; yields the base URL."""
    from gltd.web.app import create_app

    tmp = tmp_path_factory.mktemp("web")
    url = seeded_database(tmp)
    app = create_app(settings_for(url), web=web_settings(tmp))
    with serving(app) as base:
        yield base


@pytest.fixture(scope="module")
def browser(chromium_path: str) -> Iterator[Any]:
    """Debian's Chromium, never a downloaded one."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh browser context; console errors are collected (CSP violations)."""
    ctx = browser.new_context(viewport={"width": 1366, "height": 900}, locale="fr-FR")
    pg = ctx.new_page()
    errors: list[str] = []
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.gltd_errors = errors
    yield pg
    ctx.close()


def expect(locator: Any) -> Any:
    """Playwright's ``expect`` (imported late: Playwright is a test-only dependency)."""
    from playwright.sync_api import expect as _expect

    return _expect(locator)


def _no_csp_errors(page: Any) -> None:
    bad = [e for e in page.gltd_errors if "Content Security Policy" in e or "Refused" in e]
    assert not bad, bad


def test_login_and_read_the_dashboard(server: str, page: Any, artifacts_dir: Path) -> None:
    browser_login(page, server, "police.coordinateur")
    page.goto(f"{server}/?du=2018-03-24&au=2018-09-23")
    table = page.locator("#kpis")
    assert "Les Carmes" in table.inner_text()
    assert "+200" in table.inner_text()
    assert page.locator("text=Réquisitions : images bientôt écrasées").count() == 1
    page.screenshot(path=str(artifacts_dir / "web-dashboard.png"), full_page=True)
    _no_csp_errors(page)


def test_open_the_map_and_toggle_layers(server: str, page: Any, artifacts_dir: Path) -> None:
    browser_login(page, server, "police.analyste")
    page.goto(f"{server}/carte?du=2018-03-24&au=2018-09-23")
    page.wait_for_selector(".leaflet-container")
    # Zones and density are drawn (on a canvas): the legend says how many incidents.
    expect(page.locator("#legend")).to_contain_text("Densité : 15 faits")
    with page.expect_response(lambda r: "/api/map/hotspots" in r.url) as hs:
        page.check("#lyr-hotspots")
    assert hs.value.status == 200
    with page.expect_response(lambda r: "/api/map/cameras" in r.url) as cams:
        page.check("#lyr-cameras")
    assert cams.value.status == 200
    expect(page.locator("#legend")).to_contain_text("Caméras : 2")
    page.screenshot(path=str(artifacts_dir / "web-map.png"), full_page=True)
    page.uncheck("#lyr-density")
    page.check("#lyr-density")
    page.select_option("#f-step", "week")
    expect(page.locator("#slider-label")).to_contain_text("/")
    assert "(1/" in page.inner_text("#slider-label")
    page.screenshot(path=str(artifacts_dir / "web-map-week.png"), full_page=True)
    _no_csp_errors(page)


def test_a_requisition_from_the_camera_search_to_its_deadline(
    server: str, page: Any, artifacts_dir: Path
) -> None:
    browser_login(page, server, "csu.operateur_csu")
    page.goto(f"{server}/requisitions/nouveau")
    page.fill("input[name=received_at]", "2018-06-12T09:30")
    # The unit: picked from the known units (a datalist) or typed freely.
    assert page.locator("#list-requesting_unit option[value='Commissariat central']").count() == 1
    page.fill("input[name=requesting_unit]", "Brigade de sûreté urbaine")
    page.select_option("select[name=legal_basis]", "77-1-1")
    page.select_option("select[name=officer_capacity]", "OPJ")
    page.fill("input[name=procedure_number]", "2018/00777")
    # No list of codes to Ctrl-click: the select is replaced by a search box and a map.
    expect(page.locator("#field-cameras")).to_be_hidden()
    page.fill("#camera-search", "cam-0")
    page.click("#camera-results button[data-code=CAM-01]")
    expect(page.locator("#camera-chosen li[data-code=CAM-01]")).to_be_visible()
    # A click on the map proposes the nearest cameras in service.
    page.wait_for_selector("#camera-map path.leaflet-interactive")
    page.locator("#camera-map").scroll_into_view_if_needed()
    box = page.locator("#camera-map").bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    expect(page.locator("#camera-results")).to_contain_text("les plus proches")
    page.click("#camera-results button[data-code=CAM-02]")
    expect(page.locator("#camera-chosen li")).to_have_count(2)
    page.fill("#field-period_start", "2018-06-10T08:00")
    page.fill("input[name=period_end]", "2018-06-10T12:00")
    expect(page.locator("#deadline-preview")).to_contain_text("20/06/2018 08:00")
    assert "lvl-depasse" in (page.get_attribute("#deadline-preview", "class") or "")
    page.screenshot(path=str(artifacts_dir / "web-requisition-form.png"), full_page=True)
    page.click("#register-form button[type=submit]")
    # Saved: its status page, with the deadline, the workflow and its history.
    page.wait_for_url(f"{server}/requisitions/*?ok=*")
    expect(page.locator("#deadline")).to_contain_text("20/06/2018 08:00")
    assert "lvl-depasse" in (page.get_attribute("#deadline", "class") or "")
    expect(page.locator("#history tbody tr")).to_have_count(1)
    page.click("#step-en_cours")
    page.wait_for_selector("#step-remise")
    expect(page.locator("#history tbody tr")).to_have_count(2)
    expect(page.locator("#history")).to_contain_text("en cours")
    page.screenshot(path=str(artifacts_dir / "web-requisition-status.png"), full_page=True)
    page.fill("form[data-step=remise] input[name=medium]", "clé USB")
    page.click("#step-remise")
    page.wait_for_selector("text=Statut final")
    expect(page.locator("#history tbody tr")).to_have_count(3)
    page.goto(f"{server}/requisitions")
    row = page.locator("tr", has_text="Brigade de sûreté urbaine")
    assert "20/06/2018 08:00" in row.inner_text() and "remise" in row.inner_text()
    page.screenshot(path=str(artifacts_dir / "web-requisitions.png"), full_page=True)
    _no_csp_errors(page)


def test_generate_the_bilan(server: str, page: Any, artifacts_dir: Path) -> None:
    pytest.importorskip("gltd.report.render")
    browser_login(page, server, "parquet.coordinateur")
    page.goto(f"{server}/analyses")
    form = page.locator("#analysis-bilan form")
    form.locator("input[name=first]").fill("2018-03-24")
    form.locator("input[name=last]").fill("2018-09-23")
    form.locator("select[name=format]").select_option("html")
    # The press edition, the choice next to the full one (the default).
    assert form.locator("select[name=edition]").input_value() == "complete"
    form.locator("select[name=edition]").select_option("presse")
    form.locator("button[type=submit]").click()
    page.wait_for_url(f"{server}/analyses/runs/*")
    page.wait_for_selector("#job-file", timeout=120_000)
    assert page.locator("#job[data-status=done]").count() == 1
    page.screenshot(path=str(artifacts_dir / "web-bilan.png"), full_page=True)
    with page.expect_download() as dl:
        page.click("#job-file")
    assert dl.value.suggested_filename.startswith("bilan-presse-")
    assert "édition presse" in Path(dl.value.path()).read_text(encoding="utf-8")
    _no_csp_errors(page)


def test_city_user_is_refused_the_operations_page(
    server: str, page: Any, artifacts_dir: Path
) -> None:
    browser_login(page, server, "ville.coordinateur")
    assert page.locator("nav.main a", has_text="Opérations").count() == 0
    resp = page.goto(f"{server}/operations")
    assert resp is not None and resp.status == 403
    assert "Accès refusé" in page.inner_text("main")
    page.screenshot(path=str(artifacts_dir / "web-operations-refused.png"), full_page=True)


def test_a_web_import_with_errors_then_the_valid_rows(
    server: str, page: Any, artifacts_dir: Path
) -> None:
    browser_login(page, server, "csu.admin")
    page.goto(f"{server}/imports")
    page.select_option("select[name=kind]", "cameras")
    page.set_input_files(
        "input[name=file]",
        files=[
            {
                "name": "cameras.csv",
                "mimeType": "text/csv",
                "buffer": (
                    b"code;lat;lon;conservation;installee_le\n"
                    b"CAM-30;47.903;1.905;15;01/03/2017\n"
                    b"CAM-31;47.904;1.906;15;31/11/2026\n"
                    b"CAM-32;147.9;1.9;15;01/03/2017\n"
                ),
            }
        ],
    )
    page.click("form[action='/imports/verifier'] button[type=submit]")
    page.wait_for_selector("#report")
    expect(page.locator("#rejected")).to_contain_text("le 31 novembre n'existe pas")
    assert "onshore" not in page.inner_text("main")
    page.screenshot(path=str(artifacts_dir / "web-import-check.png"), full_page=True)
    with page.expect_download() as dl:
        page.click("#rejects-download")
    rejected = Path(dl.value.path()).read_text(encoding="utf-8-sig")
    assert rejected.splitlines()[0].startswith("ligne;motif;code")
    assert "CAM-31" in rejected and "CAM-30" not in rejected
    page.click("#import-valid")
    page.wait_for_selector("#done")
    expect(page.locator("#done")).to_contain_text("1 ligne(s) écrite(s)")
    expect(page.locator("#done")).to_contain_text("2 refusée(s) non importée(s)")
    page.screenshot(path=str(artifacts_dir / "web-import-done.png"), full_page=True)
    page.goto(f"{server}/cameras")
    assert page.locator("tr", has_text="CAM-30").count() == 1
    assert page.locator("tr", has_text="CAM-31").count() == 0
    _no_csp_errors(page)


def test_forms_a_camera_placed_on_the_map_and_checkboxes_beside_labels(
    server: str, page: Any, artifacts_dir: Path
) -> None:
    browser_login(page, server, "csu.coordinateur")
    page.goto(f"{server}/cameras/nouveau")
    page.wait_for_selector("#point-map.leaflet-container")
    page.locator("#point-map").scroll_into_view_if_needed()
    box = page.locator("#point-map").bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    lat, lon = float(page.input_value("#field-lat")), float(page.input_value("#field-lon"))
    assert 47.8 < lat < 48.0 and 1.8 < lon < 2.0
    assert page.locator("#point-map .leaflet-marker-icon").count() == 1
    # The checkbox sits on its label's line, left of its text.
    hd = page.locator("input[name=hd]").bounding_box()
    text = page.locator("label", has_text="Haute définition").bounding_box()
    assert hd is not None and text is not None
    assert abs((hd["y"] + hd["height"] / 2) - (text["y"] + text["height"] / 2)) < 4
    page.screenshot(path=str(artifacts_dir / "web-camera-form.png"), full_page=True)
    _no_csp_errors(page)


def test_dashboard_trend_chart_draws_and_a_zone_click_filters(
    server: str, page: Any, artifacts_dir: Path
) -> None:
    """The vendored chart library draws under the page's CSP; a zone clicked filters."""
    browser_login(page, server, "police.coordinateur")
    page.goto(f"{server}/?du=2018-03-24&au=2018-09-23")
    expect(page.locator("#trend-chart")).to_have_attribute("data-drawn", "1")
    assert page.locator("#tiles .tile").count() >= 4
    page.click("a.zone-link:text-is('Les Carmes')")
    expect(page.locator("h1")).to_have_text("Tableau de bord — Les Carmes")
    expect(page.locator("#tile-incidents .big")).to_have_text("12")
    expect(page.locator("#trend-chart")).to_have_attribute("data-drawn", "1")
    page.screenshot(path=str(artifacts_dir / "web-dashboard-zone.png"), full_page=True)
    _no_csp_errors(page)
