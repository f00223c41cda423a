"""A requisition's status page (deadline, workflow buttons, history) and the camera search
of the requisition form.

The workflow rules are the domain's (:data:`gltd.cctv.requisitions.TRANSITIONS`,
:func:`gltd.cctv.requisitions.change_status`): the page offers only the changes allowed
from the current status, and the domain refuses any other.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from gltd.cctv.inventory import find_cameras
from gltd.cctv.requisitions import (
    CAPACITY_LABELS,
    LEGAL_BASIS_LABELS,
    OUTCOME_LABELS,
    OUTCOMES,
    STATUS_LABELS,
    TRANSITIONS,
    change_status,
    get_requisition,
    set_outcome,
)
from gltd.errors import GltdError, InputError
from gltd.web import audit
from gltd.web.auth import CurrentUser
from gltd.web.dashboard_data import deadline_level
from gltd.web.deps import app_state, client_ip, require
from gltd.web.render import fr_datetime, render

router = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api", tags=["Réquisitions judiciaires d'images"])

Reader = Annotated[CurrentUser, Depends(require("requisitions", "read"))]
Writer = Annotated[CurrentUser, Depends(require("requisitions", "write"))]

#: What each button of the status page says.
ACTION_LABELS = {
    "en_cours": "Passer « en cours » (extraction commencée)",
    "remise": "Marquer « remise » (images remises au requérant)",
    "hors_delai": "Marquer « hors délai » (images déjà écrasées)",
    "sans_objet": "Classer « sans objet »",
}


def time_left_fr(deadline: datetime | None, now: datetime) -> str:
    """« dans 3 j 4 h » or « dépassée depuis 2 h » (whole hours)."""
    if deadline is None:
        return "inconnue"
    left = deadline - now
    hours = round(abs(left) / timedelta(hours=1))
    days, rest = divmod(hours, 24)
    text = (f"{days} j " if days else "") + f"{rest} h"
    return f"dans {text}" if left >= timedelta(0) else f"dépassée depuis {text}"


def _context(view: Any, now: datetime) -> dict[str, Any]:
    level = deadline_level(view.deadline, view.status, now)
    return {
        "r": view,
        "status_label": STATUS_LABELS.get(view.status, view.status),
        "deadline_fr": fr_datetime(view.deadline),
        "time_left": time_left_fr(view.deadline, now),
        "level": level,
        "capacity": CAPACITY_LABELS.get(view.officer_capacity or "", "—"),
        "legal_basis": LEGAL_BASIS_LABELS.get(view.legal_basis or "", view.legal_basis or "—"),
        "outcome": OUTCOME_LABELS.get(view.outcome or "", "—"),
        "steps": [
            {"status": s, "label": STATUS_LABELS.get(s, s), "at": fr_datetime(at), "by": by or "—"}
            for s, at, by in view.events
        ],
        "next": [(s, ACTION_LABELS[s]) for s in TRANSITIONS.get(view.status, ())],
        "outcomes": [(o, OUTCOME_LABELS[o]) for o in OUTCOMES],
        "cameras": [
            {
                "code": c.code,
                "retention": c.retention_days,
                "deadline": fr_datetime(c.deadline),
                "gone": fr_datetime(c.gone_at),
            }
            for c in view.cameras
        ],
        "received": fr_datetime(view.received_at),
        "period": f"du {fr_datetime(view.period_start)} au {fr_datetime(view.period_end)}",
    }


async def _page(
    request: Request, item_id: int, *, error: str = "", status: int = 200
) -> HTMLResponse:
    st = app_state(request)
    try:
        view = await run_in_threadpool(get_requisition, st.engine, item_id)
    except InputError as exc:
        return render(request, "error.html", {"error": str(exc), "status": 404}, status_code=404)
    ctx = _context(view, st.web.now())
    return render(request, "requisition.html", {**ctx, "error": error}, status_code=status)


@router.get("/requisitions/{item_id:int}", response_class=HTMLResponse)
async def status_page(request: Request, user: Reader, item_id: int) -> HTMLResponse:
    """One requisition: its deadline, its cameras, its workflow and its history."""
    return await _page(request, item_id)


@router.get("/requisitions/{item_id:int}/modifier", response_class=HTMLResponse)
async def status_form(request: Request, user: Writer, item_id: int) -> HTMLResponse:
    """The register's « statut » link: the status page, whose buttons change the status."""
    await run_in_threadpool(
        audit.record,
        app_state(request).engine,
        user,
        "lecture",
        "requisitions",
        item_id,
        f"{request.url.path} (formulaire de modification)",
        client_ip(request),
    )
    return await _page(request, item_id)


@router.post("/requisitions/{item_id:int}/statut", response_class=HTMLResponse)
async def move(request: Request, user: Writer, item_id: int) -> Response:
    """Apply one workflow step (refused by the domain when not allowed from the status seen)."""
    st = app_state(request)
    form = await request.form()
    status = str(form.get("status", ""))[:20]
    expected = str(form.get("expected", ""))[:20] or None
    medium = str(form.get("medium", "")).strip()[:60] or None
    outcome = str(form.get("outcome", "")).strip()[:20] or None
    try:
        await run_in_threadpool(
            lambda: change_status(
                st.engine,
                item_id,
                status,
                by=audit.actor(user, client_ip(request)),  # audited there
                expected=expected,
                medium=medium,
                outcome=outcome,
            )
        )
    except GltdError as exc:
        return await _page(request, item_id, error=str(exc), status=400)
    st.cache.invalidate()
    msg = f"réquisition n° {item_id} : statut « {STATUS_LABELS.get(status, status)} »"
    return RedirectResponse(f"/requisitions/{item_id}?ok={quote(msg)}", status_code=303)


@router.post("/requisitions/{item_id:int}/resultat", response_class=HTMLResponse)
async def outcome(request: Request, user: Writer, item_id: int) -> Response:
    """Record what the footage delivered gave, once the investigators say so."""
    st = app_state(request)
    value = str((await request.form()).get("outcome", ""))[:20]
    by = audit.actor(user, client_ip(request))
    try:
        await run_in_threadpool(lambda: set_outcome(st.engine, item_id, value, by=by))
    except GltdError as exc:
        return await _page(request, item_id, error=str(exc), status=400)
    msg = f"réquisition n° {item_id} : résultat « {OUTCOME_LABELS.get(value, value)} »"
    return RedirectResponse(f"/requisitions/{item_id}?ok={quote(msg)}", status_code=303)


@api.get("/requisitions/cameras", summary="Caméras en service : recherche par code ou carte")
async def camera_search(
    request: Request,
    user: Writer,
    q: Annotated[str, Query(max_length=60, description="Début ou partie du code")] = "",
    lon: Annotated[float | None, Query(ge=-180, le=180, description="Longitude WGS84")] = None,
    lat: Annotated[float | None, Query(ge=-90, le=90, description="Latitude WGS84")] = None,
    n: Annotated[int, Query(ge=1, le=500, description="Nombre au plus")] = 10,
) -> dict[str, Any]:
    """Cameras in service at the application's date, by code or nearest to a point."""
    st = app_state(request)
    if (lon is None) != (lat is None):
        raise InputError("donnez la longitude et la latitude, ou aucune des deux", field="lat")
    near = (lon, lat) if lon is not None and lat is not None else None
    found = await run_in_threadpool(
        lambda: find_cameras(st.engine, on=st.web.today(), text=q, near=near, limit=n)
    )
    return {"items": [m.as_dict() for m in found], "count": len(found)}
