"""A ``--db`` naming no database is refused, and no file is left behind."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from gltd.cli.main import app


@pytest.mark.parametrize(
    "args",
    [
        ["report", "--from", "2018-03-24", "--to", "2018-09-24", "--format", "json"],
        ["import", "zones"],
        ["cctv", "requisitions", "stats"],
        ["db", "current"],
    ],
    ids=["report", "import", "stats", "current"],
)
def test_a_mistyped_db_is_refused_and_creates_nothing(tmp_path: Path, args: list[str]) -> None:
    typo = tmp_path / "gtld.db"
    extra = ["--out", str(tmp_path / "bilan.json")] if args[0] == "report" else []
    if args[:2] == ["import", "zones"]:
        zones = tmp_path / "zones.geojson"
        zones.write_text('{"type": "FeatureCollection", "features": []}', encoding="utf-8")
        extra = [str(zones)]
    res = CliRunner().invoke(app, [*args, *extra, "--db", f"sqlite:///{typo}"])
    out = " ".join(res.output.split())
    assert res.exit_code != 0, out
    assert "base introuvable" in out and "gltd db upgrade" in out, out
    assert "Traceback" not in out
    assert not typo.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == (
        ["zones.geojson"] if extra and extra[0].endswith("geojson") else []
    )


def test_db_upgrade_still_creates_the_database(tmp_path: Path) -> None:
    new = tmp_path / "gltd.db"
    res = CliRunner().invoke(app, ["db", "upgrade", "--db", f"sqlite:///{new}"])
    assert res.exit_code == 0, res.output
    assert new.is_file()
    res = CliRunner().invoke(app, ["cctv", "requisitions", "stats", "--db", f"sqlite:///{new}"])
    assert res.exit_code == 0, res.output


@pytest.mark.postgres
def test_a_missing_postgresql_database_is_refused(pg_admin_url: str) -> None:
    from sqlalchemy.engine import make_url

    url = (
        make_url(pg_admin_url)
        .set(database="gltd_no_such_database")
        .render_as_string(hide_password=False)
    )
    res = CliRunner().invoke(app, ["cctv", "requisitions", "stats", "--db", url])
    out = " ".join(res.output.split())
    assert res.exit_code != 0
    assert "base introuvable" in out and "gltd db upgrade" in out, out
    assert "gltd:gltd@" not in out  # the password is not shown
