"""Cameras of a period: installed before its end, not removed before its start."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Engine
from typer.testing import CliRunner

from gltd.cctv import inventory as inv


def test_a_period_lists_the_cameras_in_service_during_it(camera_network: Engine) -> None:
    engine = camera_network
    spring = inv.list_cameras(engine, during=(date(2018, 4, 1), date(2018, 6, 30)))
    assert [c.code for c in spring] == ["C-OLD"]
    h1 = inv.list_cameras(engine, during=(date(2018, 1, 1), date(2018, 6, 30)))
    assert [c.code for c in h1] == ["C-GONE", "C-OLD"]
    year = inv.list_cameras(engine, during=(date(2018, 1, 1), date(2018, 12, 31)))
    assert [c.code for c in year] == ["C-GONE", "C-NEW", "C-OLD"]
    # Removed on the first day: no longer in service that day.
    assert inv.list_cameras(engine, during=(date(2018, 3, 1), date(2018, 3, 31)))[0].code == "C-OLD"
    gone = inv.get_camera(engine, "C-GONE")
    assert gone.status_on(date(2018, 2, 28)) == "en service"
    assert gone.status_on(date(2018, 3, 1)) == "retirée"
    assert inv.get_camera(engine, "C-NEW").status_on(date(2018, 8, 31)) == "pas encore installée"


def test_cli_list_shows_status_and_removal_date(db_url: str, camera_network: Engine) -> None:
    from gltd.cli.main import app

    r = CliRunner().invoke(app, ["cctv", "cameras", "list", "--db", db_url], env={"COLUMNS": "200"})
    assert r.exit_code == 0, r.output
    line = next(x for x in r.output.splitlines() if "C-GONE" in x)
    assert "retirée le 01/03/2018" in line
    assert "en service" in next(x for x in r.output.splitlines() if "C-OLD" in x)
