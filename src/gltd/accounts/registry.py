"""Agencies and accounts: create, change (role, active, password), list; the first admin.

Who may do what: an account belongs to its agency, and only that agency's
administrators create or change it; the parquet's also create agencies and the first
administrator of an agency that has none (``OWNERSHIP_FR`` of the web). The command
line (``by=None``) acts for the server's operator.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from gltd.accounts.passwords import check_password_strength, hash_password
from gltd.accounts.rules import (
    Member,
    actor_of,
    may_create_first_admin,
    may_manage_account,
    refuse,
    sees_every_agency_audit,
)
from gltd.accounts.sessions import OTHER_AGENCY, revoke_user_sessions
from gltd.errors import InputError
from gltd.model import AGENCY_KINDS, ROLES, Agency, User
from gltd.store import audit

__all__ = [
    "AccountRecord",
    "AgencyRecord",
    "check_new_admin",
    "create_account",
    "create_admin",
    "create_agency",
    "list_accounts",
    "list_agencies",
    "update_account",
]


@dataclass(frozen=True)
class AgencyRecord:
    """A member agency of the GLTD."""

    id: int
    name: str
    kind: str


@dataclass(frozen=True)
class AccountRecord:
    """An account as its administrators see it (never its password hash)."""

    id: int
    username: str
    role: str
    active: bool
    created_at: datetime
    agency_id: int
    agency: str


def _check_kind(kind: str | None) -> str:
    if kind not in AGENCY_KINDS:
        raise InputError(
            f"type d'agence inconnu : « {(kind or '')[:30]} » (attendu : {', '.join(AGENCY_KINDS)})",
            field="kind",
        )
    return kind


def _check_username(username: str) -> None:
    if (
        not username
        or len(username) > 100
        or not username.replace(".", "").replace("-", "").replace("_", "").isalnum()
    ):
        raise InputError(
            "identifiant invalide (lettres, chiffres, . - _ ; 100 caractères au plus)",
            field="username",
        )


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise InputError(f"rôle inconnu : « {role[:30]} »", field="role")


def _check_password(password: str, *, username: str, agency: str | None) -> None:
    reason = check_password_strength(password, username=username, agency=agency)
    if reason:
        raise InputError(reason, field="password")


def list_agencies(engine: Engine) -> list[AgencyRecord]:
    """Every agency, by name."""
    with engine.connect() as conn:
        rows = conn.execute(select(Agency.id, Agency.name, Agency.kind).order_by(Agency.name))
        return [AgencyRecord(r.id, r.name, r.kind) for r in rows]


def list_accounts(engine: Engine, *, by: Member | None) -> list[AccountRecord]:
    """The accounts ``by`` sees, by name: its agency's (the parquet's and the CLI: all)."""
    stmt = (
        select(
            User.id,
            User.username,
            User.role,
            User.active,
            User.created_at,
            User.agency_id,
            Agency.name.label("agency"),
        )
        .join(Agency, Agency.id == User.agency_id)
        .order_by(User.username)
    )
    if by is not None and not sees_every_agency_audit(by.agency_kind):
        stmt = stmt.where(User.agency_id == by.agency_id)
    with engine.connect() as conn:
        return [AccountRecord(**r._mapping) for r in conn.execute(stmt)]


def create_agency(engine: Engine, *, name: str, kind: str, by: Member | None) -> AgencyRecord:
    """Create an agency (its name must be new); audited."""
    name = name.strip()
    if not name or len(name) > 200:
        raise InputError(
            "nom d'agence manquant ou trop long (200 caractères au plus)", field="name"
        )
    _check_kind(kind)
    try:
        with Session(engine) as s, s.begin():
            a = Agency(name=name, kind=kind)
            s.add(a)
            s.flush()
            audit.record(
                s,
                actor=actor_of(by),
                verb="creation",
                object_type="agency",
                object_id=a.id,
                detail=f"{name} ({kind})",
            )
            return AgencyRecord(a.id, name, kind)
    except IntegrityError:
        raise InputError(f"l'agence « {name} » existe déjà", field="name") from None


def create_account(
    engine: Engine,
    *,
    username: str,
    agency_id: int | None,
    role: str,
    password: str,
    by: Member | None,
) -> int:
    """Create an account of an agency; returns its id.

    Refused (audited) when ``by`` is not an administrator of that agency, unless it is
    the parquet's creating the first administrator of an agency that has no active one.
    """
    username = username.strip()
    _check_username(username)
    _check_role(role)
    if agency_id is None:
        raise InputError("agence à choisir", field="agency_id")
    with Session(engine) as s, s.begin():
        agency = s.get(Agency, agency_id)
        if agency is None:
            raise InputError("agence inconnue", field="agency_id")
        if by is not None and not may_manage_account(by.agency_id, agency_id):
            has_admin = s.execute(
                select(User.id).where(
                    User.agency_id == agency_id, User.role == "admin", User.active.is_(True)
                )
            ).first()
            if not (may_create_first_admin(by.agency_kind) and role == "admin" and not has_admin):
                refuse(
                    engine,
                    by,
                    "user",
                    None,
                    f"les comptes de l'agence « {agency.name} » sont créés par ses "
                    "administrateurs (le parquet ne crée que le premier administrateur "
                    "d'une agence qui n'en a pas)",
                )
        _check_password(password, username=username, agency=agency.name)
        if s.execute(select(User.id).where(User.username == username)).first():
            raise InputError(f"l'identifiant « {username} » est déjà pris", field="username")
        u = User(
            username=username,
            password_hash=hash_password(password),
            agency_id=agency_id,
            role=role,
        )
        s.add(u)
        s.flush()
        audit.record(
            s,
            actor=actor_of(by),
            verb="creation",
            object_type="user",
            object_id=u.id,
            detail=f"{username} ({role})",
        )
        return u.id


def update_account(
    engine: Engine,
    *,
    user_id: int,
    role: str | None = None,
    active: bool | None = None,
    password: str | None = None,
    by: Member | None,
) -> str:
    """Change a role, (de)activate, reset a password; returns what changed (French).

    Deactivating or resetting the password ends the account's sessions. An account
    cannot deactivate itself.
    """
    with Session(engine) as s, s.begin():
        u = s.get(User, user_id)
        if u is None:
            raise InputError(f"compte n° {user_id} introuvable")
        if by is not None and not may_manage_account(by.agency_id, u.agency_id):
            refuse(engine, by, "user", user_id, OTHER_AGENCY)
        changes = []
        if role:
            _check_role(role)
            if role != u.role:
                changes.append(f"rôle {u.role} → {role}")
                u.role = role
        if active is not None:
            if by is not None and u.id == by.user_id and not active:
                raise InputError("vous ne pouvez pas désactiver votre propre compte")
            if active != u.active:
                changes.append("réactivé" if active else "désactivé")
                u.active = active
                if not active:
                    n = revoke_user_sessions(s, u.id, "compte désactivé")
                    changes += [f"{n} session(s) fermée(s)"] if n else []
        if password:
            agency = s.get(Agency, u.agency_id)
            _check_password(password, username=u.username, agency=agency.name if agency else None)
            u.password_hash = hash_password(password)
            changes.append("mot de passe réinitialisé")
            n = revoke_user_sessions(s, u.id, "mot de passe réinitialisé")
            changes += [f"{n} session(s) fermée(s)"] if n else []
        detail = "; ".join(changes) or "aucun changement"
        audit.record(
            s,
            actor=actor_of(by),
            verb="modification",
            object_type="user",
            object_id=u.id,
            detail=f"{u.username} : {detail}",
        )
        return detail


def check_new_admin(engine: Engine, *, username: str, agency: str, kind: str | None) -> None:
    """Refuse a taken account name, or a new agency without its kind (before the password)."""
    with engine.connect() as conn:
        if conn.execute(select(User.id).where(User.username == username)).first():
            raise InputError(f"l'identifiant « {username} » est déjà pris", field="username")
        found = conn.execute(select(Agency.id).where(Agency.name == agency)).first()
    if found is None and kind not in AGENCY_KINDS:
        raise InputError(
            f"l'agence « {agency} » n'existe pas : indiquez son type ({', '.join(AGENCY_KINDS)})",
            field="kind",
        )


def create_admin(
    engine: Engine, *, username: str, agency: str, kind: str | None, password: str
) -> int:
    """An administrator of ``agency`` (created with ``kind`` when new), from the command line.

    The password follows the policy; the event names ``gltd db create-admin``.
    """
    check_new_admin(engine, username=username, agency=agency, kind=kind)
    reason = check_password_strength(password, username=username, agency=agency)
    if reason:
        raise InputError(f"mot de passe refusé : {reason}", field="password")
    with Session(engine) as s, s.begin():
        a = s.execute(select(Agency).where(Agency.name == agency)).scalar_one_or_none()
        if a is None:
            a = Agency(name=agency, kind=_check_kind(kind))
            s.add(a)
            s.flush()
        u = User(
            username=username, password_hash=hash_password(password), agency_id=a.id, role="admin"
        )
        s.add(u)
        s.flush()
        audit.record(
            s,
            actor=None,
            verb="creation",
            object_type="user",
            object_id=u.id,
            detail=f"{username} (admin) : gltd db create-admin",
        )
        return u.id
