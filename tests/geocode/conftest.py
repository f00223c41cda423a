"""A synthetic BAN extract of the demo's Orléans, written in the real layouts."""

from __future__ import annotations

from pathlib import Path

import pytest

from gltd.geocode.synthetic import SynthAddress, orleans_extract, write_ban_csv


@pytest.fixture(scope="session")
def orleans_rows() -> list[SynthAddress]:
    """About 600 addresses in Orléans and three neighbours (homonymous streets)."""
    return orleans_extract()


@pytest.fixture
def ban_csv_gz(tmp_path: Path, orleans_rows: list[SynthAddress]) -> Path:
    """The extract as ``adresses-45.csv.gz``."""
    return write_ban_csv(orleans_rows, tmp_path / "adresses-45.csv.gz")
