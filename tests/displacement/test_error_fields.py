"""An error names the quantity at fault; the CLI adds its flag, the web form does not."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from gltd.cli.main import app
from gltd.web.app import create_app
from web_support import finished_job, login, page_token, seed, settings_for, web_settings

runner = CliRunner()
# The seeded incidents start in April 2017: a year before the intervention of
# 24/03/2018 begins before the data.
TOO_EARLY = "la période avant (du 24/03/2017 au 23/03/2018) commence avant les données"


def test_the_same_error_names_the_flag_in_the_cli_and_no_flag_on_the_web(
    sqlite_url: str, tmp_path: Path
) -> None:
    seed(sqlite_url)
    out = tmp_path / "report.html"
    res = runner.invoke(
        app,
        [
            "displacement",
            "--intervention",
            "1",
            "--before",
            "1y",
            "--out",
            str(out),
            "--db",
            sqlite_url,
        ],
    )
    text = " ".join(res.output.split())
    assert res.exit_code == 2, res.output
    assert f"Erreur : --before : {TOO_EARLY}" in text
    assert "raccourcissez la durée avant" in text and not out.exists()

    with TestClient(create_app(settings_for(sqlite_url), web=web_settings(tmp_path))) as c:
        login(c, "ville.analyste")
        r = c.post(
            "/analyses/displacement",
            data={
                "csrf_token": page_token(c),
                "intervention_id": "1",
                "before": "1y",
                "buffer": "300",
            },
            follow_redirects=False,
        )
        assert r.status_code == 303, r.text
        run_id = int(r.headers["location"].rsplit("/", 1)[1])
        state = finished_job(c, run_id)
    assert state["status"] == "failed", state
    assert TOO_EARLY in state["error"] and "raccourcissez la durée avant" in state["error"]
    assert "--" not in state["error"]
