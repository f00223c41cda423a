"""Reads of the store for the bilan: counts by zone, operations, requisitions, cameras.

Every function takes an engine and returns plain frames or dicts; counting happens in the
database (GROUP BY) so that the bilan stays fast on millions of incidents.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import pandas as pd
from sqlalchemy import ColumnElement, Engine, false, func, select

from gltd.model import Action, Agency, Incident, Operation, Seizure, Zone
from gltd.store.zones import list_zones
from gltd.timeutil import Period

__all__ = [
    "incident_counts",
    "incident_times",
    "operations_frame",
    "carried_out",
    "seizures_frame",
    "actions_frame",
    "zones_frame",
    "agencies",
    "is_demo",
]


def zones_frame(engine: Engine) -> pd.DataFrame:
    """Zones (id, name, kind, illustrative), in id order."""
    rows = [(z.id, z.name, z.kind, z.illustrative) for z in list_zones(engine, order_by="id")]
    return pd.DataFrame(rows, columns=["id", "name", "kind", "illustrative"])


def incident_counts(
    engine: Engine, period: Period, zone_ids: Sequence[int] | None = None
) -> pd.DataFrame:
    """Incidents of ``period`` counted by zone and category (``zone_id`` −1 = no zone)."""
    t = Incident.__table__.c
    stmt = (
        select(t.zone_id, t.category, func.count().label("n"))
        .where(t.occurred_at >= period.start, t.occurred_at < period.end)
        .group_by(t.zone_id, t.category)
    )
    if zone_ids is not None:
        stmt = stmt.where(t.zone_id.in_(list(zone_ids)))
    with engine.connect() as conn:
        rows = conn.execute(stmt).all()
    frame = pd.DataFrame(rows, columns=["zone_id", "category", "n"])
    frame["zone_id"] = frame["zone_id"].fillna(-1).astype("int64")
    frame["n"] = frame["n"].astype("int64")
    return frame


def incident_times(
    engine: Engine,
    period: Period,
    categories: Sequence[str],
    zone_ids: Sequence[int] | None = None,
) -> list[datetime]:
    """Times of the incidents of ``period`` in ``categories`` (located or not: the same
    incidents as :func:`incident_counts`)."""
    t = Incident.__table__.c
    stmt = select(t.occurred_at).where(
        t.occurred_at >= period.start,
        t.occurred_at < period.end,
        t.category.in_(list(categories)),
    )
    if zone_ids is not None:
        stmt = stmt.where(t.zone_id.in_(list(zone_ids)))
    with engine.connect() as conn:
        return [r[0] for r in conn.execute(stmt)]


def carried_out(now: datetime | None = None) -> ColumnElement[bool]:
    """Operations a bilan may show: not flagged planned, and started no later than ``now``.

    A bilan goes to every agency and to the press; a planned operation (flag set, or a
    start date still in the future) must never reach it, whoever builds it.
    """
    o = Operation.__table__.c
    return (o.planned == false()) & (o.started_at <= (now or datetime.now(UTC)))


def operations_frame(
    engine: Engine,
    period: Period,
    zone_ids: Sequence[int] | None = None,
    *,
    now: datetime | None = None,
) -> pd.DataFrame:
    """Operations carried out (:func:`carried_out`) started in ``period``, in time order.

    Free-text notes are not read: the bilan never prints them (places, not people).
    """
    o = Operation.__table__.c
    stmt = (
        select(
            o.id,
            o.started_at,
            o.ended_at,
            o.zone_id,
            o.kind,
            o.agencies,
            o.dog_detection,
            o.arrests_trafficker,
            o.arrests_consumer,
            o.arrests_other,
            o.cash_eur,
        )
        .where(o.started_at >= period.start, o.started_at < period.end, carried_out(now))
        .order_by(o.started_at, o.id)
    )
    if zone_ids is not None:
        stmt = stmt.where(o.zone_id.in_(list(zone_ids)))
    with engine.connect() as conn:
        rows = conn.execute(stmt).all()
    frame = pd.DataFrame(rows, columns=[c.name for c in stmt.selected_columns])
    frame["zone_id"] = frame["zone_id"].fillna(-1).astype("int64")
    for c in ("arrests_trafficker", "arrests_consumer", "arrests_other"):
        frame[c] = frame[c].fillna(0).astype("int64")
    frame["cash_eur"] = frame["cash_eur"].fillna(0.0).astype("float64")
    frame["dog_detection"] = frame["dog_detection"].fillna(False).astype(bool)
    return frame


def seizures_frame(
    engine: Engine, operation_ids: Sequence[int], *, now: datetime | None = None
) -> pd.DataFrame:
    """Seizures of the given operations (carried out ones only) summed by substance and unit."""
    cols = ["substance", "unit", "quantity", "n"]
    if not operation_ids:
        return pd.DataFrame(columns=cols)
    s = Seizure.__table__.c
    stmt = (
        select(s.substance, s.unit, func.sum(s.quantity), func.count())
        .join(Operation.__table__, Operation.__table__.c.id == s.operation_id)
        .where(s.operation_id.in_(list(operation_ids)), carried_out(now))
        .group_by(s.substance, s.unit)
        .order_by(s.substance, s.unit)
    )
    with engine.connect() as conn:
        rows = conn.execute(stmt).all()
    return pd.DataFrame(rows, columns=cols)


def actions_frame(engine: Engine) -> pd.DataFrame:
    """GLTD actions with the owner agency's name and the zone's name."""
    a = Action.__table__.c
    stmt = (
        select(
            a.id,
            a.title,
            Agency.name,
            a.decided_on,
            a.due_on,
            a.done_on,
            a.status,
            Zone.name,
        )
        .select_from(Action.__table__)
        .outerjoin(Agency, Agency.id == a.owner_agency_id)
        .outerjoin(Zone, Zone.id == a.zone_id)
        .order_by(a.due_on, a.id)
    )
    with engine.connect() as conn:
        rows = conn.execute(stmt).all()
    return pd.DataFrame(
        rows, columns=["id", "title", "owner", "decided_on", "due_on", "done_on", "status", "zone"]
    )


def agencies(engine: Engine) -> list[dict[str, str]]:
    """Member agencies (name, kind)."""
    with engine.connect() as conn:
        rows = conn.execute(select(Agency.name, Agency.kind).order_by(Agency.id)).all()
    return [{"name": n, "kind": k} for n, k in rows]


def is_demo(engine: Engine) -> bool:
    """True when the database holds the demo scenario (incidents of source ``demo``)."""
    with engine.connect() as conn:
        row = conn.execute(select(Incident.id).where(Incident.source == "demo").limit(1)).first()
    return row is not None
