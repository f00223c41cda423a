"""Imports by upload: the validation report is shown before anything is written.

An upload waits in ``<GLTD_RESULTS_DIR>/uploads/<token>/`` between the check and the
confirmation, and only there: it is deleted when the import is confirmed, cancelled,
refused or fails, and, never confirmed, after :data:`UPLOAD_EXPIRY_S` (swept at start-up
and on every import page). Files may hold procedure numbers in clear.
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

from gltd.cctv.importers import register_importers
from gltd.errors import GltdError, InputError, ValidationFailed
from gltd.geocode.places import register_geocoder
from gltd.web import audit
from gltd.web.auth import CurrentUser
from gltd.web.deps import Forbidden, app_state, client_ip, require
from gltd.web.permissions import allowed
from gltd.web.render import render

router = APIRouter(include_in_schema=False)

Importer = Annotated[CurrentUser, Depends(require("imports", "write"))]

#: Import kinds offered, their French label and the register they also need to write.
KINDS: dict[str, tuple[str, str | None]] = {
    "incidents": ("Faits (CSV, Excel, GeoJSON, GeoPackage, Parquet)", None),
    "zones": ("Zones (GeoJSON, GeoPackage, Shapefile zippé)", None),
    "ssmsi": ("Données SSMSI communales (CSV)", None),
    "operations": ("Opérations", "operations"),
    "cameras": ("Caméras", "cameras"),
    "requisitions": ("Réquisitions", "requisitions"),
}
register_importers()  # the camera and requisition loaders live in gltd.cctv
register_geocoder()  # rows placed by their address: the local BAN index
#: Accepted extensions and the first bytes each must start with (None: text, no NUL byte).
SIGNATURES: dict[str, bytes | None] = {
    ".csv": None,
    ".txt": None,
    ".tsv": None,
    ".geojson": None,
    ".json": None,
    ".xlsx": b"PK\x03\x04",
    ".zip": b"PK\x03\x04",
    ".gpkg": b"SQLite format 3\x00",
    ".parquet": b"PAR1",
    ".gz": b"\x1f\x8b",
}


#: Coordinate systems offered by the form (as ``gltd import … --crs``).
CRS_CHOICES = {
    "": "déduit des colonnes (lon/lat : WGS84 ; x/y : Lambert-93)",
    "EPSG:2154": "Lambert-93 (EPSG:2154)",
    "EPSG:4326": "longitude/latitude WGS84 (EPSG:4326)",
    "EPSG:27572": "Lambert II étendu (EPSG:27572)",
    **{f"EPSG:{3900 + cc}": f"Lambert CC{cc} (EPSG:{3900 + cc})" for cc in range(42, 51)},
}


def _import_choice(form: Any) -> dict[str, str | None]:
    """The form's « source », « date format » and « coordinate system » (as ``gltd import …
    --source --date-format --crs``)."""
    source = str(form.get("source") or "").strip()[:100]
    date_format = str(form.get("date_format") or "").strip()[:20]
    crs = str(form.get("crs") or "").strip()[:20]
    if crs not in CRS_CHOICES:
        raise InputError(f"système de coordonnées non proposé : « {crs} »", field="crs")
    return {"source": source or None, "date_format": date_format or None, "crs": crs or None}


#: Names of the reports the check writes beside the upload: the problems, and the rejected
#: rows as they were with their reason (``gltd.ingest``'s ``skip_invalid`` reports).
REPORT = "rapport.rejets.csv"
REJECTED_ROWS = "rapport.rejets.lignes.csv"

#: A checked upload not confirmed within this time (seconds) is deleted.
UPLOAD_EXPIRY_S = 3600


def uploads_folder(results_dir: Path) -> Path:
    """Where checked uploads wait for their confirmation."""
    return results_dir / "uploads"


def sweep_uploads(results_dir: Path, max_age_s: float = UPLOAD_EXPIRY_S) -> int:
    """Delete the uploads waiting for longer than ``max_age_s``; return how many."""
    folder = uploads_folder(results_dir)
    if not folder.is_dir():
        return 0
    now = time.time()
    n = 0
    for d in folder.iterdir():
        try:
            old = now - d.stat().st_mtime > max_age_s
        except OSError:
            continue
        if old:
            if d.is_dir():
                shutil.rmtree(d, ignore_errors=True)
            else:
                d.unlink(missing_ok=True)
            n += 1
    return n


def _upload_dir(request: Request) -> Path:
    results = app_state(request).web.results_dir
    sweep_uploads(results)
    return uploads_folder(results)


def _safe_name(name: str) -> str:
    base = Path(name).name
    base = re.sub(r"[^A-Za-z0-9._-]+", "_", base).strip("._") or "fichier"
    return base[-120:]


def _check_type(name: str, head: bytes) -> None:
    lower = name.lower()
    suffix = ".gz" if lower.endswith(".gz") else Path(lower).suffix
    if suffix not in SIGNATURES:
        raise InputError(
            f"type de fichier refusé : « {Path(name).suffix or 'sans extension'} » "
            f"(acceptés : {', '.join(sorted(SIGNATURES))})",
            file=name,
        )
    sig = SIGNATURES[suffix]
    if sig is None:
        if b"\x00" in head:
            raise InputError(
                "le contenu n'est pas du texte alors que l'extension l'annonce", file=name
            )
    elif not head.startswith(sig):
        raise InputError(f"le contenu ne correspond pas à l'extension {suffix}", file=name)


def _kind_allowed(user: CurrentUser, kind: str) -> bool:
    if kind not in KINDS:
        return False
    extra = KINDS[kind][1]
    return extra is None or allowed(user.agency_kind, user.role, extra, "write")


def field_labels(kind: str) -> dict[str, str]:
    """What each field of an import kind means, in French (never its internal name)."""
    import importlib

    from gltd.ingest.pipeline import KINDS as LOADERS

    module = importlib.import_module(LOADERS[kind])
    return {f.name: f.help_fr for f in module.FIELDS}


def _result_dict(res: Any) -> dict[str, Any]:
    labels = field_labels(res.kind)
    return {
        "recognised": [(col, labels.get(f, f)) for f, col in res.columns.items()],
        "rows_in": res.rows_in,
        "rows_valid": res.rows_valid,
        "rows_rejected": res.rows_rejected,
        "rows_written": res.rows_written,
        "rows_existing": res.rows_existing,
        "encoding": res.encoding,
        "delimiter": res.delimiter,
        "columns": res.columns,
        "ignored_columns": res.ignored_columns,
        "warnings": res.warnings,
        "source": res.source,
        "source_how": res.source_how,
    }


def _page(request: Request, **ctx: Any) -> HTMLResponse:
    user = request.state.user
    kinds = {k: v[0] for k, v in KINDS.items() if _kind_allowed(user, k)}
    status = ctx.pop("status", 200)
    return render(
        request,
        "imports.html",
        {"kinds": kinds, "crs_choices": CRS_CHOICES, **ctx},
        status_code=status,
    )


@router.get("/imports", response_class=HTMLResponse)
async def imports_page(request: Request, user: Importer) -> HTMLResponse:
    """The upload form."""
    await run_in_threadpool(_upload_dir, request)
    return _page(request)


async def _refuse(request: Request, user: CurrentUser, msg: str, status: int = 400) -> HTMLResponse:
    st = app_state(request)
    await run_in_threadpool(
        audit.record, st.engine, user, "refus_import", "import", None, msg[:500], client_ip(request)
    )
    return _page(request, error=msg, status=status)


@router.post("/imports/verifier", response_class=HTMLResponse)
async def check_upload(request: Request, user: Importer) -> HTMLResponse:
    """Store the upload aside and validate it (dry run): nothing is written to the base."""
    st = app_state(request)
    form = await request.form()
    kind = str(form.get("kind", ""))
    upload = form.get("file")
    if kind not in KINDS:
        return await _refuse(request, user, f"type d'import inconnu : « {kind[:40]} »")
    if not _kind_allowed(user, kind):
        await run_in_threadpool(
            audit.record,
            st.engine,
            user,
            "refus",
            "imports",
            None,
            f"import {kind}",
            client_ip(request),
        )
        raise Forbidden("Accès refusé : votre agence ou votre rôle ne permet pas cet import.")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return await _refuse(request, user, "aucun fichier reçu")
    name = _safe_name(upload.filename)
    head = await upload.read(8192)
    try:
        _check_type(name, head)
    except InputError as exc:
        return await _refuse(request, user, str(exc), 415)
    token = secrets.token_urlsafe(16)
    folder = _upload_dir(request) / token
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    size = len(head)
    try:
        with path.open("wb") as fh:
            fh.write(head)
            while chunk := await upload.read(1 << 20):
                size += len(chunk)
                if size > st.web.max_upload_bytes:
                    break
                fh.write(chunk)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    if size > st.web.max_upload_bytes:
        shutil.rmtree(folder, ignore_errors=True)
        return await _refuse(
            request,
            user,
            f"fichier trop volumineux (au plus {st.web.max_upload_bytes // 1048576} Mo)",
            413,
        )
    try:
        choice = _import_choice(form)
    except InputError as exc:
        shutil.rmtree(folder, ignore_errors=True)
        return await _refuse(request, user, str(exc))
    (folder / "owner.json").write_text(
        json.dumps({"user": user.username, "kind": kind, "name": name, **choice})
    )

    def dry() -> Any:
        from gltd.ingest.pipeline import ImportOptions, import_file

        return import_file(
            st.engine,
            kind,
            path,
            ImportOptions(
                dry_run=True,
                skip_invalid=True,  # every problem is listed, and the valid rows counted
                report=folder / REPORT,
                imported_by=user.username,
                source=choice["source"],
                date_format=choice["date_format"],
                crs=choice["crs"],
            ),
        )

    try:
        res = await run_in_threadpool(dry)
    except ValidationFailed as exc:
        shutil.rmtree(folder, ignore_errors=True)
        await run_in_threadpool(
            audit.record,
            st.engine,
            user,
            "import_refuse",
            kind,
            None,
            f"{name}: {len(exc.problems)} problème(s)",
            client_ip(request),
        )
        return _page(
            request,
            error=str(exc),
            problems=exc.problems[:200],
            n_problems=len(exc.problems),
            status=400,
        )
    except GltdError as exc:
        shutil.rmtree(folder, ignore_errors=True)
        return await _refuse(request, user, str(exc))
    except BaseException:
        # Failed: nothing waits on disk (the file may hold procedure numbers).
        shutil.rmtree(folder, ignore_errors=True)
        raise
    await run_in_threadpool(
        audit.record,
        st.engine,
        user,
        "import_verification",
        kind,
        None,
        f"{name}: {res.rows_valid} lignes valides, {res.rows_rejected} refusées",
        client_ip(request),
    )
    return _page(
        request,
        report=_result_dict(res),
        problems=res.problems[:200],
        n_problems=len(res.problems),
        token=token,
        kind=kind,
        kind_label=KINDS[kind][0],
        filename=name,
    )


async def _pending(
    request: Request, user: CurrentUser
) -> tuple[Path, dict[str, Any]] | HTMLResponse:
    """The folder and description of the upload named by the form's token, or a refusal."""
    form = await request.form()
    token = str(form.get("token", ""))
    if not re.fullmatch(r"[A-Za-z0-9_-]{10,40}", token):
        return await _refuse(request, user, "import inconnu ou expiré : recommencez l'envoi")
    folder = await run_in_threadpool(_upload_dir, request) / token
    meta_path = folder / "owner.json"
    if not meta_path.is_file():
        return await _refuse(request, user, "import inconnu ou expiré : recommencez l'envoi")
    meta = json.loads(meta_path.read_text())
    if meta.get("user") != user.username:
        return await _refuse(request, user, "cet import a été préparé par un autre compte", 403)
    return folder, meta


@router.post("/imports/annuler", response_class=HTMLResponse)
async def cancel_upload(request: Request, user: Importer) -> HTMLResponse:
    """Forget an upload checked before: its file is deleted, nothing is written."""
    pending = await _pending(request, user)
    if isinstance(pending, HTMLResponse):
        return pending
    folder, meta = pending
    shutil.rmtree(folder, ignore_errors=True)
    await run_in_threadpool(
        audit.record,
        app_state(request).engine,
        user,
        "import_annule",
        meta["kind"],
        None,
        f"{meta['name']}: fichier supprimé",
        client_ip(request),
    )
    return _page(request, cancelled=meta["name"])


@router.post("/imports/confirmer", response_class=HTMLResponse)
async def confirm_upload(request: Request, user: Importer) -> Response:
    """Write the file checked before, in one transaction."""
    st = app_state(request)
    pending = await _pending(request, user)
    if isinstance(pending, HTMLResponse):
        return pending
    folder, meta = pending
    kind, path = meta["kind"], folder / meta["name"]
    if not _kind_allowed(user, kind):
        raise Forbidden("Accès refusé : votre agence ou votre rôle ne permet pas cet import.")
    skip = str((await request.form()).get("valides", "")) == "1"

    def write() -> Any:
        from gltd.ingest.pipeline import ImportOptions, import_file

        opts = ImportOptions(
            imported_by=user.username,
            source=meta.get("source"),
            date_format=meta.get("date_format"),
            crs=meta.get("crs"),
            # « importer les lignes valides »: the rows refused at the check are left out
            skip_invalid=skip,
            report=folder / REPORT,
        )
        return import_file(st.engine, kind, path, opts)

    try:
        res = await run_in_threadpool(write)
    except GltdError as exc:
        return await _refuse(request, user, str(exc))
    finally:  # written, refused or failed: the upload is deleted
        shutil.rmtree(folder, ignore_errors=True)
    st.cache.invalidate()
    await run_in_threadpool(
        audit.record,
        st.engine,
        user,
        "import",
        kind,
        res.batch_id,
        f"{meta['name']}: {res.rows_written} écrites, {res.rows_existing} déjà présentes, "
        f"{res.rows_rejected} refusées",
        client_ip(request),
    )
    return _page(request, done=_result_dict(res), kind_label=KINDS[kind][0], filename=meta["name"])


@router.get("/imports/rejets/{token}")
async def rejected_rows(request: Request, user: Importer, token: str) -> Response:
    """The rows refused at the check, as they were, after their row number and the reason."""
    folder = await run_in_threadpool(_upload_dir, request) / token
    meta_path = folder / "owner.json"
    if not re.fullmatch(r"[A-Za-z0-9_-]{10,40}", token) or not meta_path.is_file():
        return await _refuse(request, user, "import inconnu ou expiré : recommencez l'envoi", 404)
    meta = json.loads(meta_path.read_text())
    if meta.get("user") != user.username:
        return await _refuse(request, user, "cet import a été préparé par un autre compte", 403)
    rows = folder / REJECTED_ROWS
    if not rows.is_file():
        return await _refuse(request, user, "aucune ligne refusée dans ce fichier", 404)
    await run_in_threadpool(
        audit.record,
        app_state(request).engine,
        user,
        "export",
        "import",
        None,
        f"{meta['name']}: lignes refusées (CSV)",
        client_ip(request),
    )
    stem = Path(meta["name"]).stem
    return Response(
        rows.read_bytes(),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{stem}-lignes-refusees.csv"'},
    )
