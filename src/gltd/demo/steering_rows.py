"""Rows of the Orléans demo that follow the police and the GLTD: operations, incidents,
interventions, camera requests and actions (written by :func:`gltd.demo.scenario.build_demo`).
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
from shapely.geometry import MultiPolygon, Polygon
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from gltd.demo.calendar import (
    BAR_CLOSURE_DAY,
    GLTD_FIRST_DAY,
    GLTD_LAST_DAY,
    local_dt,
    local_to_utc,
)
from gltd.demo.cctv import CameraSpec
from gltd.demo.geography import (
    BAR_CLOSURE_POLYGON,
    REST_NAME,
    ZONES,
    assign_zones,
    to_metric,
    zone_polygon,
)
from gltd.demo.incidents import draw_incidents
from gltd.demo.operations import draw_operations
from gltd.model import (
    Action,
    CameraRequest,
    Incident,
    Intervention,
    Operation,
    Seizure,
)

#: ``source`` of every demo row (incidents, operations, requisitions).
DEMO_SOURCE = "demo"

__all__ = [
    "DEMO_SOURCE",
    "zone_of",
    "write_operations",
    "write_incidents",
    "write_interventions",
    "write_camera_requests",
    "write_actions",
]


def zone_of(zone_ids: dict[str, int], lon: np.ndarray, lat: np.ndarray) -> list[int]:
    """Id of the demo zone holding each point (the rest of the city otherwise)."""
    names = [z.name for z in ZONES] + [REST_NAME]
    return [zone_ids[names[i]] for i in assign_zones(lon, lat)]


def write_operations(s: Session, rng: np.random.Generator, zone_ids: dict[str, int]) -> int:
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


def write_incidents(
    s: Session,
    rng: np.random.Generator,
    zone_ids: dict[str, int],
    batch_id: int,
    scale: float = 1.0,
) -> int:
    inc = draw_incidents(rng, scale=scale)
    x, y = to_metric(inc.lon, inc.lat)
    zids = zone_of(zone_ids, inc.lon, inc.lat)
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


def write_interventions(
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


def write_camera_requests(s: Session, rng: np.random.Generator) -> None:
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


def write_actions(s: Session, agencies: dict[str, int], zone_ids: dict[str, int]) -> int:
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
