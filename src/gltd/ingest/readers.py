"""Read the files agencies export: CSV, XLSX, GeoJSON, GeoPackage, Shapefile, Parquet.

Every reader returns a :class:`RawTable`: the attribute columns as raw strings (nothing
is interpreted yet, so validation can name the exact value it refused), the file line
or feature number of each row, and for geographic files the geometries with their CRS.

CSV files are decoded as UTF-8 (with or without BOM), else CP1252 (Windows, what French
police and city software often write), else Latin-1; a file mixing UTF-8 and CP1252
lines is refused with the first offending line. The delimiter (``;``, ``,`` or tab) is
sniffed from the header line.

Before any reader sees a file, its size, decompressed size and cell count are bounded
(:mod:`gltd.ingest.limits`), and geographic files are opened only by the driver their
extension announces, after their content was checked (:mod:`gltd.ingest.geofiles`).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from gltd.errors import InputError
from gltd.ingest import limits
from gltd.ingest.geofiles import GEO_SUFFIXES, check_path, read_geo_frame

__all__ = ["RawTable", "read_table", "decode_text", "sniff_delimiter", "MAX_LINE_CHARS"]

#: Longest accepted line of a text file (a longer one is almost always a broken export:
#: a missing line break or an unclosed quote).
MAX_LINE_CHARS = 100_000
DELIMITERS = (";", ",", "\t")
TEXT_SUFFIXES = (".csv", ".txt", ".tsv", ".gz")


@dataclass
class RawTable:
    """A file read as raw strings, before mapping and validation."""

    path: Path
    frame: pd.DataFrame
    #: Line number in the file (CSV: header is line 1) or feature/row number, per row.
    row_numbers: np.ndarray
    fmt: str
    encoding: str | None = None
    delimiter: str | None = None
    #: Shapely geometries (geographic files only) and their CRS.
    geometry: Any = None
    crs: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        """File name for messages."""
        return self.path.name

    def __len__(self) -> int:
        return len(self.frame)


def read_table(
    path: str | Path, *, sheet: str | int | None = None, database: str | None = None
) -> RawTable:
    """Read any supported file as raw strings (see module docstring).

    ``database`` is the URL of the database the import writes to: that file (like the
    configured ``GLTD_DB_URL``) is refused as input.
    """
    p = Path(path)
    check_path(p, database)
    if not p.exists():
        raise InputError("fichier introuvable", file=str(p))
    if p.is_dir():
        raise InputError("c'est un dossier, pas un fichier", file=str(p))
    if p.stat().st_size == 0:
        raise InputError("fichier vide (0 octet) : aucune ligne à importer", file=p.name)
    limits.check_size(p.stat().st_size, p.name, "fichier")
    suffix = "".join(p.suffixes[-2:]).lower() if p.suffix.lower() == ".gz" else p.suffix.lower()
    if suffix in (".xlsx", ".xlsm", ".xls"):
        return _read_excel(p, sheet)
    if suffix in (".parquet", ".pq"):
        return _read_parquet(p)
    if p.suffix.lower() in GEO_SUFFIXES:
        return _read_geo(p)
    return _read_csv(p)


# --------------------------------------------------------------------------- text / CSV


def _looks_binary(head: bytes) -> bool:
    if b"\x00" in head:
        return True
    if head.startswith((b"PK\x03\x04", b"%PDF", b"\x89PNG", b"SQLite format", b"\xd0\xcf\x11\xe0")):
        return True
    ctrl = sum(1 for b in head if b < 9 or 13 < b < 32)
    return ctrl > max(2, len(head) // 100)


_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xf4][\x80-\xbf]+")


def decode_text(data: bytes, name: str) -> tuple[str, str]:
    """Decode bytes as UTF-8 (BOM or not), else CP1252, else Latin-1; refuse mixtures.

    Returns
    -------
    text, encoding
    """
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            raise _mixed(data, exc.start, name) from None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        # Valid UTF-8 accented characters before the bad byte: the file mixes encodings.
        if _UTF8_MULTIBYTE.search(data[: exc.start]) or _has_valid_utf8_after(data, exc.end):
            raise _mixed(data, exc.start, name) from None
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


def _has_valid_utf8_after(data: bytes, start: int) -> bool:
    for m in _UTF8_MULTIBYTE.finditer(data, start):
        try:
            m.group(0).decode("utf-8")
        except UnicodeDecodeError:
            continue
        return True
    return False


def _mixed(data: bytes, pos: int, name: str) -> InputError:
    line = data.count(b"\n", 0, pos) + 1
    return InputError(
        "encodages mélangés : le fichier contient à la fois de l'UTF-8 et un autre encodage "
        f"(Windows-1252/Latin-1) ; premier caractère illisible ligne {line}. Réenregistrez "
        "le fichier entier dans un seul encodage (UTF-8 de préférence)",
        file=name,
        row=line,
    )


def sniff_delimiter(header: str, name: str) -> str:
    """The delimiter of a CSV from its header line: the most frequent of ``;``, ``,``, tab."""
    counts = {d: _count_outside_quotes(header, d) for d in DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    if counts[best] == 0:
        raise InputError(
            "séparateur de colonnes non reconnu : la ligne d'en-tête ne contient ni « ; » "
            "ni « , » ni tabulation (une seule colonne lue : "
            f"« {header[:80]} »). Attendu : un CSV séparé par « ; » ou « , »",
            file=name,
            row=1,
        )
    return best


def _count_outside_quotes(line: str, delim: str) -> int:
    n, quoted = 0, False
    for ch in line:
        if ch == '"':
            quoted = not quoted
        elif ch == delim and not quoted:
            n += 1
    return n


def _check_line_lengths(data: bytes, name: str) -> None:
    arr = np.frombuffer(data, dtype=np.uint8)
    breaks = np.flatnonzero(arr == 10)
    edges = np.concatenate(([-1], breaks, [len(arr)]))
    lengths = np.diff(edges) - 1
    if len(lengths) and lengths.max() > MAX_LINE_CHARS * 4:
        i = int(lengths.argmax())
        raise InputError(
            f"ligne trop longue ({int(lengths[i]):,} octets ; au plus {MAX_LINE_CHARS:,} "
            "caractères attendus) : saut de ligne manquant ou guillemet non fermé ?".replace(
                ",", " "
            ),
            file=name,
            row=i + 1,
        )


def _read_csv(p: Path) -> RawTable:
    raw = limits.read_gzip(p) if p.suffix.lower() == ".gz" else p.read_bytes()
    if not raw.strip():
        raise InputError("fichier vide : aucune ligne à importer", file=p.name)
    if _looks_binary(raw[:8192]):
        raise InputError(
            "fichier binaire, pas un texte CSV (attendu : CSV, XLSX, GeoJSON, GeoPackage, "
            "Shapefile ou Parquet, reconnus à leur extension)",
            file=p.name,
        )
    _check_line_lengths(raw, p.name)
    text, encoding = decode_text(raw, p.name)
    lines = text.split("\n")
    header = next((ln for ln in lines if ln.strip()), "")
    if len(header) > MAX_LINE_CHARS:
        raise InputError("ligne d'en-tête trop longue", file=p.name, row=1)
    delim = sniff_delimiter(header, p.name)
    limits.check_cells(
        sum(1 for ln in lines if ln.strip()), _count_outside_quotes(header, delim) + 1, p.name
    )
    long = next((i for i, ln in enumerate(lines) if len(ln) > MAX_LINE_CHARS), None)
    if long is not None:
        raise InputError(
            f"ligne trop longue ({len(lines[long])} caractères ; au plus {MAX_LINE_CHARS} "
            "attendus) : saut de ligne manquant ou guillemet non fermé ?",
            file=p.name,
            row=long + 1,
        )
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=delim,
            header=None,
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            skipinitialspace=False,
            engine="c",
            skip_blank_lines=True,
        )
    except pd.errors.EmptyDataError:
        raise InputError("fichier vide : aucune ligne à importer", file=p.name) from None
    except pd.errors.ParserError as exc:
        m = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(exc))
        if m:
            raise InputError(
                f"{m.group(3)} champs au lieu de {m.group(1)} (séparateur « {delim} » "
                "lu dans l'en-tête) : séparateur différent sur cette ligne, ou champ "
                "contenant le séparateur sans guillemets",
                file=p.name,
                row=int(m.group(2)),
            ) from None
        raise InputError(f"CSV illisible : {exc}", file=p.name) from None
    header_cells = [str(c).strip() for c in frame.iloc[0]] if len(frame) else []
    frame = frame.iloc[1:].reset_index(drop=True)
    frame.columns = header_cells
    _check_header(frame, p.name)
    if frame.empty:
        raise InputError("fichier sans aucune ligne de données (en-tête seul)", file=p.name)
    frame = frame.fillna("")
    # Blank lines are skipped by the parser, so line numbers follow the non-blank lines.
    nonblank = [i + 1 for i, ln in enumerate(lines) if ln.strip()]
    if len(nonblank) == len(frame) + 1:
        rows = np.asarray(nonblank[1:], dtype="int64")
    else:  # quoted fields spanning several lines: fall back to record numbers
        rows = np.arange(2, len(frame) + 2, dtype="int64")
    return RawTable(p, frame, rows, "csv", encoding=encoding, delimiter=delim)


def _check_header(frame: pd.DataFrame, name: str) -> None:
    cols = list(frame.columns)
    dup = sorted({c for c in cols if c and cols.count(c) > 1})
    if dup:
        raise InputError(f"colonnes en double dans l'en-tête : {', '.join(dup)}", file=name, row=1)
    if all(c == "" for c in cols):
        raise InputError("en-tête sans noms de colonnes", file=name, row=1)


# --------------------------------------------------------------------------- other formats


def _as_strings(df: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame(index=df.index)
    for c in df.columns:
        col = df[c]
        if pd.api.types.is_datetime64_any_dtype(col):
            s = col.astype("string")
        elif pd.api.types.is_float_dtype(col):
            s = col.map(lambda v: "" if pd.isna(v) else repr(float(v)))
        else:
            s = col.map(lambda v: "" if v is None or (not isinstance(v, str) and pd.isna(v)) else v)
            s = s.astype("string")
        out[str(c).strip()] = s.fillna("").astype(object)
    return out


def _read_excel(p: Path, sheet: str | int | None) -> RawTable:
    limits.check_xlsx(p, sheet)
    try:
        df = pd.read_excel(p, sheet_name=0 if sheet is None else sheet, dtype=object)
    except ValueError as exc:
        raise InputError(f"classeur illisible : {exc}", file=p.name) from None
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds on corrupt files
        raise InputError(
            f"fichier Excel illisible ({type(exc).__name__}) : attendu un classeur .xlsx valide",
            file=p.name,
        ) from None
    df = df.dropna(how="all")
    if df.empty:
        raise InputError("feuille sans aucune ligne de données", file=p.name)
    rows = (df.index.to_numpy(dtype="int64") + 2).astype("int64")
    df = df.reset_index(drop=True)
    return RawTable(p, _as_strings(df), rows, "xlsx")


def _read_parquet(p: Path) -> RawTable:
    limits.check_parquet(p)
    try:
        df = pd.read_parquet(p)
    except Exception as exc:  # noqa: BLE001 - pyarrow raises many kinds on corrupt files
        raise InputError(
            f"fichier Parquet illisible ({type(exc).__name__}) : attendu un fichier .parquet "
            "valide",
            file=p.name,
        ) from None
    if df.empty:
        raise InputError("fichier sans aucune ligne de données", file=p.name)
    geometry = None
    crs = None
    if "geometry" in df.columns:
        try:
            import geopandas as gpd

            gdf = gpd.read_parquet(p)
            geometry = np.asarray(gdf.geometry.values, dtype=object)
            crs = gdf.crs.to_string() if gdf.crs is not None else None
            df = pd.DataFrame(gdf.drop(columns=gdf.geometry.name))
        except Exception:  # noqa: BLE001 - plain parquet with a WKB column
            import shapely

            geometry = shapely.from_wkb(df.pop("geometry").to_numpy())
    df = df.reset_index(drop=True)
    rows = np.arange(1, len(df) + 1, dtype="int64")
    return RawTable(p, _as_strings(df), rows, "parquet", geometry=geometry, crs=crs)


def _read_geo(p: Path) -> RawTable:
    gdf = read_geo_frame(p)
    if gdf.empty:
        raise InputError("couche sans aucun objet", file=p.name)
    crs = gdf.crs.to_string() if gdf.crs is not None else None
    geometry = np.asarray(gdf.geometry.values, dtype=object)
    df = pd.DataFrame(gdf.drop(columns=gdf.geometry.name)).reset_index(drop=True)
    rows = np.arange(1, len(df) + 1, dtype="int64")
    fmt = p.suffix.lower().lstrip(".")
    return RawTable(p, _as_strings(df), rows, fmt, geometry=geometry, crs=crs)
