"""Queries from the store to the analyses: the one door is :func:`load_events`.

The analyses never touch the ORM: they get an :class:`~gltd.analysis.events.EventSet`
(x, y in metres in the analysis CRS, UTC times, categories, zone ids) or plain frames.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Engine, String, and_, select, type_coerce

from gltd.analysis.events import ANALYSIS_CRS, EventSet
from gltd.errors import GltdError
from gltd.model import Incident, Zone

__all__ = ["load_events", "load_zones", "resolve_zone_ids"]


def resolve_zone_ids(engine: Engine, zones: Sequence[str | int] | None) -> list[int] | None:
    """Zone ids for names or ids; an unknown zone is an error naming it."""
    if not zones:
        return None
    with engine.connect() as conn:
        rows = conn.execute(select(Zone.id, Zone.name)).all()
    by_name = {name.lower(): zid for zid, name in rows}
    ids = {zid for zid, _ in rows}
    out: list[int] = []
    for z in zones:
        if isinstance(z, int) or (isinstance(z, str) and z.isdigit() and int(z) in ids):
            out.append(int(z))
        elif str(z).lower() in by_name:
            out.append(by_name[str(z).lower()])
        else:
            known = ", ".join(sorted(n for _, n in rows)) or "aucune zone"
            raise GltdError(f"zone inconnue : « {z} » (zones connues : {known})")
    return out


def load_events(
    engine: Engine,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    categories: Sequence[str] | None = None,
    zones: Sequence[str | int] | None = None,
) -> EventSet:
    """Incidents with coordinates for ``start <= occurred_at < end``, as an EventSet.

    Parameters
    ----------
    engine : sqlalchemy.Engine
    start, end : aware datetimes, optional
        Half-open period.
    categories : codes, optional
    zones : zone names or ids, optional

    Returns
    -------
    EventSet
        Events located in the analysis CRS (Lambert-93); incidents without coordinates
        are left out (count them with a zone-level query).
    """
    t = Incident.__table__.c
    conds: list[Any] = [t.x.is_not(None), t.y.is_not(None)]
    if start is not None:
        conds.append(t.occurred_at >= _aware(start))
    if end is not None:
        conds.append(t.occurred_at < _aware(end))
    if categories:
        conds.append(t.category.in_(list(categories)))
    zone_ids = resolve_zone_ids(engine, zones)
    if zone_ids is not None:
        conds.append(t.zone_id.in_(zone_ids))
    stmt = select(
        t.x, t.y, type_coerce(t.occurred_at, String), t.category, t.zone_id, t.date_only
    ).where(and_(*conds))
    with engine.connect() as conn:
        rows = conn.execute(stmt).all()
    if not rows:
        empty = np.array([], dtype="float64")
        return EventSet(
            x=empty,
            y=empty.copy(),
            t=np.array([], dtype="datetime64[ns]"),
            category=np.array([], dtype=object),
            zone_id=np.array([], dtype="int64"),
            crs=ANALYSIS_CRS,
        )
    x, y, ts, cat, zid, donly = zip(*rows, strict=True)
    times = pd.to_datetime(pd.Series(ts, dtype=object), format="ISO8601")
    return EventSet(
        x=np.asarray(x, dtype="float64"),
        y=np.asarray(y, dtype="float64"),
        t=times.to_numpy(dtype="datetime64[ns]"),
        category=np.asarray(cat, dtype=object),
        zone_id=np.asarray([-1 if z is None else z for z in zid], dtype="int64"),
        crs=ANALYSIS_CRS,
        date_only=bool(all(donly)),
    )


def load_zones(engine: Engine, kinds: Sequence[str] | None = None) -> Any:
    """Zones as a GeoDataFrame in the analysis CRS (columns id, name, kind, geometry)."""
    import geopandas as gpd
    from shapely import wkt

    stmt = select(Zone.id, Zone.name, Zone.kind, Zone.geometry_wkt, Zone.illustrative)
    if kinds:
        stmt = stmt.where(Zone.kind.in_(list(kinds)))
    with engine.connect() as conn:
        rows = conn.execute(stmt.order_by(Zone.id)).all()
    frame = pd.DataFrame(rows, columns=["id", "name", "kind", "wkt", "illustrative"])
    geoms = [wkt.loads(w) for w in frame.pop("wkt")]
    gdf = gpd.GeoDataFrame(frame, geometry=geoms, crs="EPSG:4326")
    return gdf.to_crs(ANALYSIS_CRS)


def _aware(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise GltdError("date sans fuseau horaire : précisez Europe/Paris ou UTC")
    return value
