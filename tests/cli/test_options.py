"""Shared option rules: --out must match --format; periods are --from/--to everywhere."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from gltd.cli.main import app

ENV = {"COLUMNS": "200", "NO_COLOR": "1"}

#: Every command with both --out and --format, with its other required options.
OUT_AND_FORMAT = {
    "report": (["report", "--from", "2018-03-24", "--to", "2018-09-24"], "pdf"),
    "displacement": (["displacement", "--intervention", "1"], "html"),
    "export": (["export", "incidents"], "csv"),
    "hotspots": (["hotspots"], "geojson"),
    "map": (["map", "--from", "2018-03-24", "--to", "2018-09-24"], "pdf"),
    "near-repeat": (["near-repeat", "run"], "json"),
    "near-repeat alerts": (["near-repeat", "alerts"], "geojson"),
    "cctv study": (["cctv", "study", "--request", "1"], "pdf"),
    "cctv siting": (["cctv", "siting"], "geojson"),
    "cctv cameras list": (["cctv", "cameras", "list"], "json"),
    "cctv cameras summary": (["cctv", "cameras", "summary"], "json"),
    "cctv requisitions list": (["cctv", "requisitions", "list"], "json"),
    "cctv requisitions alerts": (["cctv", "requisitions", "alerts"], "json"),
    "cctv requisitions stats": (["cctv", "requisitions", "stats"], "json"),
}


@pytest.mark.parametrize("name", list(OUT_AND_FORMAT))
def test_out_extension_must_match_format(tmp_path: Path, name: str) -> None:
    args, fmt = OUT_AND_FORMAT[name]
    missing = tmp_path / "absente.db"
    res = CliRunner().invoke(
        app,
        [*args, "--format", fmt, "--out", str(tmp_path / "z.docx"), "--db", f"sqlite:///{missing}"],
        env=ENV,
    )
    assert res.exit_code == 2, res.output
    # the error console wraps at the terminal's width (80 columns without a terminal,
    # whatever COLUMNS says once the console exists): compare the words, not the lines
    out = " ".join(res.output.split())
    assert "--out" in out and "z.docx" in out
    assert f"--format {fmt}" in out
    assert "ne correspond pas" in out
    assert "Traceback" not in out
    assert not missing.exists()


def test_a_matching_extension_goes_on(tmp_path: Path) -> None:
    missing = tmp_path / "absente.db"
    res = CliRunner().invoke(
        app,
        ["report", "--from", "2018-03-24", "--to", "2018-09-24", "--format", "json",
         "--out", str(tmp_path / "bilan.JSON"), "--db", f"sqlite:///{missing}"],
        env=ENV,
    )  # fmt: skip
    assert res.exit_code == 2
    assert "ne correspond pas" not in res.output
    assert "base introuvable" in res.output


PERIOD_COMMANDS = [
    ["report"],
    ["export", "incidents"],
    ["hotspots"],
    ["near-repeat", "run"],
    ["displacement"],
    ["interventions", "add"],
    ["cctv", "log", "export"],
    ["cctv", "requisitions", "stats"],
]


@pytest.mark.parametrize("path", PERIOD_COMMANDS, ids=" ".join)
def test_periods_are_spelled_from_to(path: list[str]) -> None:
    res = CliRunner().invoke(app, [*path, "--help"], env=ENV)
    assert res.exit_code == 0
    assert "--to" in res.output or path == ["displacement"]  # one day there: --from
    assert "--from" in res.output or path == ["cctv", "requisitions", "stats"]  # --to only
    for old in ("--start", "--end ", "--period ", "--since"):
        assert old not in res.output, f"gltd {' '.join(path)} --help still shows {old}"


@pytest.mark.parametrize(
    "args",
    [
        ["interventions", "add", "--name", "X", "--kind", "camera", "--start", "2018-01-01",
         "--end=2018-12-31", "--zone", "Z"],
        ["displacement", "--intervention", "1", "--start", "2018-06-01", "--out", "d.html"],
        ["hotspots", "--period", "2018-01-01..2018-06-30", "--out", "h.geojson"],
    ],
    ids=["interventions", "displacement", "hotspots"],
)  # fmt: skip
def test_old_spellings_still_work(tmp_path: Path, args: list[str]) -> None:
    missing = tmp_path / "absente.db"
    res = CliRunner().invoke(app, [*args, "--db", f"sqlite:///{missing}"], env=ENV)
    assert res.exit_code == 2
    assert "base introuvable" in res.output, res.output


def test_from_and_to_go_together(tmp_path: Path) -> None:
    res = CliRunner().invoke(
        app, ["hotspots", "--from", "2018-01-01", "--out", str(tmp_path / "h.geojson")], env=ENV
    )
    assert res.exit_code == 2
    assert "--from/--to : premier et dernier jour vont ensemble" in res.output
