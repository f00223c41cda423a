"""Opening basemap files: MBTiles (TMS rows) and PMTiles read back, bad files refused in French."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from basemap_support import AREA, ATTRIBUTION, write_mbtiles, write_pmtiles
from gltd.basemap import open_basemap
from gltd.errors import InputError
from gltd.store.migrate import upgrade


def test_mbtiles_tiles_come_back_by_xyz_numbers(tmp_path: Path) -> None:
    tiles = write_mbtiles(tmp_path / "a.mbtiles")
    bm = open_basemap(tmp_path / "a.mbtiles")
    assert (bm.kind, bm.format, bm.raster, bm.attribution) == ("mbtiles", "png", True, ATTRIBUTION)
    assert (bm.minzoom, bm.maxzoom, bm.n_tiles) == (12, 14, len(tiles))
    assert bm.bounds == AREA
    for (z, x, y), data in tiles.items():
        assert bm.tile(z, x, y) == data  # XYZ in, the TMS row is flipped inside
    z, x, y = next(iter(tiles))
    flipped = (1 << z) - 1 - y
    assert (z, x, flipped) not in tiles and bm.tile(z, x, flipped) is None
    assert bm.tile(11, x // 2, y // 2) is None  # below minzoom
    assert bm.tile(z, -1, y) is None and bm.tile(z, 1 << z, y) is None


def test_mbtiles_is_opened_read_only(tmp_path: Path) -> None:
    write_mbtiles(tmp_path / "a.mbtiles")
    bm = open_basemap(tmp_path / "a.mbtiles")
    con = bm._reader.connect()  # the connection the tiles are read through
    with pytest.raises(sqlite3.OperationalError, match="readonly|read-only|query_only"):
        con.execute("DELETE FROM tiles")


def test_pmtiles_vector_metadata_and_tiles(tmp_path: Path) -> None:
    tiles = write_pmtiles(tmp_path / "v.pmtiles")
    bm = open_basemap(tmp_path / "v.pmtiles")
    assert (bm.kind, bm.format, bm.raster, bm.encoding) == ("pmtiles", "pbf", False, "gzip")
    assert (bm.minzoom, bm.maxzoom, bm.n_tiles) == (12, 13, len(tiles))
    assert bm.bounds == pytest.approx(AREA)
    assert "OpenStreetMap" in bm.attribution
    for key, data in tiles.items():
        assert bm.tile(*key) == data


def _refused(path: Path, **kw: str) -> str:
    with pytest.raises(InputError) as err:
        open_basemap(path, **kw)
    return str(err.value)


def test_bad_files_are_refused_in_french(tmp_path: Path) -> None:
    assert "introuvable" in _refused(tmp_path / "absent.mbtiles")
    text = tmp_path / "notes.mbtiles"
    text.write_text("ceci n'est pas un fond de carte", encoding="utf-8")
    msg = _refused(text)
    assert "notes.mbtiles" in msg and "ce n'est pas un MBTiles" in msg
    other = tmp_path / "autre.mbtiles"
    sqlite3.connect(other).execute("CREATE TABLE t (a)").connection.close()
    assert "tables « metadata » et « tiles » absentes" in _refused(other)
    empty = tmp_path / "vide.mbtiles"
    write_mbtiles(empty, tiles=False)
    assert "aucune tuile" in _refused(empty)
    vector = tmp_path / "vecteur.mbtiles"
    write_mbtiles(vector, metadata={"format": "pbf"})
    assert "MBTiles vectoriel non pris en charge" in _refused(vector)
    bounds = tmp_path / "emprise.mbtiles"
    write_mbtiles(bounds, metadata={"bounds": "2,48,1,47"})
    assert "« bounds » incohérente" in _refused(bounds)
    renamed = tmp_path / "fond.pmtiles"
    renamed.write_bytes((tmp_path / "emprise.mbtiles").read_bytes())
    assert "ne correspond pas à l'extension « .pmtiles »" in _refused(renamed)
    bad_pm = tmp_path / "faux.pmtiles"
    bad_pm.write_bytes(b"PMTiles\x02" + bytes(200))
    assert "PMTiles illisible" in _refused(bad_pm)
    image = tmp_path / "fond.png"
    image.write_bytes(b"\x89PNG\r\n")
    assert "format de fond de carte non reconnu" in _refused(image)


def test_gltd_database_is_never_opened_as_a_basemap(tmp_path: Path) -> None:
    db = tmp_path / "gltd.db"
    upgrade(f"sqlite:///{db}")
    link = tmp_path / "fond.mbtiles"
    link.symlink_to(db)
    msg = _refused(link, database=f"sqlite:///{db}")
    assert "base de données de gltd elle-même" in msg
