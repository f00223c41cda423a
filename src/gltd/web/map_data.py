"""GeoJSON layers of the map: zones, incident density, Gi* hotspots, cameras, interventions.

Grids are computed in the analysis CRS (``GLTD_ANALYSIS_CRS``) on the in-memory incident cube and sent to
the browser as WGS84 polygons (the four corners of each cell reprojected).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from shapely import wkt
from shapely.geometry import mapping
from sqlalchemy import Engine, select

from gltd.analysis.emerging import CATEGORIES, CATEGORY_LABELS_FR, MIN_STEPS, emerging_hotspots_grid
from gltd.errors import InputError
from gltd.geo import WGS84, analysis_crs, fov_polygon, transformer
from gltd.hotspots import hotspot_map
from gltd.model import Intervention
from gltd.store.zones import load_zones
from gltd.web.cache import DataCache, IncidentCube
from gltd.web.periods import PeriodChoice

__all__ = [
    "zones_geojson",
    "density_geojson",
    "hotspots_geojson",
    "cameras_geojson",
    "interventions_geojson",
    "emerging_geojson",
    "check_cell",
    "MIN_CELL",
    "MAX_CELL",
    "MAX_CELLS",
]

MIN_CELL, MAX_CELL = 50.0, 5000.0
#: Largest grid drawn on the map (cells).
MAX_CELLS = 250_000


def check_cell(cell: float) -> float:
    """A cell size within the allowed range, else an error saying the range."""
    if not (math.isfinite(cell) and MIN_CELL <= cell <= MAX_CELL):
        raise InputError(
            f"taille de cellule hors limites : {cell:g} m (attendu entre {MIN_CELL:g} et {MAX_CELL:g} m)"
        )
    return float(cell)


def zones_geojson(engine: Engine, cache: DataCache) -> dict[str, Any]:
    """The zones (already WGS84)."""

    def load() -> dict[str, Any]:
        zones = load_zones(engine, crs=WGS84)
        feats = [
            {
                "type": "Feature",
                "geometry": mapping(geom),
                "properties": {
                    "id": int(zid),
                    "name": name,
                    "kind": kind,
                    "illustrative": bool(illus),
                },
            }
            for zid, name, kind, illus, geom in zip(
                zones["id"],
                zones["name"],
                zones["kind"],
                zones["illustrative"],
                zones.geometry,
                strict=True,
            )  # fmt: skip
        ]
        return {"type": "FeatureCollection", "features": feats}

    result: dict[str, Any] = cache.memo(("zones_geojson",), load)
    return result


def _grid(cube: IncidentCube, cell: float) -> Any:
    from gltd.analysis.grid import make_grid

    ext = cube.extent()
    if ext is None:
        return None
    grid = make_grid(ext, cell)
    if grid.n_cells > MAX_CELLS:
        raise InputError(
            f"grille trop fine pour la carte : {grid.n_cells:,} cellules de {cell:g} m "
            f"(au plus {MAX_CELLS:,}) : augmentez la taille de cellule".replace(",", " ")
        )
    return grid


def _cell_features(grid: Any, ids: np.ndarray, props: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if len(ids) == 0:
        return []
    b = grid.cell_bounds(ids)
    xs = np.column_stack([b[:, 0], b[:, 2], b[:, 2], b[:, 0]]).ravel()
    ys = np.column_stack([b[:, 1], b[:, 1], b[:, 3], b[:, 3]]).ravel()
    lon, lat = transformer(grid.crs, WGS84).transform(xs, ys)
    lon = np.round(np.asarray(lon).reshape(-1, 4), 6)
    lat = np.round(np.asarray(lat).reshape(-1, 4), 6)
    feats = []
    for i, p in enumerate(props):
        ring = [[float(lon[i, k]), float(lat[i, k])] for k in range(4)]
        ring.append(ring[0])
        feats.append(
            {
                "type": "Feature",
                "geometry": {"type": "Polygon", "coordinates": [ring]},
                "properties": p,
            }
        )
    return feats


def _counts(
    cube: IncidentCube, grid: Any, choice: PeriodChoice, categories: list[str]
) -> np.ndarray:
    x, y = cube.points(choice.period.start, choice.period.end, categories)
    ids = grid.locate(x, y)
    ids = ids[ids >= 0]
    return np.bincount(ids, minlength=grid.n_cells).reshape(grid.shape)


def density_geojson(
    cache: DataCache, choice: PeriodChoice, categories: list[str], cell: float
) -> dict[str, Any]:
    """Incidents per grid cell (non-empty cells only) for the period."""
    cell = check_cell(cell)
    key = ("density", choice.period, tuple(categories), cell)

    def compute() -> dict[str, Any]:
        cube = cache.cube()
        grid = _grid(cube, cell)
        if grid is None:
            return {"type": "FeatureCollection", "features": [], "max": 0, "n": 0}
        counts = _counts(cube, grid, choice, categories).ravel()
        ids = np.flatnonzero(counts)
        feats = _cell_features(grid, ids, [{"n": int(counts[i])} for i in ids])
        return {
            "type": "FeatureCollection",
            "features": feats,
            "max": int(counts.max()) if counts.size else 0,
            "n": int(counts.sum()),
            "period": choice.period.label(),
            "method": {"grid": grid.describe(), "what": "faits localisés par cellule"},
        }

    result: dict[str, Any] = cache.memo(key, compute, registers=False)
    return result


def hotspots_geojson(
    cache: DataCache,
    choice: PeriodChoice,
    categories: list[str],
    cell: float,
    distance: float | None = None,
) -> dict[str, Any]:
    """Getis-Ord Gi* on the grid (FDR-corrected classes); cells with a class ≠ 0.

    The cells are those of :func:`gltd.hotspots.maps.hotspot_map` (the bilan's and the
    relevance study's), converted to GeoJSON here.
    """
    cell = check_cell(cell)
    distance = float(distance or 2 * cell)
    if not (cell <= distance <= 20 * cell):
        raise InputError(
            f"distance de voisinage hors limites : {distance:g} m (entre {cell:g} et {20 * cell:g} m)"
        )
    key = ("gistar", choice.period, tuple(categories), cell, distance)

    def compute() -> dict[str, Any]:
        cube = cache.cube()
        extent = cube.extent()
        if extent is None:
            return {"type": "FeatureCollection", "features": [], "available": True}
        x, y = cube.points(choice.period.start, choice.period.end, categories)
        hm = hotspot_map(x, y, extent=extent, cell=cell, distance=distance, max_cells=MAX_CELLS)
        if hm.note is not None:
            return {
                "type": "FeatureCollection",
                "features": [],
                "available": True,
                "message": hm.note,
            }
        cells = hm.significant()
        props = [
            {
                "class": c.hot_cold_class,
                "label": c.label,
                "z": None if c.z is None else round(c.z, 2),
                "p_fdr": c.p_fdr,
                "n": c.count,
            }
            for c in cells
        ]
        ids = np.array([c.id for c in cells], dtype="int64")
        return {
            "type": "FeatureCollection",
            "features": _cell_features(hm.grid, ids, props),
            "available": True,
            "period": choice.period.label(),
            "method": {
                **hm.method,
                "reference": "Getis & Ord 1992; Ord & Getis 1995; FDR Benjamini-Hochberg",
            },
        }

    result: dict[str, Any] = cache.memo(key, compute, registers=False)
    return result


def emerging_geojson(
    cache: DataCache, choice: PeriodChoice, categories: list[str], cell: float
) -> dict[str, Any]:
    """Emerging hot-spot categories (ArcGIS definitions) on weekly or monthly steps.

    Steps are weeks when the period is at most 60 weeks long, else 4-week blocks; the
    space-time Gi* uses a distance band of two cells (see :mod:`gltd.analysis.emerging`).
    """
    cell = check_cell(cell)
    p0 = choice.period
    key = ("emerging", p0.start.isoformat(), p0.end.isoformat(), tuple(sorted(categories)), cell)

    def compute() -> dict[str, Any]:
        cube = cache.cube()
        grid = _grid(cube, cell)
        p = choice.period
        step_days = 7 if p.days <= 7 * 60 else 28
        n_steps = int(p.days // step_days)
        if grid is None or n_steps < MIN_STEPS:
            return {
                "type": "FeatureCollection",
                "features": [],
                "available": True,
                "message": f"période trop courte : au moins {MIN_STEPS} pas de {step_days} jours",
            }
        sl, mask = cube.select(p.start, p.end, categories)
        x, y, t = cube.x[sl], cube.y[sl], cube.t[sl]
        if mask is not None:
            x, y, t = x[mask], y[mask], t[mask]
        ok = np.isfinite(x) & np.isfinite(y)
        ids = grid.locate(x[ok], y[ok])
        step = ((t[ok] - _ns0(p.start)) // (step_days * 86400 * 10**9)).astype("int64")
        keep = (ids >= 0) & (step >= 0) & (step < n_steps)
        counts = np.zeros((n_steps, grid.n_cells), dtype="float64")
        np.add.at(counts, (step[keep], ids[keep]), 1.0)
        if counts.sum() == 0:
            return {
                "type": "FeatureCollection",
                "features": [],
                "available": True,
                "message": "aucun fait sur la période",
            }
        er = emerging_hotspots_grid(counts.reshape(n_steps, *grid.shape), cell, 2 * cell)
        cats = np.asarray(er.category)
        sel = np.flatnonzero(cats != "no_pattern")
        rank = {c: i for i, c in enumerate(CATEGORIES)}
        props = [
            {
                "category": str(cats[i]),
                "label": CATEGORY_LABELS_FR.get(str(cats[i]), str(cats[i])),
                "rank": rank.get(str(cats[i]), 0),
            }
            for i in sel
        ]
        return {
            "type": "FeatureCollection",
            "features": _cell_features(grid, sel, props),
            "available": True,
            "period": p.label(),
            "method": {
                **er.method,
                "step_days": step_days,
                "n_steps": n_steps,
                "grid": grid.describe(),
            },
        }

    # 1 to 20 s of CPU on a big city: kept on disk for every process (see DataCache).
    result: dict[str, Any] = cache.memo(key, compute, persist=True, registers=False)
    return result


def _ns0(value: Any) -> int:
    import pandas as pd

    return int(pd.Timestamp(value).tz_convert("UTC").value)


def cameras_geojson(
    engine: Engine, cache: DataCache, choice: PeriodChoice | None = None
) -> dict[str, Any]:
    """Cameras (points) and their fields of view (polygons) in service during the period.

    The rule is :meth:`gltd.cctv.CameraRecord.in_service_during` (installed before the
    period's end, not removed before its start); each camera says its status on the
    period's last day (``status``: « en service », « retirée ») and its removal date.
    Without a period: every camera, status on today.
    """
    from datetime import datetime

    from gltd.cctv.inventory import list_cameras
    from gltd.timeutil import PARIS

    during = (choice.period.first_day, choice.period.last_day) if choice else None
    day = during[1] if during else datetime.now(PARIS).date()

    def load() -> dict[str, Any]:
        from shapely.ops import transform

        tr = transformer(analysis_crs(), WGS84).transform
        feats = []
        for c in list_cameras(engine, during=during):
            props = {
                "id": c.id,
                "code": c.code,
                "hd": c.hd,
                "heading_deg": c.heading_deg,
                "field_angle_deg": c.field_angle_deg,
                "range_m": c.range_m,
                "installed_on": c.installed_on.isoformat() if c.installed_on else None,
                "removed_on": c.removed_on.isoformat() if c.removed_on else None,
                "status": c.status_on(day),
            }
            fov = transform(tr, fov_polygon(c.x, c.y, c.heading_deg, c.field_angle_deg, c.range_m))
            feats.append(
                {
                    "type": "Feature",
                    "geometry": mapping(fov),
                    "properties": {**props, "part": "champ"},
                }
            )
            feats.append(
                {
                    "type": "Feature",
                    "geometry": {"type": "Point", "coordinates": [c.lon, c.lat]},
                    "properties": {**props, "part": "camera"},
                }
            )
        return {
            "type": "FeatureCollection",
            "features": feats,
            "n": len(feats) // 2,
            "period": choice.period.label() if choice else None,
        }

    result: dict[str, Any] = cache.memo(("cameras_geojson", during, day), load)
    return result


def interventions_geojson(engine: Engine, cache: DataCache) -> dict[str, Any]:
    """Interventions (target polygons, WGS84)."""

    def load() -> dict[str, Any]:
        with engine.connect() as conn:
            rows = conn.execute(
                select(
                    Intervention.id,
                    Intervention.name,
                    Intervention.kind,
                    Intervention.geometry_wkt,
                    Intervention.started_on,
                    Intervention.ended_on,
                )
            ).all()
        feats = [
            {
                "type": "Feature",
                "geometry": mapping(wkt.loads(r.geometry_wkt)),
                "properties": {
                    "id": r.id,
                    "name": r.name,
                    "kind": r.kind,
                    "started_on": r.started_on.date().isoformat(),
                    "ended_on": r.ended_on.date().isoformat() if r.ended_on else None,
                },
            }
            for r in rows
        ]
        return {"type": "FeatureCollection", "features": feats}

    result: dict[str, Any] = cache.memo(("interventions_geojson",), load)
    return result
