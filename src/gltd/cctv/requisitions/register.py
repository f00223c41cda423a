"""The register: record a requisition, read one or the list (views with their deadlines).

No names are stored (the capacity of the requesting officer only) and the procedure number
is pseudonymised (:func:`gltd.store.pseudonym.pseudonymise_reference`). A requisition whose
whole requested period was already overwritten when it arrived is recorded and flagged
out of time at once.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, selectinload

from gltd.cctv.requisitions.deadlines import CameraDeadline, add_local_days, camera_deadline
from gltd.errors import InputError
from gltd.model import (
    LEGAL_BASES,
    Camera,
    Requisition,
    RequisitionStatusEvent,
)
from gltd.store import audit
from gltd.store.audit import Actor, username_of
from gltd.store.pseudonym import pseudonymise_reference
from gltd.timeutil import PARIS, aware, fmt_local

__all__ = [
    "CAPACITIES",
    "CAPACITY_LABELS",
    "OUTCOME_LABELS",
    "known_units",
    "CLOCK_SKEW",
    "LEGAL_BASIS_LABELS",
    "OUTCOMES",
    "STATUS_LABELS",
    "RequisitionData",
    "RequisitionView",
    "camera_deadlines",
    "get_requisition",
    "list_requisitions",
    "load_requisition",
    "now_utc",
    "register_requisition",
    "requisition_view",
]

STATUS_LABELS = {
    "recue": "reçue",
    "en_cours": "en cours",
    "remise": "remise",
    "hors_delai": "hors délai",
    "sans_objet": "sans objet",
}


#: Capacity of the requesting officer (no name is stored).
CAPACITIES = ("procureur", "juge_instruction", "OPJ", "APJ")


OUTCOMES = ("utile", "non_utile", "inconnu")

#: What a person reads for each capacity and outcome (codes are never shown).
CAPACITY_LABELS = {
    "procureur": "procureur de la République",
    "juge_instruction": "juge d'instruction",
    "OPJ": "officier de police judiciaire (OPJ)",
    "APJ": "agent de police judiciaire (APJ)",
}
OUTCOME_LABELS = {"utile": "utile", "non_utile": "non utile", "inconnu": "inconnu"}


LEGAL_BASIS_LABELS = {
    "60-1": "CPP art. 60-1 (enquête de flagrance)",
    "77-1-1": "CPP art. 77-1-1 (enquête préliminaire)",
    "99-3": "CPP art. 99-3 (information judiciaire)",
}


#: Tolerance for clocks: a time up to this far in the future is accepted.
CLOCK_SKEW = timedelta(minutes=5)


@dataclass(frozen=True)
class RequisitionView:
    """A requisition as shown and exported (times aware, UTC)."""

    id: int
    received_at: datetime
    requesting_unit: str
    officer_capacity: str | None
    legal_basis: str | None
    procedure_ref: str | None
    period_start: datetime
    period_end: datetime
    cameras: list[CameraDeadline]
    deadline: datetime | None
    status: str
    status_changed_at: datetime | None
    delivered_at: datetime | None
    medium: str | None
    outcome: str | None
    events: list[tuple[str, datetime, str | None]]
    #: Some requested footage was already overwritten when the requisition arrived.
    partly_lost_on_receipt: bool
    #: All requested footage was already overwritten when the requisition arrived.
    lost_on_receipt: bool
    warnings: list[str] = field(default_factory=list)

    def time_left(self, now: datetime) -> timedelta | None:
        """Time until the binding deadline (negative when passed)."""
        return None if self.deadline is None else self.deadline - now

    def as_dict(self) -> dict[str, Any]:
        """Plain values for JSON (ISO times with offset, UTC)."""
        return {
            "id": self.id,
            "received_at": self.received_at.isoformat(),
            "requesting_unit": self.requesting_unit,
            "officer_capacity": self.officer_capacity,
            "legal_basis": self.legal_basis,
            "procedure_ref": self.procedure_ref,
            "period_start": self.period_start.isoformat(),
            "period_end": self.period_end.isoformat(),
            "deadline": self.deadline.isoformat() if self.deadline else None,
            "deadline_local": fmt_local(self.deadline),
            "cameras": [
                {
                    "code": c.code,
                    "retention_days": c.retention_days,
                    "deadline": c.deadline.isoformat(),
                    "deadline_local": fmt_local(c.deadline),
                    "gone_at": c.gone_at.isoformat(),
                }
                for c in self.cameras
            ],
            "status": self.status,
            "status_label": STATUS_LABELS.get(self.status, self.status),
            "status_changed_at": (
                self.status_changed_at.isoformat() if self.status_changed_at else None
            ),
            "delivered_at": self.delivered_at.isoformat() if self.delivered_at else None,
            "medium": self.medium,
            "outcome": self.outcome,
            "events": [{"status": s, "at": at.isoformat(), "by": by} for s, at, by in self.events],
            "partly_lost_on_receipt": self.partly_lost_on_receipt,
            "lost_on_receipt": self.lost_on_receipt,
            "warnings": self.warnings,
        }


def camera_deadlines(r: Requisition) -> list[CameraDeadline]:
    """The deadlines of each camera of a stored requisition, earliest first."""
    return sorted(
        (
            CameraDeadline(
                c.code,
                int(c.retention_days),
                camera_deadline(r.period_start, int(c.retention_days)),
                add_local_days(r.period_end, int(c.retention_days)),
            )
            for c in r.cameras
        ),
        key=lambda d: (d.deadline, d.code),
    )


def requisition_view(r: Requisition) -> RequisitionView:
    """A stored requisition as shown, with its deadlines and warnings."""
    cams = camera_deadlines(r)
    warnings: list[str] = []
    partly = bool(cams) and r.received_at >= cams[0].deadline
    lost = bool(cams) and all(r.received_at >= c.gone_at for c in cams)
    if lost:
        warnings.append(
            "à réception, toutes les images demandées étaient déjà écrasées "
            f"(conservation dépassée le {fmt_local(max(c.gone_at for c in cams))})"
        )
    elif partly:
        warnings.append(
            "à réception, le début de la période demandée était déjà écrasé "
            f"(depuis le {fmt_local(cams[0].deadline)})"
        )
    if r.legal_basis == "99-3" and r.officer_capacity in ("APJ", "procureur"):
        warnings.append(
            "CPP art. 99-3 : la réquisition émane du juge d'instruction ou d'un OPJ commis "
            f"par lui (qualité saisie : {r.officer_capacity})"
        )
    return RequisitionView(
        id=r.id,
        received_at=r.received_at,
        requesting_unit=r.requesting_unit,
        officer_capacity=r.officer_capacity,
        legal_basis=r.legal_basis,
        procedure_ref=r.procedure_ref,
        period_start=r.period_start,
        period_end=r.period_end,
        cameras=cams,
        deadline=r.deadline,
        status=r.status,
        status_changed_at=r.status_changed_at,
        delivered_at=r.delivered_at,
        medium=r.medium,
        outcome=r.outcome,
        events=[(e.status, e.at, e.by) for e in sorted(r.events, key=lambda e: (e.at, e.id))],
        partly_lost_on_receipt=partly,
        lost_on_receipt=lost,
        warnings=warnings,
    )


@dataclass(frozen=True)
class RequisitionData:
    """What the CSU records when a requisition arrives (no names: capacities only)."""

    received_at: datetime
    requesting_unit: str
    legal_basis: str
    procedure_number: str
    camera_codes: Sequence[str]
    period_start: datetime
    period_end: datetime
    officer_capacity: str | None = None
    source_ref: str | None = None


def now_utc(now: datetime | None) -> datetime:
    """``now`` (aware) in UTC, or the current time."""
    return datetime.now(UTC) if now is None else aware(now, field="now").astimezone(UTC)


def register_requisition(
    engine: Engine,
    data: RequisitionData,
    *,
    by: Actor | str | None = None,
    now: datetime | None = None,
    key: str | None = None,
) -> RequisitionView:
    """Record a requisition, compute its deadlines, flag it out of time if already lost.
    Audited as ``by``.

    A requisition whose whole requested period was already overwritten when it arrived
    is recorded and set to ``hors_delai`` at once (two status events at the reception
    time); when only the beginning is lost it stays ``recue`` with a warning.

    Raises
    ------
    InputError
        Unknown legal basis, capacity or camera; naive or inverted times; a reception in
        the future; a period starting after the reception.
    """
    t_now = now_utc(now)
    received = aware(data.received_at, field="received_at").astimezone(UTC)
    start = aware(data.period_start, field="period_start").astimezone(UTC)
    end = aware(data.period_end, field="period_end").astimezone(UTC)
    if not data.requesting_unit or not data.requesting_unit.strip():
        raise InputError("service requérant manquant", field="requesting_unit")
    if data.legal_basis not in LEGAL_BASES:
        raise InputError(
            f"fondement « {data.legal_basis} » inconnu : attendu "
            + ", ".join(LEGAL_BASIS_LABELS[b] for b in LEGAL_BASES),
            field="legal_basis",
        )
    if data.officer_capacity is not None and data.officer_capacity not in CAPACITIES:
        raise InputError(
            f"qualité « {data.officer_capacity[:40]} » inconnue : attendu "
            + ", ".join(f"« {CAPACITY_LABELS[c]} » ({c})" for c in CAPACITIES)
            + " (aucun nom n'est enregistré)",
            field="officer_capacity",
        )
    if received > t_now + CLOCK_SKEW:
        raise InputError(
            f"réception datée du {fmt_local(received)}, dans le futur", field="received_at"
        )
    if end <= start:
        raise InputError(
            f"période demandée vide ou inversée : du {fmt_local(start)} au {fmt_local(end)}",
            field="period_end",
        )
    if start > received:
        raise InputError(
            f"la période demandée commence ({fmt_local(start)}) après la réception "
            f"({fmt_local(received)})",
            field="period_start",
        )
    codes = list(dict.fromkeys(c.strip() for c in data.camera_codes if c and c.strip()))
    if not codes:
        raise InputError("au moins une caméra est attendue", field="cameras")
    ref = pseudonymise_reference(data.procedure_number, key)
    with Session(engine, expire_on_commit=False) as session, session.begin():
        cams = session.execute(select(Camera).where(Camera.code.in_(codes))).scalars().all()
        found = {c.code for c in cams}
        missing = [c for c in codes if c not in found]
        if missing:
            raise InputError(f"caméra(s) inconnue(s) : {', '.join(missing)}", field="cameras")
        r = Requisition(
            received_at=received,
            requesting_unit=data.requesting_unit.strip(),
            officer_capacity=data.officer_capacity,
            legal_basis=data.legal_basis,
            procedure_ref=ref,
            period_start=start,
            period_end=end,
            status="recue",
            status_changed_at=received,
            source="saisie",
            source_ref=data.source_ref or uuid.uuid4().hex,
        )
        r.cameras = list(cams)
        r.deadline = min(camera_deadline(start, int(c.retention_days)) for c in cams)
        events = [RequisitionStatusEvent(status="recue", at=received, by=username_of(by))]
        if all(received >= add_local_days(end, int(c.retention_days)) for c in cams):
            r.status = "hors_delai"
            events.append(
                RequisitionStatusEvent(status="hors_delai", at=received, by="gltd (automatique)")
            )
        r.events = events
        session.add(r)
        session.flush()
        audit.record(
            session,
            actor=by,
            verb="creation",
            object_type="requisition",
            object_id=r.id,
            detail=r.status,
        )
        session.flush()
        return requisition_view(r)


def load_requisition(session: Session, req_id: int) -> Requisition:
    """A stored requisition with its cameras and events (or a message if unknown)."""
    r = session.execute(
        select(Requisition)
        .where(Requisition.id == req_id)
        .options(selectinload(Requisition.cameras), selectinload(Requisition.events))
    ).scalar_one_or_none()
    if r is None:
        raise InputError(f"réquisition n° {req_id} introuvable", field="id")
    return r


def get_requisition(engine: Engine, req_id: int) -> RequisitionView:
    """One requisition with its cameras, deadlines and history."""
    with Session(engine) as session:
        return requisition_view(load_requisition(session, req_id))


def list_requisitions(
    engine: Engine,
    *,
    status: Sequence[str] | None = None,
    year: int | None = None,
    camera: str | None = None,
    due_by: datetime | None = None,
) -> list[RequisitionView]:
    """Requisitions, newest first (filters: statuses, local year of receipt, camera, and
    a deadline at or before ``due_by``)."""
    stmt = select(Requisition).options(
        selectinload(Requisition.cameras), selectinload(Requisition.events)
    )
    if status:
        stmt = stmt.where(Requisition.status.in_(list(status)))
    if year is not None:
        a = datetime(year, 1, 1, tzinfo=PARIS)
        b = datetime(year + 1, 1, 1, tzinfo=PARIS)
        stmt = stmt.where(Requisition.received_at >= a, Requisition.received_at < b)
    if camera:
        stmt = stmt.where(Requisition.cameras.any(Camera.code == camera))
    if due_by is not None:
        stmt = stmt.where(Requisition.deadline <= due_by)
    with Session(engine) as session:
        rows = session.execute(stmt.order_by(Requisition.received_at.desc())).scalars().all()
        return [requisition_view(r) for r in rows]


def known_units(engine: Engine, *, limit: int = 200) -> list[str]:
    """The requesting units already recorded, most frequent first (to pick from a list)."""
    from sqlalchemy import func

    n = func.count(Requisition.id)
    stmt = (
        select(Requisition.requesting_unit, n)
        .group_by(Requisition.requesting_unit)
        .order_by(n.desc(), Requisition.requesting_unit)
        .limit(limit)
    )
    with engine.connect() as conn:
        return [u for u, _ in conn.execute(stmt) if u]
