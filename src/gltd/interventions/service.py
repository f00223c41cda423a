"""Interventions as records: what was done, where (a polygon), and when.

Geometries are stored in WGS84 WKT (like zones) and used in the analysis CRS (metres). A place
can be given as a WKT or GeoJSON file, a zone name, a camera's field of view
(:func:`gltd.geo.fov_polygon`, the one the relevance study uses) or a point and a radius.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select

from gltd.errors import GltdError, InputError
from gltd.geo import fov_polygon, geometry_to_lonlat, geometry_to_metric, to_metric
from gltd.model import INTERVENTION_KINDS, Camera, Intervention
from gltd.store.engine import session_scope
from gltd.store.zones import zone_by_name

__all__ = [
    "InterventionInfo",
    "add_intervention",
    "list_interventions",
    "get_intervention",
    "circle",
    "read_geometry_file",
    "parse_geometry_text",
    "camera_geometry",
    "INTERVENTION_KINDS",
    "KIND_LABELS",
    "parse_around",
    "parse_distances",
    "resolve_place",
    "add_from_options",
]

#: French labels of the intervention kinds.
KIND_LABELS = {
    "camera": "caméra installée",
    "fermeture": "fermeture (débit de boissons, commerce)",
    "operations": "série d'opérations",
    "amenagement": "aménagement urbain",
    "autre": "autre",
}


@dataclass(frozen=True)
class InterventionInfo:
    """An intervention read from the store, geometry in the analysis CRS."""

    id: int
    name: str
    kind: str
    geometry: Any
    started_on: datetime
    ended_on: datetime | None
    zone_id: int | None
    camera_id: int | None
    description: str | None

    def as_dict(self) -> dict[str, Any]:
        """Plain values for JSON (geometry as WGS84 WKT)."""
        return {
            "id": self.id,
            "name": self.name,
            "kind": self.kind,
            "kind_label": KIND_LABELS.get(self.kind, self.kind),
            "started_on": self.started_on.isoformat(),
            "ended_on": self.ended_on.isoformat() if self.ended_on else None,
            "zone_id": self.zone_id,
            "camera_id": self.camera_id,
            "description": self.description,
            "area_m2": round(float(self.geometry.area), 1),
            "geometry_wkt": geometry_to_lonlat(self.geometry).wkt,
        }


def circle(lat: float, lon: float, radius_m: float) -> Any:
    """A disc of ``radius_m`` metres around a WGS84 point, in the analysis CRS."""
    from shapely.geometry import Point

    _check_latlon(lat, lon)
    if not radius_m > 0:
        raise InputError(f"rayon invalide : {radius_m} (un nombre de mètres > 0 est attendu)")
    x, y = to_metric(lon, lat)
    return Point(x, y).buffer(radius_m, quad_segs=32)


def camera_geometry(engine: Engine, code: str) -> tuple[Any, int]:
    """The field of view (analysis CRS) and id of the camera with this code."""
    with engine.connect() as conn:
        row = conn.execute(
            select(
                Camera.id, Camera.x, Camera.y, Camera.heading_deg,
                Camera.field_angle_deg, Camera.range_m,
            ).where(Camera.code == code)
        ).first()  # fmt: skip
    if row is None:
        raise InputError(f"caméra inconnue : « {code} » (code de caméra attendu)")
    cid, x, y, heading, angle, rng = row
    if not rng > 0:
        raise InputError(f"portée de la caméra « {code} » invalide : {rng} m")
    if heading is not None and angle < 360 and not angle > 0:
        raise InputError(f"angle de champ de la caméra « {code} » invalide : {angle}°")
    # The one field of view (that of the coverage layer and of the relevance study).
    return fov_polygon(x, y, heading, angle, rng), int(cid)


def parse_geometry_text(text: str, *, source: str | None = None) -> Any:
    """A polygon from WKT or GeoJSON text, returned in the analysis CRS.

    Coordinates that all lie within longitude/latitude ranges are read as WGS84 (GeoJSON
    is WGS84 by RFC 7946); otherwise as metres in the analysis CRS.
    """
    from shapely import wkt
    from shapely.geometry import shape

    s = text.strip()
    try:
        if s.startswith("{"):
            data = json.loads(s)
            if data.get("type") == "FeatureCollection":
                feats = data.get("features") or []
                if not feats:
                    raise InputError("aucune entité dans le GeoJSON", file=source)
                from shapely.ops import unary_union

                geom = unary_union([shape(f["geometry"]) for f in feats])
            elif data.get("type") == "Feature":
                geom = shape(data["geometry"])
            else:
                geom = shape(data)
        else:
            geom = wkt.loads(s)
    except InputError:
        raise
    except Exception as exc:  # noqa: BLE001 - any parse failure is a user error
        raise InputError(
            f"géométrie illisible ({exc.__class__.__name__}) : WKT ou GeoJSON attendu",
            file=source,
        ) from exc
    if geom.is_empty or geom.geom_type not in ("Polygon", "MultiPolygon"):
        raise InputError(
            f"un polygone est attendu, pas « {geom.geom_type} » "
            "(pour un point, donnez le point et un rayon)",
            file=source,
        )
    minx, miny, maxx, maxy = geom.bounds
    if -180 <= minx and maxx <= 180 and -90 <= miny and maxy <= 90:
        geom = geometry_to_metric(geom)
    if not geom.is_valid:
        geom = geom.buffer(0)
    return geom


def read_geometry_file(path: str | Path) -> Any:
    """A polygon read from a WKT or GeoJSON file, in the analysis CRS."""
    p = Path(path)
    if not p.is_file():
        raise InputError("fichier introuvable", file=str(p))
    return parse_geometry_text(p.read_text(encoding="utf-8"), source=str(p))


def add_intervention(
    engine: Engine,
    *,
    name: str,
    kind: str,
    geometry: Any,
    started_on: datetime,
    ended_on: datetime | None = None,
    zone_id: int | None = None,
    camera_id: int | None = None,
    description: str | None = None,
) -> int:
    """Store an intervention (geometry in Lambert-93) and return its id."""
    if kind not in INTERVENTION_KINDS:
        raise InputError(
            f"type d'intervention inconnu : « {kind} » (attendu : {', '.join(INTERVENTION_KINDS)})"
        )
    if not name.strip():
        raise InputError("le nom de l'intervention est vide")
    if started_on.tzinfo is None:
        raise GltdError("date de début sans fuseau horaire")
    if ended_on is not None and ended_on <= started_on:
        raise InputError("la date de fin doit suivre la date de début")
    if geometry.is_empty or geometry.area <= 0:
        raise InputError("la géométrie de l'intervention est vide")
    with session_scope(engine) as s:
        row = Intervention(
            name=name.strip(),
            kind=kind,
            geometry_wkt=geometry_to_lonlat(geometry).wkt,
            started_on=started_on,
            ended_on=ended_on,
            zone_id=zone_id,
            camera_id=camera_id,
            description=description,
        )
        s.add(row)
        s.flush()
        return int(row.id)


def _info(row: Any) -> InterventionInfo:
    from shapely import wkt

    return InterventionInfo(
        id=row.id,
        name=row.name,
        kind=row.kind,
        geometry=geometry_to_metric(wkt.loads(row.geometry_wkt)),
        started_on=row.started_on,
        ended_on=row.ended_on,
        zone_id=row.zone_id,
        camera_id=row.camera_id,
        description=row.description,
    )


def list_interventions(engine: Engine) -> list[InterventionInfo]:
    """All interventions, oldest first."""
    with session_scope(engine) as s:
        rows = s.scalars(select(Intervention).order_by(Intervention.started_on)).all()
        return [_info(r) for r in rows]


def get_intervention(engine: Engine, intervention_id: int) -> InterventionInfo:
    """One intervention; an unknown id is a user error."""
    with session_scope(engine) as s:
        row = s.get(Intervention, intervention_id)
        if row is None:
            raise InputError(
                f"intervention inconnue : {intervention_id} (voir « gltd interventions list »)"
            )
        return _info(row)


def _check_latlon(lat: float, lon: float) -> None:
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise InputError(f"coordonnées invalides : {lat},{lon} (attendu LAT,LON en degrés)")


def parse_around(text: str) -> tuple[float, float]:
    """``"LAT,LON"`` in degrees."""
    parts = [p.strip() for p in text.split(",")]
    try:
        lat, lon = (float(p) for p in parts)
    except ValueError as exc:
        raise InputError(
            f"position illisible : « {text} » (attendu LAT,LON, ex. 47.902,1.901)",
            field="around",
        ) from exc
    _check_latlon(lat, lon)
    return lat, lon


def parse_distances(text: str) -> list[float]:
    """``"100,200,300"`` as a list of metres."""
    try:
        return [float(p) for p in text.split(",") if p.strip()]
    except ValueError as exc:
        raise InputError(
            f"distances illisibles : « {text} » (attendu des mètres séparés par des "
            "virgules, ex. 100,200,300)",
            field="rings",
        ) from exc


def resolve_place(engine: Engine, text: str) -> Any:
    """A polygon (analysis CRS) from a WKT/GeoJSON file path or a zone name."""
    p = Path(text)
    if p.suffix.lower() in (".wkt", ".geojson", ".json", ".txt") or p.is_file():
        return read_geometry_file(p)
    geom, _ = zone_by_name(engine, text)
    return geom


def add_from_options(
    engine: Engine,
    *,
    name: str,
    kind: str,
    start: str,
    end: str | None = None,
    wkt: str | None = None,
    geometry_file: str | None = None,
    zone: str | None = None,
    camera: str | None = None,
    around: str | None = None,
    radius: float | None = None,
    description: str | None = None,
) -> int:
    """Add an intervention from command-line style options (exactly one place)."""
    from gltd.timeutil import local_midnight

    given = [v for v in (wkt, geometry_file, zone, camera, around) if v is not None]
    if len(given) != 1:
        raise InputError(
            "indiquez un seul lieu : un polygone (WKT ou fichier), une zone, une caméra, "
            "ou un point et un rayon",
            field="place",
        )
    zone_id = camera_id = None
    if wkt is not None:
        try:
            geom = parse_geometry_text(wkt)
        except InputError as exc:
            raise InputError(exc.reason, field="wkt") from None
    elif geometry_file is not None:
        geom = read_geometry_file(geometry_file)
    elif zone is not None:
        geom, zone_id = zone_by_name(engine, zone)
    elif camera is not None:
        geom, camera_id = camera_geometry(engine, camera)
    else:
        assert around is not None
        if radius is None:
            raise InputError("un point demande aussi un rayon (en mètres)", field="radius")
        lat, lon = parse_around(around)
        geom = circle(lat, lon, radius)
    started = local_midnight(_day(start, "start", "date de début"))
    ended = local_midnight(_day(end, "end", "date de fin")) if end else None
    return add_intervention(
        engine,
        name=name,
        kind=kind,
        geometry=geom,
        started_on=started,
        ended_on=ended,
        zone_id=zone_id,
        camera_id=camera_id,
        description=description,
    )


def _day(text: str, field: str, what: str) -> date:
    from gltd.timeutil import parse_day

    try:
        return parse_day(text, what=what)
    except InputError as exc:
        raise InputError(exc.reason, field=field) from None
