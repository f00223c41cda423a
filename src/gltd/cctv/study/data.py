"""Data of a relevance study: the site, and the incidents around it and in the city.

The city-wide load is one scan of the incident table read straight from the DBAPI cursor
(:func:`load_city`), so that a study on a million incidents stays fast.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import numpy as np
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from gltd.analysis.coverage import in_sector
from gltd.cctv.inventory import in_city
from gltd.errors import InputError
from gltd.geo import fov_polygon, geometry_to_metric, to_lonlat, to_metric
from gltd.model import CameraRequest, Incident
from gltd.store.zones import city_extent
from gltd.timeutil import PARIS

__all__ = [
    "StudySite",
    "latest_data_day",
    "make_site",
    "load_city",
    "city_probes",
    "percentile_rank",
    "site_lonlat",
]


def latest_data_day(engine: Engine) -> date | None:
    """The local day of the latest located incident (``None`` for an empty database).

    The default date of a study offered to a user: on historical data (the 2018 demo)
    counting three years back from today would study years without any data.
    """
    t = Incident.__table__.c
    with engine.connect() as conn:
        last = conn.execute(
            select(func.max(t.occurred_at)).where(t.x.is_not(None), t.y.is_not(None))
        ).scalar()
    if last is None:
        return None
    if last.tzinfo is None:  # stored in UTC
        last = last.replace(tzinfo=UTC)
    return last.astimezone(PARIS).date()


@dataclass(frozen=True)
class StudySite:
    """The proposed site: a disc (radius) or a field of view (heading, angle, range)."""

    lat: float
    lon: float
    x: float
    y: float
    radius_m: float
    heading_deg: float | None = None
    field_angle_deg: float = 360.0
    camera_request_id: int | None = None
    label: str = ""

    @property
    def is_sector(self) -> bool:
        """True for a field of view narrower than 360°."""
        return self.heading_deg is not None and self.field_angle_deg < 360

    @property
    def sector(self) -> tuple[float, float, float | None, float, float]:
        """``(x, y, heading or None for a disc, field angle, radius)``."""
        heading = self.heading_deg if self.is_sector else None
        return self.x, self.y, heading, self.field_angle_deg, self.radius_m

    def polygon(self) -> Any:
        """The site's area as a polygon in the metric CRS."""
        return fov_polygon(*self.sector)

    def contains(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Which points are in the site's area (exact sector test)."""
        return in_sector(x, y, *self.sector)


def make_site(
    engine: Engine,
    *,
    lat: float | None,
    lon: float | None,
    radius: float,
    heading: float | None,
    field_angle: float,
    request_id: int | None,
) -> StudySite:
    if request_id is not None:
        with Session(engine) as s:
            r = s.get(CameraRequest, request_id)
            if r is None:
                raise InputError(f"demande de caméra n° {request_id} introuvable", field="request")
            return StudySite(
                r.lat, r.lon, r.x, r.y, float(r.radius_m or radius), None, 360.0, r.id,
                f"demande n° {r.id} ({r.origin}, reçue le {r.received_on:%d/%m/%Y})",
            )  # fmt: skip
    if lat is None or lon is None:
        raise InputError(
            "indiquez un site (latitude et longitude) ou une demande de caméra", field="site"
        )
    if not radius > 0:
        raise InputError(f"rayon {radius} : un nombre de mètres > 0", field="radius")
    if heading is not None and not 0 <= heading < 360:
        raise InputError(f"orientation {heading} : de 0 à 359 degrés", field="heading")
    if not in_city(city_extent(engine), lon, lat):
        raise InputError(
            f"le site ({lat:.5f} N, {lon:.5f} E) est hors de la commune (aucune zone "
            "enregistrée ne le contient ; vérifiez l'ordre latitude, longitude)",
            field="at",
        )
    x, y = to_metric(lon, lat)
    return StudySite(lat, lon, x, y, float(radius), heading, float(field_angle), None, "")


def load_city(
    engine: Engine,
    start: datetime,
    split: datetime,
    end: datetime,
    categories: list[str] | None,
    bbox: tuple[float, float, float, float],
) -> tuple[np.ndarray, np.ndarray, np.ndarray, Any]:
    """One scan of ``[start, end)``: x, y and « on or after split » for every located
    incident of the city, and times and categories only for those inside ``bbox``.

    Rows are read straight from the DBAPI cursor (no ORM rows, no time parsing outside
    the box): this is the city-wide load of the study, up to millions of rows.
    """
    import pandas as pd
    from sqlalchemy import and_, case

    from gltd.analysis.events import EventSet

    t = Incident.__table__.c
    conds: list[Any] = [t.x.is_not(None), t.y.is_not(None), t.occurred_at >= start,
                        t.occurred_at < end]  # fmt: skip
    if categories:
        conds.append(t.category.in_(list(categories)))
    inside = and_(t.x >= bbox[0], t.y >= bbox[1], t.x <= bbox[2], t.y <= bbox[3])
    stmt = select(
        t.x,
        t.y,
        case((t.occurred_at >= split, 1), else_=0),
        case((inside, t.occurred_at), else_=None),
        case((inside, t.category), else_=None),
    ).where(and_(*conds))
    # Three years are most of the table: a full scan beats SQLite's time index (which
    # would look every row up again); PostgreSQL's planner chooses by itself.
    stmt = stmt.with_hint(Incident.__table__, "NOT INDEXED", dialect_name="sqlite")
    with engine.connect() as conn:
        rows = conn.execute(stmt).cursor.fetchall()  # type: ignore[union-attr]
    if not rows:
        empty = np.array([], dtype="float64")
        return empty, empty.copy(), np.array([], dtype=bool), EventSet.from_arrays([], [], [], [])
    xs, ys, flags, ts, cats = zip(*rows, strict=True)
    x = np.asarray(xs, dtype="float64")
    y = np.asarray(ys, dtype="float64")
    flag = np.asarray(flags, dtype="int8") > 0
    sel = np.flatnonzero(np.asarray([c is not None for c in cats]))
    raw_t = [ts[i] for i in sel]
    times = pd.to_datetime(pd.Series(raw_t, dtype=object), format="ISO8601") if raw_t else None
    if times is not None and times.dt.tz is not None:
        times = times.dt.tz_convert("UTC").dt.tz_localize(None)
    site = EventSet.from_arrays(
        x[sel], y[sel], times.to_numpy() if times is not None else [], [cats[i] for i in sel]
    )
    return x, y, flag, site


def city_probes(engine: Engine, spacing: float, ev: Any) -> np.ndarray:
    """Regular probe points (spacing = the site's radius) inside the city extent.

    ``ev`` is anything with ``x``, ``y`` arrays (used for the extent when no zone exists).
    """
    import shapely

    extent = city_extent(engine)
    if extent is not None:
        poly = geometry_to_metric(extent)
        xmin, ymin, xmax, ymax = poly.bounds
    elif len(ev.x):
        poly = None
        xmin, ymin, xmax, ymax = ev.x.min(), ev.y.min(), ev.x.max(), ev.y.max()
    else:
        return np.empty((0, 2))
    xs = np.arange(xmin + spacing / 2, xmax, spacing)
    ys = np.arange(ymin + spacing / 2, ymax, spacing)
    gx, gy = np.meshgrid(xs, ys)
    pts = np.column_stack([gx.ravel(), gy.ravel()])
    if poly is not None and len(pts):
        pts = pts[shapely.contains_xy(poly, pts[:, 0], pts[:, 1])]
    return pts


def percentile_rank(values: np.ndarray, v: float) -> float:
    """Mid-rank percentile: 100 × (share below + half the share equal)."""
    if len(values) == 0:
        return float("nan")
    below = float((values < v).sum())
    equal = float((values == v).sum())
    return 100.0 * (below + 0.5 * equal) / len(values)


def site_lonlat(x: float, y: float) -> tuple[float, float]:
    """WGS84 of a metric point (for templates)."""
    return to_lonlat(x, y)
