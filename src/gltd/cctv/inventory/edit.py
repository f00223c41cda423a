"""Add and edit cameras by hand (validated by :func:`~gltd.cctv.inventory.validate_camera`).

Files go through the import pipeline instead (:mod:`gltd.cctv.inventory.importer`, called
by :func:`import_cameras`), with the same rules.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from gltd.cctv.inventory.records import CAMERA_FIELDS, CameraRecord, camera_data, camera_record
from gltd.cctv.inventory.rules import CameraData, validate_camera
from gltd.errors import InputError
from gltd.geo import analysis_crs, to_metric
from gltd.model import Camera
from gltd.store import audit
from gltd.store.audit import Actor
from gltd.store.zones import city_extent, zone_ids_by_point

if TYPE_CHECKING:
    from gltd.ingest.pipeline import ImportOptions, ImportResult

__all__ = ["add_camera", "edit_camera", "import_cameras"]


def _apply(engine: Engine, cam: Camera, data: CameraData) -> None:
    """Copy the fields, project the position, find the zone (the smallest containing it).

    The zone is found as the file importer finds it
    (:func:`gltd.store.zones.zone_ids_by_point`).
    """
    import numpy as np

    crs = analysis_crs()
    x, y = to_metric(data.lon, data.lat, crs)
    for name in CAMERA_FIELDS:
        setattr(cam, name, getattr(data, name))
    cam.x, cam.y = x, y
    zone = int(zone_ids_by_point(engine, np.array([x]), np.array([y]), crs)[0])
    cam.zone_id = None if zone < 0 else zone


def add_camera(engine: Engine, data: CameraData, *, by: Actor | str | None = None) -> CameraRecord:
    """Validate and store a new camera (its code must be new); audited as ``by``."""
    with Session(engine, expire_on_commit=False) as session, session.begin():
        valid = validate_camera(data, extent=city_extent(session))
        if session.execute(select(Camera.id).where(Camera.code == valid.code)).first():
            raise InputError(
                f"la caméra « {valid.code} » existe déjà (modifiez-la plutôt)", field="code"
            )
        cam = Camera()
        _apply(engine, cam, valid)
        session.add(cam)
        session.flush()
        audit.record(
            session,
            actor=by,
            verb="creation",
            object_type="camera",
            object_id=cam.id,
            detail=valid.code,
        )
        return camera_record(cam)


def edit_camera(
    engine: Engine, code: str, changes: Mapping[str, Any], *, by: Actor | str | None = None
) -> CameraRecord:
    """Change some fields of a camera; the whole camera is validated again. Audited as
    ``by``, naming the fields whose value changed."""
    unknown = set(changes) - set(CAMERA_FIELDS)
    if unknown:
        raise InputError(
            f"champ(s) inconnu(s) : {', '.join(sorted(unknown))} (connus : {', '.join(CAMERA_FIELDS)})"
        )
    with Session(engine, expire_on_commit=False) as session, session.begin():
        cam = session.execute(select(Camera).where(Camera.code == code)).scalar_one_or_none()
        if cam is None:
            raise InputError(f"caméra inconnue : « {code} »", field="code")
        current = camera_data(cam)
        if "authorisation_date" in changes and "authorisation_expiry" not in changes:
            changes = {**changes, "authorisation_expiry": None}
        valid = validate_camera(
            dataclasses.replace(current, **changes), extent=city_extent(session)
        )
        if (
            valid.code != cam.code
            and session.execute(select(Camera.id).where(Camera.code == valid.code)).first()
        ):
            raise InputError(f"le code « {valid.code} » est déjà pris", field="code")
        changed = [f for f in CAMERA_FIELDS if getattr(current, f) != getattr(valid, f)]
        _apply(engine, cam, valid)
        audit.record(
            session,
            actor=by,
            verb="modification",
            object_type="camera",
            object_id=cam.id,
            detail=f"{valid.code} : {', '.join(changed) or 'aucun champ changé'}",
        )
        session.flush()
        return camera_record(cam)


def import_cameras(
    engine: Engine,
    path: str | Path,
    options: ImportOptions | None = None,
    *,
    progress: Callable[[str, int, int], None] | None = None,
) -> ImportResult:
    """Import a camera inventory file through the import pipeline (the one camera importer).

    Same as ``gltd import cameras``: :func:`gltd.ingest.pipeline.import_file` with the
    loader :mod:`gltd.cctv.inventory.importer` (legal checks, update of stored cameras on
    re-import). ``options`` is a :class:`gltd.ingest.pipeline.ImportOptions`; returns the
    :class:`gltd.ingest.pipeline.ImportResult`.
    """
    from gltd.cctv.importers import register_importers
    from gltd.geocode.places import register_geocoder
    from gltd.ingest.pipeline import import_file

    register_importers()
    register_geocoder()
    return import_file(engine, "cameras", path, options, progress=progress)
