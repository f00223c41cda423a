"""The audit log as the tests read it back."""

from __future__ import annotations

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from gltd.model import AuditEvent


def audit_events(engine: Engine) -> list[tuple[str, str | None, str | None, str | None]]:
    """Every audit event, oldest first: (action, object type, account, detail)."""
    with Session(engine) as s:
        rows = s.execute(
            select(
                AuditEvent.action, AuditEvent.object_type, AuditEvent.username, AuditEvent.detail
            ).order_by(AuditEvent.id)
        ).all()
    return [(r[0], r[1], r[2], r[3]) for r in rows]
