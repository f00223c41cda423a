"""The audit trail as the web sees it: events of the logged-in account, the log's views.

Events are written by :func:`gltd.store.audit.record` (the one writer, the one verb
list); :func:`record` and :func:`add_event` hand it the account, its agency and its
address. Rows go to the append-only ``audit_event`` table (database triggers forbid
UPDATE and DELETE). Nothing in the application edits them; administrators view and
export them.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from gltd.model import Agency, AuditEvent, User
from gltd.spreadsheet import safe_row
from gltd.store import audit as store_audit
from gltd.store.audit import Actor, Verb
from gltd.web.auth import CurrentUser

__all__ = [
    "actor",
    "add_event",
    "record",
    "query_events",
    "count_events",
    "events_csv",
    "CSV_COLUMNS",
]

CSV_COLUMNS = (
    "id",
    "at",
    "username",
    "agency",
    "action",
    "object_type",
    "object_id",
    "detail",
    "ip",
)


def actor(user: CurrentUser | None, ip: str | None = None, *, username: str | None = None) -> Actor:
    """The account behind a request (or a typed account name), its agency and address."""
    if user is None:
        return Actor(username=username, ip=ip)
    return Actor(username=user.username, agency=user.agency_name, ip=ip)


def add_event(
    session: Session,
    user: CurrentUser | None,
    action: Verb,
    object_type: str | None = None,
    object_id: Any = None,
    detail: str | None = None,
    ip: str | None = None,
    *,
    username: str | None = None,
) -> None:
    """Append an event inside the caller's transaction (lands with the change or not at all)."""
    store_audit.record(
        session,
        actor=actor(user, ip, username=username),
        verb=action,
        object_type=object_type,
        object_id=object_id,
        detail=detail,
    )


def record(
    engine: Engine,
    user: CurrentUser | None,
    action: Verb,
    object_type: str | None = None,
    object_id: Any = None,
    detail: str | None = None,
    ip: str | None = None,
    *,
    username: str | None = None,
) -> None:
    """Append an event in its own transaction (reads, refusals, logins)."""
    store_audit.record(
        engine,
        actor=actor(user, ip, username=username),
        verb=action,
        object_type=object_type,
        object_id=object_id,
        detail=detail,
    )


def _filtered(stmt: Any, filters: dict[str, Any]) -> Any:
    if filters.get("agency"):
        # One agency's events: its accounts' (anonymous ones by the typed account name).
        own = (
            select(User.username)
            .join(Agency, Agency.id == User.agency_id)
            .where(Agency.name == filters["agency"])
        )
        stmt = stmt.where(
            (AuditEvent.agency == filters["agency"])
            | (AuditEvent.agency.is_(None) & AuditEvent.username.in_(own))
        )
    if filters.get("username"):
        stmt = stmt.where(AuditEvent.username == filters["username"])
    if filters.get("action"):
        stmt = stmt.where(AuditEvent.action.in_(store_audit.stored_codes(filters["action"])))
    if filters.get("object_type"):
        stmt = stmt.where(AuditEvent.object_type == filters["object_type"])
    if filters.get("start") is not None:
        stmt = stmt.where(AuditEvent.at >= filters["start"])
    if filters.get("end") is not None:
        stmt = stmt.where(AuditEvent.at < filters["end"])
    return stmt


def count_events(engine: Engine, **filters: Any) -> int:
    """Number of events matching the filters."""
    with engine.connect() as conn:
        return int(conn.execute(_filtered(select(func.count(AuditEvent.id)), filters)).scalar_one())


def query_events(
    engine: Engine, *, limit: int = 200, offset: int = 0, **filters: Any
) -> Sequence[Any]:
    """Events, newest first, as rows."""
    t = AuditEvent.__table__.c
    stmt = _filtered(select(*(t[c] for c in CSV_COLUMNS)), filters)
    stmt = stmt.order_by(AuditEvent.id.desc()).limit(limit).offset(offset)
    with engine.connect() as conn:
        return conn.execute(stmt).all()


def events_csv(engine: Engine, **filters: Any) -> Iterator[str]:
    """The matching events as CSV text (UTF-8, ``;`` separated, oldest first)."""
    t = AuditEvent.__table__.c
    stmt = _filtered(select(*(t[c] for c in CSV_COLUMNS)), filters).order_by(AuditEvent.id)
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=";")
    w.writerow(CSV_COLUMNS)
    yield "\ufeff" + buf.getvalue()
    with engine.connect() as conn:
        for row in conn.execute(stmt):
            buf.seek(0)
            buf.truncate()
            w.writerow(
                safe_row(
                    v.isoformat() if isinstance(v, datetime) else ("" if v is None else v)
                    for v in row
                )
            )
            yield buf.getvalue()
