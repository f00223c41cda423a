"""How the video-protection registers are listed: requisitions, viewings, cameras, requests.

The procedure number of a requisition is never stored (only its keyed fingerprint), so
the search looks in what is stored and shown: the requisition's number, the requesting
unit and the codes of its cameras.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Engine, and_, or_, select

from gltd.cctv.requisitions import (
    CAPACITY_LABELS,
    LEGAL_BASIS_LABELS,
    OUTCOME_LABELS,
    STATUS_LABELS,
)
from gltd.cctv.viewlog import ACTIONS as VIEW_ACTIONS
from gltd.model import LEGAL_BASES, Camera, CameraRequest, Requisition, ViewingLogEntry
from gltd.model import requisition_camera as rc
from gltd.timeutil import PARIS
from gltd.web.dashboard_data import deadline_level
from gltd.web.registers.cctv import REQUEST_ORIGIN_LABELS, REQUEST_STATUS_LABELS
from gltd.web.registers.filters import (
    by_name,
    camera_ids,
    choice_filter,
    id_where,
    label_where,
    labelled,
    like,
    number_in,
    year_filter,
    zone_ids,
    zone_name,
    zone_options,
)
from gltd.web.registers.listing import ExportColumn, Filter, ListSpec

__all__ = ["CCTV_LISTINGS", "OPEN_STATUSES"]

OPEN_STATUSES = ("recue", "en_cours")


# --- requisitions -------------------------------------------------------------------

R = Requisition


def _req_base() -> Any:
    return select(
        R.id,
        R.received_at,
        R.requesting_unit,
        R.officer_capacity,
        R.legal_basis,
        R.period_start,
        R.period_end,
        R.deadline,
        R.status,
        R.status_changed_at,
        R.delivered_at,
        R.medium,
        R.outcome,
    )


def _req_search(q: str) -> ColumnElement[bool]:
    with_cams = select(rc.c.requisition_id).where(rc.c.camera_id.in_(camera_ids(q)))
    conds = [like(R.requesting_unit, q), R.id.in_(with_cams)]
    n = number_in(q)
    if n is not None:
        conds.append(R.id == n)
    return or_(*conds)


DEADLINE_CHOICES = {
    "depasse": "échéance dépassée",
    "urgent": "moins de 48 h",
    "proche": "moins de 7 jours",
    "ouverte": "toutes les réquisitions ouvertes",
}


def _deadline_where(value: str, now: datetime) -> ColumnElement[bool] | None:
    is_open = R.status.in_(OPEN_STATUSES)
    h48, d7 = now + timedelta(hours=48), now + timedelta(days=7)
    conds = {
        "depasse": and_(is_open, R.deadline < now),
        "urgent": and_(is_open, R.deadline >= now, R.deadline < h48),
        "proche": and_(is_open, R.deadline >= h48, R.deadline < d7),
        "ouverte": is_open,
    }
    return conds.get(value)


def _req_finish(engine: Engine, rows: list[dict[str, Any]], now: datetime) -> None:
    ids = [r["id"] for r in rows]
    codes: dict[int, list[str]] = {}
    with engine.connect() as conn:
        for rid, code in conn.execute(
            select(rc.c.requisition_id, Camera.code)
            .join(Camera, Camera.id == rc.c.camera_id)
            .where(rc.c.requisition_id.in_(ids))
            .order_by(Camera.code)
        ):
            codes.setdefault(rid, []).append(code)
    for r in rows:
        r["camera_codes"] = ", ".join(codes.get(r["id"], []))
        labelled(r, "status", STATUS_LABELS)
        labelled(r, "legal_basis", LEGAL_BASIS_LABELS)
        labelled(r, "officer_capacity", CAPACITY_LABELS)
        labelled(r, "outcome", OUTCOME_LABELS)
        r["level"] = deadline_level(r["deadline"], r["status"], now)


REQUISITIONS = ListSpec(
    base=_req_base,
    key=R.id,
    sorts=by_name(
        R.id,
        R.received_at,
        R.requesting_unit,
        R.deadline,
        legal_basis_label=R.legal_basis,
        status_label=R.status,
    ),
    default_sort="received_at",
    default_desc=True,
    search=_req_search,
    search_help="n° de réquisition, service requérant, code caméra",
    filters=(
        choice_filter("statut", "Statut", R.status, STATUS_LABELS),
        Filter("echeance", "Échéance", lambda e: list(DEADLINE_CHOICES.items()), _deadline_where),
        choice_filter(
            "fondement",
            "Fondement",
            R.legal_basis,
            {b: LEGAL_BASIS_LABELS.get(b, b) for b in LEGAL_BASES},
        ),
        year_filter(R.received_at, "Année de réception"),
    ),
    finish=_req_finish,
    export_columns=(
        ExportColumn("id", "N° de réquisition", "int"),
        ExportColumn("received_at", "Reçue le", "datetime"),
        ExportColumn("requesting_unit", "Service requérant"),
        ExportColumn("officer_capacity_label", "Qualité du requérant"),
        ExportColumn("legal_basis_label", "Fondement (CPP)"),
        ExportColumn("camera_codes", "Caméras"),
        ExportColumn("period_start", "Début de la période demandée", "datetime"),
        ExportColumn("period_end", "Fin de la période demandée", "datetime"),
        ExportColumn("deadline", "Échéance", "datetime"),
        ExportColumn("status_label", "Statut"),
        ExportColumn("status_changed_at", "Statut changé le", "datetime"),
        ExportColumn("delivered_at", "Remise le", "datetime"),
        ExportColumn("medium", "Support remis"),
        ExportColumn("outcome_label", "Résultat"),
    ),
)

# --- viewing log --------------------------------------------------------------------

V = ViewingLogEntry


#: The code of a viewing's camera (a correlated subquery: counting needs no join).
VIEW_CAMERA = select(Camera.code).where(Camera.id == V.camera_id).scalar_subquery()


def _view_base() -> Any:
    return select(
        V.id,
        V.at,
        V.agent,
        V.action,
        VIEW_CAMERA.label("camera"),
        V.reason,
        V.recipient,
        V.clip_start,
        V.clip_end,
        V.requisition_id,
    )


def _view_search(q: str) -> ColumnElement[bool]:
    conds = [like(V.agent, q), like(V.reason, q), like(V.recipient, q)]
    conds.append(V.camera_id.in_(camera_ids(q)))
    n = number_in(q)
    if n is not None:
        conds.append(V.requisition_id == n)
    return or_(*conds)


VIEWINGS = ListSpec(
    base=_view_base,
    key=V.id,
    sorts=by_name(V.at, V.agent, V.action, V.recipient, V.requisition_id, camera=VIEW_CAMERA),
    default_sort="at",
    default_desc=True,
    search=_view_search,
    search_help="compte, code caméra, motif, destinataire, n° de réquisition",
    filters=(
        choice_filter("action", "Action", V.action, {a: a for a in VIEW_ACTIONS}),
        year_filter(V.at),
    ),
    export_columns=(
        ExportColumn("at", "Le", "datetime"),
        ExportColumn("agent", "Compte"),
        ExportColumn("action", "Action"),
        ExportColumn("camera", "Caméra"),
        ExportColumn("reason", "Motif"),
        ExportColumn("recipient", "Destinataire"),
        ExportColumn("clip_start", "Début de l'extrait", "datetime"),
        ExportColumn("clip_end", "Fin de l'extrait", "datetime"),
        ExportColumn("requisition_id", "Réquisition n°", "int"),
    ),
)

# --- cameras ------------------------------------------------------------------------

C = Camera


def _cam_base() -> Any:
    return select(
        C.id,
        C.code,
        C.lat,
        C.lon,
        C.heading_deg,
        C.field_angle_deg,
        C.range_m,
        C.hd,
        C.retention_days,
        C.installed_on,
        C.removed_on,
        C.authorisation_number,
        C.authorisation_date,
        C.authorisation_expiry,
        C.annual_cost_eur,
        zone_name(C.zone_id).label("zone"),
        C.zone_id,
        C.x,
        C.y,
        C.notes,
    )


def _status_on(installed: date | None, removed: date | None, day: date) -> str:
    if removed is not None and removed <= day:
        return "retirée"
    if installed is not None and installed > day:
        return "pas encore installée"
    return "en service"


CAMERA_STATUSES = {
    "en_service": "en service",
    "retiree": "retirée",
    "a_venir": "pas encore installée",
}


def _cam_status_where(value: str, now: datetime) -> ColumnElement[bool] | None:
    day = now.astimezone(PARIS).date()
    removed = and_(C.removed_on.is_not(None), C.removed_on <= day)
    not_removed = or_(C.removed_on.is_(None), C.removed_on > day)
    installed = or_(C.installed_on.is_(None), C.installed_on <= day)
    conds = {
        "en_service": and_(installed, not_removed),
        "retiree": removed,
        "a_venir": and_(C.installed_on > day, not_removed),
    }
    return conds.get(value)


def _cam_finish(engine: Engine, rows: list[dict[str, Any]], now: datetime) -> None:
    day = now.astimezone(PARIS).date()
    for c in rows:
        optics = (
            f"dôme, {c['range_m']:g} m"
            if c["heading_deg"] is None or c["field_angle_deg"] >= 360
            else f"{c['heading_deg']:g}° ± {c['field_angle_deg'] / 2:g}°, {c['range_m']:g} m"
        )
        c["optics"] = optics.replace(".", ",")  # French decimal comma
        c["status"] = _status_on(c["installed_on"], c["removed_on"], day)


CAMERAS = ListSpec(
    base=_cam_base,
    key=C.id,
    sorts=by_name(
        C.code,
        C.hd,
        C.retention_days,
        C.installed_on,
        C.removed_on,
        C.authorisation_expiry,
        C.annual_cost_eur,
    ),
    default_sort="code",
    default_desc=False,
    search=lambda q: or_(
        like(C.code, q), like(C.authorisation_number, q), C.zone_id.in_(zone_ids(q))
    ),
    search_help="code caméra, n° d'autorisation, zone",
    filters=(
        Filter("statut", "Statut", lambda e: list(CAMERA_STATUSES.items()), _cam_status_where),
        Filter(
            "hd",
            "Haute définition",
            lambda e: [("oui", "oui"), ("non", "non")],
            lambda v, now: C.hd.is_(v == "oui") if v in ("oui", "non") else None,
        ),
        Filter("zone", "Zone", zone_options, id_where(C.zone_id)),
    ),
    finish=_cam_finish,
    export_columns=(
        ExportColumn("code", "Code"),
        ExportColumn("lat", "Latitude (WGS84)", "float"),
        ExportColumn("lon", "Longitude (WGS84)", "float"),
        ExportColumn("zone", "Zone"),
        ExportColumn("hd", "Haute définition", "bool"),
        ExportColumn("heading_deg", "Orientation (degrés)", "float"),
        ExportColumn("field_angle_deg", "Angle de champ (degrés)", "float"),
        ExportColumn("range_m", "Portée (m)", "float"),
        ExportColumn("retention_days", "Conservation (jours)", "int"),
        ExportColumn("installed_on", "Installée le", "date"),
        ExportColumn("status", "Statut"),
        ExportColumn("removed_on", "Retirée le", "date"),
        ExportColumn("authorisation_number", "N° d'autorisation préfectorale"),
        ExportColumn("authorisation_date", "Date de l'autorisation", "date"),
        ExportColumn("authorisation_expiry", "Autorisation jusqu'au", "date"),
        ExportColumn("annual_cost_eur", "Coût annuel (€)", "float"),
    ),
)

# --- camera requests ----------------------------------------------------------------

Q = CameraRequest


def _request_search(q: str) -> ColumnElement[bool]:
    conds = [
        like(Q.description, q),
        label_where(Q.origin, REQUEST_ORIGIN_LABELS, q),
        label_where(Q.status, REQUEST_STATUS_LABELS, q),
    ]
    n = number_in(q)
    if n is not None:
        conds.append(Q.id == n)
    return or_(*conds)


def _request_finish(engine: Engine, rows: list[dict[str, Any]], now: datetime) -> None:
    for r in rows:
        r["place"] = f"{r['lat']:.5f}, {r['lon']:.5f}"
        r["description"] = r["description"] or ""
        labelled(r, "origin", REQUEST_ORIGIN_LABELS)
        labelled(r, "status", REQUEST_STATUS_LABELS)


CAMERA_REQUESTS = ListSpec(
    base=lambda: select(
        Q.id, Q.received_on, Q.origin, Q.lat, Q.lon, Q.radius_m, Q.status, Q.description
    ),
    key=Q.id,
    sorts=by_name(Q.id, Q.received_on, Q.radius_m, origin_label=Q.origin, status_label=Q.status),
    default_sort="received_on",
    default_desc=True,
    search=_request_search,
    search_help="n° de demande, origine, statut, description",
    filters=(
        choice_filter("statut", "Statut", Q.status, REQUEST_STATUS_LABELS),
        choice_filter("origine", "Origine", Q.origin, REQUEST_ORIGIN_LABELS),
    ),
    finish=_request_finish,
    export_columns=(
        ExportColumn("id", "N° de demande", "int"),
        ExportColumn("received_on", "Reçue le", "date"),
        ExportColumn("origin_label", "Origine"),
        ExportColumn("lat", "Latitude (WGS84)", "float"),
        ExportColumn("lon", "Longitude (WGS84)", "float"),
        ExportColumn("radius_m", "Rayon d'étude (m)", "float"),
        ExportColumn("status_label", "Statut"),
        ExportColumn("description", "Description"),
    ),
)

CCTV_LISTINGS: dict[str, ListSpec] = {
    "requisitions": REQUISITIONS,
    "visionnages": VIEWINGS,
    "cameras": CAMERAS,
    "demandes": CAMERA_REQUESTS,
}
