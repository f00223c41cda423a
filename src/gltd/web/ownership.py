"""Per-agency ownership checks where objects are changed (see ``OWNERSHIP_FR``).

A refusal is written to the audit log (action ``refus``) and answered 403 like the
refusals of the permission matrix.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, select
from starlette.exceptions import HTTPException

from gltd.model import User
from gltd.web import audit
from gltd.web.auth import CurrentUser
from gltd.web.deps import Forbidden
from gltd.web.permissions import may_manage_account

__all__ = ["refuse", "account_agency", "check_own_account"]


def refuse(engine: Engine, user: CurrentUser, ip: str, what: str, oid: Any, why: str) -> None:
    """Audit an ownership refusal, then answer 403 (see OWNERSHIP_FR)."""
    audit.record(engine, user, "refus", what, oid, why, ip)
    raise Forbidden(f"Accès refusé : {why}.")


def account_agency(engine: Engine, user_id: int) -> int | None:
    with engine.connect() as conn:
        return conn.execute(select(User.agency_id).where(User.id == user_id)).scalar()


def check_own_account(engine: Engine, user: CurrentUser, user_id: int, ip: str) -> None:
    """Refuse an account of another agency (404 when it does not exist)."""
    agency_id = account_agency(engine, user_id)
    if agency_id is None:
        raise HTTPException(404, f"compte n° {user_id} introuvable")
    if not may_manage_account(user.agency_id, agency_id):
        refuse(
            engine,
            user,
            ip,
            "user",
            user_id,
            "ce compte appartient à une autre agence : seuls ses administrateurs le gèrent",
        )
