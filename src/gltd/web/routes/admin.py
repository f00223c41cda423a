"""Administration: agencies, accounts and roles, the permission matrix, the audit log."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse
from sqlalchemy import Engine, func, select
from starlette.concurrency import run_in_threadpool

from gltd.accounts import (
    create_account,
    create_agency,
    list_accounts,
    list_agencies,
    update_account,
)
from gltd.errors import GltdError
from gltd.model import AGENCY_KINDS, DEFAULT_ROLE, ROLES, WebSession
from gltd.model.base import utcnow
from gltd.privacy import field_warning
from gltd.timeutil import local_midnight, parse_day
from gltd.web import audit
from gltd.web.auth import CurrentUser, member
from gltd.web.deps import app_state, client_ip, require
from gltd.web.permissions import (
    OWNERSHIP_FR,
    allowed,
    matrix_rows,
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
    agencies = list_agencies(engine)
    users = list_accounts(engine, by=member(user))
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
            "default_role": DEFAULT_ROLE,
            "kinds": AGENCY_KINDS,
            "error": erreur[:300],
            "may_create_agency": allowed(user.agency_kind, user.role, "agencies", "write"),
        },
    )


def _back(msg: str = "", error: str = "", warning: str | None = None) -> RedirectResponse:
    q = f"?ok={quote(msg)}" if msg else f"?erreur={quote(error)}"
    q += f"&attention={quote(warning)}" if warning else ""
    return RedirectResponse(f"/admin{q}", status_code=303)


@router.post("/admin/agences")
async def add_agency(request: Request, user: AgencyAdmin) -> Response:
    """Create an agency (administrators of the parquet)."""
    form = await request.form()
    try:
        await run_in_threadpool(
            lambda: create_agency(
                app_state(request).engine,
                name=str(form.get("name", "")),
                kind=str(form.get("kind", "")),
                by=member(user, client_ip(request)),
            )
        )
    except GltdError as exc:
        return _back(error=str(exc))
    return _back("agence créée", warning=field_warning("Nom", str(form.get("name", ""))))


def _create_user(engine: Engine, form: dict[str, str], user: CurrentUser, ip: str) -> None:
    try:
        agency_id: int | None = int(form.get("agency_id", ""))
    except ValueError:
        agency_id = None
    create_account(
        engine,
        username=form.get("username", ""),
        agency_id=agency_id,
        role=form.get("role", ""),
        password=form.get("password", ""),
        by=member(user, ip),
    )


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
    return update_account(
        engine,
        user_id=target,
        role=form.get("role") or None,
        active=(form["active"] == "1") if "active" in form else None,
        password=form.get("password") or None,
        by=member(user, ip),
    )


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
        "agencies": [dataclasses.asdict(a) for a in data["agencies"]],
        "users": [
            {**dataclasses.asdict(u), "created_at": u.created_at.isoformat()} for u in data["users"]
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
