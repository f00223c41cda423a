"""Administration: the sessions of one's agency's accounts (list, end)."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from gltd.accounts import check_account_owner, end_account_sessions, end_session
from gltd.web.auth import CurrentUser, SessionInfo, member
from gltd.web.deps import app_state, client_ip, require
from gltd.web.render import render

router = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api", tags=["administration"])

SessionReader = Annotated[CurrentUser, Depends(require("sessions", "read"))]
SessionAdmin = Annotated[CurrentUser, Depends(require("sessions", "write"))]


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


@router.get("/admin/utilisateurs/{item_id}/sessions", response_class=HTMLResponse)
async def sessions_page(
    request: Request, user: SessionReader, item_id: int, erreur: str = ""
) -> HTMLResponse:
    """The sessions of one account (never the token), with buttons to end them."""
    st = app_state(request)
    by = member(user, client_ip(request))
    name = await run_in_threadpool(lambda: check_account_owner(st.engine, user_id=item_id, by=by))
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
    by = member(user, client_ip(request))
    owner, live = await run_in_threadpool(lambda: end_session(st.engine, session_id=item_id, by=by))
    msg = f"session n° {item_id} fermée" if live else f"session n° {item_id} déjà fermée"
    return RedirectResponse(f"/admin/utilisateurs/{owner}/sessions?ok={quote(msg)}", 303)


@router.post("/admin/utilisateurs/{item_id}/sessions/revoquer")
async def revoke_sessions(request: Request, user: SessionAdmin, item_id: int) -> Response:
    """End every session of an account (except the administrator's own)."""
    st = app_state(request)
    by = member(user, client_ip(request))
    n = await run_in_threadpool(lambda: end_account_sessions(st.engine, user_id=item_id, by=by))
    msg = f"{n} session(s) fermée(s)"
    return RedirectResponse(f"/admin/utilisateurs/{item_id}/sessions?ok={quote(msg)}", 303)


@api.get("/users/{item_id}/sessions")
async def sessions_api(request: Request, user: SessionReader, item_id: int) -> dict[str, Any]:
    """Sessions of an account, newest first (state: active, revoquee, expiree, inactive)."""
    st = app_state(request)
    by = member(user, client_ip(request))
    name = await run_in_threadpool(lambda: check_account_owner(st.engine, user_id=item_id, by=by))
    items = await run_in_threadpool(st.sessions.list_for_user, item_id)
    return {"user": {"id": item_id, "username": name}, "items": [_session_json(i) for i in items]}


@api.post("/sessions/{item_id}/revoke")
async def revoke_session_api(request: Request, user: SessionAdmin, item_id: int) -> dict[str, Any]:
    """End one session; ``revoked`` is false when it had already ended."""
    st = app_state(request)
    by = member(user, client_ip(request))
    owner, live = await run_in_threadpool(lambda: end_session(st.engine, session_id=item_id, by=by))
    return {"id": item_id, "user_id": owner, "revoked": live}


@api.post("/users/{item_id}/sessions/revoke")
async def revoke_sessions_api(request: Request, user: SessionAdmin, item_id: int) -> dict[str, Any]:
    """End every session of an account (except the caller's own)."""
    st = app_state(request)
    by = member(user, client_ip(request))
    n = await run_in_threadpool(lambda: end_account_sessions(st.engine, user_id=item_id, by=by))
    return {"user_id": item_id, "revoked": n}
