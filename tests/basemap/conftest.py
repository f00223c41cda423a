"""Fixtures of the basemap tests: a small raster MBTiles and vector PMTiles of Orléans."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from basemap_support import write_mbtiles, write_pmtiles
from gltd.config import get_settings


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("fonds")
    write_mbtiles(d / "orleans.mbtiles")
    write_pmtiles(d / "orleans.pmtiles")
    return {"mbtiles": d / "orleans.mbtiles", "pmtiles": d / "orleans.pmtiles", "dir": d}


@pytest.fixture
def settings_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[pytest.MonkeyPatch]:
    """GLTD_BASEMAP unset and an empty basemap folder; settings re-read."""
    monkeypatch.delenv("GLTD_BASEMAP", raising=False)
    monkeypatch.setenv("GLTD_BASEMAP_DIR", str(tmp_path / "gltd-basemaps"))
    get_settings.cache_clear()
    yield monkeypatch
    get_settings.cache_clear()
