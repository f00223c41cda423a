"""Who acts, and the per-agency ownership rules of accounts (see ``OWNERSHIP_FR``).

The permission matrix (``gltd.web.permissions``) says what a role of an agency kind may
do on a whole resource; these rules say which objects of that resource belong to the
agency. The domain services check them where the objects are changed.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from gltd.errors import GltdError
from gltd.store import audit
from gltd.store.audit import Actor

__all__ = [
    "CHAIR_KIND",
    "Member",
    "NotFound",
    "Refused",
    "actor_of",
    "refuse",
    "may_create_first_admin",
    "may_manage_account",
    "sees_every_agency_audit",
]

#: The agency kind that chairs the GLTD (the public prosecutor).
CHAIR_KIND = "parquet"


@dataclass(frozen=True)
class Member:
    """An account acting for its agency (a login name, never a civil identity).

    ``ip`` is the client's address (audit log); ``session_id`` the web session the
    account acts from (ending every session of an account keeps this one).
    """

    user_id: int
    username: str
    role: str
    agency_id: int
    agency_name: str
    agency_kind: str
    ip: str | None = None
    session_id: int | None = None


class Refused(Exception):  # noqa: N818
    """The account's agency does not own the object (the refusal is already audited).

    Not a :class:`~gltd.errors.GltdError`: it is not a mistake in the input, the web
    answers it 403 like a refusal of the permission matrix.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(GltdError):  # noqa: N818
    """The account or session asked for does not exist (the web answers 404)."""


def refuse(
    engine: Engine, by: Member | None, object_type: str, object_id: object, why: str
) -> None:
    """Audit an ownership refusal (in its own transaction), then raise :class:`Refused`."""
    audit.record(
        engine,
        actor=actor_of(by),
        verb="refus",
        object_type=object_type,
        object_id=object_id,
        detail=why,
    )
    raise Refused(f"Accès refusé : {why}.")


def actor_of(by: Member | None) -> Actor:
    """The audit actor of ``by`` (None: the command line, no account)."""
    if by is None:
        return Actor()
    return Actor(username=by.username, agency=by.agency_name, ip=by.ip)


def may_manage_account(agency_id: int, account_agency_id: int) -> bool:
    """True when an administrator of ``agency_id`` may manage an account of the other."""
    return agency_id == account_agency_id


def may_create_first_admin(agency_kind: str) -> bool:
    """True when an administrator of this kind may create another agency's first admin."""
    return agency_kind == CHAIR_KIND


def sees_every_agency_audit(agency_kind: str) -> bool:
    """True when an administrator of this kind reads the audit events of every agency."""
    return agency_kind == CHAIR_KIND
