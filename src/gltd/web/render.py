"""Jinja2 templates (French), their filters, and the common page context."""

from __future__ import annotations

import math
from datetime import date, datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from gltd.documents.fmt import fr_p, fr_test_change
from gltd.store.audit import VERB_LABELS, verb_label
from gltd.timeutil import PARIS
from gltd.web.auth import CurrentUser
from gltd.web.csrf import csrf_token
from gltd.web.permissions import (
    AGENCY_LABELS,
    RESOURCE_LABELS,
    ROLE_LABELS,
    Action,
    allowed,
)

__all__ = ["make_templates", "render", "NAV"]

TEMPLATES_DIR = Path(__file__).parent / "templates"

#: Navigation: (path, label, resource). An entry shows only when its resource is readable.
NAV: tuple[tuple[str, str, str], ...] = (
    ("/", "Tableau de bord", "dashboard"),
    ("/carte", "Carte", "map"),
    ("/operations", "Opérations", "operations"),
    ("/cameras", "Caméras", "cameras"),
    ("/requisitions", "Réquisitions", "requisitions"),
    ("/visionnages", "Visionnages", "viewing_log"),
    ("/demandes", "Demandes de caméras", "camera_requests"),
    ("/actions", "Actions", "actions"),
    ("/analyses", "Analyses", "analyses"),
    ("/imports", "Imports", "imports"),
    ("/admin", "Administration", "admin"),
    ("/admin/audit", "Audit", "audit"),
)


def fr_number(value: Any, digits: int = 0) -> str:
    """``1234.5`` → ``1 234,5`` (narrow no-break space as thousands separator)."""
    if value is None:
        return "—"
    try:
        v = float(value)
    except (TypeError, ValueError):
        return str(value)
    if not math.isfinite(v):
        return "—"
    text = f"{v:,.{digits}f}".replace(",", "\u202f").replace(".", ",")
    return text


def fr_pct(value: Any) -> str:
    """``12.3`` → ``+12 %``."""
    if value is None:
        return "—"
    v = float(value)
    if not math.isfinite(v):
        return "—"
    return f"{v:+.0f}\u202f%".replace("-", "−")


def fr_date(value: Any) -> str:
    """A date, datetime or ISO day as ``24/09/2018`` (local day)."""
    if value is None:
        return "—"
    if isinstance(value, datetime):
        return value.astimezone(PARIS).strftime("%d/%m/%Y")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, str):  # an ISO day from a stored JSON result
        try:
            return date.fromisoformat(value).strftime("%d/%m/%Y")
        except ValueError:
            pass
    return str(value)


def fr_datetime(value: Any) -> str:
    """A datetime as ``24/09/2018 14:05`` (Europe/Paris)."""
    if value is None:
        return "—"
    if isinstance(value, datetime):
        return value.astimezone(PARIS).strftime("%d/%m/%Y %H:%M")
    return fr_date(value)


def make_templates() -> Jinja2Templates:
    """The template set with gltd's filters."""
    t = Jinja2Templates(directory=str(TEMPLATES_DIR))
    env = t.env
    # The templates ship with the package: no file check on every page (restart to reload).
    env.auto_reload = False
    env.filters["nombre"] = fr_number
    env.filters["pct"] = fr_pct
    env.filters["jour"] = fr_date
    env.filters["horodatage"] = fr_datetime
    env.filters["verbe"] = verb_label
    env.filters["p"] = fr_p  # « p < 0,001 », « p = 0,03 », as in the documents
    env.filters["evolution"] = fr_test_change  # « +12 % », or « de 2 à 5 » on small numbers
    env.globals["ROLE_LABELS"] = ROLE_LABELS
    env.globals["AGENCY_LABELS"] = AGENCY_LABELS
    env.globals["RESOURCE_LABELS"] = RESOURCE_LABELS
    env.globals["VERB_LABELS"] = VERB_LABELS
    return t


def render(
    request: Request,
    name: str,
    context: dict[str, Any] | None = None,
    *,
    user: CurrentUser | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    """Render a page with the common context (account, CSRF token, navigation, rights)."""
    st = request.app.state.gltd
    if status_code < 400 and getattr(request.state, "unrecorded_read", None) is not None:
        raise RuntimeError(f"{request.url.path}: sensitive read rendered before it was audited")
    user = user or getattr(request.state, "user", None)

    def can(resource: str, action: Action = "read") -> bool:
        return user is not None and allowed(user.agency_kind, user.role, resource, action)

    ctx: dict[str, Any] = {
        "user": user,
        "can": can,
        "nav": [n for n in NAV if can(n[2])] if user else [],
        "csrf_token": csrf_token(st.settings.secret_key, user.sid) if user else "",
        "path": request.url.path,
        "tile_url": st.settings.tile_url or "",
        "reference_date": st.web.reference_date,
        "message": request.query_params.get("ok", "")[:200],
        "warning": request.query_params.get("attention", "")[:1500],
    }
    if context:
        ctx.update(context)
    resp: HTMLResponse = st.templates.TemplateResponse(request, name, ctx, status_code=status_code)
    return resp
