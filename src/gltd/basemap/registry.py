"""Which basemap gltd uses: ``GLTD_BASEMAP``, else the one ``gltd basemap add`` chose.

``gltd basemap add FILE`` checks the file, copies it into the basemap folder
(``GLTD_BASEMAP_DIR``, ``gltd-basemaps`` by default) and makes it the active one (the
folder's ``actif.txt`` names it). The copy is gltd's: the original can be moved or
deleted, and the folder never holds gltd's database. Open files are cached by path, size
and modification time, so a file replaced on disk is reopened.
"""

from __future__ import annotations

import shutil
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path

from gltd.basemap.files import SUFFIXES, Basemap, open_basemap
from gltd.config import Settings, get_settings
from gltd.errors import InputError
from gltd.fileio import atomic_path, write_atomic

__all__ = [
    "ACTIVE_FILE",
    "BasemapEntry",
    "active_basemap",
    "active_source",
    "add_basemap",
    "basemap_dir",
    "list_basemaps",
    "load_basemap",
    "set_attribution",
]

#: The file of the basemap folder that names the active basemap.
ACTIVE_FILE = "actif.txt"

_cache: dict[tuple[str, int, int], Basemap] = {}
_lock = threading.Lock()


@dataclass(frozen=True)
class BasemapEntry:
    """A basemap of the folder, or the error that makes it unusable."""

    path: Path
    active: bool
    basemap: Basemap | None
    error: str | None


def basemap_dir(settings: Settings | None = None) -> Path:
    """The basemap folder (``GLTD_BASEMAP_DIR``)."""
    return Path((settings or get_settings()).basemap_dir)


def load_basemap(path: str | Path, *, database: str | None = None) -> Basemap:
    """:func:`open_basemap`, cached by path, size and modification time."""
    p = Path(path)
    try:
        st = p.stat()
    except OSError:
        return open_basemap(p, database=database)
    key = (f"{p}:{st.st_ino}", st.st_size, st.st_mtime_ns)
    with _lock:
        hit = _cache.get(key)
    if hit is not None:
        return hit
    bm = open_basemap(p, database=database)
    with _lock:
        for k in [k for k in _cache if k[0] == key[0]]:
            del _cache[k]
        _cache[key] = bm
    return bm


def active_source(settings: Settings | None = None) -> tuple[Path | None, str]:
    """The active basemap file and where the choice comes from (in French)."""
    setting = (settings or get_settings()).basemap
    if setting:
        return Path(setting), "réglage GLTD_BASEMAP"
    folder = basemap_dir(settings)
    marker = folder / ACTIVE_FILE
    try:
        name = marker.read_text(encoding="utf-8").strip()
    except OSError:
        return None, "aucun fond de carte ajouté (gltd basemap add FICHIER)"
    if not name or Path(name).name != name:
        return None, f"{marker} ne nomme pas un fichier du dossier"
    return folder / name, f"dernier fond ajouté dans {folder} (gltd basemap add)"


def active_basemap(
    settings: Settings | None = None, *, database: str | None = None
) -> Basemap | None:
    """The basemap in use (``settings`` default to the environment's), or None.

    Raises
    ------
    InputError
        The configured file is missing or unusable (the message names it).
    """
    path, _why = active_source(settings)
    if path is None:
        return None
    return load_basemap(path, database=database)


def add_basemap(
    path: str | Path, *, attribution: str | None = None, database: str | None = None
) -> Basemap:
    """Check ``path``, copy it into the basemap folder and make it the active basemap.

    A file of the same name in the folder is replaced. ``attribution`` (MBTiles only) is
    written into the copy's metadata: QGIS does not write one. Returns the copy, opened.
    """
    src = Path(path)
    if src.suffix.lower() not in SUFFIXES:
        raise InputError(
            f"extension « {src.suffix or '(aucune)'} » non reconnue : attendu un fond de carte "
            ".mbtiles (tuiles raster, p. ex. généré par QGIS) ou .pmtiles",
            file=src.name,
        )
    checked = open_basemap(src, database=database)  # refuse a bad file before copying
    if attribution is not None and checked.kind != "mbtiles":
        raise InputError(
            "l'attribution ne s'ajoute qu'à un MBTiles ; celle d'un PMTiles est dans ses "
            "métadonnées (« pmtiles show » l'affiche)",
            file=src.name,
        )
    folder = basemap_dir()
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / (src.stem + src.suffix.lower())
    same = target.exists() and target.resolve() == src.resolve()
    if not same or attribution is not None:
        with atomic_path(target) as tmp:
            shutil.copyfile(src, tmp)
            if attribution is not None:
                set_attribution(tmp, attribution)
    bm = load_basemap(target, database=database)
    write_atomic(folder / ACTIVE_FILE, target.name + "\n")
    return bm


def set_attribution(path: Path, text: str) -> None:
    """Write ``text`` as the ``attribution`` of an MBTiles (gltd's own copy only)."""
    con = sqlite3.connect(path)
    try:
        with con:
            con.execute("DELETE FROM metadata WHERE name = 'attribution'")
            con.execute("INSERT INTO metadata (name, value) VALUES ('attribution', ?)",
                        (text.strip(),))  # fmt: skip
    finally:
        con.close()


def list_basemaps(*, database: str | None = None) -> list[BasemapEntry]:
    """The basemaps of the folder, each opened (or with the reason it cannot be)."""
    folder = basemap_dir()
    if not folder.is_dir():
        return []
    active, _why = active_source()
    out = []
    for p in sorted(folder.iterdir()):
        if p.suffix.lower() not in SUFFIXES or p.name.startswith("."):
            continue
        is_active = active is not None and active.resolve() == p.resolve()
        try:
            out.append(BasemapEntry(p, is_active, load_basemap(p, database=database), None))
        except InputError as exc:
            out.append(BasemapEntry(p, is_active, None, str(exc)))
    return out
