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

import csv
import dataclasses
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from gltd.cctv._common import audit, parse_bool, to_metric
from gltd.config import get_settings
from gltd.errors import InputError, ValidationFailed
from gltd.model import Camera, Zone
from gltd.timeutil import PARIS, parse_day

__all__ = [
    "CameraData",
    "CameraRecord",
    "NetworkSummary",
    "validate_camera",
    "add_camera",
    "edit_camera",
    "get_camera",
    "list_cameras",
    "import_cameras",
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


def validate_camera(
    data: CameraData,
    *,
    extent: Any | None = None,
    row: int | None = None,
    file: str | None = None,
) -> CameraData:
    """Check a camera and fill the default authorisation expiry.

    Raises
    ------
    InputError
        Naming the field and what is expected (and the article of law for the retention
        and the authorisation).
    """
    s = get_settings()

    def bad(msg: str, fld: str) -> InputError:
        return InputError(msg, file=file, row=row, field=fld)

    code = (data.code or "").strip()
    if not code:
        raise bad("code de caméra manquant", "code")
    if len(code) > 60:
        raise bad("code de caméra trop long (60 caractères au plus)", "code")
    if not (-90 <= data.lat <= 90) or not (-180 <= data.lon <= 180):
        raise bad(
            f"position ({data.lat}, {data.lon}) : latitude et longitude WGS84 attendues", "lat"
        )
    r = int(data.retention_days)
    if r != data.retention_days or r < 1:
        raise bad(
            f"durée de conservation {data.retention_days} : un nombre entier de jours ≥ 1",
            "retention_days",
        )
    if r > s.max_retention_days:
        raise bad(
            f"durée de conservation de {r} jours refusée : les images ne peuvent être "
            f"conservées plus de {s.max_retention_days} jours hors procédure judiciaire "
            "(code de la sécurité intérieure, art. L252-5, « un mois » au plus)",
            "retention_days",
        )
    if not (0 < data.field_angle_deg <= 360):
        raise bad(
            f"angle de champ {data.field_angle_deg} : entre 0 (exclu) et 360 degrés",
            "field_angle_deg",
        )
    if not data.range_m > 0:
        raise bad(f"portée {data.range_m} : un nombre de mètres > 0", "range_m")
    heading = data.heading_deg
    if heading is not None and not (0 <= heading < 360):
        raise bad(f"orientation {heading} : en degrés depuis le nord, de 0 à 359", "heading_deg")
    if heading is None and data.field_angle_deg < 360:
        raise bad(
            "une caméra à champ limité (angle < 360°) doit avoir une orientation", "heading_deg"
        )
    if data.annual_cost_eur < 0:
        raise bad("coût annuel négatif", "annual_cost_eur")
    if data.installed_on and data.removed_on and data.removed_on < data.installed_on:
        raise bad(
            f"dépose le {data.removed_on:%d/%m/%Y} avant l'installation le {data.installed_on:%d/%m/%Y}",
            "removed_on",
        )
    expiry = data.authorisation_expiry
    if data.authorisation_date is not None:
        if expiry is None:
            expiry = add_years(data.authorisation_date, s.authorisation_years)
        elif expiry <= data.authorisation_date:
            raise bad("l'autorisation expire avant d'avoir été délivrée", "authorisation_expiry")
        elif expiry > add_years(data.authorisation_date, s.authorisation_years):
            raise bad(
                f"échéance d'autorisation au {expiry:%d/%m/%Y} : une autorisation préfectorale "
                f"vaut {s.authorisation_years} ans au plus (CSI art. L252-4), soit le "
                f"{add_years(data.authorisation_date, s.authorisation_years):%d/%m/%Y}",
                "authorisation_expiry",
            )
    if extent is not None:
        from shapely.geometry import Point

        if not extent.covers(Point(data.lon, data.lat)):
            raise bad(
                f"caméra hors de la commune : le point ({data.lat:.5f} N, {data.lon:.5f} E) "
                "n'est dans aucune des zones enregistrées (vérifiez l'ordre latitude/longitude)",
                "lat",
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
        current = CameraData(**{n: getattr(cam, n) for n in _FIELDS})
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


# --- import -------------------------------------------------------------------------------

#: Accepted column names (French and English) for each field.
ALIASES: dict[str, tuple[str, ...]] = {
    "code": ("code", "identifiant", "id", "camera", "caméra", "numero", "numéro"),
    "lat": ("lat", "latitude", "y_wgs84"),
    "lon": ("lon", "lng", "longitude", "x_wgs84"),
    "heading_deg": ("heading_deg", "orientation", "direction", "azimut", "heading"),
    "field_angle_deg": ("field_angle_deg", "angle", "angle_champ", "champ", "field_angle"),
    "range_m": ("range_m", "portee", "portée", "portee_m", "range"),
    "hd": ("hd", "haute_definition", "haute définition"),
    "installed_on": ("installed_on", "installation", "date_installation", "installee_le"),
    "removed_on": ("removed_on", "depose", "dépose", "date_depose", "retrait"),
    "annual_cost_eur": ("annual_cost_eur", "cout_annuel", "coût annuel", "cout", "coût", "cost"),
    "authorisation_number": ("authorisation_number", "arrete", "arrêté", "autorisation", "numero_autorisation"),
    "authorisation_date": ("authorisation_date", "date_autorisation", "date_arrete"),
    "authorisation_expiry": ("authorisation_expiry", "echeance", "échéance", "fin_autorisation", "expiration"),
    "retention_days": ("retention_days", "conservation", "duree_conservation", "conservation_jours", "retention"),
    "notes": ("notes", "remarques", "commentaire"),
}  # fmt: skip


def _norm(name: str) -> str:
    from gltd.taxonomy import normalise_label

    return normalise_label(name).replace(" ", "_")


def _read_rows(path: Path) -> tuple[list[str], list[dict[str, Any]]]:
    suffix = path.suffix.lower()
    if suffix in (".geojson", ".gpkg", ".shp", ".json"):
        import geopandas as gpd

        gdf = gpd.read_file(path)
        if gdf.crs is not None and not gdf.crs.equals("EPSG:4326"):
            gdf = gdf.to_crs("EPSG:4326")
        gdf["lon"] = gdf.geometry.x
        gdf["lat"] = gdf.geometry.y
        frame = gdf.drop(columns="geometry")
        rows = [
            {k: (None if _isna(v) else v) for k, v in r.items()} for r in frame.to_dict("records")
        ]
        return list(frame.columns), rows
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252")
    first = text.splitlines()[0] if text else ""
    delim = ";" if first.count(";") >= first.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delim)
    return list(reader.fieldnames or []), list(reader)


def _isna(v: Any) -> bool:
    try:
        return bool(v is None or (isinstance(v, float) and np.isnan(v)))
    except TypeError:
        return False


def _num(v: Any, fld: str, row: int, *, integer: bool = False) -> float:
    s = str(v).strip().replace("\u202f", "").replace(" ", "").replace(",", ".")
    try:
        x = float(s)
    except ValueError:
        raise InputError(f"nombre attendu, lu « {v} »", row=row, field=fld) from None
    if integer and x != int(x):
        raise InputError(f"nombre entier attendu, lu « {v} »", row=row, field=fld)
    return x


def _row_to_data(raw: Mapping[str, Any], columns: Mapping[str, str], row: int) -> CameraData:
    values: dict[str, Any] = {}
    for fld, col in columns.items():
        v = raw.get(col)
        if _isna(v) or (isinstance(v, str) and not v.strip()):
            continue
        if fld in ("lat", "lon", "range_m", "annual_cost_eur", "field_angle_deg", "heading_deg"):
            values[fld] = _num(v, fld, row)
        elif fld == "retention_days":
            values[fld] = int(_num(v, fld, row, integer=True))
        elif fld == "hd":
            values[fld] = parse_bool(v, field=fld, row=row)
        elif fld in ("installed_on", "removed_on", "authorisation_date", "authorisation_expiry"):
            if isinstance(v, datetime):
                values[fld] = v.date()
            elif isinstance(v, date):
                values[fld] = v
            else:
                try:
                    values[fld] = parse_day(str(v), what=fld)
                except InputError as exc:
                    raise InputError(str(exc), row=row, field=fld) from None
        else:
            values[fld] = str(v).strip()
    for req in ("code", "lat", "lon"):
        if req not in values:
            raise InputError("valeur obligatoire manquante", row=row, field=req)
    return CameraData(**values)


def import_cameras(engine: Engine, path: str | Path, *, by: str | None = None) -> dict[str, int]:
    """Import cameras from CSV (``;`` or ``,``), GeoJSON, GeoPackage or Shapefile.

    A camera whose code exists is updated, a new one is added. The file lands whole or
    not at all: every bad row is reported (:class:`~gltd.errors.ValidationFailed`).

    Returns
    -------
    dict
        ``{"rows": n, "added": a, "updated": u}``.
    """
    p = Path(path)
    if not p.exists():
        raise InputError("fichier introuvable", file=str(p))
    header, rows = _read_rows(p)
    by_norm = {_norm(h): h for h in header}
    columns: dict[str, str] = {}
    for fld, names in ALIASES.items():
        for n in names:
            if _norm(n) in by_norm:
                columns[fld] = by_norm[_norm(n)]
                break
    missing = [f for f in ("code", "lat", "lon") if f not in columns]
    if missing:
        raise InputError(
            f"colonnes obligatoires absentes : {', '.join(missing)} (colonnes lues : "
            f"{', '.join(header)})",
            file=p.name,
        )
    problems: list[dict[str, object]] = []
    added = updated = 0
    with Session(engine, expire_on_commit=False) as session, session.begin():
        extent = city_extent(session)
        existing = {c.code: c for c in session.execute(select(Camera)).scalars()}
        seen: dict[str, int] = {}
        valid_rows: list[CameraData] = []
        for i, raw in enumerate(rows, start=2):
            try:
                data = validate_camera(_row_to_data(raw, columns, i), extent=extent, row=i)
                if data.code in seen:
                    raise InputError(
                        f"code « {data.code} » en double (déjà ligne {seen[data.code]})",
                        row=i,
                        field="code",
                    )
                seen[data.code] = i
                valid_rows.append(data)
            except InputError as exc:
                problems.append(
                    {"row": exc.row, "field": exc.field, "message": str(exc).split(" : ", 1)[-1]}
                )
        if problems:
            raise ValidationFailed(
                f"{p.name} : {len(problems)} ligne(s) refusée(s), rien n'a été importé",
                problems,
            )
        for data in valid_rows:
            cam = existing.get(data.code)
            if cam is None:
                cam = Camera()
                session.add(cam)
                added += 1
            else:
                updated += 1
            _apply(session, cam, data)
        audit(session, "import", "camera", None, f"{p.name}: +{added}, ~{updated}", username=by)
    return {"rows": len(rows), "added": added, "updated": updated}


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
