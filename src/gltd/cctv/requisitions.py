"""The register of judicial requisitions of footage, with their legal deadlines.

Deadline (*échéance*)
    Footage of camera ``c`` recorded at instant ``t`` is overwritten ``retention(c)`` days
    later (CSI L252-5: at most one month). The first images requested disappear at
    ``period start + retention(c)``: that is the camera's deadline, and the earliest over
    the requisition's cameras is the **binding deadline**. The whole requested period is
    gone at ``period end + retention(c)``.

    Days are *calendar days in Paris time*: the deadline is the same local clock time
    ``retention`` days later, so across the last Sunday of March a « 15 days » retention
    lasts 14 days 23 hours, and across the last Sunday of October 15 days 1 hour. When the
    local time falls in the spring gap (does not exist) or in the autumn repeated hour
    (exists twice), the **earlier** instant is taken: a deadline must never be late.

Status workflow
    ``recue → en_cours → remise | hors_delai | sans_objet``; ``recue`` may also go
    straight to ``hors_delai`` or ``sans_objet``. Every change is stored with its time
    (:class:`~gltd.model.RequisitionStatusEvent`); a change dated before the previous one,
    or not allowed from the current status, is refused with a message. Two users changing
    the same requisition at once: the second change is refused (the status it started
    from is no longer current), nothing is overwritten.

Pseudonymisation
    The real procedure number is never stored: only ``HMAC-SHA256(GLTD_SECRET_KEY,
    normalised number)`` (:func:`gltd.cctv.pseudonym.pseudonymise_reference`, also used
    by the file importer), so the same procedure gives the same reference (to group
    requisitions) without the number being readable.

Legal bases: CPP art. 60-1 (flagrance), 77-1-1 (enquête préliminaire), 99-3 (information
judiciaire).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session, selectinload

from gltd.cctv._common import audit, aware, fmt_local
from gltd.cctv.pseudonym import pseudonymise_reference
from gltd.errors import GltdError, InputError
from gltd.model import (
    LEGAL_BASES,
    REQUISITION_STATUSES,
    Camera,
    Requisition,
    RequisitionStatusEvent,
)
from gltd.timeutil import PARIS

__all__ = [
    "RequisitionData",
    "RequisitionView",
    "CameraDeadline",
    "Alert",
    "YearStats",
    "RequisitionStats",
    "add_local_days",
    "camera_deadline",
    "pseudonymise_reference",
    "register_requisition",
    "change_status",
    "set_outcome",
    "get_requisition",
    "list_requisitions",
    "deadline_alerts",
    "yearly_stats",
    "TRANSITIONS",
    "CAPACITIES",
    "OUTCOMES",
    "STATUS_LABELS",
]

#: Allowed status changes.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "recue": ("en_cours", "hors_delai", "sans_objet"),
    "en_cours": ("remise", "hors_delai", "sans_objet"),
    "remise": (),
    "hors_delai": (),
    "sans_objet": (),
}
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
LEGAL_BASIS_LABELS = {
    "60-1": "CPP art. 60-1 (enquête de flagrance)",
    "77-1-1": "CPP art. 77-1-1 (enquête préliminaire)",
    "99-3": "CPP art. 99-3 (information judiciaire)",
}
#: Tolerance for clocks: a time up to this far in the future is accepted.
CLOCK_SKEW = timedelta(minutes=5)


# --- deadline arithmetic (pure) -----------------------------------------------------------


def add_local_days(start: datetime, days: int, tz: Any = PARIS) -> datetime:
    """``start`` plus ``days`` calendar days at the same local clock time, in UTC.

    A local time that does not exist (spring gap) or exists twice (autumn) resolves to
    the earlier of its possible instants.

    Examples
    --------
    >>> from datetime import datetime, UTC
    >>> add_local_days(datetime(2018, 3, 20, 9, 0, tzinfo=UTC), 15)  # 10:00 CET → 10:00 CEST
    datetime.datetime(2018, 4, 4, 8, 0, tzinfo=datetime.timezone.utc)
    """
    local = aware(start).astimezone(tz)
    naive = local.replace(tzinfo=None) + timedelta(days=days)
    candidates = [naive.replace(tzinfo=tz, fold=f).astimezone(UTC) for f in (0, 1)]
    return min(candidates)


def camera_deadline(period_start: datetime, retention_days: int) -> datetime:
    """When the first requested images of a camera are overwritten."""
    return add_local_days(period_start, retention_days)


# --- views --------------------------------------------------------------------------------


@dataclass(frozen=True)
class CameraDeadline:
    """One camera of a requisition and its deadlines."""

    code: str
    retention_days: int
    #: First requested images overwritten.
    deadline: datetime
    #: Whole requested period overwritten.
    gone_at: datetime


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


def _deadlines(r: Requisition) -> list[CameraDeadline]:
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


def _view(r: Requisition) -> RequisitionView:
    cams = _deadlines(r)
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


# --- register -----------------------------------------------------------------------------


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


def _now(now: datetime | None) -> datetime:
    return datetime.now(UTC) if now is None else aware(now, field="now").astimezone(UTC)


def register_requisition(
    engine: Engine,
    data: RequisitionData,
    *,
    by: str | None = None,
    now: datetime | None = None,
    key: str | None = None,
) -> RequisitionView:
    """Record a requisition, compute its deadlines, flag it out of time if already lost.

    A requisition whose whole requested period was already overwritten when it arrived
    is recorded and set to ``hors_delai`` at once (two status events at the reception
    time); when only the beginning is lost it stays ``recue`` with a warning.

    Raises
    ------
    InputError
        Unknown legal basis, capacity or camera; naive or inverted times; a reception in
        the future; a period starting after the reception.
    """
    t_now = _now(now)
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
            f"qualité « {data.officer_capacity} » inconnue : attendu {', '.join(CAPACITIES)} "
            "(aucun nom n'est enregistré)",
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
        events = [RequisitionStatusEvent(status="recue", at=received, by=by)]
        if all(received >= add_local_days(end, int(c.retention_days)) for c in cams):
            r.status = "hors_delai"
            events.append(
                RequisitionStatusEvent(status="hors_delai", at=received, by="gltd (automatique)")
            )
        r.events = events
        session.add(r)
        session.flush()
        audit(session, "create", "requisition", r.id, r.status, username=by)
        session.flush()
        return _view(r)


def _load(session: Session, req_id: int) -> Requisition:
    r = session.execute(
        select(Requisition)
        .where(Requisition.id == req_id)
        .options(selectinload(Requisition.cameras), selectinload(Requisition.events))
    ).scalar_one_or_none()
    if r is None:
        raise InputError(f"réquisition n° {req_id} introuvable", field="id")
    return r


def change_status(
    engine: Engine,
    req_id: int,
    status: str,
    *,
    at: datetime | None = None,
    by: str | None = None,
    expected: str | None = None,
    medium: str | None = None,
    outcome: str | None = None,
    now: datetime | None = None,
) -> RequisitionView:
    """Move a requisition to ``status`` at time ``at`` (now by default).

    Parameters
    ----------
    expected : str, optional
        The status the user saw; when it is no longer current (someone else changed it
        meanwhile) the change is refused and nothing is overwritten.
    medium, outcome : str, optional
        For ``remise``: the medium delivered (USB key, DVD, transfer…) and the outcome
        when known (``utile``, ``non_utile``, ``inconnu``).
    """
    if status not in REQUISITION_STATUSES:
        raise InputError(
            f"statut « {status} » inconnu : attendu {', '.join(REQUISITION_STATUSES)}",
            field="status",
        )
    if outcome is not None and outcome not in OUTCOMES:
        raise InputError(
            f"résultat « {outcome} » inconnu : attendu {', '.join(OUTCOMES)}", field="outcome"
        )
    t_now = _now(now)
    when = t_now if at is None else aware(at, field="at").astimezone(UTC)
    if when > t_now + CLOCK_SKEW:
        raise InputError(f"changement daté du {fmt_local(when)}, dans le futur", field="at")
    with Session(engine, expire_on_commit=False) as session, session.begin():
        r = _load(session, req_id)
        current = r.status
        if expected is not None and expected != current:
            raise GltdError(
                f"réquisition n° {req_id} : son statut a changé entre-temps (« "
                f"{STATUS_LABELS.get(expected, expected)} » attendu, « "
                f"{STATUS_LABELS.get(current, current)} » enregistré) ; rechargez-la, rien "
                "n'a été modifié"
            )
        if status not in TRANSITIONS[current]:
            allowed = TRANSITIONS[current]
            hint = (
                "statut final, plus aucun changement possible"
                if not allowed
                else "possibles : " + ", ".join(STATUS_LABELS[s] for s in allowed)
            )
            raise InputError(
                f"réquisition n° {req_id} : passage de « {STATUS_LABELS[current]} » à « "
                f"{STATUS_LABELS[status]} » refusé ({hint})",
                field="status",
            )
        last = max([e.at for e in r.events] + [r.received_at])
        if when < last:
            raise InputError(
                f"réquisition n° {req_id} : changement daté du {fmt_local(when)}, antérieur "
                f"au précédent ({fmt_local(last)}) ; les étapes se suivent dans le temps",
                field="at",
            )
        values: dict[str, Any] = {"status": status, "status_changed_at": when}
        if status == "remise":
            values["delivered_at"] = when
            if medium:
                values["medium"] = medium
            if outcome:
                values["outcome"] = outcome
        # Compare-and-set: refuses silently-overlapping changes from another session.
        res = session.execute(
            update(Requisition)
            .where(Requisition.id == req_id, Requisition.status == current)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        if getattr(res, "rowcount", 1) != 1:
            raise GltdError(
                f"réquisition n° {req_id} : modifiée au même moment par un autre poste ; "
                "rechargez-la, rien n'a été modifié"
            )
        session.add(RequisitionStatusEvent(requisition_id=req_id, status=status, at=when, by=by))
        audit(session, "update", "requisition", req_id, f"{current} -> {status}", username=by)
        session.flush()
        session.expire_all()
        return _view(_load(session, req_id))


def set_outcome(
    engine: Engine, req_id: int, outcome: str, *, by: str | None = None
) -> RequisitionView:
    """Record the outcome of a delivered requisition when the investigators report it."""
    if outcome not in OUTCOMES:
        raise InputError(
            f"résultat « {outcome} » inconnu : attendu {', '.join(OUTCOMES)}", field="outcome"
        )
    with Session(engine, expire_on_commit=False) as session, session.begin():
        r = _load(session, req_id)
        if r.status != "remise":
            raise InputError(
                f"réquisition n° {req_id} : un résultat ne se saisit qu'après la remise "
                f"(statut actuel : {STATUS_LABELS[r.status]})",
                field="outcome",
            )
        r.outcome = outcome
        audit(session, "update", "requisition", req_id, f"outcome={outcome}", username=by)
        session.flush()
        return _view(r)


def get_requisition(engine: Engine, req_id: int) -> RequisitionView:
    """One requisition with its cameras, deadlines and history."""
    with Session(engine) as session:
        return _view(_load(session, req_id))


def list_requisitions(
    engine: Engine,
    *,
    status: Sequence[str] | None = None,
    year: int | None = None,
    camera: str | None = None,
) -> list[RequisitionView]:
    """Requisitions, newest first (filters: statuses, local year of receipt, camera)."""
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
    with Session(engine) as session:
        rows = session.execute(stmt.order_by(Requisition.received_at.desc())).scalars().all()
        return [_view(r) for r in rows]


# --- alerts -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Alert:
    """An open requisition whose footage expires soon (or already started to)."""

    requisition: RequisitionView
    time_left: timedelta
    #: Cameras whose first requested images are gone before ``now + within``.
    cameras: list[CameraDeadline]
    level: str  # "expiree" | "urgente"
    message: str

    def as_dict(self) -> dict[str, Any]:
        """Plain values for JSON."""
        return {
            "id": self.requisition.id,
            "level": self.level,
            "hours_left": round(self.time_left.total_seconds() / 3600, 1),
            "deadline": self.requisition.deadline.isoformat()
            if self.requisition.deadline
            else None,
            "cameras": [c.code for c in self.cameras],
            "message": self.message,
        }


def _human(td: timedelta) -> str:
    secs = abs(td.total_seconds())
    days, rem = divmod(int(secs), 86400)
    hours = rem // 3600
    if days:
        return f"{days} j {hours} h"
    return f"{hours} h {(rem % 3600) // 60:02d} min"


def deadline_alerts(
    engine: Engine, *, within: timedelta, now: datetime | None = None
) -> list[Alert]:
    """Open requisitions (reçue, en cours) whose binding deadline is before ``now + within``.

    Those already past are listed first as ``expiree`` (part of the footage is gone),
    then the others by urgency.
    """
    t_now = _now(now)
    horizon = t_now + within
    out: list[Alert] = []
    for v in list_requisitions(engine, status=["recue", "en_cours"]):
        if v.deadline is None or v.deadline > horizon:
            continue
        soon = [c for c in v.cameras if c.deadline <= horizon]
        left = v.deadline - t_now
        if left.total_seconds() <= 0:
            level = "expiree"
            msg = (
                f"réquisition n° {v.id} : échéance dépassée depuis {_human(left)} "
                f"({fmt_local(v.deadline)}), images en partie écrasées"
            )
        else:
            level = "urgente"
            msg = (
                f"réquisition n° {v.id} : images écrasées dans {_human(left)} "
                f"({fmt_local(v.deadline)}) — caméras {', '.join(c.code for c in soon)}"
            )
        out.append(Alert(v, left, soon, level, msg))
    return sorted(out, key=lambda a: a.time_left)


# --- statistics ---------------------------------------------------------------------------


@dataclass(frozen=True)
class YearStats:
    """One year of the register (local year of receipt)."""

    year: int
    count: int
    by_status: dict[str, int]
    on_time_rate: float | None
    median_turnaround_days: float | None
    useful_share: float | None
    days_observed: int
    partial: bool


@dataclass(frozen=True)
class RequisitionStats:
    """Yearly statistics and the trend since the first year on record."""

    years: list[YearStats]
    trend: dict[str, Any] | None
    comparison: dict[str, Any] | None
    method: dict[str, str]

    def as_dict(self) -> dict[str, Any]:
        """Plain values for JSON."""
        return {
            "years": [y.__dict__ for y in self.years],
            "trend": self.trend,
            "comparison": self.comparison,
            "method": self.method,
        }


def yearly_stats(engine: Engine, *, now: datetime | None = None) -> RequisitionStats:
    """Count, on-time rate, median turnaround, useful share per year; trend and test.

    - on-time rate = remise / (remise + hors délai) — *sans objet* (nothing recorded) is
      left out, open ones too;
    - turnaround = delivery − receipt, for delivered ones (median, in days);
    - useful share = utile / (utile + non utile) among delivered ones;
    - trend: Mann–Kendall on the yearly counts of complete years, and the exact Poisson
      comparison of the last year with the first (rates per day observed, so a year in
      progress is compared fairly).
    """
    from gltd.analysis.trends import mann_kendall, poisson_rate_test

    t_now = _now(now)
    with Session(engine) as session:
        rows = session.execute(
            select(
                Requisition.received_at,
                Requisition.status,
                Requisition.delivered_at,
                Requisition.outcome,
            )
        ).all()
    if not rows:
        return RequisitionStats([], None, None, _STATS_METHOD)
    per_year: dict[int, list[Any]] = {}
    for rec, st, deliv, outc in rows:
        per_year.setdefault(rec.astimezone(PARIS).year, []).append((rec, st, deliv, outc))
    first, last = min(per_year), max(max(per_year), t_now.astimezone(PARIS).year)
    years: list[YearStats] = []
    today = t_now.astimezone(PARIS).date()
    for y in range(first, last + 1):
        items = per_year.get(y, [])
        by_status = dict.fromkeys(REQUISITION_STATUSES, 0)
        for _, st, _, _ in items:
            by_status[st] = by_status.get(st, 0) + 1
        closed = by_status["remise"] + by_status["hors_delai"]
        turns = [(d - r).total_seconds() / 86400 for r, st, d, _ in items if st == "remise" and d]
        known = [o for _, st, _, o in items if st == "remise" and o in ("utile", "non_utile")]
        end_day = min(date(y, 12, 31), today)
        observed = (end_day - date(y, 1, 1)).days + 1
        years.append(
            YearStats(
                year=y,
                count=len(items),
                by_status=by_status,
                on_time_rate=by_status["remise"] / closed if closed else None,
                median_turnaround_days=float(np.median(turns)) if turns else None,
                useful_share=known.count("utile") / len(known) if known else None,
                days_observed=max(observed, 0),
                partial=end_day < date(y, 12, 31),
            )
        )
    full = [y for y in years if not y.partial]
    trend = None
    if len(full) >= 3:
        mk = mann_kendall([y.count for y in full])
        trend = {
            "test": "Mann-Kendall",
            "years": [y.year for y in full],
            "counts": [y.count for y in full],
            "s": mk.s,
            "z": mk.z,
            "p_value": mk.p_value,
            "trend": mk.trend,
            "n": mk.n,
        }
    comparison = None
    if len(years) >= 2 and years[-1].days_observed > 0:
        a, b = years[0], years[-1]
        rc = poisson_rate_test(b.count, a.count, b.days_observed, a.days_observed)
        comparison = {"year": b.year, "year_ref": a.year, **rc.as_dict()}
    return RequisitionStats(years, trend, comparison, _STATS_METHOD)


_STATS_METHOD = {
    "on_time_rate": "remise / (remise + hors délai), sans objet et en cours exclus",
    "turnaround": "médiane de (remise − réception) en jours, réquisitions remises",
    "useful_share": "utile / (utile + non utile) parmi les remises au résultat connu",
    "trend": "Mann-Kendall sur les années complètes (gltd.analysis.trends)",
    "comparison": "test exact de Poisson, dernière année contre la première, par jour observé",
}
