"""In Chromium: a register filtered, on its page 2, then its XLSX export opened with openpyxl."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from gltd.model import Requisition
from gltd.store.engine import make_engine
from register_support import bulk_database
from web_support import browser_login, serving, settings_for, web_settings

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    from gltd.web.app import create_app

    tmp = tmp_path_factory.mktemp("registers-web")
    url = bulk_database(tmp)
    with serving(create_app(settings_for(url), web=web_settings(tmp))) as base:
        yield base, url


def _login(page: object, base: str) -> None:
    browser_login(page, base, "parquet.lecteur")


def test_register_page_two_with_a_filter_and_its_xlsx_export(
    server: tuple[str, str], chromium_path: str, artifacts_dir: Path, tmp_path: Path
) -> None:
    from playwright.sync_api import expect, sync_playwright

    base, url = server
    with make_engine(url).connect() as conn:
        n = conn.execute(
            select(func.count())
            .select_from(Requisition)
            .where(Requisition.received_at >= datetime(2017, 12, 31, 23, tzinfo=UTC))
            .where(Requisition.received_at < datetime(2018, 12, 31, 23, tzinfo=UTC))
        ).scalar_one()
    assert n > 50
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path, args=["--no-sandbox"])
        ctx = b.new_context(
            viewport={"width": 1366, "height": 900}, locale="fr-FR", accept_downloads=True
        )
        page = ctx.new_page()
        _login(page, base)
        page.goto(f"{base}/requisitions")
        # filter on 2018, 25 rows a page, sorted by number: each choice applies at once
        form = page.locator("form.register-filters")
        form.locator("select[name=annee]").select_option("2018")
        page.wait_for_url("**annee=2018**")
        form.locator("select[name=par_page]").select_option("25")
        page.wait_for_url("**par_page=25**")
        expect(page.locator("#register-count")).to_contain_text(f"1–25 sur {n}")
        page.locator("th a.sort", has_text="N°").click()
        expect(page.locator("th[aria-sort=ascending]")).to_contain_text("N°")
        page.locator("a[rel=next]").click()
        count = page.locator("#register-count")
        expect(count).to_contain_text(f"26–50 sur {n}")
        assert "annee=2018" in page.url and "page=2" in page.url and "tri=id" in page.url
        first_id = int(page.locator("#register tbody tr").first.get_attribute("data-id") or 0)
        page.screenshot(path=str(artifacts_dir / "register-page2-filtered.png"), full_page=True)
        with page.expect_download() as dl:
            page.locator("#export-xlsx").click()
        target = tmp_path / "export.xlsx"
        dl.value.save_as(target)
        assert dl.value.suggested_filename == "requisitions.xlsx"
        b.close()
    ws = load_workbook(target).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][:3] == ("N° de réquisition", "Reçue le", "Service requérant")
    # every page of the filtered view, in the page's order (by number)
    ids = [r[0] for r in rows[1:]]
    assert len(ids) == n and ids == sorted(ids) and ids[25] == first_id
    assert all(isinstance(r[1], datetime) and r[1].year == 2018 for r in rows[1:])
    assert ws.cell(row=2, column=2).number_format == "DD/MM/YYYY HH:MM"


def test_filters_apply_on_change_and_search_after_a_pause(
    server: tuple[str, str], chromium_path: str, artifacts_dir: Path
) -> None:
    """A status chosen, then a camera code typed: the list follows without a click on
    « Filtrer »; without JavaScript the button still filters."""
    from playwright.sync_api import expect, sync_playwright

    base, url = server
    with make_engine(url).connect() as conn:
        recue = conn.execute(
            select(func.count()).select_from(Requisition).where(Requisition.status == "recue")
        ).scalar_one()
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path, args=["--no-sandbox"])
        page = b.new_page(viewport={"width": 1366, "height": 900}, locale="fr-FR")
        _login(page, base)
        page.goto(f"{base}/requisitions?tri=id&sens=asc")
        form = page.locator("form.register-filters[data-live]")
        form.locator("select[name=statut]").select_option("recue")
        page.wait_for_url("**statut=recue**")
        expect(page.locator("#register-count")).to_contain_text(f"sur {recue}")
        assert "tri=id" in page.url  # the sort is kept
        # typing, then a pause: the search applies and the caret stays in the box
        search = page.locator("form.register-filters input[name=q]")
        search.press_sequentially("CAM-01", delay=30)
        page.wait_for_url("**q=CAM-01**")
        expect(page.locator("form.register-filters input[name=q]")).to_be_focused()
        assert "statut=recue" in page.url
        page.screenshot(path=str(artifacts_dir / "register-live-filters.png"), full_page=True)
        # without JavaScript, « Filtrer » sends the form
        ctx = b.new_context(java_script_enabled=False)
        bare = ctx.new_page()
        _login(bare, base)
        bare.goto(f"{base}/requisitions")
        bare.locator("select[name=statut]").select_option("recue")
        assert "statut" not in bare.url
        bare.locator("form.register-filters button[type=submit]").click()
        bare.wait_for_url("**statut=recue**")
        b.close()
