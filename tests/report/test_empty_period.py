"""A period without incidents gives a bilan that says so (it used to crash on 'seuil')."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gltd.cli.main import app


@pytest.mark.parametrize("fmt", ["json", "html", "pdf"])
def test_a_bilan_of_an_empty_database_says_there_is_no_fact(
    sqlite_url: str, tmp_path: Path, fmt: str
) -> None:
    out = tmp_path / f"bilan.{fmt}"
    res = CliRunner().invoke(
        app,
        ["report", "--db", sqlite_url, "--from", "2025-01-01", "--to", "2025-06-30",
         "--format", fmt, "--out", str(out)],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    if fmt == "json":
        data = json.loads(out.read_text(encoding="utf-8"))
        assert data["period"]
        assert data["incidents"]["total_now"] == 0
        assert data["incidents"]["total_ref"] == 0
        return
    if fmt == "pdf":
        text = subprocess.run(
            ["pdftotext", str(out), "-"], capture_output=True, text=True, check=True
        ).stdout
    else:
        text = out.read_text(encoding="utf-8")
    assert "aucun fait sur les deux périodes" in text
