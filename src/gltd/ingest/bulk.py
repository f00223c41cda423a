"""Bulk writes inside the import's one transaction.

SQLite: ``executemany`` on the raw DBAPI connection of the SQLAlchemy connection (same
transaction). PostgreSQL: ``COPY ... FROM STDIN`` through psycopg 3 (same transaction).
Both are several times faster than ORM inserts; datetimes are written as naive UTC
``YYYY-MM-DD HH:MM:SS.ffffff``, exactly what :class:`gltd.model.base.UTCDateTime` stores.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Index, Table, func, select

from gltd.ingest.pipeline import existing_refs

__all__ = ["bulk_insert", "new_records", "utc_strings", "CHUNK", "SQLITE_CACHE_KIB"]

CHUNK = 50_000
#: SQLite page cache during a bulk insert (KiB).
SQLITE_CACHE_KIB = 512 * 1024
#: Below this many rows, indexes are maintained row by row.
REBUILD_MIN_ROWS = 100_000
Progress = Callable[[int], None]


def utc_strings(s: pd.Series) -> np.ndarray:
    """Aware datetimes → naive-UTC strings (object array, None for NaT)."""
    if isinstance(s.dtype, pd.DatetimeTZDtype):
        s = s.dt.tz_convert("UTC").dt.tz_localize(None)
    arr = s.to_numpy(dtype="datetime64[us]")
    txt = np.datetime_as_string(arr, unit="us").astype(object)
    nat = np.isnat(arr)
    out = np.empty(len(arr), dtype=object)
    out[:] = [t.replace("T", " ") for t in txt]
    out[nat] = None
    return out


def new_records(
    conn: Connection,
    frame: pd.DataFrame,
    source: str,
    ref_columns: tuple[Any, Any],
    datetimes: Iterable[str],
) -> tuple[list[dict[str, Any]], int]:
    """Rows of ``frame`` whose ``source_ref`` is not stored yet for ``source``, as column
    dicts with ``datetimes`` as Python datetimes (None for NaT), and how many were skipped.

    For the importers that write row by row (each row has child rows to link by id);
    ``ref_columns`` is the loader's ``REF_COLUMNS`` (the stored ref and source columns).
    """
    have = existing_refs(conn, source, *ref_columns)
    stamps = tuple(datetimes)
    records: list[dict[str, Any]] = []
    existing = 0
    for row in frame.to_dict("records"):
        rec = {str(k): v for k, v in row.items()}
        if rec["source_ref"] in have:
            existing += 1
            continue
        for k in stamps:
            rec[k] = None if pd.isna(rec[k]) else rec[k].to_pydatetime()
        records.append(rec)
    return records, existing


def _column_values(frame: pd.DataFrame, name: str) -> list[Any]:
    col = frame[name]
    if pd.api.types.is_datetime64_any_dtype(col):
        return list(utc_strings(col))
    if pd.api.types.is_bool_dtype(col):
        return [bool(v) for v in col.to_numpy()]
    if pd.api.types.is_float_dtype(col):
        arr = col.to_numpy(dtype="float64")
        vals: list[Any] = arr.tolist()
        if np.isnan(arr).any():
            vals = [None if v != v else v for v in vals]
        return vals
    if pd.api.types.is_integer_dtype(col) and not isinstance(col.dtype, pd.ArrowDtype):
        return [int(v) for v in col.to_numpy()]
    return [
        None if (v is None or v is pd.NA or (isinstance(v, float) and v != v)) else v
        for v in col.astype(object)
    ]


def _rows(frame: pd.DataFrame, columns: list[str]) -> list[tuple[Any, ...]]:
    return list(zip(*[_column_values(frame, c) for c in columns], strict=True))


def _chunks(rows: list[tuple[Any, ...]], size: int) -> Iterator[list[tuple[Any, ...]]]:
    for i in range(0, len(rows), size):
        yield rows[i : i + size]


def _droppable_indexes(conn: Connection, table: Table, incoming: int) -> list[Index]:
    """SQLite: plain indexes worth rebuilding after the insert rather than maintaining.

    Building an index once from sorted data is much faster than a million random
    B-tree insertions; it pays when the new rows are at least as many as those already
    stored. SQLite DDL is transactional, so the drop, the rows and the rebuild commit or
    roll back together. Unique constraints are kept (they are checked row by row).
    """
    if incoming < REBUILD_MIN_ROWS:
        return []
    existing = conn.execute(select(func.count()).select_from(table)).scalar_one()
    if existing > incoming:
        return []
    return [ix for ix in table.indexes if not ix.unique]


def bulk_insert(
    conn: Connection,
    table: Table,
    frame: pd.DataFrame,
    *,
    progress: Progress | None = None,
) -> int:
    """Insert every row of ``frame`` (columns named as the table's) in the current transaction."""
    if frame.empty:
        return 0
    columns = [c for c in frame.columns if c in table.c]
    rows = _rows(frame, columns)
    dialect = conn.dialect.name
    raw = conn.connection.driver_connection
    assert raw is not None
    names = ", ".join(f'"{c}"' for c in columns)
    if dialect == "sqlite":
        sql = f'INSERT INTO "{table.name}" ({names}) VALUES ({", ".join("?" * len(columns))})'
        cur = raw.cursor()
        rebuild = _droppable_indexes(conn, table, len(rows))
        for ix in rebuild:
            ix.drop(conn)
        # A bigger page cache while indexes grow (the default 2 MB thrashes past ~10^5 rows).
        cache = cur.execute("PRAGMA cache_size").fetchone()[0]
        cur.execute(f"PRAGMA cache_size = {-SQLITE_CACHE_KIB}")
        try:
            for chunk in _chunks(rows, CHUNK):
                cur.executemany(sql, chunk)
                if progress:
                    progress(len(chunk))
            for ix in rebuild:  # same transaction: atomic with the rows
                ix.create(conn)
        finally:
            cur.execute(f"PRAGMA cache_size = {int(cache)}")
            cur.close()
    elif dialect == "postgresql":
        with raw.cursor() as cur:
            with cur.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as cp:
                for chunk in _chunks(rows, CHUNK):
                    for r in chunk:
                        cp.write_row(r)
                    if progress:
                        progress(len(chunk))
    else:  # pragma: no cover - only SQLite and PostgreSQL are supported
        conn.execute(table.insert(), [dict(zip(columns, r, strict=True)) for r in rows])
    return len(rows)
