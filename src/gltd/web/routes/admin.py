"""Administration: agencies, accounts and roles, the permission matrix, the audit log."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse
from sqlalchemy import Engine, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from gltd.errors import GltdError, InputError
from gltd.model import AGENCY_KINDS, ROLES, Agency, User, WebSession
from gltd.model.base import utcnow
from gltd.privacy import field_warning
from gltd.timeutil import local_midnight, parse_day
from gltd.web import audit
from gltd.web.auth import (
    CurrentUser,
    SessionInfo,
    check_password_strength,
    hash_password,
    revoke_user_sessions,
)
from gltd.web.deps import app_state, client_ip, require
from gltd.web.permissions import matrix_rows
from gltd.web.render import render

router = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api", tags=["administration"])

Admin = Annotated[CurrentUser, Depends(require("admin", "write"))]
AdminReader = Annotated[CurrentUser, Depends(require("admin", "read"))]
Auditor = Annotated[CurrentUser, Depends(require("audit", "read"))]
SessionReader = Annotated[CurrentUser, Depends(require("sessions", "read"))]
SessionAdmin = Annotated[CurrentUser, Depends(require("sessions", "write"))]


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


def _accounts(engine: Engine) -> dict[str, Any]:
    with engine.connect() as conn:
        agencies = conn.execute(
            select(Agency.id, Agency.name, Agency.kind).order_by(Agency.name)
        ).all()
        users = conn.execute(
            select(
                User.id,
                User.username,
                User.role,
                User.active,
                User.created_at,
                Agency.name.label("agency"),
            )
            .join(Agency, Agency.id == User.agency_id)
            .order_by(User.username)
        ).all()
    return {"agencies": agencies, "users": users}


@router.get("/admin", response_class=HTMLResponse)
async def admin_page(request: Request, user: AdminReader, erreur: str = "") -> HTMLResponse:
    """Agencies and accounts."""
    st = app_state(request)
    data = await run_in_threadpool(_accounts, st.engine)
    live = await run_in_threadpool(_live_sessions, st.engine, st.sessions.idle_s)
    return render(
        request,
        "admin.html",
        {**data, "live": live, "roles": ROLES, "kinds": AGENCY_KINDS, "error": erreur[:300]},
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
async def add_agency(request: Request, user: Admin) -> Response:
    """Create an agency."""
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


# -- sessions -------------------------------------------------------------------------------

BY_ADMIN = "fermée par un administrateur"


def _account_name(engine: Engine, user_id: int) -> str:
    with engine.connect() as conn:
        name = conn.execute(select(User.username).where(User.id == user_id)).scalar()
    if name is None:
        raise HTTPException(404, f"compte n° {user_id} introuvable")
    return str(name)


def _session_json(info: SessionInfo) -> dict[str, Any]:
    return {
        "id": info.id,
        "state": info.state,
        "created_at": info.created_at.isoformat(),
        "last_seen_at": info.last_seen_at.isoformat(),
        "expires_at": info.expires_at.isoformat(),
        "revoked_at": info.revoked_at.isoformat() if info.revoked_at else None,
        "revoked_reason": info.revoked_reason,
        "ip": info.ip,
        "user_agent": info.user_agent,
    }


def _revoke_one(engine: Engine, session_id: int, user: CurrentUser, ip: str) -> tuple[int, bool]:
    """End one session (audited in the same transaction); (owner id, was live)."""
    with Session(engine) as s, s.begin():
        row = s.execute(
            select(WebSession.user_id, User.username)
            .join(User, User.id == WebSession.user_id)
            .where(WebSession.id == session_id)
        ).first()
        if row is None:
            raise HTTPException(404, f"session n° {session_id} introuvable")
        n = s.execute(
            update(WebSession)
            .where(WebSession.id == session_id, WebSession.revoked_at.is_(None))
            .values(revoked_at=utcnow(), revoked_reason=BY_ADMIN)
        ).rowcount  # type: ignore[attr-defined]
        detail = f"{row.username} : session fermée" if n else f"{row.username} : déjà fermée"
        audit.add_event(s, user, "revocation", "session", session_id, detail, ip)
        return int(row.user_id), bool(n)


def _revoke_all(engine: Engine, target: int, user: CurrentUser, ip: str) -> int:
    """End every live session of an account but the caller's own; audited."""
    with Session(engine) as s, s.begin():
        name = s.execute(select(User.username).where(User.id == target)).scalar()
        if name is None:
            raise HTTPException(404, f"compte n° {target} introuvable")
        n = revoke_user_sessions(s, target, BY_ADMIN, except_id=user.session_id)
        detail = f"{name} : {n} session(s) fermée(s)"
        audit.add_event(s, user, "revocation", "user", target, detail, ip)
        return n


@router.get("/admin/utilisateurs/{item_id}/sessions", response_class=HTMLResponse)
async def sessions_page(
    request: Request, user: SessionReader, item_id: int, erreur: str = ""
) -> HTMLResponse:
    """The sessions of one account (never the token), with buttons to end them."""
    st = app_state(request)
    name = await run_in_threadpool(_account_name, st.engine, item_id)
    items = await run_in_threadpool(st.sessions.list_for_user, item_id)
    return render(
        request,
        "sessions.html",
        {
            "account": {"id": item_id, "username": name},
            "items": items,
            "idle_minutes": st.web.session_idle_minutes,
            "error": erreur[:300],
        },
    )


@router.post("/admin/sessions/{item_id}/revoquer")
async def revoke_session(request: Request, user: SessionAdmin, item_id: int) -> Response:
    """End one session."""
    st = app_state(request)
    owner, live = await run_in_threadpool(_revoke_one, st.engine, item_id, user, client_ip(request))
    msg = f"session n° {item_id} fermée" if live else f"session n° {item_id} déjà fermée"
    return RedirectResponse(f"/admin/utilisateurs/{owner}/sessions?ok={quote(msg)}", 303)


@router.post("/admin/utilisateurs/{item_id}/sessions/revoquer")
async def revoke_sessions(request: Request, user: SessionAdmin, item_id: int) -> Response:
    """End every session of an account (except the administrator's own)."""
    st = app_state(request)
    n = await run_in_threadpool(_revoke_all, st.engine, item_id, user, client_ip(request))
    msg = f"{n} session(s) fermée(s)"
    return RedirectResponse(f"/admin/utilisateurs/{item_id}/sessions?ok={quote(msg)}", 303)


@api.get("/users/{item_id}/sessions")
async def sessions_api(request: Request, user: SessionReader, item_id: int) -> dict[str, Any]:
    """Sessions of an account, newest first (state: active, revoquee, expiree, inactive)."""
    st = app_state(request)
    name = await run_in_threadpool(_account_name, st.engine, item_id)
    items = await run_in_threadpool(st.sessions.list_for_user, item_id)
    return {"user": {"id": item_id, "username": name}, "items": [_session_json(i) for i in items]}


@api.post("/sessions/{item_id}/revoke")
async def revoke_session_api(request: Request, user: SessionAdmin, item_id: int) -> dict[str, Any]:
    """End one session; ``revoked`` is false when it had already ended."""
    st = app_state(request)
    owner, live = await run_in_threadpool(_revoke_one, st.engine, item_id, user, client_ip(request))
    return {"id": item_id, "user_id": owner, "revoked": live}


@api.post("/users/{item_id}/sessions/revoke")
async def revoke_sessions_api(request: Request, user: SessionAdmin, item_id: int) -> dict[str, Any]:
    """End every session of an account (except the caller's own)."""
    st = app_state(request)
    n = await run_in_threadpool(_revoke_all, st.engine, item_id, user, client_ip(request))
    return {"user_id": item_id, "revoked": n}


@router.get("/admin/droits", response_class=HTMLResponse)
async def matrix_page(request: Request, user: AdminReader) -> HTMLResponse:
    """The permission matrix."""
    return render(request, "matrix.html", {"rows": matrix_rows()})


def _filters(
    du: str | None, au: str | None, compte: str | None, action: str | None
) -> dict[str, Any]:
    f: dict[str, Any] = {"username": compte or None, "action": action or None}
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
    f = _filters(du, au, compte, action)
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
    f = _filters(du, au, compte, action)
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
    f = _filters(du, au, compte, action)
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
    data = await run_in_threadpool(_accounts, app_state(request).engine)
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
    from gltd.web.permissions import ACTIONS, RESOURCES, allowed

    return {
        "username": user.username,
        "role": user.role,
        "agency": user.agency_name,
        "agency_kind": user.agency_kind,
        "rights": {
            r: [a for a in ACTIONS if allowed(user.agency_kind, user.role, r, a)] for r in RESOURCES
        },
    }
