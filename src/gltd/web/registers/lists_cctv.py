"""How the video-protection registers are listed: requisitions, viewings, cameras, requests.

The procedure number of a requisition is never stored (only its keyed fingerprint), so
the search looks in what is stored and shown: the requisition's number, the requesting
unit and the codes of its cameras.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Engine, and_, func, or_, select

from gltd.cctv.requisitions import (
    CAPACITY_LABELS,
    LEGAL_BASIS_LABELS,
    OUTCOME_LABELS,
    STATUS_LABELS,
)
from gltd.cctv.viewlog import ACTIONS as VIEW_ACTIONS
from gltd.model import LEGAL_BASES, Camera, CameraRequest, Requisition, ViewingLogEntry, Zone
from gltd.model import requisition_camera as rc
from gltd.store.zones import list_zones
from gltd.timeutil import PARIS
from gltd.web.dashboard_data import deadline_level
from gltd.web.registers.cctv import REQUEST_ORIGIN_LABELS, REQUEST_STATUS_LABELS
from gltd.web.registers.listing import ExportColumn, Filter, ListSpec

__all__ = [
    "CCTV_LISTINGS",
    "camera_ids",
    "id_where",
    "label_where",
    "labelled",
    "number_in",
    "year_bounds",
    "zone_ids",
    "zone_name",
    "zone_options",
]

OPEN_STATUSES = ("recue", "en_cours")


def number_in(q: str) -> int | None:
    """The number typed in a search box (« 12 », « n° 12 »), if it is one."""
    n = q.lower().removeprefix("n°").removeprefix("no").strip()
    return int(n) if n.isdigit() and len(n) < 10 else None


def zone_options(engine: Engine) -> list[tuple[str, str]]:
    """Every zone, by name."""
    return [(str(z.id), z.name) for z in sorted(list_zones(engine), key=lambda z: z.name)]


def zone_name(column: Any) -> Any:
    """The name of the zone ``column`` points to (a correlated subquery, no join)."""
    return select(Zone.name).where(Zone.id == column).scalar_subquery()


def zone_ids(q: str) -> Any:
    """The ids of the zones whose name contains ``q``."""
    return select(Zone.id).where(like(Zone.name, q))


def id_where(column: Any) -> Any:
    """The condition of a filter on ``column`` equal to a typed id (zone, agency)."""
    return lambda v, now: column == int(v) if v.isdigit() else None


def year_bounds(value: str) -> tuple[datetime, datetime] | None:
    """1 January of a year and of the next one, Paris time (None for a non-year)."""
    if not (value.isdigit() and 1990 <= int(value) <= 2100):
        return None
    y = int(value)
    return datetime(y, 1, 1, tzinfo=PARIS), datetime(y + 1, 1, 1, tzinfo=PARIS)


def year_filter(column: Any, label: str = "Année") -> Filter:
    """Filter by local year of ``column`` (choices: the years present)."""

    def options(engine: Engine) -> list[tuple[str, str]]:
        with engine.connect() as conn:  # two queries: each one reads one end of the index
            lo = conn.execute(select(func.min(column))).scalar()
            hi = conn.execute(select(func.max(column))).scalar()
        if lo is None or hi is None:
            return []
        first, last = lo.astimezone(PARIS).year, hi.astimezone(PARIS).year
        return [(str(y), str(y)) for y in range(last, first - 1, -1)]

    def where(value: str, now: datetime) -> ColumnElement[bool] | None:
        b = year_bounds(value)
        return None if b is None else and_(column >= b[0], column < b[1])

    return Filter("annee", label, options, where)


def choice_filter(param: str, label: str, column: Any, choices: dict[str, str]) -> Filter:
    """Filter on a column equal to one of ``choices`` (code -> French label)."""
    return Filter(
        param,
        label,
        lambda engine: list(choices.items()),
        lambda v, now: column == v if v in choices else None,
    )


def labelled(row: dict[str, Any], key: str, labels: dict[str, str]) -> None:
    """Add ``<key>_label``, the French label of the row's code (codes are never shown)."""
    code = row[key]
    row[f"{key}_label"] = labels.get(code, code) if code is not None else None


def label_where(column: Any, labels: dict[str, str], q: str) -> ColumnElement[bool]:
    """``column`` holds a code whose French label contains ``q`` (the search box)."""
    return column.in_([code for code, label in labels.items() if q.lower() in label.lower()])


def like(column: Any, q: str) -> ColumnElement[bool]:
    """``column`` contains ``q``, case-insensitive, ``%`` and ``_`` taken literally."""
    return column.icontains(q, autoescape=True)  # type: ignore[no-any-return]


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
    sorts={
        "id": R.id,
        "received_at": R.received_at,
        "requesting_unit": R.requesting_unit,
        "legal_basis_label": R.legal_basis,
        "deadline": R.deadline,
        "status_label": R.status,
    },
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


def camera_ids(q: str) -> Any:
    """The ids of the cameras whose code contains ``q`` (a small table: read first)."""
    return select(Camera.id).where(like(Camera.code, q))


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
    sorts={
        "at": V.at,
        "agent": V.agent,
        "action": V.action,
        "camera": VIEW_CAMERA,
        "recipient": V.recipient,
        "requisition_id": V.requisition_id,
    },
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
    sorts={
        "code": C.code,
        "hd": C.hd,
        "retention_days": C.retention_days,
        "installed_on": C.installed_on,
        "removed_on": C.removed_on,
        "authorisation_expiry": C.authorisation_expiry,
        "annual_cost_eur": C.annual_cost_eur,
    },
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
    sorts={
        "id": Q.id,
        "received_on": Q.received_on,
        "origin_label": Q.origin,
        "radius_m": Q.radius_m,
        "status_label": Q.status,
    },
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
