"""Geocoding review page: geocode an address file, pick the right address for refused rows.

The upload and its results wait in ``<GLTD_RESULTS_DIR>/geocodage/<token>/`` between the
two steps (deleted after the download, swept after an hour like the imports). The page
calls :mod:`gltd.geocode.review`; the corrected file is then imported on « Imports ».
"""

from __future__ import annotations

import json
import re
import secrets
import shutil
import time
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from gltd.errors import GltdError
from gltd.web import audit
from gltd.web.auth import CurrentUser
from gltd.web.deps import app_state, client_ip, require
from gltd.web.render import render

router = APIRouter(include_in_schema=False)

Importer = Annotated[CurrentUser, Depends(require("imports", "write"))]
EXPIRY_S = 3600
FIELDS = {"address": "adresse", "postcode": "code postal", "city": "commune"}


def _dir(request: Request) -> Path:
    return app_state(request).web.results_dir / "geocodage"


def _sweep(root: Path) -> None:
    if not root.is_dir():
        return
    now = time.time()
    for d in root.iterdir():
        if d.is_dir() and now - d.stat().st_mtime > EXPIRY_S:
            shutil.rmtree(d, ignore_errors=True)


def _page(request: Request, status: int = 200, **ctx: Any) -> HTMLResponse:
    return render(request, "geocode.html", {"fields": FIELDS, **ctx}, status_code=status)


@router.get("/geocodage", response_class=HTMLResponse)
async def geocode_page(request: Request, user: Importer) -> HTMLResponse:
    """The upload form."""
    await run_in_threadpool(_sweep, _dir(request))
    return _page(request)


@router.post("/geocodage/verifier", response_class=HTMLResponse)
async def geocode_check(request: Request, user: Importer) -> HTMLResponse:
    """Geocode the upload and show the refused rows with candidate addresses."""
    from gltd.geocode.review import review_file, rows_to_json

    st = app_state(request)
    form = await request.form()
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return _page(request, 400, error="aucun fichier reçu")
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", Path(upload.filename).name).strip("._") or "fichier"
    if Path(name).suffix.lower() not in (".csv", ".txt", ".xlsx"):
        return _page(request, 415, error="type de fichier refusé (acceptés : .csv, .txt, .xlsx)")
    data = await upload.read(st.web.max_upload_bytes + 1)
    if len(data) > st.web.max_upload_bytes:
        return _page(request, 413, error="fichier trop volumineux")
    token = secrets.token_urlsafe(16)
    folder = _dir(request) / token
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(data)
    columns = {f: str(form.get(f, "")).strip() for f in FIELDS if str(form.get(f, "")).strip()}
    out = folder / "geocode.csv"
    try:
        result, rows = await run_in_threadpool(review_file, st.engine, path, out, columns=columns)
    except GltdError as exc:
        shutil.rmtree(folder, ignore_errors=True)
        return _page(request, 400, error=str(exc))
    (folder / "review.json").write_text(
        json.dumps({"user": user.username, "name": name, "rows": rows_to_json(rows)})
    )
    await run_in_threadpool(
        audit.record, st.engine, user, "geocodage", "geocode", None,
        f"{name}: {result.rows} lignes, {result.refused} refusée(s)", client_ip(request),
    )  # fmt: skip
    return _page(request, result=result, rows=rows, token=token, filename=name)


@router.post("/geocodage/corriger", response_model=None)
async def geocode_fix(request: Request, user: Importer) -> Response:
    """Apply the choices and send the corrected file (CSV) back."""
    from gltd.geocode.review import apply_choices, rows_from_json

    form = await request.form()
    token = str(form.get("token", ""))
    folder = _dir(request) / token
    meta_path = folder / "review.json"
    if not re.fullmatch(r"[A-Za-z0-9_-]{10,40}", token) or not meta_path.is_file():
        return _page(request, 400, error="géocodage inconnu ou expiré : recommencez l'envoi")
    meta = json.loads(meta_path.read_text())
    if meta.get("user") != user.username:
        return _page(request, 403, error="ce géocodage a été préparé par un autre compte")
    rows = rows_from_json(meta["rows"])
    choices: dict[int, str] = {}
    manual: dict[int, tuple[float, float]] = {}
    for r in rows:
        pick = str(form.get(f"choix_{r.index}", ""))
        if pick == "main":
            try:
                lon = float(str(form.get(f"lon_{r.index}", "")).replace(",", "."))
                lat = float(str(form.get(f"lat_{r.index}", "")).replace(",", "."))
            except ValueError:
                return _page(
                    request, 400, error=f"ligne {r.line} : longitude ou latitude illisible"
                )
            manual[r.index] = (lon, lat)
        elif pick:
            choices[r.index] = pick
    out = folder / "corrige.csv"
    try:
        n = await run_in_threadpool(
            apply_choices, folder / "geocode.csv", rows, choices, manual, out, who=user.username
        )
    except GltdError as exc:
        return _page(request, 400, error=str(exc))
    body = out.read_bytes()
    st = app_state(request)
    await run_in_threadpool(
        audit.record, st.engine, user, "geocodage_revu", "geocode", None,
        f"{meta['name']}: {n} ligne(s) revue(s)", client_ip(request),
    )  # fmt: skip
    shutil.rmtree(folder, ignore_errors=True)
    stem = Path(meta["name"]).stem
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{stem}_geocode.csv"'},
    )
