"""Login and logout."""

from __future__ import annotations

import secrets
from urllib.parse import urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from gltd.store.audit import Verb
from gltd.web import audit
from gltd.web.auth import SESSION_COOKIE, authenticate
from gltd.web.csrf import CSRF_FIELD, PRE_SESSION_COOKIE, check_csrf, csrf_token
from gltd.web.deps import UserDep, app_state, client_ip
from gltd.web.render import render

router = APIRouter(include_in_schema=False)

DEMO_REFUSED = (
    "Ce compte de démonstration n'est accepté qu'en développement (GLTD_ENV=development) : "
    "demandez un compte personnel à un administrateur. Les comptes de démonstration se "
    "suppriment avec « gltd db remove-demo-accounts »."
)


def _safe_next(target: str | None) -> str:
    """Only local paths (no open redirect)."""
    if not target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


def _login_page(
    request: Request, error: str = "", status: int = 200, username: str = ""
) -> Response:
    st = app_state(request)
    pre = request.cookies.get(PRE_SESSION_COOKIE) or secrets.token_urlsafe(18)
    resp = render(
        request,
        "login.html",
        {
            "login_token": csrf_token(st.settings.secret_key, pre, "login"),
            "error": error,
            "next": _safe_next(request.query_params.get("next")),
            "username": username,
        },
        status_code=status,
    )
    resp.set_cookie(
        PRE_SESSION_COOKIE,
        pre,
        httponly=True,
        samesite="strict",
        secure=st.web.https,
        max_age=3600,
    )
    return resp


@router.get("/login")
async def login_form(request: Request) -> Response:
    """The login page."""
    return _login_page(request)


@router.post("/login")
async def login(request: Request) -> Response:
    """Check the credentials (throttled), then set the session cookie."""
    st = app_state(request)
    form = await request.form()
    username = str(form.get("username", ""))[:100].strip()
    password = str(form.get("password", ""))[:200]
    ip = client_ip(request)

    async def refused(verb: Verb, detail: str) -> None:
        """An attempt turned away, in the audit log under the name typed (no account)."""
        await run_in_threadpool(
            audit.record, st.engine, None, verb, "connexion", None, detail, ip,
            username=username or None,
        )  # fmt: skip

    token = form.get(CSRF_FIELD)
    if not check_csrf(
        st.settings.secret_key,
        request.cookies.get(PRE_SESSION_COOKIE),
        token if isinstance(token, str) else None,
        "login",
    ):
        await refused("refus_csrf", "formulaire de connexion sans jeton valide")
        return _login_page(
            request, "Formulaire expiré : rechargez la page et recommencez.", 403, username
        )
    # The attempt is counted before the password is checked (no race between guesses).
    attempt, blocked = await run_in_threadpool(st.throttle.begin, username, ip)
    if blocked:
        await refused("connexion_bloquee", "trop d'échecs récents")
        return _login_page(
            request,
            "Trop de tentatives échouées : réessayez dans quelques minutes.",
            429,
            username,
        )
    found = await run_in_threadpool(authenticate, st.engine, username, password)
    demo_refused = found is not None and found[0].demo and st.settings.environment != "development"
    ok = found is not None and not demo_refused
    await run_in_threadpool(st.throttle.finish, attempt, "succes" if ok else "echec")
    if found is None:
        await refused("connexion_refusee", "identifiant ou mot de passe incorrect")
        return _login_page(request, "Identifiant ou mot de passe incorrect.", 401, username)
    row, fingerprint = found
    if demo_refused:
        await refused(
            "connexion_refusee",
            f"compte de démonstration refusé (GLTD_ENV={st.settings.environment})",
        )
        return _login_page(request, DEMO_REFUSED, 403, username)
    # A new login replaces the browser's previous session (no session fixation).
    await run_in_threadpool(
        st.sessions.revoke_cookie, request.cookies.get(SESSION_COOKIE), "nouvelle connexion"
    )
    cookie, user = await run_in_threadpool(
        st.sessions.create, row, fingerprint, ip, request.headers.get("user-agent")
    )
    await run_in_threadpool(
        audit.record, st.engine, user, "connexion", "session", user.session_id, None, ip
    )
    resp = RedirectResponse(_safe_next(str(form.get("next", "/"))), status_code=303)
    resp.set_cookie(
        SESSION_COOKIE,
        cookie,
        httponly=True,
        samesite="lax",
        secure=st.web.https,
        max_age=int(st.web.session_hours * 3600),
    )
    resp.delete_cookie(PRE_SESSION_COOKIE)
    return resp


@router.post("/logout")
async def logout(request: Request, user: UserDep) -> Response:
    """End the session in the database: the cookie is refused by every server process."""
    st = app_state(request)
    await run_in_threadpool(st.sessions.revoke, user.session_id, "déconnexion")
    await run_in_threadpool(
        audit.record,
        st.engine,
        user,
        "deconnexion",
        "session",
        user.session_id,
        None,
        client_ip(request),
    )
    resp = RedirectResponse("/login", status_code=303)
    resp.delete_cookie(SESSION_COOKIE)
    return resp
