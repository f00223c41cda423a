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
from datetime import date, timedelta
from typing import Any

import numpy as np
from shapely.geometry import MultiPolygon, Polygon
from sqlalchemy import Engine, func, insert, select
from sqlalchemy.orm import Session

from gltd.demo.calendar import (
    BAR_CLOSURE_DAY,
    GLTD_FIRST_DAY,
    GLTD_LAST_DAY,
    local_dt,
    local_to_utc,
)
from gltd.demo.cctv import CameraSpec, draw_cameras, draw_requisitions
from gltd.demo.geography import (
    BAR_CLOSURE_POLYGON,
    REST_NAME,
    ZONE_SOURCE,
    ZONES,
    assign_zones,
    rest_polygon,
    to_metric,
    zone_polygon,
)
from gltd.demo.incidents import draw_incidents
from gltd.demo.operations import draw_operations
from gltd.errors import GltdError
from gltd.model import (
    Action,
    Agency,
    Camera,
    CameraRequest,
    ImportBatch,
    Incident,
    Intervention,
    Operation,
    Requisition,
    RequisitionStatusEvent,
    Seizure,
    ViewingLogEntry,
    Zone,
    requisition_camera,
)
from gltd.store.engine import session_scope

__all__ = ["build_demo", "DemoSummary", "AGENCIES", "DEMO_SOURCE"]

#: ``source`` of every demo row (incidents, operations, requisitions).
DEMO_SOURCE = "demo"

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
        n_ops = _operations(s, rng, zone_ids)
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
        n_inc = _incidents(s, rng, zone_ids, batch.id, incident_scale)
        batch.rows_in = batch.rows_written = n_inc
        report("Faits", 5, STEPS)
        _interventions(s, zone_ids, cams, cam_ids)
        report("Interventions", 6, STEPS)
        _camera_requests(s, rng)
        report("Demandes de caméras", 7, STEPS)
        n_actions = _actions(s, agencies, zone_ids)
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


def _zone_of(zone_ids: dict[str, int], lon: np.ndarray, lat: np.ndarray) -> list[int]:
    names = [z.name for z in ZONES] + [REST_NAME]
    return [zone_ids[names[i]] for i in assign_zones(lon, lat)]


def _cameras(s: Session, cams: list[CameraSpec], zone_ids: dict[str, int]) -> list[int]:
    lon = np.array([c.lon for c in cams])
    lat = np.array([c.lat for c in cams])
    x, y = to_metric(lon, lat)
    zids = _zone_of(zone_ids, lon, lat)
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


def _operations(s: Session, rng: np.random.Generator, zone_ids: dict[str, int]) -> int:
    ops = draw_operations(rng)
    rows = []
    for i, o in enumerate(ops):
        start = local_dt(o.day, o.start_hour)
        rows.append(
            {
                "started_at": start,
                "ended_at": start + timedelta(hours=o.hours),
                "zone_id": zone_ids[o.zone],
                "kind": o.kind,
                "agencies": o.agencies,
                "dog_detection": o.dog_detection,
                "planned": False,
                "arrests_trafficker": o.arrests_trafficker,
                "arrests_consumer": o.arrests_consumer,
                "arrests_other": o.arrests_other,
                "cash_eur": o.cash_eur,
                "notes": o.notes,
                "source": DEMO_SOURCE,
                "source_ref": f"OP-{i + 1:05d}",
            }
        )
    s.execute(insert(Operation), rows)
    ids = dict(
        s.execute(
            select(Operation.source_ref, Operation.id).where(Operation.source == DEMO_SOURCE)
        ).all()
    )
    seizures = [
        {"operation_id": ids[f"OP-{i + 1:05d}"], "substance": sub, "quantity": q, "unit": u}
        for i, o in enumerate(ops)
        for sub, q, u in o.seizures
    ]
    if seizures:
        s.execute(insert(Seizure), seizures)
    return len(ops)


def _incidents(
    s: Session,
    rng: np.random.Generator,
    zone_ids: dict[str, int],
    batch_id: int,
    scale: float = 1.0,
) -> int:
    inc = draw_incidents(rng, scale=scale)
    x, y = to_metric(inc.lon, inc.lat)
    zids = _zone_of(zone_ids, inc.lon, inc.lat)
    times = local_to_utc(inc.day, inc.seconds)
    chunk = 20_000
    n = len(inc)
    for a in range(0, n, chunk):
        rows = [
            {
                "occurred_at": times[i],
                "occurred_until": None,
                "date_only": False,
                "category": str(inc.category[i]),
                "lon": float(inc.lon[i]),
                "lat": float(inc.lat[i]),
                "x": round(float(x[i]), 2),
                "y": round(float(y[i]), 2),
                "precision": "adresse",
                "zone_id": zids[i],
                "source": DEMO_SOURCE,
                "source_ref": f"F-{i + 1:06d}",
                "batch_id": batch_id,
            }
            for i in range(a, min(n, a + chunk))
        ]
        s.execute(insert(Incident), rows)
    return n


def _interventions(
    s: Session, zone_ids: dict[str, int], cams: list[CameraSpec], cam_ids: list[int]
) -> None:
    quartiers = MultiPolygon(
        [zone_polygon(z) for z in ZONES if z.name in ("Les Carmes", "La Source", "L'Argonne")]
    )
    nord = [i for i, c in enumerate(cams) if c.notes == "Extension Carmes Nord décidée en GLTD"]
    s.add_all(
        [
            Intervention(
                name="Fermeture administrative du bar « Le Score »",
                kind="fermeture",
                geometry_wkt=Polygon(BAR_CLOSURE_POLYGON).wkt,
                started_on=local_dt(BAR_CLOSURE_DAY, 10.0),
                zone_id=zone_ids["Les Carmes"],
                description="Arrêté préfectoral de fermeture ; le bar apparaissait comme "
                "un siège du trafic (lieu fictif de la démonstration).",
            ),
            Intervention(
                name="GLTD stupéfiants — Carmes, La Source, L'Argonne",
                kind="operations",
                geometry_wkt=quartiers.wkt,
                started_on=local_dt(GLTD_FIRST_DAY),
                ended_on=local_dt(GLTD_LAST_DAY + timedelta(days=1)),
                description="Opérations coordonnées du GLTD (occupation tous les 15 jours, "
                "interpellations, détection cynophile).",
            ),
            Intervention(
                name="Caméras Carmes Nord",
                kind="camera",
                geometry_wkt=Polygon(
                    [
                        (1.8955, 47.9045),
                        (1.9065, 47.9045),
                        (1.9065, 47.9085),
                        (1.8955, 47.9085),
                    ]
                ).wkt,
                started_on=local_dt(min(cams[i].installed_on for i in nord)),
                zone_id=zone_ids["Carmes Nord"],
                camera_id=cam_ids[nord[0]],
                description=f"{len(nord)} caméras HD installées après le déplacement du marché.",
            ),
        ]
    )


def _camera_requests(s: Session, rng: np.random.Generator) -> None:
    specs = (
        (date(2018, 6, 12), "riverains", 1.9010, 47.9068, "Pétition de riverains (Carmes Nord)"),
        (date(2018, 7, 3), "élu", 1.9478, 47.9031, "Demande de l'adjoint de quartier (Est)"),
        (date(2018, 8, 28), "police", 1.9312, 47.9148, "Demande du commissariat (L'Argonne)"),
    )
    lon = np.array([p[2] for p in specs])
    lat = np.array([p[3] for p in specs])
    x, y = to_metric(lon, lat)
    s.add_all(
        CameraRequest(
            received_on=d,
            origin=o,
            lon=lo,
            lat=la,
            x=round(float(x[i]), 2),
            y=round(float(y[i]), 2),
            radius_m=float(rng.choice([100.0, 150.0])),
            description=txt,
            status="attente",
        )
        for i, (d, o, lo, la, txt) in enumerate(specs)
    )


def _actions(s: Session, agencies: dict[str, int], zone_ids: dict[str, int]) -> int:
    a = agencies
    rows = [
        Action(
            title="Fermeture administrative du bar « Le Score »",
            owner_agency_id=a["Préfecture du Loiret"],
            decided_on=date(2018, 3, 24),
            due_on=date(2018, 4, 30),
            done_on=BAR_CLOSURE_DAY,
            status="fait",
            zone_id=zone_ids["Les Carmes"],
        ),
        Action(
            title="Opérations d'occupation tous les 15 jours aux Carmes et à La Source",
            owner_agency_id=a["DDSP du Loiret"],
            decided_on=date(2018, 3, 24),
            due_on=date(2018, 9, 24),
            status="en_cours",
        ),
        Action(
            title="Étude de pertinence de caméras à Carmes Nord",
            owner_agency_id=a["CSU d'Orléans"],
            decided_on=date(2018, 5, 14),
            due_on=date(2018, 7, 31),
            done_on=date(2018, 7, 20),
            status="fait",
            zone_id=zone_ids["Carmes Nord"],
        ),
        Action(
            title="Cartographie mensuelle des points de deal partagée en GLTD",
            owner_agency_id=a["DDSP du Loiret"],
            decided_on=date(2018, 4, 16),
            due_on=date(2018, 5, 31),
            done_on=date(2018, 5, 28),
            status="fait",
        ),
        Action(
            title="Diagnostic de la situation à L'Argonne",
            owner_agency_id=a["Parquet d'Orléans"],
            decided_on=date(2018, 6, 18),
            due_on=date(2018, 9, 15),
            status="en_cours",
            zone_id=zone_ids["L'Argonne"],
        ),
        Action(
            title="Renouvellement des autorisations préfectorales arrivant à échéance",
            owner_agency_id=a["Ville d'Orléans"],
            decided_on=date(2018, 9, 10),
            due_on=date(2018, 12, 31),
            status="a_faire",
        ),
        Action(
            title="Point de situation sur le Secteur Est (nouveau point de vente)",
            owner_agency_id=a["DDSP du Loiret"],
            decided_on=date(2018, 9, 10),
            due_on=date(2018, 10, 15),
            status="a_faire",
            zone_id=zone_ids["Secteur Est"],
        ),
    ]
    s.add_all(rows)
    return len(rows)
