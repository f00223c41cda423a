"""The audit log: the one writer (:func:`record`) and the one verb list (:data:`Verb`).

Every change, every read or export of sensitive data and every refusal is appended to
the ``audit_event`` table, whose database triggers forbid UPDATE and DELETE. The web,
the CLI, the importers and the domain packages all write through :func:`record`, with a
verb of :data:`Verb`; a domain function that changes a register records its event
itself, in its own transaction, so an interface never records it a second time.
:data:`VERB_LABELS` gives the French label of each verb (the audit page shows it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

from sqlalchemy import Connection, Engine, func, insert, select, union_all
from sqlalchemy.orm import Session

from gltd.model import AuditEvent
from gltd.model.base import utcnow

__all__ = [
    "Verb",
    "VERBS",
    "VERB_LABELS",
    "Actor",
    "record",
    "CHANGE_VERBS",
    "last_change",
    "username_of",
    "verb_label",
    "stored_codes",
]

#: What was done. Stored as is in ``audit_event.action``.
Verb = Literal[
    "creation",
    "modification",
    "suppression",
    "revocation",
    "lecture",
    "export",
    "analyse",
    "import",
    "import_verification",
    "import_refuse",
    "import_annule",
    "geocodage",
    "geocodage_revu",
    "connexion",
    "deconnexion",
    "connexion_refusee",
    "connexion_bloquee",
    "refus",
    "refus_csrf",
    "refus_envoi",
    "refus_import",
    "requete_refusee",
]
VERBS: tuple[Verb, ...] = get_args(Verb)

#: French labels, for display.
VERB_LABELS: dict[str, str] = {
    "creation": "création",
    "modification": "modification",
    "suppression": "suppression",
    "revocation": "révocation",
    "lecture": "consultation",
    "export": "export",
    "analyse": "analyse lancée",
    "import": "import",
    "import_verification": "import vérifié (rien d'écrit)",
    "import_refuse": "import refusé (lignes invalides)",
    "import_annule": "import annulé",
    "geocodage": "géocodage d'un fichier",
    "geocodage_revu": "géocodage revu à la main",
    "connexion": "connexion",
    "deconnexion": "déconnexion",
    "connexion_refusee": "connexion refusée",
    "connexion_bloquee": "connexion bloquée",
    "refus": "accès refusé",
    "refus_csrf": "requête refusée (jeton CSRF)",
    "refus_envoi": "envoi refusé",
    "refus_import": "fichier d'import refusé",
    "requete_refusee": "requête refusée",
}

#: The verbs of a change to the data (registers, imports, geocoding): the last of them is
#: what a cache of register views compares (:func:`last_change`).
CHANGE_VERBS: tuple[Verb, ...] = (
    "creation",
    "modification",
    "suppression",
    "import",
    "geocodage",
    "geocodage_revu",
)

#: Codes written by earlier versions (the registers of video protection wrote English).
_LEGACY: dict[str, Verb] = {"create": "creation", "update": "modification", "read": "lecture"}


@dataclass(frozen=True)
class Actor:
    """Who acts (an account name, never a civil identity), for which agency, from where."""

    username: str | None = None
    agency: str | None = None
    ip: str | None = None


def username_of(actor: Actor | str | None) -> str | None:
    """The account name of ``actor``."""
    return actor.username if isinstance(actor, Actor) else actor


def verb_label(code: str) -> str:
    """The French label of a stored code (an unknown code is shown as is)."""
    return VERB_LABELS.get(_LEGACY.get(code, code), code)


def stored_codes(verb: str) -> tuple[str, ...]:
    """The codes stored for ``verb``: itself and what earlier versions wrote for it."""
    return (verb, *(old for old, new in _LEGACY.items() if new == verb))


#: Built once (an event is written on every read of a sensitive page): SQLAlchemy reuses
#: its compiled form.
_INSERT = insert(AuditEvent)


def last_change(conn: Connection) -> int | None:
    """The id of the last change recorded in the log (any process, the CLI included), or
    None. One indexed lookup per verb (``ix_audit_action_id``), however long the log."""
    codes = [c for verb in CHANGE_VERBS for c in stored_codes(verb)]
    last = union_all(
        *(select(func.max(AuditEvent.id).label("m")).where(AuditEvent.action == c) for c in codes)
    ).subquery()
    value = conn.execute(select(func.max(last.c.m))).scalar()
    return None if value is None else int(value)


def _cut(value: object, n: int) -> str | None:
    return None if value is None else str(value)[:n]


def record(
    target: Session | Connection | Engine,
    *,
    actor: Actor | str | None,
    verb: Verb,
    object_type: str | None,
    object_id: object = None,
    detail: str | None = None,
) -> None:
    """Append one event.

    With a session or a connection the event lands in the caller's transaction (with the
    change, or not at all); with an engine it is written in its own transaction (reads,
    refusals, logins).
    """
    if verb not in VERBS:
        raise ValueError(f"unknown audit verb {verb!r} (add it to gltd.store.audit.Verb)")
    who = actor if isinstance(actor, Actor) else Actor(username=actor)
    row = {
        "at": utcnow(),
        "username": _cut(who.username, 100),
        "agency": _cut(who.agency, 200),
        "action": verb,
        "object_type": _cut(object_type, 60),
        "object_id": _cut(object_id, 60),
        "detail": None if detail is None else detail[:2000],
        "ip": (who.ip or "")[:60] or None,
    }
    if isinstance(target, Engine):
        with target.begin() as conn:
            conn.execute(_INSERT, row)
    else:
        target.execute(_INSERT, row)
