"""The dashboard: counts per zone with their change, and upcoming deadlines."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from gltd.web import audit
from gltd.web.auth import CurrentUser
from gltd.web.dashboard_data import category_choices, deadlines, zone_kpis
from gltd.web.deps import app_state, client_ip, require
from gltd.web.periods import COMPARE_CHOICES, check_categories, choose_period, default_last_day
from gltd.web.permissions import allowed
from gltd.web.render import render

router = APIRouter()
api = APIRouter(prefix="/api", tags=["tableau de bord"])

Reader = Annotated[CurrentUser, Depends(require("dashboard"))]
Du = Annotated[str | None, Query(description="Premier jour (AAAA-MM-JJ)")]
Au = Annotated[str | None, Query(description="Dernier jour inclus (AAAA-MM-JJ)")]
Comparer = Annotated[str | None, Query(description="annee-precedente ou periode-precedente")]
Cats = Annotated[list[str] | None, Query(description="Codes de catégories (toutes si absent)")]


def _data(
    request: Request,
    user: CurrentUser,
    du: str | None,
    au: str | None,
    comparer: str | None,
    categorie: list[str] | None,
) -> dict[str, Any]:
    st = app_state(request)
    cube = st.cache.cube()
    choice = choose_period(
        du, au, comparer, default_last=default_last_day(cube.t, st.web.reference_date)
    )
    cats = check_categories(categorie or [])
    return {
        "choice": choice,
        "kpis": zone_kpis(st.engine, st.cache, choice, cats),
        "deadlines": st.cache.memo(
            (
                "deadlines",
                allowed(user.agency_kind, user.role, "requisitions"),
                st.web.today(),
            ),
            lambda: deadlines(st.engine, user, st.web.today(), now=st.web.now()),
        ),
        "categories": category_choices(st.cache),
        "selected": cats,
    }


async def _audit_deadlines(request: Request, user: CurrentUser, data: dict[str, Any]) -> None:
    """The requisition deadlines (service, cameras, dates) are a sensitive read: audit it."""
    reqs = data["deadlines"].get("requisitions")
    if reqs is None:  # not shown to this account
        return
    await run_in_threadpool(
        audit.record,
        app_state(request).engine,
        user,
        "lecture",
        "requisitions",
        None,
        f"{request.url.path} : échéances des réquisitions ({len(reqs)})",
        client_ip(request),
    )


@router.get("/", response_class=HTMLResponse)
async def dashboard(
    request: Request,
    user: Reader,
    du: Du = None,
    au: Au = None,
    comparer: Comparer = None,
    categorie: Cats = None,
) -> HTMLResponse:
    """The dashboard page."""
    data = await run_in_threadpool(_data, request, user, du, au, comparer, categorie)
    await _audit_deadlines(request, user, data)
    return render(request, "dashboard.html", {**data, "compare_choices": COMPARE_CHOICES})


@api.get("/dashboard")
async def dashboard_api(
    request: Request,
    user: Reader,
    du: Du = None,
    au: Au = None,
    comparer: Comparer = None,
    categorie: Cats = None,
) -> dict[str, Any]:
    """Counts per zone (period and reference, exact Poisson test) and deadlines."""
    data = await run_in_threadpool(_data, request, user, du, au, comparer, categorie)
    await _audit_deadlines(request, user, data)
    return {"kpis": data["kpis"], "deadlines": data["deadlines"]}
