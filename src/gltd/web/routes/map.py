"""The map page and its JSON layers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from gltd.web.auth import CurrentUser
from gltd.web.dashboard_data import category_choices
from gltd.web.deps import app_state, client_ip, require
from gltd.web.map_data import (
    MAX_CELL,
    MIN_CELL,
    cameras_geojson,
    density_geojson,
    emerging_geojson,
    hotspots_geojson,
    interventions_geojson,
    zones_geojson,
)
from gltd.web.periods import PeriodChoice, check_categories, choose_period, default_last_day
from gltd.web.render import render

router = APIRouter()
api = APIRouter(prefix="/api/map", tags=["carte"])

Reader = Annotated[CurrentUser, Depends(require("map"))]
Du = Annotated[str | None, Query(description="Premier jour (AAAA-MM-JJ)")]
Au = Annotated[str | None, Query(description="Dernier jour inclus (AAAA-MM-JJ)")]
Cats = Annotated[list[str] | None, Query(description="Codes de catégories (toutes si absent)")]
Cell = Annotated[
    float, Query(description=f"Côté des cellules en mètres ({MIN_CELL:g} à {MAX_CELL:g})")
]


def _choice(request: Request, du: str | None, au: str | None) -> PeriodChoice:
    cube = app_state(request).cache.cube()
    last = default_last_day(cube.t, app_state(request).web.reference_date)
    return choose_period(du, au, None, default_last=last)


@router.get("/carte", response_class=HTMLResponse)
async def map_page(request: Request, user: Reader, du: Du = None, au: Au = None) -> HTMLResponse:
    """The map page (layers are fetched by static/js/map.js)."""
    st = app_state(request)
    choice = await run_in_threadpool(_choice, request, du, au)
    cats = await run_in_threadpool(category_choices, st.cache)
    from gltd.basemap import active_source
    from gltd.geo import crs_label
    from gltd.mapping.legend import palette

    ctx = {"choice": choice, "categories": cats, "crs_label": crs_label(), "palette": palette(),
           "basemap": active_source(st.settings)[0] is not None}  # fmt: skip
    return render(request, "map.html", ctx)


async def _layer(
    request: Request, compute: Callable[[], dict[str, Any]], *, registers: bool = True
) -> Response:
    """A layer as JSON, encoded once and kept for its URL at the current data version.

    ``registers``: False for the layers of the incidents alone (grids, hot spots), which
    outlive changes to the registers (see :meth:`gltd.web.cache.DataCache.memo`). A layer
    already served (the usual case: every user of the map asks for the same
    weeks) is answered on the event loop from the cache; otherwise it is computed in a
    worker thread, where the data version is checked.
    """
    st = app_state(request)
    # The day is part of the key: a layer without dates follows the default period.
    key = ("layer", request.url.path, request.url.query, st.web.today())
    data = st.cache.fresh(key, registers=registers)
    if data is None:
        data = await run_in_threadpool(
            partial(st.cache.memo, registers=registers), key, lambda: st.cache.json_bytes(compute())
        )
    return Response(data, media_type="application/json")


@api.get("/zones", response_class=JSONResponse)
async def zones(request: Request, user: Reader) -> Response:
    """Zones as GeoJSON (WGS84)."""
    st = app_state(request)
    return await _layer(request, lambda: zones_geojson(st.engine, st.cache))


@dataclass(frozen=True)
class GridQuery:
    """What a grid layer is asked for: the period, the categories, the cell size."""

    du: str | None
    au: str | None
    categorie: list[str] | None
    cell: float


async def _grid_query(
    du: Du = None, au: Au = None, categorie: Cats = None, cell: Cell = 250.0
) -> GridQuery:
    return GridQuery(du, au, categorie, cell)


async def _distance(
    distance: Annotated[float | None, Query(description="Voisinage (m)")] = None,
) -> float | None:
    return distance


#: The query parameters shared by the grid layers (density, hot spots, emerging).
Grid = Annotated[GridQuery, Depends(_grid_query)]
#: The hot spots' neighbourhood, after the grid's parameters in the API's description.
Distance = Annotated[float | None, Depends(_distance)]


def _grid(request: Request, q: GridQuery) -> tuple[PeriodChoice, list[str], float]:
    """The grid layer's period, checked categories and cell (run in the thread pool)."""
    return _choice(request, q.du, q.au), check_categories(q.categorie or []), q.cell


@api.get("/density", response_class=JSONResponse)
async def density(request: Request, user: Reader, q: Grid) -> Response:
    """Incidents per grid cell over the period (non-empty cells)."""
    st = app_state(request)
    return await _layer(
        request, lambda: density_geojson(st.cache, *_grid(request, q)), registers=False
    )


@api.get("/hotspots", response_class=JSONResponse)
async def hotspots(request: Request, user: Reader, q: Grid, distance: Distance) -> Response:
    """Getis-Ord Gi* hot and cold spots on the grid (FDR)."""
    st = app_state(request)
    return await _layer(
        request, lambda: hotspots_geojson(st.cache, *_grid(request, q), distance), registers=False
    )


@api.get("/emerging", response_class=JSONResponse)
async def emerging(request: Request, user: Reader, q: Grid) -> Response:
    """Emerging hot-spot categories (new, intensifying, persistent...)."""
    st = app_state(request)
    return await _layer(
        request, lambda: emerging_geojson(st.cache, *_grid(request, q)), registers=False
    )


@api.get("/cameras", response_class=JSONResponse)
async def cameras(
    request: Request,
    user: Annotated[CurrentUser, Depends(require("cameras"))],
    du: Du = None,
    au: Au = None,
) -> Response:
    """Cameras in service during the period and their fields of view (status, removal)."""
    st = app_state(request)

    def run() -> dict[str, Any]:
        return cameras_geojson(st.engine, st.cache, _choice(request, du, au))

    return await _layer(request, run)


@api.get("/interventions", response_class=JSONResponse)
async def interventions(request: Request, user: Reader) -> Response:
    """Interventions (target polygons)."""
    st = app_state(request)
    return await _layer(request, lambda: interventions_geojson(st.engine, st.cache))


@api.post("/print")
async def print_map(
    request: Request,
    user: Reader,
    body: Annotated[dict[str, Any], Body(description="Période, couches, papier et format")],
) -> dict[str, Any]:
    """Start the printable map (PDF, PNG) or the export (GeoJSON, GeoPackage) of the layers
    and the period on screen; poll ``/api/jobs/{id}``, then download ``file``."""
    import json

    from gltd.web import audit
    from gltd.web.map_print import KIND, print_job, print_params
    from gltd.web.permissions import allowed

    st = app_state(request)
    cams = allowed(user.agency_kind, user.role, "cameras", "read")  # type: ignore[arg-type]
    params = print_params(body, can_cameras=cams)
    run_id = st.jobs.submit(KIND, params, user.username, print_job(st.cache), quick=True)
    await run_in_threadpool(
        audit.record,
        st.engine,
        user,
        "export",
        KIND,
        run_id,
        json.dumps(params, ensure_ascii=False)[:500],
        client_ip(request),
    )
    return {"id": run_id, "file": f"/analyses/runs/{run_id}/fichier"}
