"""Stored cameras as read: :class:`CameraRecord`, one camera, the list."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from gltd.cctv.inventory.rules import CameraData
from gltd.errors import InputError
from gltd.model import Camera

__all__ = [
    "CameraRecord",
    "CAMERA_FIELDS",
    "camera_data",
    "camera_record",
    "get_camera",
    "list_cameras",
]


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

    def in_service_during(self, first: date, last: date) -> bool:
        """In service on at least one day of ``first``..``last`` (both included).

        Installed on or before ``last`` and not removed on or before ``first``: the one
        rule the map, the lists and the counts of a period follow.
        """
        if self.installed_on is not None and self.installed_on > last:
            return False
        return self.removed_on is None or self.removed_on > first

    def status_on(self, day: date) -> str:
        """« en service », « retirée » or « pas encore installée » on ``day`` (French)."""
        if self.active_on(day):
            return "en service"
        if self.removed_on is not None and self.removed_on <= day:
            return "retirée"
        return "pas encore installée"

    def as_dict(self) -> dict[str, Any]:
        """Plain values for JSON (dates as ISO strings)."""
        out = dataclasses.asdict(self)
        for k, v in out.items():
            if isinstance(v, date):
                out[k] = v.isoformat()
        return out


#: The user-editable fields of a camera (those of :class:`CameraData`).
CAMERA_FIELDS = tuple(f.name for f in dataclasses.fields(CameraData))


def camera_data(cam: Camera) -> CameraData:
    """What is stored for a camera, as the user-editable :class:`CameraData`."""
    return CameraData(**{n: getattr(cam, n) for n in CAMERA_FIELDS})


def camera_record(c: Camera) -> CameraRecord:
    return CameraRecord(
        id=c.id, code=c.code, lat=c.lat, lon=c.lon, x=c.x, y=c.y, heading_deg=c.heading_deg,
        field_angle_deg=c.field_angle_deg, range_m=c.range_m, hd=bool(c.hd),
        installed_on=c.installed_on, removed_on=c.removed_on,
        annual_cost_eur=float(c.annual_cost_eur or 0.0),
        authorisation_number=c.authorisation_number, authorisation_date=c.authorisation_date,
        authorisation_expiry=c.authorisation_expiry, retention_days=int(c.retention_days),
        zone_id=c.zone_id, notes=c.notes,
    )  # fmt: skip


def get_camera(engine: Engine, code: str) -> CameraRecord:
    """One camera by its code."""
    with Session(engine) as session:
        cam = session.execute(select(Camera).where(Camera.code == code)).scalar_one_or_none()
        if cam is None:
            raise InputError(f"caméra inconnue : « {code} »", field="code")
        return camera_record(cam)


def list_cameras(
    engine: Engine,
    *,
    active_on: date | None = None,
    during: tuple[date, date] | None = None,
) -> list[CameraRecord]:
    """All cameras by code.

    Only those in service on ``active_on`` when given, and only those in service on at
    least one day of ``during`` = (first, last day included) when given
    (:meth:`CameraRecord.in_service_during`).
    """
    with Session(engine) as session:
        cams = [
            camera_record(c)
            for c in session.execute(select(Camera).order_by(Camera.code)).scalars()
        ]
    if active_on is not None:
        cams = [c for c in cams if c.active_on(active_on)]
    if during is not None:
        cams = [c for c in cams if c.in_service_during(*during)]
    return cams
