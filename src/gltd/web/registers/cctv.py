"""Video-protection registers: cameras, requisitions, viewing log, residents' requests.

The business rules (legal deadlines, retention limits, status workflow, pseudonymised
procedure numbers) live in :mod:`gltd.cctv`; these classes only adapt them to forms.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from gltd.config import get_settings
from gltd.model import Camera, CameraRequest
from gltd.web import audit
from gltd.web.auth import CurrentUser
from gltd.web.forms import Field
from gltd.web.registers.base import Column, Register, form_now, point_fields

__all__ = [
    "CamerasRegister",
    "ViewingLogRegister",
    "CameraRequestsRegister",
    "camera_options",
    "REQUEST_ORIGINS",
    "REQUEST_ORIGIN_LABELS",
    "REQUEST_STATUSES",
    "REQUEST_STATUS_LABELS",
]


def camera_options(engine: Engine) -> list[tuple[str, str]]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(Camera.code, Camera.retention_days)
            .where(Camera.removed_on.is_(None))
            .order_by(Camera.code)
        ).all()
    return [(r.code, f"{r.code} (conservation {r.retention_days} j)") for r in rows]


class CamerasRegister(Register):
    """The camera inventory."""

    slug = "cameras"
    resource = "cameras"
    title = "Caméras"
    item_label = "caméra"
    help_fr = (
        "Autorisation préfectorale valable 5 ans (CSI L252-4) ; conservation des images "
        "au plus 30 jours (CSI L252-5)."
    )
    columns = (
        Column("code", "Code"),
        Column("hd", "HD"),
        Column("optics", "Champ"),
        Column("retention_days", "Conservation (j)", "number"),
        Column("installed_on", "Installée le", "date"),
        Column("status", "Statut"),
        Column("removed_on", "Retirée le", "date"),
        Column("authorisation_expiry", "Autorisation jusqu'au", "date"),
        Column("annual_cost_eur", "Coût annuel (€)", "number"),
    )

    def fields(self, engine: Engine, *, editing: bool = False) -> list[Field]:
        """Inputs of the camera form."""
        s = get_settings()
        return [
            Field("code", "Code", required=True, max_length=60),
            *point_fields("la caméra"),
            Field(
                "heading_deg",
                "Orientation (degrés depuis le nord)",
                "float",
                min=0,
                max=359.999,
                help="vide pour un dôme 360°",
            ),
            Field("field_angle_deg", "Angle de champ (degrés)", "float", True, min=1, max=360),
            Field("range_m", "Portée (m)", "float", True, min=1, max=1000),
            Field("hd", "Haute définition", "bool"),
            Field("installed_on", "Installée le", "date"),
            Field("removed_on", "Retirée le", "date"),
            Field("annual_cost_eur", "Coût annuel (€)", "float", min=0, max=1e7),
            Field("authorisation_number", "N° d'autorisation préfectorale", max_length=60),
            Field("authorisation_date", "Date de l'autorisation", "date"),
            Field(
                "authorisation_expiry",
                "Fin de l'autorisation",
                "date",
                help=f"vide : date de l'autorisation + {s.authorisation_years} ans",
            ),
            Field(
                "retention_days",
                "Durée de conservation (jours)",
                "int",
                True,
                min=1,
                max=s.max_retention_days,
            ),
            Field("notes", "Notes", "textarea", max_length=2000),
        ]

    def defaults(self, engine: Engine, now: datetime) -> dict[str, Any]:
        """A dome kept 15 days by default."""
        return {"field_angle_deg": 360, "range_m": 50, "retention_days": 15}

    def values(self, engine: Engine, item_id: int) -> dict[str, Any]:
        """Current values of a camera."""
        return self.stored_values(engine, Camera, item_id)

    def _data(self, values: dict[str, Any]) -> Any:
        from gltd.cctv.inventory import CameraData

        v = dict(values)
        v["hd"] = bool(v.get("hd"))
        if v.get("annual_cost_eur") is None:
            v["annual_cost_eur"] = 0.0
        return CameraData(**v)

    def create(self, engine: Engine, values: dict[str, Any], user: CurrentUser, ip: str) -> int:
        """Add a camera (validated and audited by :func:`gltd.cctv.inventory.add_camera`)."""
        from gltd.cctv.inventory import add_camera

        rec = add_camera(engine, self._data(values), by=audit.actor(user, ip))
        return rec.id

    def update(
        self, engine: Engine, item_id: int, values: dict[str, Any], user: CurrentUser, ip: str
    ) -> None:
        """Edit a camera (validated again as a whole)."""
        from gltd.cctv.inventory import edit_camera

        with Session(engine) as s:
            code = self.stored(s, Camera, item_id).code
        v = dict(values)
        v["hd"] = bool(v.get("hd"))
        if v.get("annual_cost_eur") is None:
            v["annual_cost_eur"] = 0.0
        edit_camera(engine, code, v, by=audit.actor(user, ip))  # audited there


class ViewingLogRegister(Register):
    """Every viewing and extraction of footage (append-only)."""

    slug = "visionnages"
    resource = "viewing_log"
    title = "Registre des visionnages et extractions"
    item_label = "consultation"
    editable = False
    help_fr = "Registre en ajout seul, conservé au moins 3 ans ; l'agent est le compte connecté."
    columns = (
        Column("at", "Le", "datetime"),
        Column("agent", "Compte"),
        Column("action", "Action"),
        Column("camera", "Caméra"),
        Column("reason", "Motif"),
        Column("recipient", "Destinataire"),
        Column("requisition_id", "Réquisition"),
    )

    def fields(self, engine: Engine, *, editing: bool = False) -> list[Field]:
        """The viewing form (the agent is the logged-in account)."""
        from gltd.cctv.viewlog import ACTIONS

        return [
            Field("action", "Action", "select", True, [(a, a) for a in ACTIONS]),
            Field("camera", "Caméra", "select", True, camera_options(engine)),
            Field("reason", "Motif", required=True, max_length=300),
            Field("recipient", "Destinataire (extraction)", max_length=200),
            Field("clip_start", "Début de l'extrait", "datetime", True),
            Field("clip_end", "Fin de l'extrait", "datetime", True),
            Field("requisition_id", "Réquisition n°", "int", min=1),
        ]

    def defaults(self, engine: Engine, now: datetime) -> dict[str, Any]:
        """A viewing (the commonest action); the extract's times are the footage's own."""
        return {"action": "visionnage"}

    def create(self, engine: Engine, values: dict[str, Any], user: CurrentUser, ip: str) -> int:
        """Append one viewing."""
        from gltd.cctv.viewlog import log_viewing

        e = log_viewing(
            engine,
            agent=user.username,
            action=values["action"],
            reason=values["reason"],
            camera=values["camera"],
            clip_start=values["clip_start"],
            clip_end=values["clip_end"],
            recipient=values.get("recipient"),
            requisition_id=values.get("requisition_id"),
        )
        audit.record(engine, user, "creation", "viewing_log", e.id, values["action"], ip)
        return e.id


REQUEST_ORIGINS = ("habitants", "elu", "police", "bailleur", "commercants", "autre")
REQUEST_STATUSES = ("attente", "etude", "acceptee", "refusee")
#: What a person reads for each origin and status (codes are never shown).
REQUEST_ORIGIN_LABELS = {
    "habitants": "habitants",
    "elu": "élu",
    "police": "police",
    "bailleur": "bailleur",
    "commercants": "commerçants",
    "autre": "autre",
}
REQUEST_STATUS_LABELS = {
    "attente": "en attente",
    "etude": "à l'étude",
    "acceptee": "acceptée",
    "refusee": "refusée",
}


class CameraRequestsRegister(Register):
    """Requests for a new camera (residents, elected officials, police...)."""

    slug = "demandes"
    resource = "camera_requests"
    title = "Demandes de caméras"
    item_label = "demande"
    help_fr = (
        "Aucune identité n'est enregistrée : l'origine (habitants, élu…) et le lieu seulement."
    )
    columns = (
        Column("id", "N°"),
        Column("received_on", "Reçue le", "date"),
        Column("origin_label", "Origine"),
        Column("place", "Lieu"),
        Column("radius_m", "Rayon (m)", "number"),
        Column("status_label", "Statut"),
        Column("description", "Description"),
    )

    def fields(self, engine: Engine, *, editing: bool = False) -> list[Field]:
        """The request form."""
        return [
            Field("received_on", "Reçue le", "date", True),
            Field(
                "origin",
                "Origine",
                "select",
                True,
                [(o, REQUEST_ORIGIN_LABELS[o]) for o in REQUEST_ORIGINS],
            ),
            *point_fields("le lieu demandé"),
            Field("radius_m", "Rayon d'étude (m)", "float", True, min=10, max=2000),
            Field("description", "Description du lieu et du motif", "textarea", max_length=2000),
            Field(
                "status",
                "Statut",
                "select",
                True,
                [(s, REQUEST_STATUS_LABELS[s]) for s in REQUEST_STATUSES],
            ),
        ]

    def defaults(self, engine: Engine, now: datetime) -> dict[str, Any]:
        """Received on the reference date, pending, 100 m."""
        return {"received_on": form_now(now, "date"), "radius_m": 100, "status": "attente"}

    def values(self, engine: Engine, item_id: int) -> dict[str, Any]:
        """Current values."""
        return self.stored_values(engine, CameraRequest, item_id)

    def _apply(self, r: CameraRequest, values: dict[str, Any]) -> None:
        from gltd.geo import to_metric

        for k, v in values.items():
            setattr(r, k, v)
        r.x, r.y = to_metric(values["lon"], values["lat"])

    def create(self, engine: Engine, values: dict[str, Any], user: CurrentUser, ip: str) -> int:
        """Store a request."""
        with Session(engine) as s, s.begin():
            r = CameraRequest()
            self._apply(r, values)
            s.add(r)
            s.flush()
            audit.add_event(s, user, "creation", "camera_request", r.id, values["origin"], ip)
            return r.id

    def update(
        self, engine: Engine, item_id: int, values: dict[str, Any], user: CurrentUser, ip: str
    ) -> None:
        """Change a request."""
        with Session(engine) as s, s.begin():
            r = self.stored(s, CameraRequest, item_id)
            self._apply(r, values)
            audit.add_event(
                s, user, "modification", "camera_request", item_id, values["status"], ip
            )
