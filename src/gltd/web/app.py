"""The application factory: ``create_app(settings, db_url)`` → a FastAPI app."""

from __future__ import annotations

import dataclasses
import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

import anyio.to_thread
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from gltd.accounts import NotFound, Refused
from gltd.config import Settings, get_settings
from gltd.errors import GltdError
from gltd.store.engine import make_engine
from gltd.web import audit
from gltd.web.auth import SESSION_COOKIE, LoginThrottle, SessionStore
from gltd.web.cache import DataCache
from gltd.web.deps import AppState, CsrfFailed, Forbidden, NotAuthenticated
from gltd.web.jobs import JobRunner
from gltd.web.render import make_templates, render
from gltd.web.security import (
    BodyLimitMiddleware,
    SecurityHeadersMiddleware,
    content_security_policy,
)
from gltd.web.settings import WebSettings, web_settings_from_env

__all__ = ["create_app", "app_from_env"]

log = logging.getLogger("gltd.web")
#: Worker threads for the blocking part of requests (database, computations). More would
#: only queue on the interpreter lock; the connection pool keeps as many connections.
WEB_THREADS = 16
STATIC_DIR = Path(__file__).parent / "static"


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api")


def _error(request: Request, status: int, message: str) -> Response:
    if _is_api(request):
        return JSONResponse({"detail": message}, status_code=status)
    return render(request, "error.html", {"status": status, "error": message}, status_code=status)


def _warm(state: AppState) -> None:
    try:
        state.cache.cube()
    except Exception:  # noqa: BLE001 - warming is an optimisation; requests will report errors
        log.exception("could not preload the incident cube")


def create_app(
    settings: Settings | None = None,
    db_url: str | None = None,
    *,
    web: WebSettings | None = None,
) -> FastAPI:
    """Build the gltd web application.

    Parameters
    ----------
    settings : Settings, optional
        Defaults to :func:`gltd.config.get_settings` (the ``GLTD_*`` environment).
    db_url : str, optional
        Database URL; overrides ``settings.db_url``. The database must be migrated.
    web : WebSettings, optional
        Upload limit, session lifetime, HTTPS... (defaults from the environment).

    Raises
    ------
    GltdError
        The development secret outside development.
    """
    settings = settings or get_settings()
    if db_url:
        settings = dataclasses.replace(settings, db_url=db_url)
    settings.check()
    web = web or web_settings_from_env(settings.environment)
    engine = make_engine(settings.db_url, concurrency=WEB_THREADS + 4)
    state = AppState(
        settings=settings,
        web=web,
        engine=engine,
        sessions=SessionStore(
            engine,
            settings.secret_key,
            lifetime_s=web.session_hours * 3600,
            idle_s=web.session_idle_minutes * 60,
            allow_demo=settings.environment == "development",
        ),
        throttle=LoginThrottle(
            engine, web.login_max_failures_account, web.login_max_failures_ip, web.login_window_s
        ),
        templates=make_templates(),
        jobs=JobRunner(engine, web.results_dir),
        cache=DataCache(engine, ttl_s=web.cache_ttl_s, store_dir=web.results_dir / ".cache"),
    )

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        anyio.to_thread.current_default_thread_limiter().total_tokens = WEB_THREADS
        # Runs left « en cours » by a stopped server are failed before anything else.
        await run_in_threadpool(state.jobs.start)
        # Uploads checked but never confirmed before the stop are deleted once expired.
        from gltd.web.routes.imports import sweep_uploads

        await run_in_threadpool(sweep_uploads, web.results_dir)
        # Build the incident cube in the background so the first page does not wait.
        threading.Thread(target=_warm, args=(state,), daemon=True, name="gltd-warm").start()
        yield
        state.jobs.shutdown()

    app = FastAPI(
        title="gltd",
        description="API du tableau de bord partagé du GLTD. Mêmes droits que les pages : "
        "connectez-vous (cookie de session) ; les requêtes POST portent l'en-tête "
        "X-CSRF-Token.",
        version="0.1.0",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    app.state.gltd = state

    from gltd.web.routes import ROUTERS

    for router in ROUTERS:
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    @app.exception_handler(NotAuthenticated)
    async def _not_auth(request: Request, _exc: NotAuthenticated) -> Response:
        if _is_api(request):
            return JSONResponse({"detail": "authentification requise"}, status_code=401)
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target)}", status_code=303)

    @app.exception_handler(Forbidden)
    async def _forbidden(request: Request, exc: Forbidden) -> Response:
        return _error(request, 403, exc.message)

    @app.exception_handler(Refused)
    async def _refused(request: Request, exc: Refused) -> Response:
        return _error(request, 403, exc.message)

    @app.exception_handler(NotFound)
    async def _not_found(request: Request, _exc: NotFound) -> Response:
        return _error(request, 404, "Page introuvable.")

    @app.exception_handler(CsrfFailed)
    async def _csrf(request: Request, _exc: CsrfFailed) -> Response:
        return _error(
            request,
            403,
            "Requête refusée : jeton de sécurité (CSRF) absent ou invalide. "
            "Rechargez la page et recommencez.",
        )

    @app.exception_handler(GltdError)
    async def _gltd_error(request: Request, exc: GltdError) -> Response:
        user = getattr(request.state, "user", None)
        if user is not None:
            from gltd.web.deps import client_ip

            query = f"?{request.url.query}" if request.url.query else ""
            await run_in_threadpool(
                audit.record,
                engine,
                user,
                "requete_refusee",
                "requete",
                None,
                f"{request.method} {request.url.path}{query[:300]} : {exc}",
                client_ip(request),
            )
        return _error(request, 400, str(exc))

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        parts = []
        for e in exc.errors()[:5]:
            loc = ".".join(str(p) for p in e.get("loc", ()) if p not in ("query", "body"))
            parts.append(f"{loc} : {e.get('msg', 'valeur invalide')}")
        return _error(request, 422, "Paramètres invalides — " + " ; ".join(parts))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        messages = {404: "Page introuvable.", 405: "Méthode non permise."}
        detail = (
            exc.detail
            if isinstance(exc.detail, str) and exc.status_code not in (404, 405)
            else None
        )
        return _error(request, exc.status_code, detail or messages.get(exc.status_code, "Erreur."))

    async def on_refuse(scope: dict[str, Any], message: str) -> None:
        headers = {k.decode().lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        cookie = ""
        for part in headers.get("cookie", "").split(";"):
            name, _, value = part.strip().partition("=")
            if name == SESSION_COOKIE:
                cookie = value
        user = await run_in_threadpool(state.sessions.load, cookie or None)
        client = scope.get("client") or ("inconnu", 0)
        log.warning("upload refused: %s %s", scope.get("path"), message)
        await run_in_threadpool(
            audit.record,
            engine,
            user,
            "refus_envoi",
            "requete",
            None,
            f"{scope.get('method')} {scope.get('path')}: {message}",
            client[0],
        )

    app.add_middleware(BodyLimitMiddleware, max_bytes=web.max_upload_bytes, on_refuse=on_refuse)
    app.add_middleware(
        SecurityHeadersMiddleware,
        csp=content_security_policy(settings.tile_url),
        hsts=web.https,
    )
    return app


def app_from_env() -> FastAPI:
    """The application of one server process of ``gltd serve --workers N``, from the
    ``GLTD_*`` environment (the command sets ``GLTD_DB_URL`` and ``GLTD_REFERENCE_DATE``)."""
    return create_app()
