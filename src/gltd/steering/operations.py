"""Police (and joint) operations entered by hand: create, update, read, list.

Operations imported from files go through the ingest pipeline
(:mod:`gltd.ingest.operations`). Planned operations are confidential: only the police
and the parquet see them (the permission matrix keeps the whole register to them).
"""

from __future__ import annotations

import dataclasses
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, selectinload

from gltd.accounts import Member, actor_of
from gltd.errors import InputError
from gltd.model import OPERATION_KIND_LABELS, OPERATION_KINDS, Operation, Seizure
from gltd.steering.common import changed_fields, check_zone, zone_names
from gltd.store import audit

__all__ = [
    "OPERATION_KIND_LABELS",
    "OperationInput",
    "OperationRecord",
    "create_operation",
    "get_operation",
    "list_operations",
    "update_operation",
]

#: Largest number of arrests of one kind in one operation.
MAX_ARRESTS = 10_000
#: Largest amount of cash seized (€).
MAX_CASH_EUR = 1e9


@dataclass(frozen=True)
class OperationInput:
    """What a user enters for an operation (no identity in ``notes``)."""

    started_at: datetime
    kind: str
    ended_at: datetime | None = None
    zone_id: int | None = None
    agencies: str | None = None
    planned: bool = False
    dog_detection: bool = False
    arrests_trafficker: int = 0
    arrests_consumer: int = 0
    arrests_other: int = 0
    cash_eur: float = 0.0
    notes: str | None = None
    #: What was seized: (substance, quantity, unit) — :mod:`gltd.steering.seizures`;
    #: ``None`` on an update: the stored seizures stay as they are.
    seized: tuple[tuple[str, float, str], ...] | None = None


@dataclass(frozen=True)
class OperationRecord(OperationInput):
    """A stored operation, with its zone's name and its seizures (« 2 kg résine »)."""

    id: int = 0
    zone_name: str | None = None
    seizures: tuple[str, ...] = ()
    source: str = "saisie"


INPUT_FIELDS = tuple(f.name for f in dataclasses.fields(OperationInput) if f.name != "seized")


def _check(data: OperationInput) -> None:
    if data.kind not in OPERATION_KINDS:
        raise InputError(
            f"type d'opération inconnu : « {data.kind[:40]} » (attendu : "
            f"{', '.join(OPERATION_KINDS)})",
            field="kind",
        )
    if data.ended_at is not None and data.ended_at < data.started_at:
        raise InputError("la fin précède le début", field="ended_at")
    for name in ("arrests_trafficker", "arrests_consumer", "arrests_other"):
        n = getattr(data, name)
        if not 0 <= n <= MAX_ARRESTS:
            raise InputError(f"nombre hors limites : {n} (0 à {MAX_ARRESTS})", field=name)
    if not 0 <= data.cash_eur <= MAX_CASH_EUR:
        raise InputError(
            f"montant hors limites : {data.cash_eur:g} (0 à {MAX_CASH_EUR:g} €)", field="cash_eur"
        )


#: The fields in the order of the form (the audit detail of a change names them so).
FORM_ORDER = (
    "started_at",
    "ended_at",
    "zone_id",
    "kind",
    "agencies",
    "planned",
    "dog_detection",
    "arrests_trafficker",
    "arrests_consumer",
    "arrests_other",
    "cash_eur",
    "notes",
)


def _values(data: OperationInput) -> dict[str, object]:
    return {name: getattr(data, name) for name in FORM_ORDER}


def _record(o: Operation, zones: dict[int, str]) -> OperationRecord:
    return OperationRecord(
        **{name: getattr(o, name) for name in INPUT_FIELDS},
        id=o.id,
        zone_name=zones.get(o.zone_id) if o.zone_id is not None else None,
        seizures=tuple(f"{z.quantity:g} {z.unit} {z.substance}" for z in o.seizures),
        seized=tuple((z.substance, z.quantity, z.unit) for z in o.seizures),
        source=o.source,
    )


def _load(session: Session, operation_id: int) -> Operation:
    o = session.get(Operation, operation_id, options=[selectinload(Operation.seizures)])
    if o is None:
        raise InputError(f"opération n° {operation_id} introuvable")
    return o


def create_operation(
    engine: Engine, *, data: OperationInput, by: Member | None = None
) -> OperationRecord:
    """Store an operation entered by hand (audited: « planifiée » or « réalisée »)."""
    _check(data)
    with Session(engine) as s, s.begin():
        check_zone(s, data.zone_id)
        o = Operation(**_values(data), source="saisie", source_ref=uuid.uuid4().hex)
        o.seizures = [Seizure(substance=a, quantity=q, unit=u) for a, q, u in data.seized or ()]
        s.add(o)
        s.flush()
        audit.record(
            s,
            actor=actor_of(by),
            verb="creation",
            object_type="operation",
            object_id=o.id,
            detail="planifiée" if o.planned else "réalisée",
        )
        new_id = o.id
    return get_operation(engine, operation_id=new_id)


def update_operation(
    engine: Engine, *, operation_id: int, data: OperationInput, by: Member | None = None
) -> OperationRecord:
    """Change an operation (audited with the names of the fields that change)."""
    _check(data)
    with Session(engine) as s, s.begin():
        o = _load(s, operation_id)
        check_zone(s, data.zone_id)
        values = _values(data)
        detail = changed_fields(o, values)
        before = sorted((z.substance, z.quantity, z.unit) for z in o.seizures)
        if data.seized is not None and before != sorted(data.seized):
            o.seizures = [Seizure(substance=a, quantity=q, unit=u) for a, q, u in data.seized]
            detail = "saisies" if detail == "aucun champ modifié" else f"{detail}, saisies"
        for k, v in values.items():
            setattr(o, k, v)
        audit.record(
            s,
            actor=actor_of(by),
            verb="modification",
            object_type="operation",
            object_id=operation_id,
            detail=detail,
        )
    return get_operation(engine, operation_id=operation_id)


def get_operation(engine: Engine, *, operation_id: int) -> OperationRecord:
    """One operation."""
    zones = zone_names(engine)
    with Session(engine) as s:
        return _record(_load(s, operation_id), zones)


def list_operations(engine: Engine) -> list[OperationRecord]:
    """Every operation, most recent first."""
    zones = zone_names(engine)
    with Session(engine) as s:
        ops = s.execute(
            select(Operation)
            .options(selectinload(Operation.seizures))
            .order_by(Operation.started_at.desc())
        ).scalars()
        return [_record(o, zones) for o in ops]
