"""``gltd basemap add|list|status`` through the real CLI: good files added and listed, bad
files refused with a French message naming the file, never a traceback."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from basemap_support import ATTRIBUTION, write_mbtiles, write_pmtiles
from gltd.basemap import active_basemap
from gltd.cli.main import app
from gltd.config import get_settings

runner = CliRunner()


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    folder = tmp_path / "fonds"
    monkeypatch.delenv("GLTD_BASEMAP", raising=False)
    monkeypatch.setenv("GLTD_BASEMAP_DIR", str(folder))
    monkeypatch.setenv("GLTD_DB_URL", f"sqlite:///{tmp_path / 'gltd.db'}")
    get_settings.cache_clear()
    yield folder
    get_settings.cache_clear()


def _out(res: object) -> str:
    return " ".join(res.output.split())  # type: ignore[attr-defined]


def test_add_list_status(env: Path, tmp_path: Path) -> None:
    res = runner.invoke(app, ["basemap", "status"])
    assert res.exit_code == 0 and "Aucun fond de carte local" in _out(res)
    assert "Aucun fond de carte dans" in _out(runner.invoke(app, ["basemap", "list"]))
    src = tmp_path / "orleans.mbtiles"
    tiles = write_mbtiles(src)
    res = runner.invoke(app, ["basemap", "add", str(src)])
    assert res.exit_code == 0, res.output
    out = _out(res)
    assert "orleans.mbtiles ajouté" in out and f"{len(tiles)} tuile(s)" in out
    assert "zooms 12 à 14" in out and f"attribution : {ATTRIBUTION}" in out
    assert (env / "orleans.mbtiles").read_bytes() == src.read_bytes()  # gltd's own copy
    src.unlink()  # the original may go: the copy is used
    bm = active_basemap()
    assert bm is not None and bm.path == env / "orleans.mbtiles"
    assert bm.tile(*next(iter(tiles))) == next(iter(tiles.values()))
    vec = tmp_path / "osm.pmtiles"
    write_pmtiles(vec)
    res = runner.invoke(app, ["basemap", "add", str(vec)])
    assert res.exit_code == 0 and "Fond vectoriel" in _out(res)
    listed = _out(runner.invoke(app, ["basemap", "list"]))
    assert "orleans.mbtiles : MBTiles raster (png)" in listed
    assert "* utilisé osm.pmtiles : PMTiles vectoriel (pbf)" in listed
    status = _out(runner.invoke(app, ["basemap", "status"]))
    assert "osm.pmtiles" in status and "gltd basemap add" in status and "la carte web." in status


def test_attribution_is_written_into_the_copy(env: Path, tmp_path: Path) -> None:
    src = tmp_path / "qgis.mbtiles"
    write_mbtiles(src, metadata={"attribution": ""})
    res = runner.invoke(app, ["basemap", "add", str(src), "--attribution", "© IGN BD TOPO"])
    assert res.exit_code == 0, res.output
    assert "attribution : © IGN BD TOPO" in _out(res)
    con = sqlite3.connect(src)
    assert con.execute("SELECT value FROM metadata WHERE name='attribution'").fetchone() == ("",)
    con.close()  # the original is untouched


def test_setting_wins_over_the_folder(
    env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_mbtiles(tmp_path / "a.mbtiles")
    runner.invoke(app, ["basemap", "add", str(tmp_path / "a.mbtiles")])
    write_mbtiles(tmp_path / "b.mbtiles", metadata={"name": "Fond B"})
    monkeypatch.setenv("GLTD_BASEMAP", str(tmp_path / "b.mbtiles"))
    get_settings.cache_clear()
    status = _out(runner.invoke(app, ["basemap", "status"]))
    assert "b.mbtiles" in status and "réglage GLTD_BASEMAP" in status
    res = runner.invoke(app, ["basemap", "add", str(tmp_path / "a.mbtiles")])
    assert "Attention : le fond utilisé reste" in _out(res)
    monkeypatch.setenv("GLTD_BASEMAP", str(tmp_path / "absent.mbtiles"))
    get_settings.cache_clear()
    res = runner.invoke(app, ["basemap", "status"])
    assert res.exit_code == 1 and "Fond de carte inutilisable" in _out(res)
    assert "Traceback" not in res.output


def test_bad_files_are_refused_with_a_message(env: Path, tmp_path: Path) -> None:
    notes = tmp_path / "notes.mbtiles"
    notes.write_text("bonjour", encoding="utf-8")
    empty = tmp_path / "vide.mbtiles"
    write_mbtiles(empty, tiles=False)
    vector = tmp_path / "vecteur.mbtiles"
    write_mbtiles(vector, metadata={"format": "pbf"})
    image = tmp_path / "plan.png"
    image.write_bytes(b"\x89PNG\r\n")
    db = Path(get_settings().db_url.removeprefix("sqlite:///"))
    from gltd.store.migrate import upgrade

    upgrade(get_settings().db_url)
    disguised = tmp_path / "base.mbtiles"
    disguised.symlink_to(db)
    cases = [
        (notes, "ce n'est pas un MBTiles"),
        (empty, "ne contient aucune tuile"),
        (vector, "MBTiles vectoriel non pris en charge"),
        (image, "extension « .png » non reconnue"),
        (tmp_path / "absent.mbtiles", "fond de carte introuvable"),
        (disguised, "base de données de gltd elle-même"),
    ]
    for path, message in cases:
        res = runner.invoke(app, ["basemap", "add", str(path)])
        assert res.exit_code != 0, path
        assert message in _out(res) and path.name in _out(res), res.output
        assert (
            "Traceback" not in res.output
            and res.exception is None
            or isinstance(res.exception, SystemExit)
        )
    assert not env.exists() or not any(env.iterdir())  # nothing copied
