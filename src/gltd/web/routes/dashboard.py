"""The dashboard: headline tiles, monthly trend, counts per zone with their change (a zone
clicked filters the page), and upcoming deadlines."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from gltd.errors import InputError
from gltd.web import audit
from gltd.web.auth import CurrentUser
from gltd.web.dashboard_data import category_choices, deadlines, zone_kpis, zones_list
from gltd.web.dashboard_tiles import monthly_trend, tiles
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
ZoneQ = Annotated[str | None, Query(description="Identifiant de zone (toutes si absent)")]


def _audited_data(
    request: Request,
    user: CurrentUser,
    du: str | None,
    au: str | None,
    comparer: str | None,
    categorie: list[str] | None,
    zone: str | None = None,
) -> dict[str, Any]:
    """The figures and the audit of their deadlines, in one trip to the thread pool (under
    load each trip waits for the interpreter again behind the other requests)."""
    st = app_state(request)
    cube = st.cache.cube()
    choice = choose_period(
        du, au, comparer, default_last=default_last_day(cube.t, st.web.reference_date)
    )
    cats = check_categories(categorie or [])
    zones = {z[0]: z[1] for z in zones_list(st.engine, st.cache)}
    zone_id = _zone(zone, zones)

    def can(resource: str) -> bool:
        return allowed(user.agency_kind, user.role, resource, "read")  # type: ignore[arg-type]

    data = {
        "choice": choice,
        "zone_id": zone_id,
        "zone_name": zones.get(zone_id) if zone_id is not None else None,
        "tiles": tiles(st.engine, st.cache, choice, cats, zone_id, can, st.web.today()),
        "trend": monthly_trend(st.cache, choice.period.last_day, cats, zone_id),
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
    _audit_deadlines(request, user, data)
    return data


def _zone(value: str | None, zones: dict[int, str]) -> int | None:
    """The zone of the ``zone`` parameter (None: every zone), refused when unknown."""
    if not value:
        return None
    try:
        zid = int(value)
    except ValueError:
        zid = -2
    if zid not in zones:
        raise InputError(f"zone inconnue : « {value[:40]} »", field="zone")
    return zid


def _audit_deadlines(request: Request, user: CurrentUser, data: dict[str, Any]) -> None:
    """The requisition deadlines (service, cameras, dates) are a sensitive read: audit it."""
    reqs = data["deadlines"].get("requisitions")
    if reqs is None:  # not shown to this account
        return
    audit.record(
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
    zone: ZoneQ = None,
) -> HTMLResponse:
    """The dashboard page."""
    data = await run_in_threadpool(_audited_data, request, user, du, au, comparer, categorie, zone)
    kept = [(k, v) for k, v in request.query_params.multi_items() if k != "zone"]

    def zone_href(zid: int | None) -> str:
        """This page with the same filters, for zone ``zid`` (None: every zone)."""
        q = kept + ([("zone", str(zid))] if zid is not None else [])
        return "/?" + urlencode(q) if q else "/"

    ctx = {**data, "compare_choices": COMPARE_CHOICES, "zone_href": zone_href}
    return render(request, "dashboard.html", ctx)


@api.get("/dashboard")
async def dashboard_api(
    request: Request,
    user: Reader,
    du: Du = None,
    au: Au = None,
    comparer: Comparer = None,
    categorie: Cats = None,
    zone: ZoneQ = None,
) -> dict[str, Any]:
    """Headline figures, counts per zone (period and reference, exact Poisson test),
    monthly trend and deadlines."""
    data = await run_in_threadpool(_audited_data, request, user, du, au, comparer, categorie, zone)
    keys = ("tiles", "trend", "kpis", "deadlines")
    return {k: data[k] for k in keys}
