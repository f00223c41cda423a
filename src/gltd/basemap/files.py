"""Open a basemap file, read-only: raster MBTiles (SQLite) or PMTiles (raster or vector).

An MBTiles is what QGIS writes with « Générer des tuiles XYZ (MBTiles) »: a SQLite file
with a ``metadata`` table (``name``, ``format``, ``bounds``, ``minzoom``, ``maxzoom``,
``attribution``…) and a ``tiles`` table (or view) whose rows are numbered the TMS way
(row 0 at the south): :meth:`Basemap.tile` takes XYZ numbers (row 0 at the north) and
flips them. It is opened through a ``mode=ro`` SQLite URI, after checking that it is not
gltd's own database (opening, then closing, the live SQLite file inside the server
process would release its locks). A PMTiles (version 3) is read with the ``pmtiles``
package over a read-only memory map.

Every problem a user can cause is an :class:`~gltd.errors.InputError` in French naming
the file: not an MBTiles / PMTiles, no tiles, a vector MBTiles, unreadable metadata.
"""

from __future__ import annotations

import gzip
import hashlib
import math
import mmap
import sqlite3
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from gltd.errors import InputError
from gltd.ingest.geofiles import check_path

__all__ = ["Basemap", "open_basemap", "SUFFIXES", "RASTER_FORMATS", "CONTENT_TYPES"]

SUFFIXES = (".mbtiles", ".pmtiles")
RASTER_FORMATS = ("png", "jpg", "webp")
CONTENT_TYPES = {
    "png": "image/png",
    "jpg": "image/jpeg",
    "webp": "image/webp",
    "pbf": "application/vnd.mapbox-vector-tile",
}
_SQLITE_MAGIC = b"SQLite format 3\x00"
_PMTILES_MAGIC = b"PMTiles"
_FORMAT_ALIASES = {"png": "png", "jpg": "jpg", "jpeg": "jpg", "webp": "webp", "pbf": "pbf"}
#: Web Mercator latitude limit.
_MAX_LAT = 85.05112878


@dataclass
class Basemap:
    """An open basemap file. ``tile(z, x, y)`` (XYZ numbering) gives a tile's bytes or None.

    ``format`` is ``png``, ``jpg``, ``webp`` (raster) or ``pbf`` (vector tiles);
    ``bounds`` is (west, south, east, north) in degrees; ``encoding`` is ``gzip`` when the
    stored tiles are gzip-compressed (vector tiles), for the ``Content-Encoding`` header.
    """

    path: Path
    kind: str  # "mbtiles" or "pmtiles"
    format: str
    name: str
    attribution: str
    minzoom: int
    maxzoom: int
    bounds: tuple[float, float, float, float]
    n_tiles: int
    encoding: str | None = None
    #: A short fingerprint of the file (name, size, modification time), for tile URLs.
    key: str = ""
    _reader: Any = field(default=None, repr=False)

    @property
    def raster(self) -> bool:
        return self.format in RASTER_FORMATS

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.format]

    def tile(self, z: int, x: int, y: int) -> bytes | None:
        """The stored bytes of tile ``z/x/y`` (XYZ, row 0 at the north), or None."""
        if not (0 <= z <= 30 and 0 <= x < (1 << z) and 0 <= y < (1 << z)):
            return None
        if z < self.minzoom or z > self.maxzoom:
            return None
        data: bytes | None = self._reader(z, x, y)
        return data

    def describe(self) -> dict[str, Any]:
        """What ``gltd basemap status`` and the web map are told (JSON-ready)."""
        return {
            "file": self.path.name,
            "kind": self.kind,
            "format": self.format,
            "raster": self.raster,
            "name": self.name,
            "attribution": self.attribution,
            "minzoom": self.minzoom,
            "maxzoom": self.maxzoom,
            "bounds": list(self.bounds),
            "tiles": self.n_tiles,
            "key": self.key,
        }


def _fingerprint(path: Path) -> str:
    st = path.stat()
    raw = f"{path.resolve()}|{st.st_size}|{st.st_mtime_ns}".encode()
    return hashlib.blake2b(raw, digest_size=6).hexdigest()


def open_basemap(path: str | Path, *, database: str | None = None) -> Basemap:
    """Open and check a basemap file (``.mbtiles`` or ``.pmtiles``), read-only.

    Parameters
    ----------
    path : str or Path
        The file.
    database : str, optional
        URL of gltd's database, refused as a basemap (``GLTD_DB_URL`` always is).

    Raises
    ------
    InputError
        Missing file, gltd's own database, a file that is neither an MBTiles nor a
        PMTiles, a vector MBTiles, no tiles, unreadable metadata.
    """
    p = Path(path)
    if not p.is_file():
        raise InputError("fond de carte introuvable (attendu un fichier .mbtiles ou .pmtiles)",
                         file=str(p))  # fmt: skip
    check_path(p, database)
    with p.open("rb") as fh:
        head = fh.read(16)
    suffix = p.suffix.lower()
    if head.startswith(_SQLITE_MAGIC):
        if suffix != ".mbtiles":
            raise InputError(_wrong_suffix(suffix, "un fichier SQLite (MBTiles ?)"), file=p.name)
        return _open_mbtiles(p)
    if head.startswith(_PMTILES_MAGIC):
        if suffix != ".pmtiles":
            raise InputError(_wrong_suffix(suffix, "un PMTiles"), file=p.name)
        return _open_pmtiles(p)
    what = {".mbtiles": "ce n'est pas un MBTiles (fichier SQLite attendu)",
            ".pmtiles": "ce n'est pas un PMTiles (en-tête « PMTiles » absent)"}  # fmt: skip
    raise InputError(
        what.get(
            suffix,
            "format de fond de carte non reconnu : attendu un fichier .mbtiles "
            "(tuiles raster, p. ex. généré par QGIS) ou .pmtiles",
        ),  # fmt: skip
        file=p.name,
    )


def _wrong_suffix(suffix: str, found: str) -> str:
    return (
        f"le contenu ne correspond pas à l'extension « {suffix or '(aucune)'} » : c'est "
        f"{found} ; renommez le fichier avec la bonne extension (.mbtiles ou .pmtiles)"
    )


# --- MBTiles ----------------------------------------------------------------------------


class _MBTilesReader:
    """One read-only SQLite connection per thread (the web server reads from many)."""

    def __init__(self, path: Path) -> None:
        self.uri = f"file:{quote(str(path.resolve()))}?mode=ro"
        self.local = threading.local()

    def connect(self) -> sqlite3.Connection:
        con: sqlite3.Connection | None = getattr(self.local, "con", None)
        if con is None:
            con = sqlite3.connect(self.uri, uri=True, check_same_thread=False)
            con.execute("PRAGMA query_only = ON")
            self.local.con = con
        return con

    def __call__(self, z: int, x: int, y: int) -> bytes | None:
        row = (
            self.connect()
            .execute(
                "SELECT tile_data FROM tiles WHERE zoom_level = ? AND tile_column = ? "
                "AND tile_row = ?",
                (z, x, (1 << z) - 1 - y),
            )
            .fetchone()
        )
        return bytes(row[0]) if row and row[0] is not None else None


def _open_mbtiles(p: Path) -> Basemap:
    reader = _MBTilesReader(p)
    try:
        con = reader.connect()
        names = {
            r[0]
            for r in con.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")
        }
        if "tiles" not in names or "metadata" not in names:
            raise InputError(
                "ce n'est pas un MBTiles : tables « metadata » et « tiles » absentes "
                "(fichier SQLite d'une autre application ?)",
                file=p.name,
            )
        meta = {str(k): str(v) for k, v in con.execute("SELECT name, value FROM metadata")}
        stats = con.execute(
            "SELECT count(*), min(zoom_level), max(zoom_level) FROM tiles"
        ).fetchone()
        sample = con.execute("SELECT tile_data FROM tiles LIMIT 1").fetchone()
    except sqlite3.DatabaseError as exc:
        raise InputError(f"MBTiles illisible ({exc})", file=p.name) from None
    n, zmin, zmax = int(stats[0] or 0), stats[1], stats[2]
    if n == 0:
        raise InputError("le MBTiles ne contient aucune tuile", file=p.name)
    fmt = _FORMAT_ALIASES.get(meta.get("format", "").strip().lower())
    if fmt is None:
        fmt = _sniff(bytes(sample[0]) if sample and sample[0] is not None else b"")
    if fmt is None:
        raise InputError(
            f"format de tuiles « {meta.get('format', '')} » non pris en charge (attendu png, "
            "jpg ou webp)",
            file=p.name,
        )
    if fmt == "pbf":
        raise InputError(
            "MBTiles vectoriel non pris en charge : gltd lit les MBTiles raster (png, jpg, "
            "webp) ; convertissez-le en PMTiles (« pmtiles convert fond.mbtiles "
            "fond.pmtiles ») ou générez des tuiles raster dans QGIS",
            file=p.name,
        )
    minzoom = _int_meta(meta, "minzoom", int(zmin), p)
    maxzoom = _int_meta(meta, "maxzoom", int(zmax), p)
    return Basemap(
        path=p,
        kind="mbtiles",
        format=fmt,
        name=meta.get("name") or p.stem,
        attribution=meta.get("attribution", "").strip(),
        minzoom=minzoom,
        maxzoom=maxzoom,
        bounds=_bounds(meta.get("bounds"), p),
        n_tiles=n,
        key=_fingerprint(p),
        _reader=reader,
    )


def _int_meta(meta: dict[str, str], key: str, default: int, p: Path) -> int:
    raw = meta.get(key, "").strip()
    if not raw:
        return default
    try:
        v = int(float(raw))
    except ValueError:
        raise InputError(f"métadonnée « {key} » illisible : « {raw} »", file=p.name) from None
    if not 0 <= v <= 30:
        raise InputError(f"métadonnée « {key} » hors de 0 à 30 : {v}", file=p.name)
    return v


def _bounds(raw: str | None, p: Path) -> tuple[float, float, float, float]:
    if not raw or not raw.strip():
        return (-180.0, -_MAX_LAT, 180.0, _MAX_LAT)
    try:
        w, s, e, n = (float(v) for v in raw.split(","))
    except ValueError:
        raise InputError(
            f"métadonnée « bounds » illisible : « {raw} » (attendu ouest,sud,est,nord en degrés)",
            file=p.name,
        ) from None
    if not (-180 <= w < e <= 180 and -90 <= s < n <= 90):
        raise InputError(
            f"métadonnée « bounds » incohérente : « {raw} » (attendu ouest,sud,est,nord en "
            "degrés, WGS84)",
            file=p.name,
        )
    return (w, s, e, n)


def _sniff(data: bytes) -> str | None:
    if data.startswith(b"\x89PNG"):
        return "png"
    if data.startswith(b"\xff\xd8"):
        return "jpg"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    if data.startswith(b"\x1f\x8b") or data[:1] == b"\x1a":
        return "pbf"
    return None


# --- PMTiles ----------------------------------------------------------------------------


class _PMTilesReader:
    def __init__(self, p: Path) -> None:
        from pmtiles.reader import Reader

        with p.open("rb") as fh:
            self.map = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
        self.reader = Reader(self.get_bytes)

    def get_bytes(self, offset: int, length: int) -> bytes:
        return self.map[offset : offset + length]

    def __call__(self, z: int, x: int, y: int) -> bytes | None:
        data = self.reader.get(z, x, y)
        return bytes(data) if data else None


def _open_pmtiles(p: Path) -> Basemap:
    from pmtiles.tile import Compression, TileType

    try:
        reader = _PMTilesReader(p)
        header = reader.reader.header()
        meta = reader.reader.metadata() if header["metadata_length"] else {}
    except (ValueError, OSError, gzip.BadGzipFile) as exc:
        raise InputError(f"PMTiles illisible ({type(exc).__name__})", file=p.name) from None
    except Exception as exc:  # noqa: BLE001 - the pmtiles package raises its own types
        name = type(exc).__name__
        why = "version non prise en charge (attendu PMTiles v3)" if "Spec" in name else name
        raise InputError(f"PMTiles illisible : {why}", file=p.name) from None
    types = {TileType.MVT: "pbf", TileType.PNG: "png", TileType.JPEG: "jpg", TileType.WEBP: "webp"}
    fmt = types.get(header["tile_type"])
    if fmt is None:
        raise InputError(
            f"type de tuiles PMTiles non pris en charge ({header['tile_type'].name}) : attendu "
            "des tuiles vectorielles (MVT) ou png, jpg, webp",
            file=p.name,
        )
    if int(header["addressed_tiles_count"]) == 0:
        raise InputError("le PMTiles ne contient aucune tuile", file=p.name)
    encoding = {Compression.GZIP: "gzip", Compression.BROTLI: "br", Compression.ZSTD: "zstd"}
    enc = encoding.get(header["tile_compression"])
    if enc not in (None, "gzip"):
        raise InputError(
            f"compression des tuiles « {enc} » non prise en charge (attendu gzip ou aucune) ; "
            "réécrivez le fichier avec « pmtiles extract » ou « pmtiles convert »",
            file=p.name,
        )
    bounds = (
        header["min_lon_e7"] / 1e7,
        header["min_lat_e7"] / 1e7,
        header["max_lon_e7"] / 1e7,
        header["max_lat_e7"] / 1e7,
    )
    if not (bounds[0] < bounds[2] and bounds[1] < bounds[3]) or any(
        not math.isfinite(v) for v in bounds
    ):
        raise InputError(f"emprise du PMTiles incohérente : {bounds}", file=p.name)
    meta = meta if isinstance(meta, dict) else {}
    return Basemap(
        path=p,
        kind="pmtiles",
        format=fmt,
        name=str(meta.get("name") or p.stem),
        attribution=str(meta.get("attribution") or "").strip(),
        minzoom=int(header["min_zoom"]),
        maxzoom=int(header["max_zoom"]),
        bounds=bounds,
        n_tiles=int(header["addressed_tiles_count"]),
        encoding=enc,
        key=_fingerprint(p),
        _reader=reader,
    )
