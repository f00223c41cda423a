"""Analyses launched from forms, run in the background, viewed and downloaded."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool

from gltd.documents.render import stylesheet
from gltd.errors import InputError
from gltd.store.runs import RunRecord, get_run, list_runs
from gltd.web import audit
from gltd.web.analyses import ANALYSES, AnalysisSpec
from gltd.web.auth import CurrentUser
from gltd.web.deps import app_state, check_allowed, client_ip, require
from gltd.web.forms import FormErrors, form_data, parse
from gltd.web.permissions import allowed
from gltd.web.render import render
from gltd.web.run_view import (
    KIND_LABELS,
    category_of,
    french_params,
    hotspot_counts,
    result_html,
    siting_map_data,
)

router = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api", tags=["analyses"])

Reader = Annotated[CurrentUser, Depends(require("analyses", "read"))]
#: The document stylesheets each kind of run page needs.
STYLES = {"near_repeat": ("knox.css",), "displacement": ("displacement.css",)}


def _resource_of(kind: str) -> str:
    return "bilan" if kind == "bilan" else "analyses"


async def _check(request: Request, user: CurrentUser, resource: str, action: str) -> None:
    await check_allowed(
        request,
        user,
        resource,
        action,  # type: ignore[arg-type]
        "Accès refusé : votre rôle ne permet pas de lancer cette analyse.",
    )


def _spec(kind: str) -> AnalysisSpec:
    spec = ANALYSES.get(kind)
    if spec is None:
        raise InputError(f"analyse inconnue : « {kind[:40]} » (connues : {', '.join(ANALYSES)})")
    return spec


def _runs(engine: Engine, limit: int = 50) -> list[RunRecord]:
    return list_runs(engine, limit=limit, with_result=False)


def _forms(engine: Engine, user: CurrentUser) -> list[dict[str, Any]]:
    out = []
    for spec in ANALYSES.values():
        can = allowed(user.agency_kind, user.role, spec.resource, "write")
        out.append(
            {
                "spec": spec,
                "can": can,
                "fields": spec.fields(engine) if can else [],
            }
        )
    return out


@router.get("/analyses", response_class=HTMLResponse)
async def analyses_page(request: Request, user: Reader) -> HTMLResponse:
    """Forms of the analyses and the latest runs."""
    st = app_state(request)
    forms = await run_in_threadpool(_forms, st.engine, user)
    runs = await run_in_threadpool(_runs, st.engine)
    labels = {**KIND_LABELS, **{k: s.label for k, s in ANALYSES.items()}}
    return render(request, "analyses.html", {"forms": forms, "runs": runs, "labels": labels})


async def _start(request: Request, user: CurrentUser, kind: str, data: dict[str, Any]) -> int:
    st = app_state(request)
    spec = _spec(kind)
    await _check(request, user, spec.resource, "write")
    fields = await run_in_threadpool(spec.fields, st.engine)
    values = parse(fields, data)
    params = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in values.items()}
    values["_by"] = user.username
    run_id = st.jobs.submit(
        kind,
        params,
        user.username,
        lambda e, _p, prog, res: spec.run(e, values, prog, res),
        category=category_of(params),
    )
    await run_in_threadpool(
        audit.record,
        st.engine,
        user,
        "analyse",
        kind,
        run_id,
        json.dumps(params, ensure_ascii=False)[:500],
        client_ip(request),
    )
    return run_id


@router.post("/analyses/{kind}")
async def start_form(request: Request, user: Reader, kind: str) -> Response:
    """Start an analysis from its form."""
    st = app_state(request)
    spec = _spec(kind)
    await _check(request, user, spec.resource, "write")
    fields = await run_in_threadpool(spec.fields, st.engine)
    data = form_data(await request.form(), fields)
    try:
        run_id = await _start(request, user, kind, data)
    except FormErrors as exc:
        forms = await run_in_threadpool(_forms, st.engine, user)
        runs = await run_in_threadpool(_runs, st.engine)
        return render(
            request,
            "analyses.html",
            {
                "forms": forms,
                "runs": runs,
                "error": str(exc),
                "labels": {**KIND_LABELS, **{k: s.label for k, s in ANALYSES.items()}},
            },
            status_code=400,
        )
    return RedirectResponse(f"/analyses/runs/{run_id}", status_code=303)


@api.post("/analyses/{kind}")
async def start_api(
    request: Request,
    user: Reader,
    kind: str,
    body: Annotated[dict[str, Any], Body(description="Champs du formulaire")],
) -> dict[str, Any]:
    """Start an analysis; poll ``/api/jobs/{id}``."""
    return {"id": await _start(request, user, kind, body)}


def _run(engine: Engine, run_id: int) -> RunRecord:
    row = get_run(engine, run_id)
    if row is None:
        raise InputError(f"analyse n° {run_id} introuvable")
    return row


def _job_state(request: Request, row: RunRecord) -> dict[str, Any]:
    prog = app_state(request).jobs.progress(row.id)
    done = row.status in ("done", "failed")
    return {
        "id": row.id,
        "kind": row.kind,
        "status": row.status,
        "done": prog.done if prog else (1 if done else 0),
        "total": prog.total if prog else 1,
        "message": prog.message if prog else row.status,
        "error": row.error,
        "has_file": bool(row.output_path),
    }


@router.get("/analyses/runs/{run_id}", response_class=HTMLResponse)
async def run_page(request: Request, user: Reader, run_id: int) -> HTMLResponse:
    """A run: progress while it works, then its result and downloads."""
    st = app_state(request)
    row = await run_in_threadpool(_run, st.engine, run_id)
    await _check(request, user, _resource_of(row.kind), "read")
    # A run's page shows its whole result: a sensitive read, like the registers'.
    await run_in_threadpool(
        audit.record,
        st.engine,
        user,
        "lecture",
        "analysis_run",
        run_id,
        f"{row.kind} : {request.url.path}",
        client_ip(request),
    )
    result = row.result
    pretty = json.dumps(result, ensure_ascii=False, indent=2)[:20000] if result else ""
    spec = ANALYSES.get(row.kind)
    label = spec.label if spec else KIND_LABELS.get(row.kind, row.kind)
    fields = await run_in_threadpool(spec.fields, st.engine) if spec else []
    has_map = isinstance(result, dict) and bool(result.get("map_file"))
    map_url = f"/analyses/runs/{run_id}/carte.png" if has_map else None
    return render(
        request,
        "run.html",
        {
            "run": row,
            "label": label,
            "state": _job_state(request, row),
            "result": result,
            "pretty": pretty,
            "params": french_params(row.params, fields),
            "shown": result_html(row.kind, result, map_url=map_url)
            if row.status == "done"
            else None,
            "counts": hotspot_counts(result) if row.kind == "hotspots" else [],
            "siting_map": siting_map_data(result)
            if row.kind == "siting" and row.status == "done"
            else None,
            "styles": STYLES.get(row.kind, ()),
        },
    )


@api.get("/jobs/{run_id}")
async def job_api(request: Request, user: Reader, run_id: int) -> dict[str, Any]:
    """Progress of a run (polled by the page)."""
    row = await run_in_threadpool(_run, app_state(request).engine, run_id)
    await _check(request, user, _resource_of(row.kind), "read")
    return _job_state(request, row)


@router.get("/analyses/runs/{run_id}/resultat.json")
@api.get("/jobs/{run_id}/result")
async def run_json(request: Request, user: Reader, run_id: int) -> Response:
    """The stored result as JSON (download)."""
    st = app_state(request)
    row = await run_in_threadpool(_run, st.engine, run_id)
    await _check(request, user, _resource_of(row.kind), "read")
    await run_in_threadpool(
        audit.record, st.engine, user, "export", "analysis_run", run_id, "JSON", client_ip(request)
    )
    return JSONResponse(
        row.result,
        headers={"content-disposition": f'attachment; filename="analyse-{run_id}.json"'},
    )


MEDIA = {
    ".pdf": "application/pdf",
    ".html": "text/html; charset=utf-8",
    ".json": "application/json",
    ".csv": "text/csv; charset=utf-8",
    ".gpkg": "application/geopackage+sqlite3",
    ".geojson": "application/geo+json",
    ".png": "image/png",
}


def _results_file(request: Request, name: str) -> Path:
    """A file of the results folder (never outside it)."""
    base = app_state(request).web.results_dir.resolve()
    path = (base / name).resolve()
    if base not in path.parents or not path.is_file():
        raise InputError("fichier de résultat introuvable (dossier des résultats déplacé ?)")
    return path


@router.get("/analyses/styles/{name}")
async def run_styles(user: Reader, name: str) -> Response:
    """The styles of the document parts a run page shows (the documents' own)."""
    return Response(
        stylesheet(name),
        media_type="text/css; charset=utf-8",
        headers={"cache-control": "private, max-age=3600"},
    )


@router.get("/analyses/runs/{run_id}/carte.png")
async def run_map(request: Request, user: Reader, run_id: int) -> Response:
    """The map of a run's result (a displacement's target, rings and incidents)."""
    st = app_state(request)
    row = await run_in_threadpool(_run, st.engine, run_id)
    await _check(request, user, _resource_of(row.kind), "read")
    name = row.result.get("map_file") if isinstance(row.result, dict) else None
    if not name:
        raise InputError("cette analyse n'a pas de carte")
    return FileResponse(_results_file(request, str(name)), media_type="image/png")


@router.get("/analyses/runs/{run_id}/fichier")
async def run_file(request: Request, user: Reader, run_id: int) -> Response:
    """The file produced by a run (PDF, HTML...), from the results folder only."""
    st = app_state(request)
    row = await run_in_threadpool(_run, st.engine, run_id)
    await _check(request, user, _resource_of(row.kind), "read")
    if not row.output_path:
        raise InputError("cette analyse n'a pas produit de fichier")
    path = _results_file(request, row.output_path)
    await run_in_threadpool(
        audit.record,
        st.engine,
        user,
        "export",
        "analysis_run",
        run_id,
        path.name,
        client_ip(request),
    )
    suffix = Path(path).suffix.lower()
    return FileResponse(
        path,
        media_type=MEDIA.get(suffix, "application/octet-stream"),
        filename=path.name,
        content_disposition_type="attachment" if suffix != ".pdf" else "inline",
    )
