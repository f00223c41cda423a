"""Ending the web sessions of an account: by its administrators, on deactivation or a
new password. Sessions themselves (cookies, expiry) are the web's (``gltd.web.auth``)."""

from __future__ import annotations

from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from gltd.accounts.rules import Member, NotFound, actor_of, may_manage_account, refuse
from gltd.model import User, WebSession
from gltd.model.base import utcnow
from gltd.store import audit

__all__ = [
    "BY_ADMIN",
    "check_account_owner",
    "end_account_sessions",
    "end_session",
    "revoke_user_sessions",
]

#: Why a session ended when an administrator ended it.
BY_ADMIN = "fermée par un administrateur"
OTHER_AGENCY = "ce compte appartient à une autre agence : seuls ses administrateurs le gèrent"


def revoke_user_sessions(
    session: Session, user_id: int, reason: str, *, except_id: int | None = None
) -> int:
    """End every live session of an account inside the caller's transaction.

    Returns the number of sessions ended.
    """
    stmt = (
        update(WebSession)
        .where(WebSession.user_id == user_id, WebSession.revoked_at.is_(None))
        .where(WebSession.expires_at > utcnow())
        .values(revoked_at=utcnow(), revoked_reason=reason[:40])
    )
    if except_id is not None:
        stmt = stmt.where(WebSession.id != except_id)
    return int(session.execute(stmt).rowcount or 0)  # type: ignore[attr-defined]


def check_account_owner(engine: Engine, *, user_id: int, by: Member | None) -> str:
    """The account's name; refused (audited) when it belongs to another agency."""
    with engine.connect() as conn:
        row = conn.execute(select(User.username, User.agency_id).where(User.id == user_id)).first()
    if row is None:
        raise NotFound(f"compte n° {user_id} introuvable")
    if by is not None and not may_manage_account(by.agency_id, int(row.agency_id)):
        refuse(engine, by, "user", user_id, OTHER_AGENCY)
    return str(row.username)


def end_session(engine: Engine, *, session_id: int, by: Member | None) -> tuple[int, bool]:
    """End one session (audited in the same transaction): (its account's id, was live)."""
    with Session(engine) as s, s.begin():
        row = s.execute(
            select(WebSession.user_id, User.username, User.agency_id)
            .join(User, User.id == WebSession.user_id)
            .where(WebSession.id == session_id)
        ).first()
        if row is None:
            raise NotFound(f"session n° {session_id} introuvable")
        if by is not None and not may_manage_account(by.agency_id, int(row.agency_id)):
            refuse(
                engine,
                by,
                "session",
                session_id,
                "cette session est celle d'un compte d'une autre agence",
            )
        n = s.execute(
            update(WebSession)
            .where(WebSession.id == session_id, WebSession.revoked_at.is_(None))
            .values(revoked_at=utcnow(), revoked_reason=BY_ADMIN)
        ).rowcount  # type: ignore[attr-defined]
        detail = f"{row.username} : session fermée" if n else f"{row.username} : déjà fermée"
        audit.record(
            s,
            actor=actor_of(by),
            verb="revocation",
            object_type="session",
            object_id=session_id,
            detail=detail,
        )
        return int(row.user_id), bool(n)


def end_account_sessions(engine: Engine, *, user_id: int, by: Member | None) -> int:
    """End every live session of an account but the caller's own; audited."""
    check_account_owner(engine, user_id=user_id, by=by)
    with Session(engine) as s, s.begin():
        name = s.execute(select(User.username).where(User.id == user_id)).scalar()
        if name is None:
            raise NotFound(f"compte n° {user_id} introuvable")
        n = revoke_user_sessions(
            s, user_id, BY_ADMIN, except_id=by.session_id if by is not None else None
        )
        audit.record(
            s,
            actor=actor_of(by),
            verb="revocation",
            object_type="user",
            object_id=user_id,
            detail=f"{name} : {n} session(s) fermée(s)",
        )
        return n
