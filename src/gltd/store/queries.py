"""Queries from the store to the analyses: the one door is :func:`load_events`.

The analyses never touch the ORM: they get an :class:`~gltd.analysis.events.EventSet`
(x, y in metres in the analysis CRS, UTC times, categories, zone ids) or plain frames.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from operator import itemgetter
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Engine, String, and_, select, type_coerce

from gltd.analysis.events import EventSet
from gltd.errors import GltdError
from gltd.geo import analysis_crs
from gltd.model import Incident
from gltd.store.zones import resolve_zone_ids

__all__ = ["load_events"]


def load_events(
    engine: Engine,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    categories: Sequence[str] | None = None,
    zones: Sequence[str | int] | None = None,
) -> EventSet:
    """Incidents with coordinates for ``start <= occurred_at < end``, as an EventSet.

    Parameters
    ----------
    engine : sqlalchemy.Engine
    start, end : aware datetimes, optional
        Half-open period.
    categories : codes, optional
    zones : zone names or ids, optional

    Returns
    -------
    EventSet
        Events located in the analysis CRS (Lambert-93); incidents without coordinates
        are left out (count them with a zone-level query).

    Notes
    -----
    SQLite is read through the engine's own sqlite3 connection with times computed
    in SQL, PostgreSQL column-wise through Arrow (ADBC): one million incidents load in
    about 1.5 s, against ~13 s through ORM rows.
    """
    for v in (start, end):
        if v is not None:
            _aware(v)
    zone_ids = resolve_zone_ids(engine, zones)
    cats = list(categories) if categories else None
    backend = engine.url.get_backend_name()
    if backend == "sqlite":
        return _load_events_sqlite(engine, start, end, cats, zone_ids)
    table = _fetch_pg_arrow(engine, start, end, cats, zone_ids) if backend == "postgresql" else None
    if table is None:
        return _load_events_sqlalchemy(engine, start, end, cats, zone_ids)
    if table.num_rows == 0:
        return _empty_events()
    import pyarrow as pa

    times = table.column("occurred_at").cast(pa.timestamp("us")).to_numpy().astype("datetime64[ns]")
    date_only = table.column("date_only").to_numpy()
    return EventSet(
        x=table.column("x").to_numpy().astype("float64", copy=False),
        y=table.column("y").to_numpy().astype("float64", copy=False),
        t=times,
        category=table.column("category").to_numpy(zero_copy_only=False).astype(object),
        zone_id=table.column("zone_id").to_numpy().astype("int64", copy=False),
        crs=analysis_crs(),
        date_only=bool(np.all(date_only.astype(bool))),
    )


def _where(
    start: datetime | None,
    end: datetime | None,
    categories: list[str] | None,
    zone_ids: list[int] | None,
    mark: Any,
) -> tuple[str, list[Any]]:
    """WHERE clause and parameters; ``mark(i, is_time)`` renders the i-th placeholder."""
    where = ["x IS NOT NULL", "y IS NOT NULL"]
    params: list[Any] = []
    if start is not None:
        params.append(_utc_text(start))
        where.append(f"occurred_at >= {mark(len(params), True)}")
    if end is not None:
        params.append(_utc_text(end))
        where.append(f"occurred_at < {mark(len(params), True)}")
    if categories:
        marks = []
        for c in categories:
            params.append(c)
            marks.append(mark(len(params), False))
        where.append(f"category IN ({', '.join(marks)})")
    if zone_ids is not None:
        ids = ", ".join(str(int(z)) for z in zone_ids) or "NULL"
        where.append(f"zone_id IN ({ids})")
    return " AND ".join(where), params


def _load_events_sqlite(
    engine: Engine,
    start: datetime | None,
    end: datetime | None,
    categories: list[str] | None,
    zone_ids: list[int] | None,
) -> EventSet:
    """Read through the engine's own sqlite3 connection, times as integer microseconds.

    SQLAlchemy stores UTC as ``YYYY-MM-DD HH:MM:SS.ffffff``; SQLite turns it into epoch
    seconds (``strftime('%s')``) plus the microseconds, so no string is parsed in Python.
    The same SQLite library as every other connection is used (never a second copy in
    the process, which would break WAL locking).
    """
    where, params = _where(start, end, categories, zone_ids, lambda i, is_time: "?")
    sql = (
        "SELECT x, y, CAST(strftime('%s', occurred_at) AS INTEGER) * 1000000 + "
        "CAST(substr(occurred_at, 21, 6) AS INTEGER), category, IFNULL(zone_id, -1), "
        "date_only FROM incident WHERE " + where
    )
    with engine.connect() as conn:
        raw = conn.connection.driver_connection
        assert raw is not None
        rows = raw.execute(sql, params).fetchall()
    n = len(rows)
    if n == 0:
        return _empty_events()
    col = [map(itemgetter(i), rows) for i in range(6)]
    micros = np.fromiter(col[2], dtype="int64", count=n)
    return EventSet(
        x=np.fromiter(col[0], dtype="float64", count=n),
        y=np.fromiter(col[1], dtype="float64", count=n),
        t=(micros * 1000).view("datetime64[ns]"),
        category=np.fromiter(col[3], dtype=object, count=n),
        zone_id=np.fromiter(col[4], dtype="int64", count=n),
        crs=analysis_crs(),
        date_only=bool(all(col[5])),
    )


def _empty_events() -> EventSet:
    empty = np.array([], dtype="float64")
    return EventSet(
        x=empty,
        y=empty.copy(),
        t=np.array([], dtype="datetime64[ns]"),
        category=np.array([], dtype=object),
        zone_id=np.array([], dtype="int64"),
        crs=analysis_crs(),
    )


def _utc_text(value: datetime) -> str:
    """A datetime as SQLAlchemy stores it in SQLite (naive UTC, microseconds)."""
    v = pd.Timestamp(value).tz_convert("UTC").tz_localize(None)
    return v.strftime("%Y-%m-%d %H:%M:%S.%f")


def _fetch_pg_arrow(
    engine: Engine,
    start: datetime | None,
    end: datetime | None,
    categories: list[str] | None,
    zone_ids: list[int] | None,
) -> Any:
    """The incident columns of a PostgreSQL store as an Arrow table (ADBC, libpq)."""
    try:
        import adbc_driver_postgresql.dbapi as driver
    except ImportError:  # pragma: no cover - declared dependency
        return None
    where, params = _where(
        start,
        end,
        categories,
        zone_ids,
        lambda i, is_time: f"${i}::timestamp" if is_time else f"${i}",
    )
    sql = (
        "SELECT x, y, occurred_at, category, COALESCE(zone_id, -1) AS zone_id, "
        "CAST(date_only AS INTEGER) AS date_only FROM incident WHERE " + where
    )
    uri = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    conn = driver.connect(uri)
    try:
        cur = conn.cursor()
        try:
            cur.execute(sql, parameters=tuple(params) if params else None)
            return cur.fetch_arrow_table()
        finally:
            cur.close()
    finally:
        conn.close()


def _load_events_sqlalchemy(
    engine: Engine,
    start: datetime | None,
    end: datetime | None,
    categories: list[str] | None,
    zone_ids: list[int] | None,
) -> EventSet:
    t = Incident.__table__.c
    conds: list[Any] = [t.x.is_not(None), t.y.is_not(None)]
    if start is not None:
        conds.append(t.occurred_at >= start)
    if end is not None:
        conds.append(t.occurred_at < end)
    if categories:
        conds.append(t.category.in_(categories))
    if zone_ids is not None:
        conds.append(t.zone_id.in_(zone_ids))
    stmt = select(
        t.x, t.y, type_coerce(t.occurred_at, String), t.category, t.zone_id, t.date_only
    ).where(and_(*conds))
    with engine.connect() as conn:
        rows = conn.execute(stmt).all()
    if not rows:
        return _empty_events()
    x, y, ts, cat, zid, donly = zip(*rows, strict=True)
    times = pd.to_datetime(pd.Series(ts, dtype=object), format="ISO8601")
    return EventSet(
        x=np.asarray(x, dtype="float64"),
        y=np.asarray(y, dtype="float64"),
        t=times.to_numpy(dtype="datetime64[ns]"),
        category=np.asarray(cat, dtype=object),
        zone_id=np.asarray([-1 if z is None else z for z in zid], dtype="int64"),
        crs=analysis_crs(),
        date_only=bool(all(donly)),
    )


def _aware(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise GltdError("date sans fuseau horaire : précisez Europe/Paris ou UTC")
    return value
