"""The Orléans demo: a deterministic scenario modelled on the GLTD's six-month bilan.

:func:`build_demo` writes, in one transaction, agencies, illustrative zones, cameras and
their authorisations, requisitions of footage with their status history and viewing log,
police operations with arrests and seizures, incidents 2011–2018, interventions (the bar
closure, the GLTD, new cameras), camera requests and GLTD actions. No person is stored.

Same seed, same database: every random draw comes, in a fixed order, from
``numpy.random.default_rng(seed)``. See ``docs/demo.md`` for what is drawn how.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import numpy as np
from sqlalchemy import Engine, func, insert, select
from sqlalchemy.orm import Session

from gltd.demo.calendar import (
    GLTD_LAST_DAY,
    local_dt,
)
from gltd.demo.cctv import CameraSpec, draw_cameras, draw_requisitions
from gltd.demo.geography import (
    REST_NAME,
    ZONE_SOURCE,
    ZONES,
    rest_polygon,
    to_metric,
    zone_polygon,
)
from gltd.demo.steering_rows import (
    DEMO_SOURCE,
    write_actions,
    write_camera_requests,
    write_incidents,
    write_interventions,
    write_operations,
    zone_of,
)
from gltd.errors import GltdError
from gltd.model import (
    Agency,
    Camera,
    ImportBatch,
    Incident,
    Requisition,
    RequisitionStatusEvent,
    ViewingLogEntry,
    Zone,
    requisition_camera,
)
from gltd.store.engine import session_scope

__all__ = ["build_demo", "DemoSummary", "AGENCIES", "DEMO_SOURCE"]

AGENCIES = (
    ("Parquet d'Orléans", "parquet"),
    ("DDSP du Loiret", "police"),
    ("Préfecture du Loiret", "prefecture"),
    ("Ville d'Orléans", "ville"),
    ("CSU d'Orléans", "csu"),
)

Progress = Callable[[str, int, int], None]
STEPS = 8


@dataclass(frozen=True)
class DemoSummary:
    """What :func:`build_demo` wrote (row counts)."""

    seed: int
    zones: int
    cameras: int
    requisitions: int
    operations: int
    incidents: int
    actions: int


def build_demo(
    engine: Engine,
    seed: int = 2018,
    progress: Progress | None = None,
    *,
    incident_scale: float = 1.0,
) -> DemoSummary:
    """Write the Orléans demo scenario into an empty, migrated database.

    Parameters
    ----------
    engine : sqlalchemy.Engine
        A migrated database without zones, incidents nor cameras.
    seed : int
        Seed of ``numpy.random.default_rng``; the same seed gives the same database.
    progress : callable, optional
        Called as ``progress(step_description, done, total)`` after each step.
    incident_scale : float
        Multiplies the incident rates (1.0: about 35,000 incidents); the operations,
        cameras and requisitions — the article's figures — do not depend on it.

    Returns
    -------
    DemoSummary

    Raises
    ------
    GltdError
        When the database already holds data (use ``gltd demo --reset``).
    """
    report = progress or (lambda _d, _i, _n: None)
    with engine.connect() as conn:
        used = sum(
            int(conn.execute(select(func.count()).select_from(t)).scalar_one())
            for t in (Zone.__table__, Incident.__table__, Camera.__table__, Agency.__table__)
        )
    if used:
        raise GltdError(
            "la base n'est pas vide : la démonstration s'écrit dans une base neuve "
            "(relancez avec --reset pour l'effacer et la reconstruire)"
        )
    rng = np.random.default_rng(seed)
    with session_scope(engine) as s:
        agencies = _agencies(s)
        zone_ids = _zones(s)
        report("Agences et zones", 1, STEPS)
        cams = draw_cameras(rng)
        cam_ids = _cameras(s, cams, zone_ids)
        report("Caméras", 2, STEPS)
        reqs = _requisitions(s, rng, cams, cam_ids, seed)
        report("Réquisitions", 3, STEPS)
        n_ops = write_operations(s, rng, zone_ids)
        report("Opérations", 4, STEPS)
        batch = ImportBatch(
            kind="demo",
            filename=f"scénario de démonstration gltd (graine {seed})",
            sha256=hashlib.sha256(f"gltd-demo-{seed}".encode()).hexdigest(),
            imported_at=local_dt(GLTD_LAST_DAY, 20.0),
            imported_by="gltd demo",
        )
        s.add(batch)
        s.flush()
        n_inc = write_incidents(s, rng, zone_ids, batch.id, incident_scale)
        batch.rows_in = batch.rows_written = n_inc
        report("Faits", 5, STEPS)
        write_interventions(s, zone_ids, cams, cam_ids)
        report("Interventions", 6, STEPS)
        write_camera_requests(s, rng)
        report("Demandes de caméras", 7, STEPS)
        n_actions = write_actions(s, agencies, zone_ids)
        report("Actions du GLTD", 8, STEPS)
    return DemoSummary(
        seed=seed,
        zones=len(zone_ids),
        cameras=len(cams),
        requisitions=reqs,
        operations=n_ops,
        incidents=n_inc,
        actions=n_actions,
    )


def _agencies(s: Session) -> dict[str, int]:
    rows = [Agency(name=n, kind=k) for n, k in AGENCIES]
    s.add_all(rows)
    s.flush()
    return {a.name: a.id for a in rows}


def _zones(s: Session) -> dict[str, int]:
    rows = [
        Zone(
            name=z.name,
            kind=z.kind,
            code=z.code,
            geometry_wkt=zone_polygon(z).wkt,
            illustrative=True,
            source=ZONE_SOURCE,
        )
        for z in ZONES
    ]
    rows.append(
        Zone(
            name=REST_NAME,
            kind="secteur",
            code="RESTE",
            geometry_wkt=rest_polygon().wkt,
            illustrative=True,
            source=ZONE_SOURCE + " (commune moins les autres zones)",
        )
    )
    s.add_all(rows)
    s.flush()
    return {z.name: z.id for z in rows}


def _cameras(s: Session, cams: list[CameraSpec], zone_ids: dict[str, int]) -> list[int]:
    lon = np.array([c.lon for c in cams])
    lat = np.array([c.lat for c in cams])
    x, y = to_metric(lon, lat)
    zids = zone_of(zone_ids, lon, lat)
    rows = [
        {
            "code": c.code,
            "lon": c.lon,
            "lat": c.lat,
            "x": round(float(x[i]), 2),
            "y": round(float(y[i]), 2),
            "heading_deg": c.heading_deg,
            "field_angle_deg": c.field_angle_deg,
            "range_m": c.range_m,
            "hd": c.hd,
            "installed_on": c.installed_on,
            "removed_on": c.removed_on,
            "annual_cost_eur": c.annual_cost_eur,
            "authorisation_number": c.authorisation_number,
            "authorisation_date": c.authorisation_date,
            "authorisation_expiry": c.authorisation_expiry,
            "retention_days": c.retention_days,
            "zone_id": zids[i],
            "notes": c.notes,
        }
        for i, c in enumerate(cams)
    ]
    s.execute(insert(Camera), rows)
    ids = dict(s.execute(select(Camera.code, Camera.id)).all())
    return [ids[c.code] for c in cams]


def _requisitions(
    s: Session, rng: np.random.Generator, cams: list[CameraSpec], cam_ids: list[int], seed: int
) -> int:
    reqs = draw_requisitions(rng, cams, seed)
    s.execute(
        insert(Requisition),
        [
            {
                "received_at": r.received_at,
                "requesting_unit": r.requesting_unit,
                "officer_capacity": r.officer_capacity,
                "legal_basis": r.legal_basis,
                "procedure_ref": r.procedure_ref,
                "period_start": r.period_start,
                "period_end": r.period_end,
                "deadline": r.deadline,
                "status": r.status,
                "status_changed_at": r.status_changed_at,
                "delivered_at": r.delivered_at,
                "medium": r.medium,
                "outcome": r.outcome,
                "source": DEMO_SOURCE,
                "source_ref": r.source_ref,
            }
            for r in reqs
        ],
    )
    ids = dict(
        s.execute(
            select(Requisition.source_ref, Requisition.id).where(Requisition.source == DEMO_SOURCE)
        ).all()
    )
    links: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    views: list[dict[str, Any]] = []
    for r in reqs:
        rid = ids[r.source_ref]
        links += [{"requisition_id": rid, "camera_id": cam_ids[c]} for c in r.cameras]
        events.append({"requisition_id": rid, "status": "recue", "at": r.received_at, "by": "csu"})
        if r.status_changed_at > r.received_at:
            events.append(
                {"requisition_id": rid, "status": "en_cours", "at": r.en_cours_at, "by": "csu"}
            )
        if r.status != "en_cours":
            events.append(
                {
                    "requisition_id": rid,
                    "status": r.status,
                    "at": r.status_changed_at,
                    "by": "csu",
                }
            )
        if r.delivered_at is not None:
            views.append(
                {
                    "at": r.delivered_at - timedelta(hours=1),
                    "agent": f"operateur.csu{1 + len(views) % 4}",
                    "action": "extraction",
                    "reason": f"Réquisition judiciaire (art. {r.legal_basis} CPP)",
                    "recipient": r.requesting_unit,
                    "camera_id": cam_ids[r.cameras[0]],
                    "clip_start": r.period_start,
                    "clip_end": r.period_end,
                    "requisition_id": rid,
                }
            )
    s.execute(insert(requisition_camera), links)
    s.execute(insert(RequisitionStatusEvent), events)
    s.execute(insert(ViewingLogEntry), views)
    return len(reqs)
