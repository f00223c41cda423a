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
from gltd.store.migrate import upgrade
from register_support import add_bulk
from web_support import PASSWORD, seed, serving, settings_for, web_settings

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    from gltd.web.app import create_app

    tmp = tmp_path_factory.mktemp("registers-web")
    url = f"sqlite:///{tmp / 'gltd.db'}"
    upgrade(url)
    seed(url)
    add_bulk(url)
    with serving(create_app(settings_for(url), web=web_settings(tmp))) as base:
        yield base, url


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
        page.goto(f"{base}/login")
        page.fill("input[name=username]", "parquet.lecteur")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{base}/")
        page.goto(f"{base}/requisitions")
        # filter on 2018, 25 rows a page, sorted by number
        form = page.locator("form.register-filters")
        form.locator("select[name=annee]").select_option("2018")
        form.locator("select[name=par_page]").select_option("25")
        form.locator("button[type=submit]").click()
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
