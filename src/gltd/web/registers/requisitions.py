"""The register of judicial requisitions of footage, as the web forms show it.

The rules (legal deadlines, status workflow, pseudonymised procedure numbers) live in
:mod:`gltd.cctv.requisitions`; this class only adapts them to forms.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from gltd.config import get_settings
from gltd.errors import InputError
from gltd.model import LEGAL_BASES, Camera, Requisition
from gltd.web import audit
from gltd.web.auth import CurrentUser
from gltd.web.dashboard_data import deadline_level
from gltd.web.forms import Field
from gltd.web.registers.base import Column, Register, form_now
from gltd.web.registers.cctv import camera_options

__all__ = ["RequisitionsRegister", "requisition_deadline"]


class RequisitionsRegister(Register):
    """Judicial requisitions of footage with their legal deadlines."""

    slug = "requisitions"
    resource = "requisitions"
    title = "Réquisitions judiciaires d'images"
    item_label = "réquisition"
    help_fr = (
        "Échéance : début de la période demandée + durée de conservation de la caméra "
        "(la plus courte des caméras demandées). Le numéro de procédure n'est jamais "
        "conservé : seule une empreinte (HMAC) l'est."
    )
    columns = (
        Column("id", "N°"),
        Column("received_at", "Reçue le", "datetime"),
        Column("requesting_unit", "Service requérant"),
        Column("legal_basis_label", "Fondement"),
        Column("camera_codes", "Caméras"),
        Column("deadline", "Échéance", "level"),
        Column("status_label", "Statut"),
    )

    def fields(self, engine: Engine, *, editing: bool = False) -> list[Field]:
        """Reception form, or the status form when editing (French labels, never codes)."""
        from gltd.cctv.requisitions import (
            CAPACITIES,
            CAPACITY_LABELS,
            LEGAL_BASIS_LABELS,
            OUTCOME_LABELS,
            OUTCOMES,
            REQUISITION_STATUSES,
            STATUS_LABELS,
            known_units,
        )

        if editing:
            return [
                Field(
                    "status",
                    "Nouveau statut",
                    "select",
                    True,
                    [(s, STATUS_LABELS[s]) for s in REQUISITION_STATUSES],
                ),
                Field("medium", "Support remis", max_length=60, help="pour « remise »"),
                Field(
                    "outcome",
                    "Résultat",
                    "select",
                    options=[("", "—"), *((o, OUTCOME_LABELS[o]) for o in OUTCOMES)],
                ),
                Field("expected", "Statut actuel", "text", max_length=20),
            ]
        return [
            Field("received_at", "Reçue le", "datetime", True),
            Field(
                "requesting_unit",
                "Service requérant",
                required=True,
                max_length=200,
                suggestions=known_units(engine),
                help="choisissez dans la liste ou saisissez un autre service",
            ),
            Field(
                "officer_capacity",
                "Qualité du requérant",
                "select",
                options=[("", "—"), *((c, CAPACITY_LABELS[c]) for c in CAPACITIES)],
            ),
            Field(
                "legal_basis",
                "Fondement (CPP)",
                "select",
                True,
                [(b, LEGAL_BASIS_LABELS.get(b, f"art. {b}")) for b in LEGAL_BASES],
            ),
            Field(
                "procedure_number",
                "N° de procédure",
                required=True,
                max_length=100,
                help="non conservé : seule son empreinte l'est",
            ),
            Field(
                "cameras",
                "Caméras demandées",
                "multiselect",
                True,
                camera_options(engine),
                help="tapez le début d'un code, ou cliquez sur la carte près du lieu des faits",
                widget="camera-search",
            ),
            Field("period_start", "Début de la période demandée", "datetime", True),
            Field("period_end", "Fin de la période demandée", "datetime", True),
        ]

    def defaults(self, engine: Engine, now: datetime) -> dict[str, Any]:
        """Received now, at the application's reference date (« à la date du »)."""
        return {"received_at": form_now(now)}

    def saved_url(self, item_id: int) -> str:
        """After recording: the requisition's status page (its deadline and workflow)."""
        return f"/requisitions/{item_id}"

    def values(self, engine: Engine, item_id: int) -> dict[str, Any]:
        """The status form starts from the current status."""
        with Session(engine) as s:
            r = self.stored(s, Requisition, item_id)
            return {
                "status": r.status,
                "medium": r.medium or "",
                "outcome": r.outcome or "",
                "expected": r.status,
            }

    def create(self, engine: Engine, values: dict[str, Any], user: CurrentUser, ip: str) -> int:
        """Register a requisition (deadline computed by :mod:`gltd.cctv.requisitions`)."""
        from gltd.cctv.requisitions import RequisitionData, register_requisition

        view = register_requisition(
            engine,
            RequisitionData(
                received_at=values["received_at"],
                requesting_unit=values["requesting_unit"],
                legal_basis=values["legal_basis"],
                procedure_number=values["procedure_number"],
                camera_codes=values["cameras"],
                period_start=values["period_start"],
                period_end=values["period_end"],
                officer_capacity=values.get("officer_capacity"),
            ),
            by=audit.actor(user, ip),  # audited there
            key=get_settings().secret_key,
        )
        return view.id

    def update(
        self, engine: Engine, item_id: int, values: dict[str, Any], user: CurrentUser, ip: str
    ) -> None:
        """Move the requisition along its status workflow."""
        from gltd.cctv.requisitions import change_status

        change_status(
            engine,
            item_id,
            values["status"],
            by=audit.actor(user, ip),  # audited there
            expected=values.get("expected") or None,
            medium=values.get("medium"),
            outcome=values.get("outcome") or None,
        )


def requisition_deadline(
    engine: Engine, codes: list[str], period_start: datetime, now: datetime | None = None
) -> dict[str, Any]:
    """The binding deadline for cameras and a period start (for the add form), and the
    time left at ``now`` (the application's reference date; the current time by default)."""
    from gltd.cctv.requisitions import camera_deadline

    with engine.connect() as conn:
        rows = conn.execute(
            select(Camera.code, Camera.retention_days).where(Camera.code.in_(codes))
        ).all()
    missing = sorted(set(codes) - {r.code for r in rows})
    if missing:
        raise InputError(f"caméra(s) inconnue(s) : {', '.join(missing)}")
    if not rows:
        raise InputError("choisissez au moins une caméra")
    per = sorted((camera_deadline(period_start, int(r.retention_days)), r.code) for r in rows)
    deadline = per[0][0]
    now = now or datetime.now(UTC)
    from gltd.web.render import fr_datetime

    return {
        "deadline": deadline.isoformat(),
        "deadline_local": fr_datetime(deadline),
        "hours_left": round((deadline - now) / timedelta(hours=1), 1),
        "level": deadline_level(deadline, "recue", now),
        "cameras": [{"code": c, "deadline": d.isoformat()} for d, c in per],
    }
