"""How the steering registers are listed: operations (planned ones included) and actions.

Operations are only ever listed for the agencies the permission matrix lets read them
(police and parquet); their export has one column per arrest role and one per kind of
seizure (substance and unit) found in the filtered operations.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Engine, Select, or_, select

from gltd.model import ACTION_STATUSES, OPERATION_KINDS, Action, Agency, Operation, Seizure
from gltd.steering import ACTION_STATUS_LABELS, OPERATION_KIND_LABELS
from gltd.web.registers import filters as lf
from gltd.web.registers.listing import ExportColumn, Filter, ListSpec

__all__ = ["STEERING_LISTINGS", "seizure_key"]

Op = Operation
ARRESTS = Op.arrests_trafficker + Op.arrests_consumer + Op.arrests_other
OP_ZONE = lf.zone_name(Op.zone_id)


def seizure_key(substance: str, unit: str) -> str:
    """The row key of a seizure column (one per substance and unit)."""
    return f"saisie:{substance}|{unit}"


def _op_base() -> Any:
    return select(
        Op.id,
        Op.started_at,
        Op.ended_at,
        Op.kind,
        OP_ZONE.label("zone"),
        Op.planned,
        Op.agencies,
        Op.dog_detection,
        Op.arrests_trafficker,
        Op.arrests_consumer,
        Op.arrests_other,
        Op.cash_eur,
    )


def _op_search(q: str) -> ColumnElement[bool]:
    conds = [
        Op.zone_id.in_(lf.zone_ids(q)),
        lf.like(Op.agencies, q),
        lf.label_where(Op.kind, OPERATION_KIND_LABELS, q),
    ]
    n = lf.number_in(q)
    if n is not None:
        conds.append(Op.id == n)
    return or_(*conds)


def _op_finish(engine: Engine, rows: list[dict[str, Any]], now: datetime) -> None:
    ids = [r["id"] for r in rows]
    with engine.connect() as conn:
        seized = conn.execute(
            select(Seizure.operation_id, Seizure.substance, Seizure.quantity, Seizure.unit)
            .where(Seizure.operation_id.in_(ids))
            .order_by(Seizure.id)
        ).all()
    by_op: dict[int, list[Any]] = {}
    for s in seized:
        by_op.setdefault(s.operation_id, []).append(s)
    for r in rows:
        r["kind_label"] = OPERATION_KIND_LABELS.get(r["kind"], r["kind"])
        r["zone"] = r["zone"] or "—"
        r["planned_label"] = "planifiée" if r["planned"] else "réalisée"
        r["arrests"] = f"{r['arrests_trafficker']} / {r['arrests_consumer']} / {r['arrests_other']}"
        own = by_op.get(r["id"], [])
        r["seizures"] = (
            ", ".join(f"{s.quantity:g} {s.unit} {s.substance}".replace(".", ",") for s in own)
            or "—"
        )
        for s in own:
            k = seizure_key(s.substance, s.unit)
            r[k] = (r.get(k) or 0.0) + s.quantity


def _op_seizure_columns(engine: Engine, stmt: Select[Any]) -> list[ExportColumn]:
    ids = stmt.with_only_columns(Op.id).order_by(None).scalar_subquery()
    with engine.connect() as conn:
        kinds = conn.execute(
            select(Seizure.substance, Seizure.unit)
            .where(Seizure.operation_id.in_(ids))
            .distinct()
            .order_by(Seizure.substance, Seizure.unit)
        ).all()
    return [ExportColumn(seizure_key(s, u), f"Saisie : {s} ({u})", "float") for s, u in kinds]


OPERATIONS = ListSpec(
    base=_op_base,
    key=Op.id,
    sorts=lf.by_name(
        Op.started_at,
        Op.cash_eur,
        kind_label=Op.kind,
        zone=OP_ZONE,
        planned_label=Op.planned,
        arrests=ARRESTS,
    ),
    default_sort="started_at",
    default_desc=True,
    search=_op_search,
    search_help="zone, services engagés, type, n°",
    filters=(
        lf.choice_filter(
            "type", "Type", Op.kind, {k: OPERATION_KIND_LABELS[k] for k in OPERATION_KINDS}
        ),
        Filter("zone", "Zone", lf.zone_options, lf.id_where(Op.zone_id)),
        Filter(
            "statut",
            "Statut",
            lambda e: [("planifiee", "planifiée"), ("realisee", "réalisée")],
            lambda v, now: (
                Op.planned.is_(v == "planifiee") if v in ("planifiee", "realisee") else None
            ),
        ),
        lf.year_filter(Op.started_at),
    ),
    finish=_op_finish,
    dynamic_columns=_op_seizure_columns,
    export_columns=(
        ExportColumn("id", "N°", "int"),
        ExportColumn("started_at", "Début", "datetime"),
        ExportColumn("ended_at", "Fin", "datetime"),
        ExportColumn("kind_label", "Type"),
        ExportColumn("zone", "Zone"),
        ExportColumn("planned_label", "Statut"),
        ExportColumn("agencies", "Services engagés"),
        ExportColumn("dog_detection", "Détection cynophile", "bool"),
        ExportColumn("arrests_trafficker", "Interpellations : trafic", "int"),
        ExportColumn("arrests_consumer", "Interpellations : usage", "int"),
        ExportColumn("arrests_other", "Interpellations : autres", "int"),
        ExportColumn("cash_eur", "Numéraire saisi (€)", "float"),
    ),
)

A = Action
ACTION_OWNER = select(Agency.name).where(Agency.id == A.owner_agency_id).scalar_subquery()
ACTION_ZONE = lf.zone_name(A.zone_id)
OPEN_ACTIONS = ("a_faire", "en_cours")


def _action_status_where(value: str, now: datetime) -> ColumnElement[bool] | None:
    if value == "ouvertes":
        return A.status.in_(OPEN_ACTIONS)
    return A.status == value if value in ACTION_STATUSES else None


def _action_finish(engine: Engine, rows: list[dict[str, Any]], now: datetime) -> None:
    for r in rows:
        r["status_label"] = ACTION_STATUS_LABELS.get(r["status"], r["status"])
        r["owner"] = r["owner"] or "—"
        r["zone"] = r["zone"] or "—"


ACTIONS = ListSpec(
    base=lambda: select(
        A.id,
        A.title,
        ACTION_OWNER.label("owner"),
        A.decided_on,
        A.due_on,
        A.done_on,
        A.status,
        ACTION_ZONE.label("zone"),
        A.notes,
    ),
    key=A.id,
    sorts=lf.by_name(
        A.title,
        A.decided_on,
        A.due_on,
        owner=ACTION_OWNER,
        status_label=A.status,
        zone=ACTION_ZONE,
    ),
    default_sort="due_on",
    default_desc=False,
    search=lambda q: or_(
        lf.like(A.title, q),
        lf.like(A.notes, q),
        A.owner_agency_id.in_(select(Agency.id).where(lf.like(Agency.name, q))),
        A.zone_id.in_(lf.zone_ids(q)),
    ),
    search_help="intitulé, notes, agence pilote, zone",
    filters=(
        Filter(
            "statut",
            "Statut",
            lambda e: [("ouvertes", "ouvertes (à faire, en cours)"), *ACTION_STATUS_LABELS.items()],
            _action_status_where,
        ),
        Filter("pilote", "Agence pilote", lf.agency_options, lf.id_where(A.owner_agency_id)),
        Filter("zone", "Zone", lf.zone_options, lf.id_where(A.zone_id)),
    ),
    finish=_action_finish,
    export_columns=(
        ExportColumn("id", "N°", "int"),
        ExportColumn("title", "Action"),
        ExportColumn("owner", "Agence pilote"),
        ExportColumn("decided_on", "Décidée le", "date"),
        ExportColumn("due_on", "Échéance", "date"),
        ExportColumn("done_on", "Réalisée le", "date"),
        ExportColumn("status_label", "Statut"),
        ExportColumn("zone", "Zone"),
        ExportColumn("notes", "Notes"),
    ),
)

STEERING_LISTINGS: dict[str, ListSpec] = {"operations": OPERATIONS, "actions": ACTIONS}
