"""The camera inventory: add, edit, import and list cameras; the network summary.

Rules checked on every camera (a refused camera raises :class:`~gltd.errors.InputError`
naming the field and the article of law):

- retention between 1 day and ``GLTD_MAX_RETENTION_DAYS`` (30 by default, CSI L252-5:
  footage is kept at most one month outside a judicial procedure);
- prefectoral authorisation expiry = authorisation date + ``GLTD_AUTHORISATION_YEARS``
  (5 by default, CSI L252-4) unless given;
- the camera lies inside the city (the union of the zones on record; not checked while
  no zone is recorded);
- field angle in ]0, 360], range > 0, heading in [0, 360) (none for a dome).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from gltd.cctv._common import audit, to_metric
from gltd.config import get_settings
from gltd.errors import InputError
from gltd.model import Camera, Zone
from gltd.timeutil import PARIS

__all__ = [
    "CameraData",
    "CameraRecord",
    "NetworkSummary",
    "validate_camera",
    "add_camera",
    "edit_camera",
    "get_camera",
    "list_cameras",
    "CameraRuleError",
    "camera_data",
    "network_summary",
    "city_extent",
    "add_years",
    "add_months",
]


@dataclass(frozen=True)
class CameraData:
    """What a user gives for a camera (WGS84 position)."""

    code: str
    lat: float
    lon: float
    heading_deg: float | None = None
    field_angle_deg: float = 360.0
    range_m: float = 50.0
    hd: bool = False
    installed_on: date | None = None
    removed_on: date | None = None
    annual_cost_eur: float = 0.0
    authorisation_number: str | None = None
    authorisation_date: date | None = None
    authorisation_expiry: date | None = None
    retention_days: int = 15
    notes: str | None = None


@dataclass(frozen=True)
class CameraRecord:
    """A stored camera (with its metric coordinates and zone)."""

    id: int
    code: str
    lat: float
    lon: float
    x: float
    y: float
    heading_deg: float | None
    field_angle_deg: float
    range_m: float
    hd: bool
    installed_on: date | None
    removed_on: date | None
    annual_cost_eur: float
    authorisation_number: str | None
    authorisation_date: date | None
    authorisation_expiry: date | None
    retention_days: int
    zone_id: int | None
    notes: str | None

    def active_on(self, day: date) -> bool:
        """Installed on or before ``day`` and not removed by then."""
        if self.installed_on is not None and self.installed_on > day:
            return False
        return self.removed_on is None or self.removed_on > day

    def as_dict(self) -> dict[str, Any]:
        """Plain values for JSON (dates as ISO strings)."""
        out = dataclasses.asdict(self)
        for k, v in out.items():
            if isinstance(v, date):
                out[k] = v.isoformat()
        return out


_FIELDS = [f.name for f in dataclasses.fields(CameraData)]


def camera_data(cam: Camera) -> CameraData:
    """What is stored for a camera, as the user-editable :class:`CameraData`."""
    return CameraData(**{n: getattr(cam, n) for n in _FIELDS})


def add_years(d: date, years: int) -> date:
    """The same day ``years`` later (28 February for a 29 February)."""
    try:
        return d.replace(year=d.year + years)
    except ValueError:
        return d.replace(year=d.year + years, day=28)


def add_months(d: date, months: int) -> date:
    """The same day ``months`` later, clipped to the month's last day."""
    import calendar

    m0 = d.month - 1 + months
    y, m = d.year + m0 // 12, m0 % 12 + 1
    return date(y, m, min(d.day, calendar.monthrange(y, m)[1]))


def city_extent(engine_or_session: Engine | Session) -> Any | None:
    """The union of the recorded zones (WGS84 shapely geometry), or None without zones."""
    from shapely import wkt
    from shapely.ops import unary_union

    stmt = select(Zone.geometry_wkt)
    if isinstance(engine_or_session, Session):
        rows = engine_or_session.execute(stmt).scalars().all()
    else:
        with engine_or_session.connect() as conn:
            rows = conn.execute(stmt).scalars().all()
    if not rows:
        return None
    return unary_union([wkt.loads(w) for w in rows])


class CameraRuleError(InputError):
    """A camera breaking a rule: :class:`InputError` with the bare reason and what is expected.

    ``reason`` and ``expected`` let the file importer (:mod:`gltd.ingest.cameras`) report
    the problem in its per-row report (row, column, value, expected, problem).
    """

    def __init__(
        self,
        reason: str,
        *,
        expected: str,
        field: str,
        file: str | None = None,
        row: int | None = None,
    ) -> None:
        super().__init__(reason, file=file, row=row, field=field)
        self.reason, self.expected = reason, expected


def validate_camera(
    data: CameraData,
    *,
    extent: Any | None = None,
    row: int | None = None,
    file: str | None = None,
) -> CameraData:
    """Check a camera and fill the default authorisation expiry.

    The one set of rules for a camera, whether added, edited or imported from a file.

    Raises
    ------
    CameraRuleError
        Naming the field and what is expected (and the article of law for the retention
        and the authorisation).
    """
    s = get_settings()

    def bad(msg: str, fld: str, expected: str) -> CameraRuleError:
        return CameraRuleError(msg, expected=expected, file=file, row=row, field=fld)

    code = (data.code or "").strip()
    if not code:
        raise bad("code de caméra manquant", "code", "un code")
    if len(code) > 60:
        raise bad(
            "code de caméra trop long (60 caractères au plus)", "code", "60 caractères au plus"
        )
    if not (-90 <= data.lat <= 90) or not (-180 <= data.lon <= 180):
        raise bad(
            f"position ({data.lat}, {data.lon}) : latitude et longitude WGS84 attendues",
            "lat",
            "une latitude entre -90 et 90 et une longitude entre -180 et 180",
        )
    r = int(data.retention_days)
    maxd = s.max_retention_days
    if r != data.retention_days or r < 1:
        raise bad(
            f"durée de conservation {data.retention_days} : un nombre entier de jours ≥ 1",
            "retention_days",
            "un nombre entier de jours ≥ 1",
        )
    if r > maxd:
        raise bad(
            f"durée de conservation de {r} jours refusée : les images ne peuvent être "
            f"conservées plus de {maxd} jours hors procédure judiciaire "
            "(code de la sécurité intérieure, art. L252-5, « un mois » au plus)",
            "retention_days",
            f"entre 1 et {maxd} jours (CSI art. L252-5)",
        )
    if not (0 < data.field_angle_deg <= 360):
        raise bad(
            f"angle de champ {data.field_angle_deg} : entre 0 (exclu) et 360 degrés",
            "field_angle_deg",
            "entre 0 (exclu) et 360 degrés",
        )
    if not data.range_m > 0:
        raise bad(f"portée {data.range_m} : un nombre de mètres > 0", "range_m", "un nombre > 0")
    heading = data.heading_deg
    if heading is not None and not (0 <= heading < 360):
        raise bad(
            f"orientation {heading} : en degrés depuis le nord, de 0 à 359",
            "heading_deg",
            "de 0 à 359 degrés",
        )
    if heading is None and data.field_angle_deg < 360:
        raise bad(
            "une caméra à champ limité (angle < 360°) doit avoir une orientation",
            "heading_deg",
            "une orientation en degrés depuis le nord",
        )
    if data.annual_cost_eur < 0:
        raise bad("coût annuel négatif", "annual_cost_eur", "un montant ≥ 0")
    if data.installed_on and data.removed_on and data.removed_on < data.installed_on:
        raise bad(
            f"dépose le {data.removed_on:%d/%m/%Y} avant l'installation le "
            f"{data.installed_on:%d/%m/%Y}",
            "removed_on",
            "une dépose après l'installation",
        )
    expiry = data.authorisation_expiry
    if data.authorisation_date is not None:
        years = s.authorisation_years
        latest = add_years(data.authorisation_date, years)
        if expiry is None:
            expiry = latest
        elif expiry <= data.authorisation_date:
            raise bad(
                "l'autorisation expire avant d'avoir été délivrée",
                "authorisation_expiry",
                "une échéance après la date de l'autorisation",
            )
        elif expiry > latest:
            raise bad(
                f"échéance d'autorisation au {expiry:%d/%m/%Y} : une autorisation préfectorale "
                f"vaut {years} ans au plus (CSI art. L252-4), soit le {latest:%d/%m/%Y}",
                "authorisation_expiry",
                f"au plus {years} ans après la date de l'autorisation (CSI art. L252-4)",
            )
    if extent is not None:
        from shapely.geometry import Point

        if not extent.covers(Point(data.lon, data.lat)):
            raise bad(
                f"caméra hors de la commune : le point ({data.lat:.5f} N, {data.lon:.5f} E) "
                "n'est dans aucune des zones enregistrées (vérifiez l'ordre latitude/longitude)",
                "lat",
                "un point dans la commune (l'union des zones enregistrées)",
            )
    return dataclasses.replace(
        data,
        code=code,
        retention_days=r,
        heading_deg=None if data.field_angle_deg >= 360 else heading,
        authorisation_expiry=expiry,
    )


def _zone_for(session: Session, lon: float, lat: float) -> int | None:
    from shapely import wkt
    from shapely.geometry import Point

    p = Point(lon, lat)
    best: tuple[float, int] | None = None
    for zid, w in session.execute(select(Zone.id, Zone.geometry_wkt)).all():
        g = wkt.loads(w)
        if g.covers(p) and (best is None or g.area < best[0]):
            best = (g.area, zid)
    return None if best is None else best[1]


def _record(c: Camera) -> CameraRecord:
    return CameraRecord(
        id=c.id, code=c.code, lat=c.lat, lon=c.lon, x=c.x, y=c.y, heading_deg=c.heading_deg,
        field_angle_deg=c.field_angle_deg, range_m=c.range_m, hd=bool(c.hd),
        installed_on=c.installed_on, removed_on=c.removed_on,
        annual_cost_eur=float(c.annual_cost_eur or 0.0),
        authorisation_number=c.authorisation_number, authorisation_date=c.authorisation_date,
        authorisation_expiry=c.authorisation_expiry, retention_days=int(c.retention_days),
        zone_id=c.zone_id, notes=c.notes,
    )  # fmt: skip


def _apply(session: Session, cam: Camera, data: CameraData) -> None:
    x, y = to_metric(data.lon, data.lat, get_settings().analysis_crs)
    for name in _FIELDS:
        setattr(cam, name, getattr(data, name))
    cam.x, cam.y = x, y
    cam.zone_id = _zone_for(session, data.lon, data.lat)


def add_camera(engine: Engine, data: CameraData, *, by: str | None = None) -> CameraRecord:
    """Validate and store a new camera (its code must be new)."""
    with Session(engine, expire_on_commit=False) as session, session.begin():
        valid = validate_camera(data, extent=city_extent(session))
        if session.execute(select(Camera.id).where(Camera.code == valid.code)).first():
            raise InputError(
                f"la caméra « {valid.code} » existe déjà (modifiez-la plutôt)", field="code"
            )
        cam = Camera()
        _apply(session, cam, valid)
        session.add(cam)
        session.flush()
        audit(session, "create", "camera", cam.id, valid.code, username=by)
        return _record(cam)


def edit_camera(
    engine: Engine, code: str, changes: Mapping[str, Any], *, by: str | None = None
) -> CameraRecord:
    """Change some fields of a camera; the whole camera is validated again."""
    unknown = set(changes) - set(_FIELDS)
    if unknown:
        raise InputError(
            f"champ(s) inconnu(s) : {', '.join(sorted(unknown))} (connus : {', '.join(_FIELDS)})"
        )
    with Session(engine, expire_on_commit=False) as session, session.begin():
        cam = session.execute(select(Camera).where(Camera.code == code)).scalar_one_or_none()
        if cam is None:
            raise InputError(f"caméra inconnue : « {code} »", field="code")
        current = camera_data(cam)
        if "authorisation_date" in changes and "authorisation_expiry" not in changes:
            changes = {**changes, "authorisation_expiry": None}
        valid = validate_camera(
            dataclasses.replace(current, **changes), extent=city_extent(session)
        )
        if (
            valid.code != cam.code
            and session.execute(select(Camera.id).where(Camera.code == valid.code)).first()
        ):
            raise InputError(f"le code « {valid.code} » est déjà pris", field="code")
        _apply(session, cam, valid)
        audit(session, "update", "camera", cam.id, ", ".join(sorted(changes)), username=by)
        session.flush()
        return _record(cam)


def get_camera(engine: Engine, code: str) -> CameraRecord:
    """One camera by its code."""
    with Session(engine) as session:
        cam = session.execute(select(Camera).where(Camera.code == code)).scalar_one_or_none()
        if cam is None:
            raise InputError(f"caméra inconnue : « {code} »", field="code")
        return _record(cam)


def list_cameras(engine: Engine, *, active_on: date | None = None) -> list[CameraRecord]:
    """All cameras by code (only those in service on ``active_on`` when given)."""
    with Session(engine) as session:
        cams = [_record(c) for c in session.execute(select(Camera).order_by(Camera.code)).scalars()]
    if active_on is not None:
        cams = [c for c in cams if c.active_on(active_on)]
    return cams


# --- summary ------------------------------------------------------------------------------


@dataclass(frozen=True)
class NetworkSummary:
    """The network on a day: size, cost, coverage of incidents, authorisations."""

    on: date
    period_start: datetime
    period_end: datetime
    n_cameras: int
    n_hd: int
    hd_share: float | None
    annual_cost_eur: float
    #: category → {"n": incidents, "covered": inside a field of view, "share": covered/n}
    coverage_by_category: dict[str, dict[str, float | int | None]]
    expiring: list[dict[str, Any]] = field(default_factory=list)
    expired: list[dict[str, Any]] = field(default_factory=list)
    without_authorisation: list[str] = field(default_factory=list)
    method: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """Plain values for JSON."""
        out = dataclasses.asdict(self)
        out["on"] = self.on.isoformat()
        out["period_start"] = self.period_start.isoformat()
        out["period_end"] = self.period_end.isoformat()
        return out


def network_summary(
    engine: Engine,
    *,
    on: date | None = None,
    period_start: datetime | None = None,
    period_end: datetime | None = None,
    categories: Sequence[str] | None = None,
    within_months: int = 6,
) -> NetworkSummary:
    """Count, HD share, annual cost, share of incidents in a field of view, authorisations.

    Parameters
    ----------
    on : date, optional
        The day the network is taken (cameras in service that day); today by default.
    period_start, period_end : aware datetimes, optional
        Incidents counted; the twelve months before ``on`` by default.
    categories : codes, optional
        Only these categories.
    within_months : int
        Authorisations expiring within this many months are listed (6 by default).
    """
    from gltd.analysis.coverage import coverage_matrix
    from gltd.store.queries import load_events
    from gltd.timeutil import local_midnight

    today = on or datetime.now(PARIS).date()
    end = period_end or local_midnight(today + timedelta(days=1))
    start = period_start or local_midnight(add_years(today, -1) + timedelta(days=1))
    cams = list_cameras(engine, active_on=today)
    n = len(cams)
    n_hd = sum(c.hd for c in cams)
    ev = load_events(engine, start=start, end=end, categories=categories)
    by_cat: dict[str, dict[str, float | int | None]] = {}
    if ev.n:
        cov = coverage_matrix(
            ev.x,
            ev.y,
            np.array([c.x for c in cams]),
            np.array([c.y for c in cams]),
            range_m=np.array([c.range_m for c in cams]),
            heading_deg=np.array(
                [np.nan if c.heading_deg is None else c.heading_deg for c in cams]
            ),
            field_angle_deg=np.array([c.field_angle_deg for c in cams]),
        )
        covered = cov.covered
        for cat in sorted(set(ev.category.tolist())):
            m = ev.category == cat
            k, c_in = int(m.sum()), int(covered[m].sum())
            by_cat[cat] = {"n": k, "covered": c_in, "share": c_in / k if k else None}
        k, c_in = int(ev.n), int(covered.sum())
        by_cat["_total"] = {"n": k, "covered": c_in, "share": c_in / k}
    limit = add_months(today, within_months)
    expiring = [
        {"code": c.code, "authorisation_number": c.authorisation_number,
         "expiry": c.authorisation_expiry.isoformat(),
         "days_left": (c.authorisation_expiry - today).days}
        for c in cams
        if c.authorisation_expiry is not None and today <= c.authorisation_expiry <= limit
    ]  # fmt: skip
    expired = [
        {"code": c.code, "authorisation_number": c.authorisation_number,
         "expiry": c.authorisation_expiry.isoformat()}
        for c in cams
        if c.authorisation_expiry is not None and c.authorisation_expiry < today
    ]  # fmt: skip
    return NetworkSummary(
        on=today,
        period_start=start.astimezone(UTC),
        period_end=end.astimezone(UTC),
        n_cameras=n,
        n_hd=n_hd,
        hd_share=n_hd / n if n else None,
        annual_cost_eur=float(sum(c.annual_cost_eur for c in cams)),
        coverage_by_category=by_cat,
        expiring=sorted(expiring, key=lambda e: e["expiry"]),
        expired=sorted(expired, key=lambda e: e["expiry"]),
        without_authorisation=[c.code for c in cams if c.authorisation_date is None],
        method={
            "coverage": "point dans le secteur de vue (gltd.analysis.coverage)",
            "incidents": "faits géolocalisés de la période, demi-ouverte [début, fin)",
            "renewal_note": "renouvellement à déposer environ 4 mois avant l'échéance (CSI L252-4)",
        },
    )
