"""In Chromium, on the 2018 demo: the relevance study from the form to its PDF."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from demo_support import demo_database
from gltd.accounts import demo_password
from web_support import SECRET, serving, settings_for, web_settings

pytestmark = pytest.mark.browser

ANALYST = "csu-analyste"


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The 2018 demo with its accounts, served by uvicorn in a thread."""
    from gltd.web.app import create_app

    tmp = tmp_path_factory.mktemp("demo-web")
    url = demo_database(tmp, accounts_secret=SECRET)
    with serving(create_app(settings_for(url), web=web_settings(tmp))) as base:
        yield base


def test_study_pdf_from_the_web_at_the_demo_date(
    demo_server: str, chromium_path: str, artifacts_dir: Path
) -> None:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path, args=["--no-sandbox"])
        page = b.new_context(viewport={"width": 1366, "height": 900}, locale="fr-FR").new_page()
        page.goto(f"{demo_server}/login")
        page.fill("input[name=username]", ANALYST)
        page.fill("input[name=password]", demo_password(SECRET, ANALYST))
        page.click("button[type=submit]")
        page.goto(f"{demo_server}/analyses")
        form = page.locator("#analysis-relevance")
        expect(form.locator("input[name=as_of]")).to_have_value("2018-09-24")
        form.screenshot(path=str(artifacts_dir / "study-form.png"))
        form.locator("select[name=request_id]").select_option("1")
        form.locator("button[type=submit]").click()
        page.wait_for_url("**/analyses/runs/*")
        # the run page polls its job and reloads itself when it ends: wait for that reload
        # (reloading from the test as well races it and aborts one of the navigations)
        conclusion = page.locator("#study-conclusion")
        conclusion.wait_for(timeout=180_000)
        expect(conclusion).to_contain_text("du 24/09/2015 au 23/09/2018")
        page.screenshot(path=str(artifacts_dir / "study-run.png"), full_page=True)
        href = page.locator("#job-file").get_attribute("href")
        assert href is not None
        pdf = page.request.get(f"{demo_server}{href}")
        assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
        assert pdf.body().startswith(b"%PDF")
        (artifacts_dir / "study-web.pdf").write_bytes(pdf.body())
        b.close()
