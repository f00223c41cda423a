"""Steering registers: police operations (planned ones included) and GLTD actions.

The pages translate the forms to :mod:`gltd.steering`, which checks, stores and audits.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any

from sqlalchemy import Engine

from gltd.model import ACTION_STATUSES, OPERATION_KINDS
from gltd.steering import (
    ACTION_STATUS_LABELS,
    OPERATION_KIND_LABELS,
    SEIZURE_FIELDS,
    ActionInput,
    OperationInput,
    check_action_editable,
    create_action,
    create_operation,
    get_action,
    get_operation,
    seizures_from_form,
    seizures_to_form,
    update_action,
    update_operation,
)
from gltd.web.auth import CurrentUser, member
from gltd.web.forms import Field
from gltd.web.registers.base import Column, Register, form_now
from gltd.web.registers.filters import agency_options, zone_options

__all__ = ["OperationsRegister", "ActionsRegister", "ACTION_STATUS_LABELS", "OPERATION_KIND_LABELS"]


OPERATION_FIELDS = tuple(f.name for f in dataclasses.fields(OperationInput))
ACTION_FIELDS = tuple(f.name for f in dataclasses.fields(ActionInput))


def _id_or_none(v: Any) -> int | None:
    return int(v) if v not in (None, "") else None


class OperationsRegister(Register):
    """Police and joint operations; planned ones stay with police and parquet."""

    slug = "operations"
    resource = "operations"
    title = "Opérations"
    item_label = "opération"
    help_fr = "Rubrique réservée à la police et au parquet (opérations planifiées comprises)."
    columns = (
        Column("started_at", "Début", "datetime"),
        Column("kind_label", "Type"),
        Column("zone", "Zone"),
        Column("planned_label", "Statut"),
        Column("arrests", "Interpellations (trafic / usage / autres)"),
        Column("seizures", "Saisies"),
        Column("cash_eur", "Numéraire (€)", "number"),
    )

    def fields(self, engine: Engine, *, editing: bool = False) -> list[Field]:
        """The operation form."""
        return [
            Field("started_at", "Début", "datetime", True),
            Field("ended_at", "Fin", "datetime"),
            Field("zone_id", "Zone", "select", options=zone_options(engine, blank=True)),
            Field(
                "kind",
                "Type",
                "select",
                True,
                [(k, OPERATION_KIND_LABELS[k]) for k in OPERATION_KINDS],
            ),
            Field("agencies", "Services engagés", max_length=300),
            Field("planned", "Planifiée (à venir, confidentielle)", "bool"),
            Field("dog_detection", "Avec détection cynophile", "bool"),
            Field("arrests_trafficker", "Interpellations : trafic", "int", min=0, max=10000),
            Field("arrests_consumer", "Interpellations : usage", "int", min=0, max=10000),
            Field("arrests_other", "Interpellations : autres", "int", min=0, max=10000),
            Field("cash_eur", "Numéraire saisi (€)", "float", min=0, max=1e9),
            *(
                Field(name, label, "float", min=0, max=1e7)
                for name, (_s, _u, label) in SEIZURE_FIELDS.items()
            ),
            Field(
                "seize_other",
                "Autres saisies",
                max_length=300,
                help="substance, quantité et unité, séparées par « ; » "
                "(ex. « ecstasy 20 comprimes ; crack 3 g »)",
            ),
            Field("notes", "Notes (aucune identité)", "textarea", max_length=2000),
        ]

    def defaults(self, engine: Engine, now: datetime) -> dict[str, Any]:
        """Starting now (at the reference date), done, no arrest nor cash yet."""
        return {
            "started_at": form_now(now),
            "arrests_trafficker": 0,
            "arrests_consumer": 0,
            "arrests_other": 0,
            "cash_eur": 0,
        }

    @staticmethod
    def _input(values: dict[str, Any]) -> OperationInput:
        v: dict[str, Any] = {k: values.get(k) for k in OPERATION_FIELDS}
        v["zone_id"] = _id_or_none(v.get("zone_id"))
        for k in ("arrests_trafficker", "arrests_consumer", "arrests_other"):
            v[k] = int(v.get(k) or 0)
        v["cash_eur"] = float(v.get("cash_eur") or 0.0)
        v["planned"], v["dog_detection"] = bool(v.get("planned")), bool(v.get("dog_detection"))
        v["seized"] = seizures_from_form(
            {name: values.get(name) for name in SEIZURE_FIELDS}, values.get("seize_other")
        )
        return OperationInput(**v)

    def values(self, engine: Engine, item_id: int) -> dict[str, Any]:
        """Current values."""
        o = get_operation(engine, operation_id=item_id)
        names = {f.name for f in self.fields(engine)} - {*SEIZURE_FIELDS, "seize_other"}
        out = {name: getattr(o, name) for name in names}
        out["zone_id"] = "" if o.zone_id is None else str(o.zone_id)
        return {**out, **seizures_to_form(o.seized or ())}

    def create(self, engine: Engine, values: dict[str, Any], user: CurrentUser, ip: str) -> int:
        """Store an operation."""
        return create_operation(engine, data=self._input(values), by=member(user, ip)).id

    def update(
        self, engine: Engine, item_id: int, values: dict[str, Any], user: CurrentUser, ip: str
    ) -> None:
        """Change an operation."""
        update_operation(
            engine, operation_id=item_id, data=self._input(values), by=member(user, ip)
        )


class ActionsRegister(Register):
    """Decisions of the GLTD meetings and their follow-up."""

    slug = "actions"
    resource = "actions"
    title = "Actions du GLTD"
    item_label = "action"
    columns = (
        Column("title", "Action"),
        Column("owner", "Pilote"),
        Column("decided_on", "Décidée le", "date"),
        Column("due_on", "Échéance", "date"),
        Column("status_label", "Statut"),
        Column("zone", "Zone"),
    )

    def fields(self, engine: Engine, *, editing: bool = False) -> list[Field]:
        """The action form."""
        return [
            Field("title", "Intitulé", required=True, max_length=300),
            Field(
                "owner_agency_id",
                "Agence pilote",
                "select",
                options=agency_options(engine, blank=True),
            ),
            Field("decided_on", "Décidée le", "date"),
            Field("due_on", "Échéance", "date"),
            Field("done_on", "Réalisée le", "date"),
            Field(
                "status",
                "Statut",
                "select",
                True,
                [(s, ACTION_STATUS_LABELS[s]) for s in ACTION_STATUSES],
            ),
            Field("zone_id", "Zone", "select", options=zone_options(engine, blank=True)),
            Field("notes", "Notes", "textarea", max_length=2000),
        ]

    def defaults(self, engine: Engine, now: datetime) -> dict[str, Any]:
        """To do, decided on the reference date."""
        return {"status": "a_faire", "decided_on": form_now(now, "date")}

    @staticmethod
    def _input(values: dict[str, Any]) -> ActionInput:
        v: dict[str, Any] = {k: values.get(k) for k in ACTION_FIELDS}
        v["zone_id"] = _id_or_none(v.get("zone_id"))
        v["owner_agency_id"] = _id_or_none(v.get("owner_agency_id"))
        v["title"] = v.get("title") or ""
        v["status"] = v.get("status") or "a_faire"
        return ActionInput(**v)

    def values(self, engine: Engine, item_id: int) -> dict[str, Any]:
        """Current values."""
        a = get_action(engine, action_id=item_id)
        out = {f.name: getattr(a, f.name) for f in self.fields(engine)}
        out["zone_id"] = "" if a.zone_id is None else str(a.zone_id)
        out["owner_agency_id"] = "" if a.owner_agency_id is None else str(a.owner_agency_id)
        return out

    def check_edit(self, engine: Engine, item_id: int, user: CurrentUser, ip: str) -> None:
        """Refuse the edit form of an action piloted by another agency."""
        check_action_editable(engine, action_id=item_id, by=member(user, ip))

    def create(self, engine: Engine, values: dict[str, Any], user: CurrentUser, ip: str) -> int:
        """Store an action (piloted by the user's agency, or any agency for the parquet)."""
        return create_action(engine, data=self._input(values), by=member(user, ip)).id

    def update(
        self, engine: Engine, item_id: int, values: dict[str, Any], user: CurrentUser, ip: str
    ) -> None:
        """Change an action."""
        update_action(engine, action_id=item_id, data=self._input(values), by=member(user, ip))
