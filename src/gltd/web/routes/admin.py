"""Administration: agencies, accounts and roles, the permission matrix, the audit log."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from gltd.errors import GltdError, InputError
from gltd.model import AGENCY_KINDS, ROLES, Agency, User, WebSession
from gltd.model.base import utcnow
from gltd.privacy import field_warning
from gltd.timeutil import local_midnight, parse_day
from gltd.web import audit
from gltd.web.auth import (
    CurrentUser,
    check_password_strength,
    hash_password,
    revoke_user_sessions,
)
from gltd.web.deps import app_state, client_ip, require
from gltd.web.ownership import refuse
from gltd.web.permissions import (
    OWNERSHIP_FR,
    allowed,
    matrix_rows,
    may_create_first_admin,
    may_manage_account,
    sees_every_agency_audit,
)
from gltd.web.render import render

router = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api", tags=["administration"])

Admin = Annotated[CurrentUser, Depends(require("admin", "write"))]
AgencyAdmin = Annotated[CurrentUser, Depends(require("agencies", "write"))]
AdminReader = Annotated[CurrentUser, Depends(require("admin", "read"))]
Auditor = Annotated[CurrentUser, Depends(require("audit", "read"))]


def _live_sessions(engine: Engine, idle_s: float) -> dict[int, int]:
    """Number of live sessions per account id."""
    now = utcnow()
    stmt = (
        select(WebSession.user_id, func.count(WebSession.id))
        .where(WebSession.revoked_at.is_(None), WebSession.expires_at > now)
        .where(WebSession.last_seen_at >= now - timedelta(seconds=idle_s))
        .group_by(WebSession.user_id)
    )
    with engine.connect() as conn:
        return {int(uid): int(n) for uid, n in conn.execute(stmt)}


def _accounts(engine: Engine, user: CurrentUser) -> dict[str, Any]:
    """Agencies and the accounts this administrator sees (the parquet's: every agency's)."""
    every = sees_every_agency_audit(user.agency_kind)
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
    if not every:
        stmt = stmt.where(User.agency_id == user.agency_id)
    with engine.connect() as conn:
        agencies = conn.execute(
            select(Agency.id, Agency.name, Agency.kind).order_by(Agency.name)
        ).all()
        users = conn.execute(stmt).all()
    return {
        "agencies": agencies,
        # Where this administrator may create accounts (its agency; the parquet's: the
        # first administrator of any agency too).
        "account_agencies": [a for a in agencies if every or a.id == user.agency_id],
        "users": users,
        "manageable": {u.id for u in users if may_manage_account(user.agency_id, u.agency_id)},
    }


@router.get("/admin", response_class=HTMLResponse)
async def admin_page(request: Request, user: AdminReader, erreur: str = "") -> HTMLResponse:
    """Agencies and accounts."""
    st = app_state(request)
    data = await run_in_threadpool(_accounts, st.engine, user)
    live = await run_in_threadpool(_live_sessions, st.engine, st.sessions.idle_s)
    return render(
        request,
        "admin.html",
        {
            **data,
            "live": live,
            "roles": ROLES,
            "kinds": AGENCY_KINDS,
            "error": erreur[:300],
            "may_create_agency": allowed(user.agency_kind, user.role, "agencies", "write"),
        },
    )


def _back(msg: str = "", error: str = "", warning: str | None = None) -> RedirectResponse:
    q = f"?ok={quote(msg)}" if msg else f"?erreur={quote(error)}"
    q += f"&attention={quote(warning)}" if warning else ""
    return RedirectResponse(f"/admin{q}", status_code=303)


def _create_agency(engine: Engine, name: str, kind: str, user: CurrentUser, ip: str) -> None:
    if not name or len(name) > 200:
        raise InputError(
            "nom d'agence manquant ou trop long (200 caractères au plus)", field="name"
        )
    if kind not in AGENCY_KINDS:
        raise InputError(
            f"type d'agence inconnu : « {kind[:30]} » (attendu : {', '.join(AGENCY_KINDS)})",
            field="kind",
        )
    try:
        with Session(engine) as s, s.begin():
            a = Agency(name=name, kind=kind)
            s.add(a)
            s.flush()
            audit.add_event(s, user, "creation", "agency", a.id, f"{name} ({kind})", ip)
    except IntegrityError:
        raise InputError(f"l'agence « {name} » existe déjà", field="name") from None


@router.post("/admin/agences")
async def add_agency(request: Request, user: AgencyAdmin) -> Response:
    """Create an agency (administrators of the parquet)."""
    form = await request.form()
    try:
        await run_in_threadpool(
            _create_agency,
            app_state(request).engine,
            str(form.get("name", "")).strip(),
            str(form.get("kind", "")),
            user,
            client_ip(request),
        )
    except GltdError as exc:
        return _back(error=str(exc))
    return _back("agence créée", warning=field_warning("Nom", str(form.get("name", ""))))


def _create_user(engine: Engine, form: dict[str, str], user: CurrentUser, ip: str) -> None:
    username = form.get("username", "").strip()
    if (
        not username
        or len(username) > 100
        or not username.replace(".", "").replace("-", "").replace("_", "").isalnum()
    ):
        raise InputError(
            "identifiant invalide (lettres, chiffres, . - _ ; 100 caractères au plus)",
            field="username",
        )
    role = form.get("role", "")
    if role not in ROLES:
        raise InputError(f"rôle inconnu : « {role[:30]} »", field="role")
    try:
        agency_id = int(form.get("agency_id", ""))
    except ValueError:
        raise InputError("agence à choisir", field="agency_id") from None
    with Session(engine) as s, s.begin():
        agency = s.get(Agency, agency_id)
        if agency is None:
            raise InputError("agence inconnue", field="agency_id")
        if not may_manage_account(user.agency_id, agency_id):
            has_admin = s.execute(
                select(User.id).where(
                    User.agency_id == agency_id, User.role == "admin", User.active.is_(True)
                )
            ).first()
            if not (may_create_first_admin(user.agency_kind) and role == "admin" and not has_admin):
                refuse(
                    engine,
                    user,
                    ip,
                    "user",
                    None,
                    f"les comptes de l'agence « {agency.name} » sont créés par ses "
                    "administrateurs (le parquet ne crée que le premier administrateur "
                    "d'une agence qui n'en a pas)",
                )
        reason = check_password_strength(
            form.get("password", ""), username=username, agency=agency.name
        )
        if reason:
            raise InputError(reason, field="password")
        if s.execute(select(User.id).where(User.username == username)).first():
            raise InputError(f"l'identifiant « {username} » est déjà pris", field="username")
        u = User(
            username=username,
            password_hash=hash_password(form["password"]),
            agency_id=agency_id,
            role=role,
        )
        s.add(u)
        s.flush()
        audit.add_event(s, user, "creation", "user", u.id, f"{username} ({role})", ip)


@router.post("/admin/utilisateurs")
async def add_user(request: Request, user: Admin) -> Response:
    """Create an account."""
    form = {k: str(v) for k, v in (await request.form()).items()}
    try:
        await run_in_threadpool(
            _create_user, app_state(request).engine, form, user, client_ip(request)
        )
    except GltdError as exc:
        return _back(error=str(exc))
    return _back("compte créé", warning=field_warning("Identifiant", form.get("username")))


def _update_user(
    engine: Engine, target: int, form: dict[str, str], user: CurrentUser, ip: str
) -> str:
    with Session(engine) as s, s.begin():
        u = s.get(User, target)
        if u is None:
            raise InputError(f"compte n° {target} introuvable")
        if not may_manage_account(user.agency_id, u.agency_id):
            refuse(
                engine,
                user,
                ip,
                "user",
                target,
                "ce compte appartient à une autre agence : seuls ses administrateurs le gèrent",
            )
        changes = []
        role = form.get("role")
        if role:
            if role not in ROLES:
                raise InputError(f"rôle inconnu : « {role[:30]} »", field="role")
            if role != u.role:
                changes.append(f"rôle {u.role} → {role}")
                u.role = role
        if "active" in form:
            active = form["active"] == "1"
            if u.id == user.id and not active:
                raise InputError("vous ne pouvez pas désactiver votre propre compte")
            if active != u.active:
                changes.append("réactivé" if active else "désactivé")
                u.active = active
                if not active:
                    n = revoke_user_sessions(s, u.id, "compte désactivé")
                    changes += [f"{n} session(s) fermée(s)"] if n else []
        if form.get("password"):
            agency = s.get(Agency, u.agency_id)
            reason = check_password_strength(
                form["password"], username=u.username, agency=agency.name if agency else None
            )
            if reason:
                raise InputError(reason, field="password")
            u.password_hash = hash_password(form["password"])
            changes.append("mot de passe réinitialisé")
            n = revoke_user_sessions(s, u.id, "mot de passe réinitialisé")
            changes += [f"{n} session(s) fermée(s)"] if n else []
        detail = "; ".join(changes) or "aucun changement"
        audit.add_event(s, user, "modification", "user", u.id, f"{u.username} : {detail}", ip)
        return detail


@router.post("/admin/utilisateurs/{target}")
async def edit_user(request: Request, user: Admin, target: int) -> Response:
    """Change a role, (de)activate an account, reset a password."""
    form = {k: str(v) for k, v in (await request.form()).items()}
    try:
        detail = await run_in_threadpool(
            _update_user, app_state(request).engine, target, form, user, client_ip(request)
        )
    except GltdError as exc:
        return _back(error=str(exc))
    return _back(f"compte modifié : {detail}")


@router.get("/admin/droits", response_class=HTMLResponse)
async def matrix_page(request: Request, user: AdminReader) -> HTMLResponse:
    """The permission matrix and the ownership rules."""
    return render(
        request,
        "matrix.html",
        {"rows": matrix_rows(), "ownership": list(OWNERSHIP_FR.values())},
    )


def _filters(
    user: CurrentUser, du: str | None, au: str | None, compte: str | None, action: str | None
) -> dict[str, Any]:
    f: dict[str, Any] = {"username": compte or None, "action": action or None}
    if not sees_every_agency_audit(user.agency_kind):
        f["agency"] = user.agency_name  # its accounts' events only
    if du:
        f["start"] = local_midnight(parse_day(du, what="début"))
    if au:
        f["end"] = local_midnight(parse_day(au, what="fin")) + timedelta(days=1)
    return f


AuditQ = Annotated[str | None, Query()]


@router.get("/admin/audit", response_class=HTMLResponse)
async def audit_page(
    request: Request,
    user: Auditor,
    du: AuditQ = None,
    au: AuditQ = None,
    compte: AuditQ = None,
    action: AuditQ = None,
    page: Annotated[int, Query(ge=1, le=100000)] = 1,
) -> HTMLResponse:
    """The audit log (read-only), newest first."""
    st = app_state(request)
    f = _filters(user, du, au, compte, action)
    rows = await run_in_threadpool(
        lambda: audit.query_events(st.engine, limit=200, offset=(page - 1) * 200, **f)
    )
    total = await run_in_threadpool(lambda: audit.count_events(st.engine, **f))
    return render(
        request,
        "audit.html",
        {
            "rows": rows,
            "total": total,
            "page": page,
            "q": {"du": du or "", "au": au or "", "compte": compte or "", "action": action or ""},
        },
    )


@router.get("/admin/audit.csv")
@api.get("/audit.csv")
async def audit_csv(
    request: Request,
    user: Auditor,
    du: AuditQ = None,
    au: AuditQ = None,
    compte: AuditQ = None,
    action: AuditQ = None,
) -> Response:
    """Export of the audit log (CSV, oldest first). The export itself is audited."""
    st = app_state(request)
    f = _filters(user, du, au, compte, action)
    await run_in_threadpool(
        audit.record,
        st.engine,
        user,
        "export",
        "audit",
        None,
        str({k: str(v) for k, v in f.items() if v}),
        client_ip(request),
    )
    return StreamingResponse(
        audit.events_csv(st.engine, **f),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": 'attachment; filename="gltd-audit.csv"'},
    )


@api.get("/audit")
async def audit_api(
    request: Request,
    user: Auditor,
    du: AuditQ = None,
    au: AuditQ = None,
    compte: AuditQ = None,
    action: AuditQ = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> dict[str, Any]:
    """Audit events, newest first."""
    st = app_state(request)
    f = _filters(user, du, au, compte, action)
    rows = await run_in_threadpool(
        lambda: audit.query_events(st.engine, limit=limit, offset=offset, **f)
    )
    return {
        "items": [
            {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in r._mapping.items()}
            for r in rows
        ]
    }


@api.get("/users")
async def users_api(request: Request, user: AdminReader) -> dict[str, Any]:
    """Accounts (no password hash) and agencies."""
    data = await run_in_threadpool(_accounts, app_state(request).engine, user)
    return {
        "agencies": [dict(a._mapping) for a in data["agencies"]],
        "users": [
            {**dict(u._mapping), "created_at": u.created_at.isoformat()} for u in data["users"]
        ],
    }


@api.get("/me", tags=["session"])
async def me(
    request: Request, user: Annotated[CurrentUser, Depends(require("dashboard"))]
) -> dict[str, Any]:
    """The logged-in account and what it may do."""
    from gltd.web.permissions import ACTIONS, RESOURCES

    return {
        "username": user.username,
        "role": user.role,
        "agency": user.agency_name,
        "agency_kind": user.agency_kind,
        "rights": {
            r: [a for a in ACTIONS if allowed(user.agency_kind, user.role, r, a)] for r in RESOURCES
        },
    }
