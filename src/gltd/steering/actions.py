"""Actions decided in the GLTD meetings: create, update, change status, read, list.

An action belongs to its pilot agency (see ``may_steer_action``): only that agency's
editors and the parquet's change it, and another agency may name only itself (or no
one) as the pilot. A refusal is written to the audit log and raised as
:class:`~gltd.accounts.rules.Refused`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from gltd.accounts import CHAIR_KIND, Member, Refused, actor_of
from gltd.errors import InputError
from gltd.model import ACTION_STATUSES, Action, Agency
from gltd.steering.common import changed_fields, check_zone, zone_names
from gltd.store import audit

__all__ = [
    "ACTION_STATUS_LABELS",
    "ActionInput",
    "ActionRecord",
    "check_action_editable",
    "create_action",
    "get_action",
    "list_actions",
    "may_steer_action",
    "set_action_status",
    "update_action",
]

ACTION_STATUS_LABELS = {
    "a_faire": "à faire",
    "en_cours": "en cours",
    "fait": "fait",
    "abandonne": "abandonné",
}
#: Closed actions are listed after the open ones.
CLOSED = ("fait", "abandonne")


@dataclass(frozen=True)
class ActionInput:
    """What a user enters for an action (in the order of the form and the audit detail)."""

    title: str
    owner_agency_id: int | None = None
    decided_on: date | None = None
    due_on: date | None = None
    done_on: date | None = None
    status: str = "a_faire"
    zone_id: int | None = None
    notes: str | None = None


@dataclass(frozen=True)
class ActionRecord(ActionInput):
    """A stored action, with the names of its pilot agency and of its zone."""

    id: int = 0
    owner_name: str | None = None
    zone_name: str | None = None


INPUT_FIELDS = tuple(f.name for f in dataclasses.fields(ActionInput))


def may_steer_action(agency_kind: str, agency_id: int, pilot_agency_id: int | None) -> bool:
    """True when an editor of this agency may change an action with this pilot agency."""
    return agency_kind == CHAIR_KIND or pilot_agency_id in (None, agency_id)


def _check(data: ActionInput) -> None:
    if not data.title.strip():
        raise InputError("intitulé manquant", field="title")
    if len(data.title) > 300:
        raise InputError("intitulé trop long (300 caractères au plus)", field="title")
    if data.status not in ACTION_STATUSES:
        raise InputError(
            f"statut inconnu : « {data.status[:30]} » (attendu : {', '.join(ACTION_STATUSES)})",
            field="status",
        )
    if data.status == "fait" and data.done_on is None:
        raise InputError("indiquez la date de réalisation d'une action faite", field="done_on")


def _check_pilot(
    engine: Engine, s: Session, by: Member | None, pilot_id: int | None, action_id: int | None
) -> None:
    """Refuse (audited) an action piloted by another agency; the command line may all."""
    if by is None or may_steer_action(by.agency_kind, by.agency_id, pilot_id):
        return
    pilot = s.get(Agency, pilot_id) if pilot_id is not None else None
    name = pilot.name if pilot else f"n° {pilot_id}"
    audit.record(
        engine,
        actor=actor_of(by),
        verb="refus",
        object_type="action",
        object_id=action_id,
        detail=f"action pilotée par {name} : réservée à cette agence et au parquet",
    )
    raise Refused(
        f"Accès refusé : cette action est pilotée par {name} ; seuls cette agence et le "
        "parquet la modifient (une autre agence ne peut désigner comme pilote que la "
        "sienne)."
    )


def _check_agency(s: Session, agency_id: int | None) -> None:
    if agency_id is not None and s.get(Agency, agency_id) is None:
        raise InputError(f"agence n° {agency_id} inconnue", field="owner_agency_id")


def _load(s: Session, action_id: int) -> Action:
    a = s.get(Action, action_id)
    if a is None:
        raise InputError(f"action n° {action_id} introuvable")
    return a


def _record(s: Session, a: Action, zones: dict[int, str]) -> ActionRecord:
    owner = s.get(Agency, a.owner_agency_id) if a.owner_agency_id is not None else None
    return ActionRecord(
        **{name: getattr(a, name) for name in INPUT_FIELDS},
        id=a.id,
        owner_name=owner.name if owner else None,
        zone_name=zones.get(a.zone_id) if a.zone_id is not None else None,
    )


def create_action(engine: Engine, *, data: ActionInput, by: Member | None = None) -> ActionRecord:
    """Store an action (piloted by the account's agency, or any agency for the parquet)."""
    _check(data)
    with Session(engine) as s, s.begin():
        _check_agency(s, data.owner_agency_id)
        _check_pilot(engine, s, by, data.owner_agency_id, None)
        check_zone(s, data.zone_id)
        a = Action(**{name: getattr(data, name) for name in INPUT_FIELDS})
        s.add(a)
        s.flush()
        audit.record(
            s,
            actor=actor_of(by),
            verb="creation",
            object_type="action",
            object_id=a.id,
            detail=a.title[:100],
        )
        new_id = a.id
    return get_action(engine, action_id=new_id)


def update_action(
    engine: Engine, *, action_id: int, data: ActionInput, by: Member | None = None
) -> ActionRecord:
    """Change an action: both its current pilot and the new one must be the account's."""
    _check(data)
    with Session(engine) as s, s.begin():
        a = _load(s, action_id)
        _check_pilot(engine, s, by, a.owner_agency_id, action_id)
        _check_agency(s, data.owner_agency_id)
        _check_pilot(engine, s, by, data.owner_agency_id, action_id)
        check_zone(s, data.zone_id)
        values = {name: getattr(data, name) for name in INPUT_FIELDS}
        detail = changed_fields(a, values)
        for k, v in values.items():
            setattr(a, k, v)
        audit.record(
            s,
            actor=actor_of(by),
            verb="modification",
            object_type="action",
            object_id=action_id,
            detail=detail,
        )
    return get_action(engine, action_id=action_id)


def set_action_status(
    engine: Engine,
    *,
    action_id: int,
    status: str,
    done_on: date | None = None,
    by: Member | None = None,
) -> ActionRecord:
    """Move an action to ``status`` (a done action needs its date), the rest unchanged."""
    current = get_action(engine, action_id=action_id)
    data = ActionInput(
        **{name: getattr(current, name) for name in INPUT_FIELDS if name != "status"}
    )
    data = dataclasses.replace(
        data, status=status, done_on=done_on if done_on is not None else current.done_on
    )
    return update_action(engine, action_id=action_id, data=data, by=by)


def check_action_editable(engine: Engine, *, action_id: int, by: Member | None) -> None:
    """Refuse (audited) to show the edit form of an action piloted by another agency."""
    with Session(engine) as s:
        a = s.get(Action, action_id)
        if a is not None:
            _check_pilot(engine, s, by, a.owner_agency_id, action_id)


def get_action(engine: Engine, *, action_id: int) -> ActionRecord:
    """One action."""
    zones = zone_names(engine)
    with Session(engine) as s:
        return _record(s, _load(s, action_id), zones)


def list_actions(engine: Engine) -> list[ActionRecord]:
    """Every action: the open ones first, by due date (undated last)."""
    zones = zone_names(engine)
    with Session(engine) as s:
        rows = s.execute(
            select(Action, Agency.name).outerjoin(Agency, Agency.id == Action.owner_agency_id)
        ).all()
        out = [
            ActionRecord(
                **{name: getattr(a, name) for name in INPUT_FIELDS},
                id=a.id,
                owner_name=owner,
                zone_name=zones.get(a.zone_id) if a.zone_id is not None else None,
            )
            for a, owner in rows
        ]
    out.sort(key=lambda r: (r.status in CLOSED, r.due_on is None, str(r.due_on)))
    return out
