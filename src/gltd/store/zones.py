"""Zones from the store: the one module that reads them.

Zones are stored in WGS84 (WKT); here they are loaded as a frame in a given CRS (the
analysis CRS by default), found by name or id, listed, united into the city extent, and
used to place points (the zone containing a point; the smallest one when zones overlap:
the rule of the importers, the camera register and the bilan alike).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from gltd.errors import GltdError, InputError
from gltd.geo import WGS84, analysis_crs
from gltd.model import Zone

__all__ = [
    "ZoneInfo",
    "list_zones",
    "load_zones",
    "zone_by_name",
    "resolve_zone_ids",
    "zone_ids_by_point",
    "locate_points",
    "city_extent",
]


@dataclass(frozen=True)
class ZoneInfo:
    """A zone without its geometry."""

    id: int
    name: str
    kind: str
    illustrative: bool


def _rows(engine: Engine | Session, stmt: Any) -> list[Any]:
    if isinstance(engine, Session):
        return list(engine.execute(stmt).all())
    with engine.connect() as conn:
        return list(conn.execute(stmt).all())


def list_zones(engine: Engine, *, order_by: str = "name") -> list[ZoneInfo]:
    """Every zone (id, name, kind, illustrative), by name (or by id: ``order_by="id"``)."""
    key = Zone.id if order_by == "id" else Zone.name
    rows = _rows(engine, select(Zone.id, Zone.name, Zone.kind, Zone.illustrative).order_by(key))
    return [ZoneInfo(int(r[0]), r[1], r[2], bool(r[3])) for r in rows]


def load_zones(
    engine: Engine | Session,
    kinds: Sequence[str] | None = None,
    *,
    crs: str | None = None,
    exclude_kinds: Sequence[str] | None = None,
) -> Any:
    """Zones as a GeoDataFrame in ``crs`` (default: the analysis CRS), in id order.

    Columns ``id``, ``name``, ``kind``, ``illustrative`` and the geometry; ``kinds``
    keeps only those kinds, ``exclude_kinds`` drops some.
    """
    import geopandas as gpd
    import pandas as pd
    from shapely import wkt

    stmt = select(Zone.id, Zone.name, Zone.kind, Zone.geometry_wkt, Zone.illustrative)
    if kinds:
        stmt = stmt.where(Zone.kind.in_(list(kinds)))
    if exclude_kinds:
        stmt = stmt.where(Zone.kind.not_in(list(exclude_kinds)))
    rows = _rows(engine, stmt.order_by(Zone.id))
    frame = pd.DataFrame(rows, columns=["id", "name", "kind", "wkt", "illustrative"])
    frame["illustrative"] = frame["illustrative"].astype(bool)
    geoms = [wkt.loads(w) for w in frame.pop("wkt")]
    gdf = gpd.GeoDataFrame(frame, geometry=geoms, crs=WGS84)
    target = crs or analysis_crs()
    return gdf if target == WGS84 else gdf.to_crs(target)


def zone_by_name(engine: Engine, name: str, *, crs: str | None = None) -> tuple[Any, int]:
    """The polygon (default: analysis CRS) and id of a zone given by name or id.

    An unknown zone is a user error naming the zones on record.
    """
    zones = load_zones(engine, crs=crs)
    wanted = name.strip()
    for zid, zname, geom in zip(zones["id"], zones["name"], zones.geometry, strict=True):
        if zname.lower() == wanted.lower() or (wanted.isdigit() and int(zid) == int(wanted)):
            return geom, int(zid)
    known = ", ".join(sorted(zones["name"])) or "aucune zone"
    raise InputError(f"zone inconnue : « {name} » (zones connues : {known})")


def resolve_zone_ids(engine: Engine, zones: Sequence[str | int] | None) -> list[int] | None:
    """Zone ids for names or ids (None for none given); an unknown zone is an error."""
    if not zones:
        return None
    rows = [(z.id, z.name) for z in list_zones(engine)]
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


def locate_points(zones: Any, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Id of the zone of ``zones`` (a frame from :func:`load_zones`) containing each point,
    in the frame's CRS; the smallest zone when they overlap, ``-1`` outside every zone
    (or for a missing coordinate). A point on a boundary is in the zone.
    """
    import shapely

    xa = np.asarray(x, dtype="float64")
    ya = np.asarray(y, dtype="float64")
    out = np.full(len(xa), -1, dtype="int64")
    located = ~np.isnan(xa) & ~np.isnan(ya)
    if len(zones) == 0 or not located.any():
        return out
    geoms = zones.geometry.to_numpy()
    areas = shapely.area(geoms)
    ids = zones["id"].to_numpy(dtype="int64")
    idx = np.flatnonzero(located)
    pi, zi = shapely.STRtree(geoms).query(shapely.points(xa[idx], ya[idx]), "intersects")
    if len(pi) == 0:
        return out
    order = np.lexsort((areas[zi], pi))  # by point, then smallest zone first
    pi, zi = pi[order], zi[order]
    first = np.ones(len(pi), dtype=bool)
    first[1:] = pi[1:] != pi[:-1]
    out[idx[pi[first]]] = ids[zi[first]]
    return out


def zone_ids_by_point(
    engine: Engine | Session, x: np.ndarray, y: np.ndarray, crs: str | None = None
) -> np.ndarray:
    """Zone id containing each point (``crs``, default the analysis CRS); see
    :func:`locate_points`."""
    return locate_points(load_zones(engine, crs=crs), x, y)


def city_extent(engine: Engine | Session) -> Any | None:
    """The union of the recorded zones (WGS84 shapely geometry), or None without zones."""
    from shapely import wkt
    from shapely.ops import unary_union

    rows = [r[0] for r in _rows(engine, select(Zone.geometry_wkt))]
    if not rows:
        return None
    return unary_union([wkt.loads(w) for w in rows])
