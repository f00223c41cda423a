"""Operations entered by hand, through the service every interface calls."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy.orm import Session

from audit_support import audit_events
from gltd.errors import InputError
from gltd.model import Operation
from gltd.steering import (
    OperationInput,
    create_operation,
    get_operation,
    list_operations,
    update_operation,
)
from gltd.steering.operations import FORM_ORDER, INPUT_FIELDS

START = datetime(2026, 3, 2, 20, 0, tzinfo=UTC)


def test_an_operation_is_stored_with_its_zone_and_one_audit_event(
    steering_db: dict[str, Any],
) -> None:
    engine, police = steering_db["engine"], steering_db["members"]["police"]
    data = OperationInput(
        started_at=START,
        ended_at=START.replace(hour=23),
        kind="controle",
        zone_id=steering_db["zone_id"],
        planned=True,
        arrests_trafficker=2,
        cash_eur=350.0,
    )
    op = create_operation(engine, data=data, by=police)
    assert op.id > 0 and op.zone_name == "Argonne" and op.planned and op.source == "saisie"
    assert get_operation(engine, operation_id=op.id) == op
    assert [o.id for o in list_operations(engine)] == [op.id]
    assert audit_events(engine) == [("creation", "operation", "police.coord", "planifiée")]
    with Session(engine) as s:
        row = s.get(Operation, op.id)
        assert row is not None and row.source_ref and row.arrests_trafficker == 2


def test_an_update_names_the_changed_fields_in_form_order(steering_db: dict[str, Any]) -> None:
    engine = steering_db["engine"]
    op = create_operation(engine, data=OperationInput(started_at=START, kind="occupation"))
    changed = dataclasses.replace(
        OperationInput(started_at=START, kind="occupation"),
        kind="perquisition",
        zone_id=steering_db["zone_id"],
        notes="porte fracturée",
    )
    after = update_operation(engine, operation_id=op.id, data=changed)
    assert (after.kind, after.zone_name, after.notes) == (
        "perquisition",
        "Argonne",
        "porte fracturée",
    )
    assert audit_events(engine)[-1] == ("modification", "operation", None, "zone_id, kind, notes")
    update_operation(engine, operation_id=op.id, data=changed)
    assert audit_events(engine)[-1][3] == "aucun champ modifié"
    assert sorted(FORM_ORDER) == sorted(INPUT_FIELDS)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"ended_at": START.replace(hour=10)}, "ended_at", "la fin précède le début"),
        ({"kind": "rafle"}, "kind", "type d'opération inconnu : « rafle »"),
        ({"arrests_consumer": -1}, "arrests_consumer", "nombre hors limites : -1"),
        ({"cash_eur": 2e9}, "cash_eur", "montant hors limites"),
        ({"zone_id": 999}, "zone_id", "zone n° 999 inconnue"),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_nothing_is_written(
    steering_db: dict[str, Any], changes: dict[str, Any], field: str, message: str
) -> None:
    engine = steering_db["engine"]
    data = dataclasses.replace(OperationInput(started_at=START, kind="controle"), **changes)
    with pytest.raises(InputError) as exc:
        create_operation(engine, data=data)
    assert exc.value.field == field and message in str(exc.value)
    assert list_operations(engine) == [] and audit_events(engine) == []


def test_an_unknown_operation_is_named(steering_db: dict[str, Any]) -> None:
    engine = steering_db["engine"]
    data = OperationInput(started_at=START, kind="controle")
    with pytest.raises(InputError, match="opération n° 42 introuvable"):
        update_operation(engine, operation_id=42, data=data)
    with pytest.raises(InputError, match="opération n° 42 introuvable"):
        get_operation(engine, operation_id=42)
