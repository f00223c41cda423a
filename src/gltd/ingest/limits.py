"""Bounds on what an import may unpack, checked before anything is read.

A compressed file can inflate to far more than it weighs: a 5 Mo ``.csv.gz`` of zeros
becomes 2 Go, a 1.5 ko ``.xlsx`` can place a cell at XFD1048576 and make the reader build
a 16 384 × 1 048 576 table. Every reader (command line and web alike) goes through these
checks first and refuses with the figures, in seconds and without filling the memory:

* decompressed size: at most ``GLTD_IMPORT_MAX_MB`` (200 Mo by default) for a ``.gz``,
  the members of a ``.zip`` or ``.xlsx`` (declared sizes, and actual bytes while
  extracting), the uncompressed columns of a Parquet file, a GeoJSON or GeoPackage;
* cells: at most ``GLTD_IMPORT_MAX_CELLS`` (5 000 000 by default) rows × columns, counted
  from the sheet's own cells (``.xlsx``), the lines and header (CSV), the metadata
  (Parquet) or the layer's feature and field counts (geographic files);
* zip members: no absolute path, no ``..``, no symbolic link, no encryption; in an
  ``.xlsx``, no part of over 10 Mo inflating more than 100 times (real workbooks stay
  under 20: a higher ratio is a bomb, e.g. millions of repeated shared strings).
"""

from __future__ import annotations

import gzip
import stat
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from xml.etree.ElementTree import iterparse

from gltd.config import get_settings
from gltd.errors import InputError

__all__ = [
    "max_bytes",
    "max_cells",
    "check_size",
    "check_cells",
    "read_gzip",
    "check_zip",
    "extract_member",
    "check_xlsx",
    "check_parquet",
]

_CHUNK = 1 << 20
#: An .xlsx part larger than this (bytes) may not inflate more than XLSX_MAX_RATIO times.
XLSX_RATIO_MIN_BYTES = 10 * 1024 * 1024
XLSX_MAX_RATIO = 100


def max_bytes() -> int:
    """Largest decompressed size accepted, in bytes (``GLTD_IMPORT_MAX_MB``)."""
    return get_settings().import_max_mb * 1024 * 1024


def max_cells() -> int:
    """Largest number of cells (rows × columns) accepted (``GLTD_IMPORT_MAX_CELLS``)."""
    return get_settings().import_max_cells


def _n(value: int) -> str:
    return f"{value:,}".replace(",", " ")


def _mo(value: int) -> str:
    return f"{value / 1048576:,.0f}".replace(",", " ")


def check_size(n_bytes: int, name: str, what: str = "contenu décompressé") -> None:
    """Refuse more than :func:`max_bytes` bytes of ``what``."""
    limit = max_bytes()
    if n_bytes > limit:
        raise InputError(
            f"fichier trop gros : {what} de {_mo(n_bytes)} Mo au moins, "
            f"au plus {_mo(limit)} Mo acceptés (réglage GLTD_IMPORT_MAX_MB) ; "
            "découpez le fichier ou vérifiez qu'il n'est pas corrompu",
            file=name,
        )


def check_cells(rows: int, cols: int, name: str) -> None:
    """Refuse a table of more than :func:`max_cells` cells."""
    limit = max_cells()
    if rows * cols > limit:
        raise InputError(
            f"tableau trop grand : {_n(rows)} lignes × {_n(cols)} colonnes = "
            f"{_n(rows * cols)} cellules, au plus {_n(limit)} acceptées "
            "(réglage GLTD_IMPORT_MAX_CELLS) ; découpez le fichier, ou supprimez les "
            "cellules lointaines restées remplies dans la feuille",
            file=name,
        )


def read_gzip(path: Path) -> bytes:
    """The decompressed bytes of a ``.gz`` file, refused past :func:`max_bytes`."""
    limit = max_bytes()
    out = bytearray()
    try:
        with gzip.open(path, "rb") as fh:
            while chunk := fh.read(_CHUNK):
                out += chunk
                if len(out) > limit:
                    check_size(len(out), path.name)
    except (OSError, EOFError, zlib.error) as exc:
        raise InputError(f"archive gzip illisible ({exc})", file=path.name) from None
    return bytes(out)


def _bad_member(info: zipfile.ZipInfo) -> str | None:
    name = info.filename
    parts = PurePosixPath(name.replace("\\", "/")).parts
    if name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":"):
        return "chemin absolu"
    if ".." in parts:
        return "chemin remontant hors de l'archive (« .. »)"
    if stat.S_ISLNK(info.external_attr >> 16):
        return "lien symbolique"
    if info.flag_bits & 0x1:
        return "membre chiffré"
    return None


def check_zip(
    path: Path,
    accept: Callable[[str], bool] | None = None,
    *,
    label: str = "archive zip",
    expect: str = "",
) -> list[zipfile.ZipInfo]:
    """Check a zip's member names and declared sizes; return its file members.

    Parameters
    ----------
    path : Path
        The ``.zip`` (or ``.xlsx``, which is a zip).
    accept : callable, optional
        Called with each member's lower-case base name; a member it refuses is named in
        the error.
    label : str
        What the zip is, for messages.
    expect : str
        What members are expected, for the message refusing one.

    Raises
    ------
    InputError
        Unreadable zip, a member with an absolute or ``..`` path, a link, an encrypted or
        refused member, or declared sizes over :func:`max_bytes`.
    """
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise InputError(f"{label} illisible ({exc})", file=path.name) from None
    files = []
    total = 0
    for info in infos:
        why = _bad_member(info)
        if why:
            raise InputError(
                f"{label} : membre « {info.filename[:120]} » refusé ({why})", file=path.name
            )
        if info.is_dir():
            continue
        base = PurePosixPath(info.filename.replace("\\", "/")).name.lower()
        if accept is not None and not accept(base):
            raise InputError(
                f"{label} : membre « {info.filename[:120]} » refusé{expect}",
                file=path.name,
            )
        total += info.file_size
        check_size(total, path.name, f"somme des tailles déclarées ({label})")
        files.append(info)
    return files


def extract_member(path: Path, info: zipfile.ZipInfo, dest: Path, budget: int) -> int:
    """Extract one checked member to ``dest``, counting actual bytes; return bytes left.

    ``budget`` is what is left of :func:`max_bytes` for the whole archive.
    """
    with zipfile.ZipFile(path) as zf, zf.open(info) as src, dest.open("wb") as out:
        try:
            while chunk := src.read(_CHUNK):
                budget -= len(chunk)
                if budget < 0:
                    check_size(max_bytes() - budget, path.name)
                out.write(chunk)
        except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
            raise InputError(
                f"archive corrompue : membre « {info.filename[:120]} » illisible ({exc})",
                file=path.name,
            ) from None
    return budget


# --------------------------------------------------------------------------- xlsx


def _col_index(ref: str) -> tuple[int, int]:
    col = 0
    i = 0
    while i < len(ref) and ref[i].isalpha():
        col = col * 26 + (ord(ref[i].upper()) - 64)
        i += 1
    return col, int(ref[i:]) if ref[i:].isdigit() else 0


def _sheet_part(zf: zipfile.ZipFile, sheet: str | int | None) -> tuple[str, str] | None:
    """(sheet name, zip member) of the sheet pandas will read, None when not found."""
    try:
        with zf.open("xl/workbook.xml") as fh:
            sheets = [
                (el.get("name") or "", next((v for k, v in el.items() if _local(k) == "id"), ""))
                for _, el in iterparse(fh)
                if _local(el.tag) == "sheet"
            ]
        with zf.open("xl/_rels/workbook.xml.rels") as fh:
            targets = {
                el.get("Id"): el.get("Target") or ""
                for _, el in iterparse(fh)
                if _local(el.tag) == "Relationship"
            }
    except KeyError:
        return None
    if not sheets:
        return None
    if sheet is None or isinstance(sheet, int):
        pick = sheets[sheet or 0] if (sheet or 0) < len(sheets) else None
    else:
        pick = next((s for s in sheets if s[0] == sheet), None)
    if pick is None:
        return None
    target = targets.get(pick[1], "").lstrip("/")
    member = target if target.startswith("xl/") else f"xl/{target}"
    return pick[0], member


def check_xlsx(path: Path, sheet: str | int | None) -> None:
    """Check an ``.xlsx``: zip members, then the extent of the cells holding a value.

    The sheet's XML is scanned (streamed, constant memory) for its last row and column
    with a value: that rectangle is what the reader would build, whatever the sheet's
    declared ``dimension``.
    """
    with path.open("rb") as fh:
        if fh.read(4) != b"PK\x03\x04":
            return  # not a zip (old .xls): the reader refuses it
    for info in check_zip(path, label="fichier Excel"):
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > XLSX_RATIO_MIN_BYTES and ratio > XLSX_MAX_RATIO:
            raise InputError(
                f"fichier Excel refusé : la partie « {info.filename[:80]} » se décompresse "
                f"{ratio:,.0f} fois ({_mo(info.file_size)} Mo pour "
                f"{_n(info.compress_size // 1024)} ko ; au plus {XLSX_MAX_RATIO} fois dans un "
                "classeur ordinaire) : fichier piégé ou corrompu ?".replace(",", " "),
                file=path.name,
            )
    with zipfile.ZipFile(path) as zf:
        found = _sheet_part(zf, sheet)
        if found is not None and found[1] in zf.namelist():
            members = [found[1]]
        else:  # unusual layout: bound every XML part, whichever the reader takes
            members = [n for n in zf.namelist() if n.lower().endswith(".xml")]
        for member in members:
            _sheet_extent(zf, member, path.name)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _sheet_extent(zf: zipfile.ZipFile, member: str, name: str) -> None:
    """Refuse a sheet whose last row × last column holding a value is too many cells."""
    max_row = max_col = 0
    row = col = 0
    has_value = False
    rows_parent = None
    try:
        with zf.open(member) as fh:
            for event, el in iterparse(fh, events=("start", "end")):
                tag = _local(el.tag)
                if event == "start":
                    if tag == "sheetData":
                        rows_parent = el
                    elif tag == "row":
                        r = el.get("r")
                        row = int(r) if r and r.isdigit() else row + 1
                        col = 0
                    elif tag == "c":
                        ref = el.get("r")
                        col = _col_index(ref)[0] if ref else col + 1
                        has_value = False
                    elif tag in ("v", "is"):
                        has_value = True
                    continue
                if tag == "c":
                    if has_value:
                        max_row = max(max_row, row)
                        max_col = max(max_col, col)
                    el.clear()
                elif tag == "row":
                    if rows_parent is not None:
                        rows_parent.clear()  # constant memory: rows seen are dropped
                    check_cells(max_row, max_col, name)
    except (zipfile.BadZipFile, zlib.error, EOFError, SyntaxError) as exc:
        raise InputError(
            f"fichier Excel illisible ({type(exc).__name__}) : attendu un classeur .xlsx valide",
            file=name,
        ) from None
    check_cells(max_row, max_col, name)


def check_parquet(path: Path) -> None:
    """Check a Parquet file's rows × columns and uncompressed size from its metadata."""
    import pyarrow.parquet as pq

    try:
        meta = pq.ParquetFile(path).metadata
    except Exception as exc:  # noqa: BLE001 - pyarrow raises many kinds on corrupt files
        raise InputError(
            f"fichier Parquet illisible ({type(exc).__name__}) : attendu un fichier .parquet "
            "valide",
            file=path.name,
        ) from None
    check_cells(meta.num_rows, meta.num_columns, path.name)
    size = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
    check_size(size, path.name, "données non compressées")
