"""The audit writer of the video-protection modules."""

from __future__ import annotations

from sqlalchemy.orm import Session

from gltd.model import AuditEvent

__all__ = ["audit"]


def audit(
    session: Session,
    action: str,
    object_type: str,
    object_id: object,
    detail: str | None = None,
    *,
    username: str | None = None,
) -> None:
    """Append an audit event in the caller's transaction."""
    session.add(
        AuditEvent(
            action=action,
            object_type=object_type,
            object_id=None if object_id is None else str(object_id),
            detail=detail,
            username=username,
        )
    )
