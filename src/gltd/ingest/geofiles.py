"""Open the geographic files of an import so that they can read nothing else.

GDAL guesses a file's format from its content and can follow references: a file named
``.geojson`` holding a VRT (``<OGRVRTDataSource>``) would make it read any file or
SQLite database of the server, or fetch a URL (``/vsicurl/``). Only three formats are
opened, each by its own driver, after its content has been checked:

* GeoJSON (``.geojson``, ``.json``): JSON text, an object of ``"type": "FeatureCollection"``
  or ``"Feature"``; opened with the GeoJSON driver only;
* GeoPackage (``.gpkg``): a SQLite file whose application id is ``GPKG``, without virtual
  tables other than its spatial indexes; copied to a private temporary file first, and
  the copy is opened with the GPKG driver only;
* Shapefile (``.shp``, or a ``.zip`` of its parts): a ``.shp`` starting with the
  shapefile code 9994; zip members are checked (names, links, sizes:
  :mod:`gltd.ingest.limits`) and extracted to a private temporary folder.

GDAL paths (``/vsi…``) are refused, network access by GDAL is disabled, and a file that
is gltd's own database is refused before a byte of it is read (reading the live SQLite
file inside the server process would release its locks).
"""

from __future__ import annotations

import json
import mmap
import os
import re
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath
from typing import Any

from sqlalchemy.engine import make_url

from gltd.config import get_settings
from gltd.errors import InputError
from gltd.ingest import limits

__all__ = ["GEO_SUFFIXES", "SHAPEFILE_PARTS", "check_path", "read_geo_frame"]

GEO_SUFFIXES = (".geojson", ".json", ".gpkg", ".shp", ".zip")
#: Files a zipped shapefile may contain (anything else refuses the zip).
SHAPEFILE_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg", ".qix", ".sbn", ".sbx", ".xml", ".qmd")
_GPKG_IDS = (b"GPKG", b"GP10", b"GP11")
_GEOJSON_TYPE = re.compile(rb'"type"\s*:\s*"(FeatureCollection|Feature)"')
#: A CRS given by a link, which GDAL would download (``"crs": {"type": "link", …}``).
_CRS_LINK = re.compile(rb'"type"[ \t\r\n]*:[ \t\r\n]*"(link|url)"', re.I)
#: An ASCII letter written as a \u escape: no exporter writes one; it would hide a key.
_ESCAPED_LETTER = re.compile(rb"\\u00(4[1-9a-f]|5[0-9a]|6[1-9a-f]|7[0-9a])", re.I)
#: GDAL settings for every open: no network (a dead proxy, no /vsicurl/), no directory
#: listing.
_GDAL_CONFIG = {
    "GDAL_HTTP_PROXY": "127.0.0.1:9",
    "GDAL_HTTP_TIMEOUT": "1",
    "CPL_VSIL_CURL_ALLOWED_EXTENSIONS": ".gltd-aucun-acces-reseau",
    "CPL_VSIL_CURL_ALLOWED_FILENAME": "/gltd-aucun-acces-reseau",
    "GDAL_HTTP_MAX_RETRY": "0",
    "GDAL_DISABLE_READDIR_ON_OPEN": "TRUE",
    "GDAL_VRT_ENABLE_PYTHON": "NO",
    "OGR_SQLITE_ALLOW_VIRTUAL_OGR": "NO",
}
_FORMATS = "attendu : GeoJSON, GeoPackage (.gpkg), Shapefile (.shp) ou Shapefile zippé (.zip)"


def _database_files(url: str | None) -> list[Path]:
    if not url:
        return []
    try:
        u = make_url(url)
    except Exception:  # noqa: BLE001 - not a URL: nothing to protect
        return []
    if u.get_backend_name() != "sqlite" or not u.database or u.database == ":memory:":
        return []
    base = Path(u.database)
    return [base] + [base.with_name(base.name + s) for s in ("-wal", "-shm", "-journal")]


def check_path(path: Path, database: str | None = None) -> None:
    """Refuse GDAL paths (``/vsi…``) and gltd's own database files, before any read.

    Parameters
    ----------
    path : Path
        The file to import.
    database : str, optional
        URL of the database the import writes to; the configured ``GLTD_DB_URL`` is
        always protected too.
    """
    if str(path).replace("\\", "/").startswith("/vsi"):
        raise InputError(
            "chemin refusé : les chemins virtuels de GDAL (/vsi…) ne sont pas acceptés, "
            "indiquez un fichier ordinaire",
            file=path.name,
        )
    for db in _database_files(database) + _database_files(get_settings().db_url):
        try:
            same = db.exists() and os.path.samefile(path, db)
        except OSError:
            same = False
        if same:
            raise InputError(
                "fichier refusé : c'est la base de données de gltd elle-même, pas un "
                "fichier à importer",
                file=path.name,
            )


def _configure_gdal() -> None:
    import pyogrio

    pyogrio.set_gdal_config_options(_GDAL_CONFIG)


def _sniff_geojson(p: Path) -> None:
    limits.check_size(p.stat().st_size, p.name, "GeoJSON")
    with p.open("rb") as fh:
        head = fh.read(1 << 20)
    body = head[3:] if head.startswith(b"\xef\xbb\xbf") else head
    if not body.lstrip().startswith(b"{") or not _GEOJSON_TYPE.search(body):
        start = body.lstrip()[:1]
        what = "du XML (un VRT de GDAL ?)" if start == b"<" else "pas un objet GeoJSON"
        raise InputError(
            f"le contenu ne correspond pas à l'extension {p.suffix.lower()} : {what}. "
            'Attendu un GeoJSON : un objet JSON de « "type": "FeatureCollection" » ou '
            "« Feature »",
            file=p.name,
        )
    if len(head) < (1 << 20):
        try:
            json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise InputError(f"GeoJSON illisible : JSON invalide ({exc})", file=p.name) from None
    with p.open("rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as whole:
        if _ESCAPED_LETTER.search(whole):
            raise InputError(
                "GeoJSON refusé : lettres écrites en séquences d'échappement (\\u0041…) ; "
                "réenregistrez le fichier depuis votre logiciel SIG",
                file=p.name,
            )
        if _CRS_LINK.search(whole):
            raise InputError(
                "GeoJSON refusé : système de coordonnées désigné par un lien (« crs » de "
                "type link), que gltd ne télécharge pas ; enregistrez le fichier en WGS84 "
                "(RFC 7946) ou avec un SCR nommé (EPSG:2154)",
                file=p.name,
            )


def _sniff_gpkg(p: Path, name: str) -> None:
    with p.open("rb") as fh:
        head = fh.read(100)
    if not head.startswith(b"SQLite format 3\x00") or head[68:72] not in _GPKG_IDS:
        raise InputError(
            "le contenu ne correspond pas à l'extension .gpkg : attendu un GeoPackage "
            "(base SQLite d'identifiant GPKG)",
            file=name,
        )
    try:
        conn = sqlite3.connect(f"{p.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
        try:
            conn.execute("PRAGMA trusted_schema = OFF")
            virtual = [
                n
                for n, sql in conn.execute(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'table' "
                    "AND sql LIKE 'CREATE VIRTUAL TABLE%'"
                )
                if not re.search(r"\bUSING\s+rtree\s*\(", sql or "", re.I)
            ]
            conn.execute("SELECT table_name FROM gpkg_contents LIMIT 1").fetchall()
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise InputError(f"GeoPackage illisible ({exc})", file=name) from None
    if virtual:
        raise InputError(
            f"GeoPackage refusé : table virtuelle « {virtual[0][:60]} » (seules les tables "
            "ordinaires et les index spatiaux sont acceptés)",
            file=name,
        )


def _sniff_shp(p: Path, name: str) -> None:
    with p.open("rb") as fh:
        head = fh.read(100)
    if len(head) < 100 or int.from_bytes(head[:4], "big") != 9994:
        raise InputError(
            "le contenu ne correspond pas à l'extension .shp : attendu un Shapefile (en-tête "
            "de code 9994)",
            file=name,
        )


def _unzip_shapefile(p: Path, folder: Path) -> Path:
    infos = limits.check_zip(
        p,
        lambda base: base.endswith(SHAPEFILE_PARTS),
        expect=" (attendu : les fichiers d'un Shapefile, .shp, .shx, .dbf, .prj…)",
    )
    shps = [i for i in infos if i.filename.lower().endswith(".shp")]
    if len(shps) != 1:
        raise InputError(
            f"archive zip : {len(shps)} fichier(s) .shp trouvé(s), un seul attendu (une "
            "couche Shapefile par archive)",
            file=p.name,
        )
    budget = limits.max_bytes()
    names: set[str] = set()
    for info in infos:
        base = PurePosixPath(info.filename.replace("\\", "/")).name
        if base.lower() in names:
            raise InputError(f"archive zip : « {base} » en double", file=p.name)
        names.add(base.lower())
        budget = limits.extract_member(p, info, folder / base, budget)
    return folder / PurePosixPath(shps[0].filename.replace("\\", "/")).name


@contextmanager
def _target(p: Path) -> Iterator[tuple[str, str]]:
    """The GDAL name to open (driver forced where GDAL allows it) and the driver."""
    suffix = p.suffix.lower()
    if suffix in (".geojson", ".json"):
        _sniff_geojson(p)
        yield f"GeoJSON:{p.resolve()}", "GeoJSON"
        return
    if suffix == ".shp":
        _sniff_shp(p, p.name)
        yield str(p.resolve()), "ESRI Shapefile"
        return
    if suffix not in (".gpkg", ".zip"):
        raise InputError(f"format géographique non reconnu ({_FORMATS})", file=p.name)
    with tempfile.TemporaryDirectory(prefix="gltd-import-") as tmp:
        folder = Path(tmp)
        if suffix == ".gpkg":
            limits.check_size(p.stat().st_size, p.name, "GeoPackage")
            copy = folder / "couche.gpkg"
            shutil.copyfile(p, copy)
            copy.chmod(0o400)
            _sniff_gpkg(copy, p.name)
            yield f"GPKG:{copy}", "GPKG"
        else:
            shp = _unzip_shapefile(p, folder)
            _sniff_shp(shp, p.name)
            yield str(shp), "ESRI Shapefile"


def read_geo_frame(path: str | Path, *, database: str | None = None) -> Any:
    """Read the first layer of a GeoJSON, GeoPackage or (zipped) Shapefile safely.

    Parameters
    ----------
    path : str or Path
        The file.
    database : str, optional
        URL of the database the import writes to (refused as input, see
        :func:`check_path`).

    Returns
    -------
    geopandas.GeoDataFrame

    Raises
    ------
    InputError
        A path or content refused (module docstring), a layer of more than
        :func:`gltd.ingest.limits.max_cells` cells, a layer without geometry, or a file
        GDAL cannot read.
    """
    import pyogrio

    p = Path(path)
    check_path(p, database)
    if not p.is_file():
        raise InputError("fichier introuvable", file=str(p))
    _configure_gdal()
    with _target(p) as (target, driver):
        try:
            info = pyogrio.read_info(target)
        except Exception as exc:  # noqa: BLE001 - GDAL errors
            raise _unreadable(exc, target, p) from None
        if info.get("driver") != driver:
            raise InputError(
                f"le contenu ne correspond pas à l'extension {p.suffix.lower()} ({_FORMATS})",
                file=p.name,
            )
        limits.check_cells(max(int(info.get("features") or 0), 0), len(info["fields"]) + 1, p.name)
        if not info.get("geometry_type"):
            raise InputError(
                "couche sans géométrie (table attributaire seule) : attendu des objets "
                "géographiques (points, polygones) ; pour un tableau avec des colonnes "
                "lon/lat ou WKT, exportez-le en CSV ou en Excel",
                file=p.name,
            )
        try:
            return pyogrio.read_dataframe(target)
        except Exception as exc:  # noqa: BLE001 - GDAL errors
            raise _unreadable(exc, target, p) from None


def _unreadable(exc: Exception, target: str, p: Path) -> InputError:
    where = target.split(":", 1)[1] if target.startswith(("GeoJSON:", "GPKG:")) else target
    detail = str(exc).replace(where, p.name)[:200]
    return InputError(f"fichier géographique illisible ({detail}) : {_FORMATS}", file=p.name)
