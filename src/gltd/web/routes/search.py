"""The global search of the header: requisitions, cameras, zones and actions on one page.

Each kind is searched only when the account may read its register (the permission
matrix); a search that looked into the requisitions is a sensitive read, logged as such.
Operations are not searched here: they stay in their own register (police, parquet).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import Engine, func, select
from starlette.concurrency import run_in_threadpool

from gltd.model import Zone
from gltd.web import audit
from gltd.web.auth import CurrentUser
from gltd.web.deps import app_state, client_ip, require
from gltd.web.permissions import SENSITIVE, allowed
from gltd.web.registers import LISTINGS, REGISTERS
from gltd.web.registers.listing import ListQuery, fetch_page
from gltd.web.render import fr_date, fr_datetime, render

__all__ = ["router", "search_all"]

router = APIRouter()

Reader = Annotated[CurrentUser, Depends(require("dashboard"))]
#: Results shown per kind (the register page has the rest).
LIMIT = 10


def _label(slug: str, r: dict[str, Any]) -> tuple[str, str, str]:
    """(link, title, detail) of one result."""
    if slug == "requisitions":
        return (
            f"/requisitions/{r['id']}",
            f"Réquisition n° {r['id']} — {r['requesting_unit']}",
            f"reçue le {fr_datetime(r['received_at'])} · caméras {r['camera_codes'] or '—'} · "
            f"{r['status_label']}",
        )
    if slug == "cameras":
        return (
            ListQuery(q=r["code"]).url("/cameras"),
            f"Caméra {r['code']}",
            f"{r['status']} · {r['zone'] or 'hors zone'} · {r['optics']}",
        )
    return (
        ListQuery(q=r["title"][:100]).url("/actions"),
        r["title"],
        f"{r['status_label']} · pilote {r['owner']} · échéance {fr_date(r['due_on'])}",
    )


def search_all(engine: Engine, q: str, now: datetime, readable: set[str]) -> list[dict[str, Any]]:
    """The groups of results, in a fixed order, for the resources the user may read."""
    groups: list[dict[str, Any]] = []
    for slug, title in (
        ("requisitions", "Réquisitions"),
        ("cameras", "Caméras"),
        ("zones", "Zones"),
        ("actions", "Actions du GLTD"),
    ):
        if slug == "zones":
            with engine.connect() as conn:
                cond = Zone.name.icontains(q, autoescape=True)
                total = conn.execute(select(func.count()).where(cond)).scalar_one()
                zones = conn.execute(
                    select(Zone.id, Zone.name, Zone.kind)
                    .where(cond)
                    .order_by(Zone.name)
                    .limit(LIMIT)
                ).all()
            items = [
                {
                    "href": f"/cameras?zone={z.id}",
                    "title": z.name,
                    "detail": z.kind,
                    "links": [
                        (f"/{s}?zone={z.id}", label)
                        for s, label in (
                            ("cameras", "caméras"),
                            ("actions", "actions"),
                            ("operations", "opérations"),
                        )
                        if REGISTERS[s].resource in readable
                    ],
                }
                for z in zones
            ]
            groups.append(
                {"slug": slug, "title": title, "total": total, "items": items, "more": None}
            )
            continue
        if REGISTERS[slug].resource not in readable:
            continue
        spec = LISTINGS[slug]
        query = ListQuery(q=q, size=LIMIT, sort=spec.default_sort, desc=spec.default_desc)
        page = fetch_page(engine, spec, query, now)
        items = []
        for r in page.rows:
            href, text, detail = _label(slug, r)
            items.append({"href": href, "title": text, "detail": detail, "links": []})
        more = ListQuery(q=q).url(f"/{slug}") if page.total > len(items) else None
        groups.append(
            {"slug": slug, "title": title, "total": page.total, "items": items, "more": more}
        )
    return groups


@router.get("/recherche", response_class=HTMLResponse, include_in_schema=False)
async def search_page(
    request: Request,
    user: Reader,
    q: Annotated[str, Query(description="Texte cherché", max_length=200)] = "",
) -> HTMLResponse:
    """Results grouped by kind, each with a link to its register or page."""
    st = app_state(request)
    text = q.strip()[:100]
    readable = {
        reg.resource
        for reg in REGISTERS.values()
        if allowed(user.agency_kind, user.role, reg.resource)
    }
    groups: list[dict[str, Any]] = []
    if text:
        groups = await run_in_threadpool(search_all, st.engine, text, st.web.now(), readable)
        looked = {g["slug"] for g in groups}
        for slug in looked & {"requisitions"}:
            if REGISTERS[slug].resource in SENSITIVE:
                await run_in_threadpool(
                    audit.record,
                    st.engine,
                    user,
                    "lecture",
                    REGISTERS[slug].resource,
                    None,
                    f"/recherche?q={text}",
                    client_ip(request),
                )
    return render(
        request,
        "search.html",
        {
            "q": text,
            "search_q": text,
            "groups": groups,
            "found": sum(g["total"] for g in groups),
        },
    )
