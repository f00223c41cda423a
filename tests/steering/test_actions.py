"""GLTD actions through the service: input checks, status, the pilot agency's ownership."""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

import pytest
from sqlalchemy.orm import Session

from audit_support import audit_events
from gltd.accounts import Refused
from gltd.errors import InputError
from gltd.model import Action
from gltd.steering import (
    ActionInput,
    check_action_editable,
    create_action,
    get_action,
    list_actions,
    may_steer_action,
    set_action_status,
    update_action,
)


def test_an_action_is_stored_listed_and_its_status_changed(steering_db: dict[str, Any]) -> None:
    engine, ids = steering_db["engine"], steering_db["agencies"]
    police = steering_db["members"]["police"]
    a = create_action(
        engine,
        data=ActionInput(title="Éclairer la dalle", owner_agency_id=ids["police"]),
        by=police,
    )
    b = create_action(engine, data=ActionInput(title="Élaguer", due_on=date(2026, 1, 5)))
    c = create_action(engine, data=ActionInput(title="Grille", due_on=date(2026, 2, 1)))
    assert (a.owner_name, a.status) == ("Agence police", "a_faire")
    # open first, by due date, undated last
    assert [r.id for r in list_actions(engine)] == [b.id, c.id, a.id]
    done = set_action_status(
        engine, action_id=b.id, status="fait", done_on=date(2026, 1, 4), by=police
    )
    assert (done.status, done.done_on, done.title) == ("fait", date(2026, 1, 4), "Élaguer")
    assert [r.id for r in list_actions(engine)] == [c.id, a.id, b.id]
    assert get_action(engine, action_id=b.id) == done
    assert audit_events(engine)[0] == ("creation", "action", "police.coord", "Éclairer la dalle")
    assert audit_events(engine)[-1] == ("modification", "action", "police.coord", "done_on, status")


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"status": "fait"}, "done_on", "indiquez la date de réalisation d'une action faite"),
        ({"status": "oublie"}, "status", "statut inconnu : « oublie »"),
        ({"title": "  "}, "title", "intitulé manquant"),
        ({"title": "x" * 301}, "title", "intitulé trop long"),
        ({"zone_id": 999}, "zone_id", "zone n° 999 inconnue"),
        ({"owner_agency_id": 999}, "owner_agency_id", "agence n° 999 inconnue"),
    ],
)
def test_bad_input_is_refused_naming_the_field(
    steering_db: dict[str, Any], changes: dict[str, Any], field: str, message: str
) -> None:
    engine = steering_db["engine"]
    with pytest.raises(InputError) as exc:
        create_action(engine, data=dataclasses.replace(ActionInput(title="Tags"), **changes))
    assert exc.value.field == field and message in str(exc.value)
    assert list_actions(engine) == [] and audit_events(engine) == []


def test_another_agency_cannot_take_or_rewrite_an_action(steering_db: dict[str, Any]) -> None:
    engine, ids, m = steering_db["engine"], steering_db["agencies"], steering_db["members"]
    police_action = create_action(
        engine, data=ActionInput(title="Patrouilles", owner_agency_id=ids["police"]), by=m["police"]
    )
    # The city may not name the police as pilot, nor change the police's action.
    with pytest.raises(Refused, match="pilotée par Agence police"):
        create_action(
            engine, data=ActionInput(title="X", owner_agency_id=ids["police"]), by=m["ville"]
        )
    with pytest.raises(Refused):
        update_action(
            engine,
            action_id=police_action.id,
            data=ActionInput(title="Autre", owner_agency_id=ids["ville"]),
            by=m["ville"],
        )
    with pytest.raises(Refused):
        check_action_editable(engine, action_id=police_action.id, by=m["ville"])
    with pytest.raises(Refused):
        set_action_status(engine, action_id=police_action.id, status="abandonne", by=m["ville"])
    # Nor may the police hand its action to the city it does not own either.
    own = create_action(engine, data=ActionInput(title="Mine", owner_agency_id=None), by=m["ville"])
    with pytest.raises(Refused, match="pilotée par Agence police"):
        update_action(
            engine,
            action_id=own.id,
            data=ActionInput(title="Mine", owner_agency_id=ids["police"]),
            by=m["ville"],
        )
    refusals = [e for e in audit_events(engine) if e[0] == "refus"]
    assert len(refusals) == 5
    assert all(e[2] == "ville.coord" for e in refusals)
    assert (
        refusals[0][3] == "action pilotée par Agence police : réservée à cette agence et au parquet"
    )
    with Session(engine) as s:
        assert s.get(Action, police_action.id).title == "Patrouilles"  # type: ignore[union-attr]
    # The parquet, which chairs the GLTD, changes any action; the CLI (no account) too.
    after = update_action(
        engine,
        action_id=police_action.id,
        data=ActionInput(title="Patrouilles renforcées", owner_agency_id=ids["ville"]),
        by=m["parquet"],
    )
    assert after.owner_name == "Agence ville"
    check_action_editable(engine, action_id=police_action.id, by=None)


def test_the_ownership_rule() -> None:
    assert may_steer_action("parquet", 1, 2)
    assert may_steer_action("ville", 3, 3) and may_steer_action("ville", 3, None)
    assert not may_steer_action("ville", 3, 2)
