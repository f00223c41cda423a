"""Cameras and judicial requisitions of footage for the demo.

Cameras: 96 installed before 2011, then 8, 10, 12, 14, 13, 15, 18 and 19 a year from
2011 to 2018 (205 in service on 24 September 2018); from 2014 some standard-definition
cameras are replaced by HD ones at the same place. Annual costs are drawn (HD dearer) and
scaled so that the cameras in service at the end cost €150,000 a year. Prefectoral
authorisations last five years (CSI L252-4) and are renewed on expiry; retention is
15, 21 or 30 days (CSI L252-5: at most 30).

Requisitions: exactly 66, 80, 92, 104, 118, 133, 150 and 171 received per year from
2011 to 2018 (2018 up to 24 September). Each names one to four neighbouring cameras in
service and a requested period a few days before receipt; the deadline is the start of
that period plus the shortest retention of those cameras. Turnaround is log-normal
(median falling from 1.8 to 0.9 days); late ones become *hors délai*, requests received
after the footage was overwritten become *sans objet*.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import numpy as np

from gltd.demo.calendar import DATA_LAST_DAY, local_dt
from gltd.demo.geography import M_PER_DEG_LAT, M_PER_DEG_LON, inside_commune
from gltd.timeutil import add_years

__all__ = [
    "CameraSpec",
    "RequisitionSpec",
    "draw_cameras",
    "draw_requisitions",
    "REQUISITIONS_PER_YEAR",
    "ANNUAL_COST_EUR",
]

PRE_2011 = 96
ADDED_PER_YEAR = {2011: 8, 2012: 10, 2013: 12, 2014: 14, 2015: 13, 2016: 15, 2017: 18, 2018: 19}
REPLACED_PER_YEAR = {2014: 8, 2015: 10, 2016: 10, 2017: 12, 2018: 8}
REQUISITIONS_PER_YEAR = {
    2011: 66,
    2012: 80,
    2013: 92,
    2014: 104,
    2015: 118,
    2016: 133,
    2017: 150,
    2018: 171,
}
ANNUAL_COST_EUR = 150_000
END_DAY = DATA_LAST_DAY

#: Where cameras go: (lon, lat, sigma in metres or 0 for uniform, weight, requisition weight).
CAMERA_AREAS = (
    (1.9050, 47.9020, 500.0, 0.35, 2.0),  # hyper-centre
    (1.9010, 47.9020, 220.0, 0.10, 3.0),  # Les Carmes
    (1.9340, 47.8330, 600.0, 0.15, 3.0),  # La Source
    (1.9330, 47.9140, 400.0, 0.12, 3.0),  # L'Argonne
    (0.0, 0.0, 0.0, 0.28, 1.0),  # elsewhere in the city
)
UNITS = (
    "Commissariat central d'Orléans",
    "Sûreté départementale du Loiret",
    "Brigade des stupéfiants",
    "Brigade anticriminalité",
    "Groupement de gendarmerie du Loiret",
)


@dataclass
class CameraSpec:
    """One camera before it is written."""

    code: str
    lon: float
    lat: float
    installed_on: date
    hd: bool
    heading_deg: float | None
    field_angle_deg: float
    range_m: float
    retention_days: int
    annual_cost_eur: float
    area: int
    removed_on: date | None = None
    authorisation_number: str | None = None
    authorisation_date: date | None = None
    authorisation_expiry: date | None = None
    notes: str | None = None


@dataclass
class RequisitionSpec:
    """One requisition before it is written (cameras as indexes in the camera list)."""

    source_ref: str
    received_at: datetime
    requesting_unit: str
    officer_capacity: str
    legal_basis: str
    procedure_ref: str
    period_start: datetime
    period_end: datetime
    deadline: datetime
    status: str
    status_changed_at: datetime
    delivered_at: datetime | None
    medium: str | None
    outcome: str | None
    cameras: list[int] = field(default_factory=list)
    en_cours_at: datetime | None = None


def _day_in(rng: np.random.Generator, first: date, last: date) -> date:
    return first + timedelta(days=int(rng.integers(0, (last - first).days + 1)))


def _place(rng: np.random.Generator, area: int) -> tuple[float, float]:
    lon0, lat0, sigma, _, _ = CAMERA_AREAS[area]
    while True:
        if sigma <= 0:
            lon = float(rng.uniform(1.872, 1.962))
            lat = float(rng.uniform(47.815, 47.937))
        else:
            lon = lon0 + float(rng.normal(0, sigma / M_PER_DEG_LON))
            lat = lat0 + float(rng.normal(0, sigma / M_PER_DEG_LAT))
        if inside_commune(np.array([lon]), np.array([lat]))[0]:
            return round(lon, 6), round(lat, 6)


def _new_camera(
    rng: np.random.Generator,
    idx: int,
    installed: date,
    hd: bool,
    area: int,
    where: tuple[float, float] | None = None,
) -> CameraSpec:
    lon, lat = where if where is not None else _place(rng, area)
    dome = bool(rng.random() < 0.4)
    return CameraSpec(
        code=f"CAM-{idx:04d}",
        lon=lon,
        lat=lat,
        installed_on=installed,
        hd=hd,
        heading_deg=None if dome else float(rng.integers(0, 360)),
        field_angle_deg=360.0 if dome else float(rng.choice([60.0, 75.0, 90.0])),
        range_m=float(rng.choice([40.0, 50.0, 60.0, 80.0])),
        retention_days=int(rng.choice([15, 21, 30], p=[0.6, 0.15, 0.25])),
        annual_cost_eur=float(rng.lognormal(np.log(820.0 if hd else 640.0), 0.15)),
        area=area,
    )


def draw_cameras(rng: np.random.Generator) -> list[CameraSpec]:
    """The camera network from 2004 to 24 September 2018 (in service or removed)."""
    areas = np.arange(len(CAMERA_AREAS))
    aw = np.array([a[3] for a in CAMERA_AREAS])
    cams: list[CameraSpec] = []
    for _ in range(PRE_2011):
        d = _day_in(rng, date(2004, 1, 1), date(2010, 12, 31))
        cams.append(
            _new_camera(
                rng, len(cams) + 1, d, bool(rng.random() < 0.05), int(rng.choice(areas, p=aw))
            )
        )
    for year, n in ADDED_PER_YEAR.items():
        last = END_DAY if year == 2018 else date(year, 12, 31)
        for j in range(n):
            if year == 2018 and j < 4:  # following the market to Carmes Nord
                d = _day_in(rng, date(2018, 5, 15), date(2018, 8, 31))
                where = (
                    round(1.8965 + float(rng.uniform(0, 0.009)), 6),
                    round(47.9050 + float(rng.uniform(0, 0.003)), 6),
                )
                cam = _new_camera(rng, len(cams) + 1, d, True, 0, where)
                cam.notes = "Extension Carmes Nord décidée en GLTD"
                cams.append(cam)
                continue
            d = _day_in(rng, date(year, 1, 1), last)
            hd = bool(rng.random() < (0.15 if year < 2013 else 0.9 if year == 2013 else 1.0))
            cams.append(_new_camera(rng, len(cams) + 1, d, hd, int(rng.choice(areas, p=aw))))
        for _ in range(REPLACED_PER_YEAR.get(year, 0)):
            old = [
                c for c in cams if not c.hd and c.removed_on is None and c.installed_on.year < year
            ]
            victim = old[int(rng.integers(0, len(old)))]
            d = _day_in(rng, date(year, 1, 1), last)
            victim.removed_on = d
            victim.notes = "Remplacée par une caméra HD"
            cams.append(
                _new_camera(rng, len(cams) + 1, d, True, victim.area, (victim.lon, victim.lat))
            )
    # Authorisations: five years, renewed on expiry while the camera is in service.
    for i, c in enumerate(cams):
        auth = c.installed_on - timedelta(days=int(rng.integers(30, 150)))
        stop = c.removed_on or END_DAY
        while add_years(auth, 5) <= stop:
            auth = add_years(auth, 5)
        c.authorisation_date = auth
        c.authorisation_expiry = add_years(auth, 5)
        c.authorisation_number = f"VP45-{auth.year}-{i + 1:04d}"
    # Annual cost of the cameras in service at the end: exactly €150,000.
    active = [c for c in cams if c.removed_on is None]
    factor = ANNUAL_COST_EUR / sum(c.annual_cost_eur for c in active)
    for c in cams:
        c.annual_cost_eur = float(
            round(c.annual_cost_eur * (factor if c.removed_on is None else 1))
        )
    active[-1].annual_cost_eur += ANNUAL_COST_EUR - sum(c.annual_cost_eur for c in active)
    return cams


def draw_requisitions(
    rng: np.random.Generator, cams: list[CameraSpec], seed: int
) -> list[RequisitionSpec]:
    """Requisitions of footage per year, on cameras in service at the time."""
    lon = np.array([c.lon for c in cams])
    lat = np.array([c.lat for c in cams])
    x = lon * M_PER_DEG_LON
    y = lat * M_PER_DEG_LAT
    installed = np.array([c.installed_on.toordinal() for c in cams])
    removed = np.array([(c.removed_on or date(9999, 1, 1)).toordinal() for c in cams])
    retention = np.array([c.retention_days for c in cams])
    weight = np.array([CAMERA_AREAS[c.area][4] for c in cams])
    end = local_dt(END_DAY + timedelta(days=1))
    out: list[RequisitionSpec] = []
    for year, n in REQUISITIONS_PER_YEAR.items():
        last = END_DAY if year == 2018 else date(year, 12, 31)
        days = sorted(_day_in(rng, date(year, 1, 1), last) for _ in range(n))
        median = 1.8 - 0.9 * (year - 2011) / 7.0
        for k, d in enumerate(days):
            received = local_dt(d, float(rng.uniform(8.0, 19.0)))
            alive = np.flatnonzero((installed <= d.toordinal()) & (removed > d.toordinal()))
            w = weight[alive] / weight[alive].sum()
            focal = int(rng.choice(alive, p=w))
            dist = np.hypot(x[alive] - x[focal], y[alive] - y[focal])
            near = alive[np.argsort(dist, kind="stable")]
            near = near[np.sort(dist)[: len(near)] <= 250.0]
            chosen = [int(c) for c in near[: 1 + int(rng.integers(0, 4))]]
            late_request = rng.random() < 0.03
            lag = float(rng.uniform(14, 35)) if late_request else float(rng.gamma(2.0, 1.2)) + 0.1
            start = (received - timedelta(days=lag)).replace(minute=0, second=0)
            stop = start + timedelta(minutes=int(rng.integers(1, 13)) * 30)
            deadline = start + timedelta(days=int(retention[chosen].min()))
            overload = rng.random() < 0.02
            turnaround = float(rng.lognormal(np.log(median), 0.9)) * (8.0 if overload else 1.0)
            done = (received + timedelta(days=turnaround)).replace(microsecond=0)
            delivered: datetime | None = None
            outcome: str | None = None
            medium: str | None = None
            changed: datetime
            if received >= deadline:
                # Footage already overwritten when the requisition arrives: out of time at
                # once, as the register (gltd.cctv.requisitions) flags it.
                status, changed = "hors_delai", received
            elif done > deadline:
                status, changed = "hors_delai", deadline
            elif done >= end:
                status, changed = "en_cours", received + timedelta(hours=2)
            else:
                status, changed, delivered = "remise", done, done
                outcome = str(rng.choice(["utile", "non_utile", "inconnu"], p=[0.35, 0.4, 0.25]))
                medium = str(rng.choice(["DVD", "clé USB", "transfert sécurisé"], p=_media_p(year)))
            ref = f"{year}-{k + 1:04d}"
            out.append(
                RequisitionSpec(
                    source_ref=f"REQ-{ref}",
                    received_at=received,
                    requesting_unit=str(rng.choice(np.array(UNITS))),
                    officer_capacity=str(
                        rng.choice(["OPJ", "APJ", "procureur"], p=[0.7, 0.25, 0.05])
                    ),
                    legal_basis=str(rng.choice(["60-1", "77-1-1", "99-3"], p=[0.55, 0.4, 0.05])),
                    procedure_ref=hashlib.sha256(f"gltd-demo-{seed}-{ref}".encode()).hexdigest()[
                        :16
                    ],
                    period_start=start,
                    period_end=stop,
                    deadline=deadline,
                    status=status,
                    status_changed_at=changed,
                    delivered_at=delivered,
                    medium=medium,
                    outcome=outcome,
                    cameras=chosen,
                    en_cours_at=min(
                        received + timedelta(hours=float(rng.uniform(0.5, 4))), changed
                    ),
                )
            )
    return out


def _media_p(year: int) -> list[float]:
    s = (year - 2011) / 7.0
    return [0.6 * (1 - s) + 0.05, 0.35, 0.6 * s]


def utc(d: datetime) -> datetime:
    """The same instant in UTC."""
    return d.astimezone(UTC)
