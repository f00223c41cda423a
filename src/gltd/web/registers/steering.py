"""Steering registers: police operations (planned ones included) and GLTD actions."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, selectinload

from gltd.errors import InputError
from gltd.model import ACTION_STATUSES, OPERATION_KINDS, Action, Agency, Operation
from gltd.store.zones import list_zones
from gltd.web import audit
from gltd.web.auth import CurrentUser
from gltd.web.deps import Forbidden
from gltd.web.forms import Field
from gltd.web.permissions import may_steer_action
from gltd.web.registers.base import Column, Register

__all__ = ["OperationsRegister", "ActionsRegister", "ACTION_STATUS_LABELS", "OPERATION_KIND_LABELS"]

OPERATION_KIND_LABELS = {
    "occupation": "occupation de la voie publique",
    "interpellations": "interpellations",
    "controle": "contrôles",
    "fermeture_administrative": "fermeture administrative",
    "detection_cynophile": "détection cynophile",
    "perquisition": "perquisition",
    "autre": "autre",
}
ACTION_STATUS_LABELS = {
    "a_faire": "à faire",
    "en_cours": "en cours",
    "fait": "fait",
    "abandonne": "abandonné",
}


def _zone_options(engine: Engine) -> list[tuple[str, str]]:
    return [("", "—"), *((str(z.id), z.name) for z in list_zones(engine))]


def _zone_names(engine: Engine) -> dict[int, str]:
    return {z.id: z.name for z in list_zones(engine)}


def _changes(obj: Any, values: dict[str, Any]) -> str:
    changed = [k for k, v in values.items() if getattr(obj, k, None) != v]
    return ", ".join(changed) or "aucun champ modifié"


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
            Field("zone_id", "Zone", "select", options=_zone_options(engine)),
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
            Field("notes", "Notes (aucune identité)", "textarea", max_length=2000),
        ]

    def _clean(self, values: dict[str, Any]) -> dict[str, Any]:
        v = dict(values)
        v["zone_id"] = _id_or_none(v.get("zone_id"))
        for k in ("arrests_trafficker", "arrests_consumer", "arrests_other"):
            v[k] = int(v.get(k) or 0)
        v["cash_eur"] = float(v.get("cash_eur") or 0.0)
        v["planned"], v["dog_detection"] = bool(v.get("planned")), bool(v.get("dog_detection"))
        if v.get("ended_at") is not None and v["ended_at"] < v["started_at"]:
            raise InputError("la fin précède le début", field="ended_at")
        return v

    def rows(self, engine: Engine, params: dict[str, str]) -> list[dict[str, Any]]:
        """Operations, most recent first."""
        zones = _zone_names(engine)
        with Session(engine) as s:
            ops = (
                s.execute(
                    select(Operation)
                    .options(selectinload(Operation.seizures))
                    .order_by(Operation.started_at.desc())
                )
                .scalars()
                .all()
            )
            return [
                {
                    "id": o.id,
                    "started_at": o.started_at,
                    "ended_at": o.ended_at,
                    "kind": o.kind,
                    "kind_label": OPERATION_KIND_LABELS.get(o.kind, o.kind),
                    "zone": zones.get(o.zone_id, "—") if o.zone_id else "—",
                    "planned": o.planned,
                    "planned_label": "planifiée" if o.planned else "réalisée",
                    "arrests": f"{o.arrests_trafficker} / {o.arrests_consumer} / {o.arrests_other}",
                    "seizures": ", ".join(
                        f"{z.quantity:g} {z.unit} {z.substance}" for z in o.seizures
                    )
                    or "—",
                    "cash_eur": o.cash_eur,
                    "agencies": o.agencies,
                }
                for o in ops
            ]

    def values(self, engine: Engine, item_id: int) -> dict[str, Any]:
        """Current values."""
        with Session(engine) as s:
            o = s.get(Operation, item_id)
            if o is None:
                raise InputError(f"opération n° {item_id} introuvable")
            out = {f.name: getattr(o, f.name) for f in self.fields(engine)}
            out["zone_id"] = "" if o.zone_id is None else str(o.zone_id)
            return out

    def create(self, engine: Engine, values: dict[str, Any], user: CurrentUser, ip: str) -> int:
        """Store an operation."""
        v = self._clean(values)
        with Session(engine) as s, s.begin():
            o = Operation(**v, source="saisie", source_ref=uuid.uuid4().hex)
            s.add(o)
            s.flush()
            audit.add_event(
                s, user, "creation", "operation", o.id, "planifiée" if o.planned else "réalisée", ip
            )
            return o.id

    def update(
        self, engine: Engine, item_id: int, values: dict[str, Any], user: CurrentUser, ip: str
    ) -> None:
        """Change an operation."""
        v = self._clean(values)
        with Session(engine) as s, s.begin():
            o = s.get(Operation, item_id)
            if o is None:
                raise InputError(f"opération n° {item_id} introuvable")
            detail = _changes(o, v)
            for k, val in v.items():
                setattr(o, k, val)
            audit.add_event(s, user, "modification", "operation", item_id, detail, ip)


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
        with engine.connect() as conn:
            agencies = conn.execute(select(Agency.id, Agency.name).order_by(Agency.name)).all()
        return [
            Field("title", "Intitulé", required=True, max_length=300),
            Field(
                "owner_agency_id",
                "Agence pilote",
                "select",
                options=[("", "—"), *((str(a.id), a.name) for a in agencies)],
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
            Field("zone_id", "Zone", "select", options=_zone_options(engine)),
            Field("notes", "Notes", "textarea", max_length=2000),
        ]

    def defaults(self, engine: Engine) -> dict[str, Any]:
        """To do."""
        return {"status": "a_faire"}

    def _clean(self, values: dict[str, Any]) -> dict[str, Any]:
        v = dict(values)
        v["zone_id"] = _id_or_none(v.get("zone_id"))
        v["owner_agency_id"] = _id_or_none(v.get("owner_agency_id"))
        if v.get("status") == "fait" and v.get("done_on") is None:
            raise InputError("indiquez la date de réalisation d'une action faite", field="done_on")
        return v

    def rows(self, engine: Engine, params: dict[str, str]) -> list[dict[str, Any]]:
        """Open actions first, by due date."""
        zones = _zone_names(engine)
        with Session(engine) as s:
            acts = s.execute(
                select(Action, Agency.name).outerjoin(Agency, Agency.id == Action.owner_agency_id)
            ).all()
        out = []
        for a, owner in acts:
            out.append(
                {
                    "id": a.id,
                    "title": a.title,
                    "owner": owner or "—",
                    "decided_on": a.decided_on,
                    "due_on": a.due_on,
                    "done_on": a.done_on,
                    "status": a.status,
                    "status_label": ACTION_STATUS_LABELS.get(a.status, a.status),
                    "zone": zones.get(a.zone_id, "—") if a.zone_id else "—",
                    "notes": a.notes,
                }
            )
        out.sort(
            key=lambda r: (
                r["status"] in ("fait", "abandonne"),
                r["due_on"] is None,
                str(r["due_on"]),
            )
        )
        return out

    def values(self, engine: Engine, item_id: int) -> dict[str, Any]:
        """Current values."""
        with Session(engine) as s:
            a = s.get(Action, item_id)
            if a is None:
                raise InputError(f"action n° {item_id} introuvable")
            out = {f.name: getattr(a, f.name) for f in self.fields(engine)}
            out["zone_id"] = "" if a.zone_id is None else str(a.zone_id)
            out["owner_agency_id"] = "" if a.owner_agency_id is None else str(a.owner_agency_id)
            return out

    @staticmethod
    def _check_owner(
        engine: Engine,
        s: Session,
        user: CurrentUser,
        ip: str,
        pilot_id: int | None,
        item_id: int | None,
    ) -> None:
        """Refuse (403, audited) an action piloted by another agency; see OWNERSHIP_FR."""
        if may_steer_action(user.agency_kind, user.agency_id, pilot_id):
            return
        pilot = s.get(Agency, pilot_id) if pilot_id is not None else None
        name = pilot.name if pilot else f"n° {pilot_id}"
        audit.record(
            engine,
            user,
            "refus",
            "action",
            item_id,
            f"action pilotée par {name} : réservée à cette agence et au parquet",
            ip,
        )
        raise Forbidden(
            f"Accès refusé : cette action est pilotée par {name} ; seuls cette agence et le "
            "parquet la modifient (une autre agence ne peut désigner comme pilote que la "
            "sienne)."
        )

    def check_edit(self, engine: Engine, item_id: int, user: CurrentUser, ip: str) -> None:
        """Refuse the edit form of an action piloted by another agency."""
        with Session(engine) as s:
            a = s.get(Action, item_id)
            if a is not None:
                self._check_owner(engine, s, user, ip, a.owner_agency_id, item_id)

    def create(self, engine: Engine, values: dict[str, Any], user: CurrentUser, ip: str) -> int:
        """Store an action (piloted by the user's agency, or any agency for the parquet)."""
        v = self._clean(values)
        with Session(engine) as s, s.begin():
            self._check_owner(engine, s, user, ip, v.get("owner_agency_id"), None)
            a = Action(**v)
            s.add(a)
            s.flush()
            audit.add_event(s, user, "creation", "action", a.id, a.title[:100], ip)
            return a.id

    def update(
        self, engine: Engine, item_id: int, values: dict[str, Any], user: CurrentUser, ip: str
    ) -> None:
        """Change an action."""
        v = self._clean(values)
        with Session(engine) as s, s.begin():
            a = s.get(Action, item_id)
            if a is None:
                raise InputError(f"action n° {item_id} introuvable")
            # Both the current pilot and the new one must be the user's to change.
            self._check_owner(engine, s, user, ip, a.owner_agency_id, item_id)
            self._check_owner(engine, s, user, ip, v.get("owner_agency_id"), item_id)
            detail = _changes(a, v)
            for k, val in v.items():
                setattr(a, k, val)
            audit.add_event(s, user, "modification", "action", item_id, detail, ip)
