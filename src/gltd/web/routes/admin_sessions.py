"""Administration: the sessions of one's agency's accounts (list, end)."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from gltd.model import User, WebSession
from gltd.model.base import utcnow
from gltd.web import audit
from gltd.web.auth import CurrentUser, SessionInfo, revoke_user_sessions
from gltd.web.deps import app_state, client_ip, require
from gltd.web.ownership import check_own_account, refuse
from gltd.web.permissions import may_manage_account
from gltd.web.render import render

router = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api", tags=["administration"])

SessionReader = Annotated[CurrentUser, Depends(require("sessions", "read"))]
SessionAdmin = Annotated[CurrentUser, Depends(require("sessions", "write"))]

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
            select(WebSession.user_id, User.username, User.agency_id)
            .join(User, User.id == WebSession.user_id)
            .where(WebSession.id == session_id)
        ).first()
        if row is None:
            raise HTTPException(404, f"session n° {session_id} introuvable")
        if not may_manage_account(user.agency_id, int(row.agency_id)):
            refuse(
                engine,
                user,
                ip,
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
        audit.add_event(s, user, "revocation", "session", session_id, detail, ip)
        return int(row.user_id), bool(n)


def _revoke_all(engine: Engine, target: int, user: CurrentUser, ip: str) -> int:
    """End every live session of an account but the caller's own; audited."""
    check_own_account(engine, user, target, ip)
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
    await run_in_threadpool(check_own_account, st.engine, user, item_id, client_ip(request))
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
    await run_in_threadpool(check_own_account, st.engine, user, item_id, client_ip(request))
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
