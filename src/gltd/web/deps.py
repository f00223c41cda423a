"""FastAPI dependencies: the app state, the current user, permissions, CSRF, audit."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import Depends, Request
from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool

from gltd.config import Settings
from gltd.web import audit
from gltd.web.auth import SESSION_COOKIE, CurrentUser, LoginThrottle, SessionStore
from gltd.web.csrf import CSRF_FIELD, CSRF_HEADER, check_csrf
from gltd.web.permissions import SENSITIVE, Action, allowed
from gltd.web.settings import WebSettings

if TYPE_CHECKING:
    from gltd.web.cache import DataCache
    from gltd.web.jobs import JobRunner

__all__ = [
    "AppState",
    "Forbidden",
    "NotAuthenticated",
    "CsrfFailed",
    "app_state",
    "client_ip",
    "forwarded_client",
    "current_user",
    "require",
    "record_read",
    "check_allowed",
    "UserDep",
    "StateDep",
]

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass
class AppState:
    """Everything a request needs, built once by :func:`gltd.web.app.create_app`."""

    settings: Settings
    web: WebSettings
    engine: Engine
    sessions: SessionStore
    throttle: LoginThrottle
    templates: Any
    jobs: JobRunner
    cache: DataCache


class NotAuthenticated(Exception):  # noqa: N818
    """No valid session: pages redirect to the login form, the API answers 401."""


class Forbidden(Exception):  # noqa: N818
    """The account may not do this: 403 with a French message."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class CsrfFailed(Exception):  # noqa: N818
    """Missing or forged CSRF token: 403."""


def app_state(request: Request) -> AppState:
    """The application state."""
    st: AppState = request.app.state.gltd
    return st


StateDep = Annotated[AppState, Depends(app_state)]


def forwarded_client(header_values: list[str], proxies: int) -> str | None:
    """The address the outermost of ``proxies`` trusted proxies saw, or None.

    Each proxy appends the address it received the request from, so the last
    ``proxies`` entries of ``X-Forwarded-For`` are trustworthy and the N-th from the
    right is the client; anything further left was sent by the client itself.
    """
    entries = [e.strip() for v in header_values for e in v.split(",") if e.strip()]
    if proxies <= 0 or not entries:
        return None
    return entries[-min(proxies, len(entries))][:60]


def client_ip(request: Request) -> str:
    """The client address (``X-Forwarded-For`` only when GLTD_TRUST_PROXY is set)."""
    st = app_state(request)
    if st.web.trust_proxy:
        fwd = forwarded_client(request.headers.getlist("x-forwarded-for"), st.web.trust_proxy)
        if fwd:
            return fwd
    return request.client.host if request.client else "inconnu"


async def _check_csrf(request: Request, st: AppState, sid: str) -> None:
    token = request.headers.get(CSRF_HEADER)
    if token is None:
        ctype = request.headers.get("content-type", "")
        if ctype.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            value = form.get(CSRF_FIELD)
            token = value if isinstance(value, str) else None
    if not check_csrf(st.settings.secret_key, sid, token):
        raise CsrfFailed


async def current_user(request: Request) -> CurrentUser:
    """The logged-in account; for unsafe methods the CSRF token is checked too."""
    st = app_state(request)
    cached = getattr(request.state, "user", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    cookie = request.cookies.get(SESSION_COOKIE)
    if st.sessions.local:
        # An indexed read of an embedded base (a fraction of a millisecond, and WAL readers
        # never wait for a writer): cheaper on the event loop than a hop to a worker thread.
        # The write it may call for (last use, once a minute) can wait for a writer: thread.
        user, write = st.sessions.check(cookie)
        if write is not None:
            await run_in_threadpool(write)
    else:
        user = await run_in_threadpool(st.sessions.load, cookie)
    if user is None:
        raise NotAuthenticated
    if request.method not in SAFE_METHODS:
        try:
            await _check_csrf(request, st, user.sid)
        except CsrfFailed:
            await run_in_threadpool(
                audit.record,
                st.engine,
                user,
                "refus_csrf",
                "requete",
                None,
                f"{request.method} {request.url.path}: jeton CSRF absent ou invalide",
                client_ip(request),
            )
            raise
    request.state.user = user
    return user


UserDep = Annotated[CurrentUser, Depends(current_user)]


def record_read(request: Request) -> None:
    """Write the sensitive read left to the route by ``require(..., audit_in_route=True)``
    (call it in the worker thread that reads the data, before the data is returned)."""
    read = getattr(request.state, "unrecorded_read", None)
    if read is not None:
        read()
        request.state.unrecorded_read = None


async def check_allowed(
    request: Request, user: CurrentUser, resource: str, action: Action, message: str = ""
) -> None:
    """Let the request go on only if the matrix allows ``action`` on ``resource``; else
    audit the refusal and raise :class:`Forbidden` (``message``, or the generic one)."""
    if allowed(user.agency_kind, user.role, resource, action):
        return
    await run_in_threadpool(
        audit.record,
        app_state(request).engine,
        user,
        "refus",
        resource,
        None,
        f"{request.method} {request.url.path} ({action})",
        client_ip(request),
    )
    raise Forbidden(
        message
        or "Accès refusé : votre rôle ou votre agence ne permet pas "
        f"{'de consulter' if action == 'read' else 'de modifier'} cette rubrique."
    )


def require(
    resource: str, action: Action = "read", *, audit_in_route: bool = False
) -> Callable[..., Awaitable[CurrentUser]]:
    """A dependency that lets the request through only if the matrix allows it.

    Refusals are written to the audit log; every read of a sensitive resource too. With
    ``audit_in_route`` the read is recorded by the route itself, in the worker thread
    that reads the data (:func:`record_read`: one trip to the thread pool instead of
    two); a page rendered with its read still unrecorded is an error
    (:func:`gltd.web.render.render` refuses it).
    """

    async def dependency(request: Request, user: UserDep) -> CurrentUser:
        st = app_state(request)
        await check_allowed(request, user, resource, action)
        if action == "read" and resource in SENSITIVE and request.method in SAFE_METHODS:
            query = f"?{request.url.query}" if request.url.query else ""
            read = partial(
                audit.record,
                st.engine,
                user,
                "lecture",
                resource,
                request.path_params.get("item_id"),
                f"{request.url.path}{query}",
                client_ip(request),
            )
            if audit_in_route:
                request.state.unrecorded_read = read
            else:
                await run_in_threadpool(read)
        return user

    dependency.__name__ = f"require_{resource}_{action}"
    return dependency
