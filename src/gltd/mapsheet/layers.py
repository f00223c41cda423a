"""The layers of a map for one period: density, Gi* hot spots, emerging hot spots on the
grid, and the zones, cameras and interventions of the store, in the analysis CRS.

The grid is laid on the extent of every located incident of the store, like the web map
and the bilan (:func:`gltd.hotspots.incident_extent`), so that a printed or exported map
has the cells seen on screen.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sqlalchemy import Engine

from gltd.analysis.emerging import MIN_STEPS, emerging_hotspots_grid
from gltd.analysis.grid import Grid, make_grid
from gltd.errors import InputError
from gltd.hotspots import HotspotMap, hotspot_map
from gltd.timeutil import Period

__all__ = [
    "LAYERS",
    "LAYER_LABELS",
    "DEFAULT_LAYERS",
    "GRID_LAYERS",
    "MAX_CELLS",
    "MapData",
    "parse_layers",
    "compute_layers",
    "store_layers",
]

#: Layers that can be drawn, in drawing order (bottom first).
LAYERS = ("density", "hotspots", "emerging", "zones", "interventions", "cameras")
LAYER_LABELS = {
    "density": "densité des faits",
    "hotspots": "points chauds (Gi*)",
    "emerging": "points chauds émergents",
    "zones": "zones",
    "interventions": "interventions",
    "cameras": "caméras et champs de vision",
}
DEFAULT_LAYERS = ("zones", "density", "hotspots")
#: The grid layers (exported as GeoJSON / GeoPackage).
GRID_LAYERS = ("density", "hotspots", "emerging")
#: Largest grid drawn (cells), as on the web map.
MAX_CELLS = 250_000
#: Cell sides allowed (metres), as on the web map.
MIN_CELL, MAX_CELL = 50.0, 5000.0


def parse_layers(text: str | Sequence[str] | None, *, what: str = "layers") -> tuple[str, ...]:
    """Layer names from ``"zones,density"`` (or a list), in drawing order; French error
    naming the unknown ones."""
    items = text.split(",") if isinstance(text, str) else list(text or [])
    names = [str(i).strip().lower() for i in items if str(i).strip()]
    if not names:
        return DEFAULT_LAYERS
    bad = [n for n in names if n not in LAYERS]
    if bad:
        raise InputError(
            f"couche inconnue : {', '.join(bad)} (couches possibles : {', '.join(LAYERS)})",
            field=what,
        )
    return tuple(n for n in LAYERS if n in names)


@dataclass(frozen=True, eq=False)
class MapData:
    """What one map shows. Grid arrays are ``(ny, nx)`` (row 0 = south)."""

    period: Period
    categories: tuple[str, ...]
    cell: float
    layers: tuple[str, ...]
    n_events: int
    grid: Grid | None = None
    density: np.ndarray | None = None
    hotspots: HotspotMap | None = None
    emerging: np.ndarray | None = None  # category code per cell ("" = none)
    zones: Any = None  # GeoDataFrame (analysis CRS): name, illustrative
    interventions: Any = None  # GeoDataFrame: name, started_on, ended_on
    cameras: Any = None  # GeoDataFrame of fields of view: code, status
    methods: dict[str, dict[str, Any]] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)


def compute_layers(
    x: np.ndarray,
    y: np.ndarray,
    t_ns: np.ndarray,
    *,
    extent: tuple[float, float, float, float] | None,
    period: Period,
    categories: Sequence[str],
    cell: float,
    layers: Sequence[str],
) -> MapData:
    """The grid layers of the events ``x``, ``y``, ``t_ns`` (UTC nanoseconds) of the
    period and categories (already selected)."""
    if not (np.isfinite(cell) and MIN_CELL <= cell <= MAX_CELL):
        raise InputError(
            f"taille de cellule hors limites : {cell:g} m "
            f"(attendu entre {MIN_CELL:g} et {MAX_CELL:g} m)",
            field="cell",
        )
    x, y = np.asarray(x, dtype="float64"), np.asarray(y, dtype="float64")
    t_ns = np.asarray(t_ns).astype("datetime64[ns]").astype("int64")
    ok = np.isfinite(x) & np.isfinite(y)
    x, y, t_ns = x[ok], y[ok], t_ns[ok]
    out: dict[str, Any] = {"methods": {}, "notes": {}}
    wanted = [n for n in layers if n in GRID_LAYERS]
    if wanted and extent is not None:
        grid = make_grid(extent, cell)
        if grid.n_cells > MAX_CELLS:
            raise InputError(
                f"grille trop fine pour la carte : {grid.n_cells:,} cellules de {cell:g} m "
                f"(au plus {MAX_CELLS:,}) : augmentez la taille de cellule".replace(",", " "),
                field="cell",
            )
        out["grid"] = grid
        ids = grid.locate(x, y)
        inside = ids >= 0
        if "density" in wanted:
            counts = np.bincount(ids[inside], minlength=grid.n_cells).reshape(grid.shape)
            out["density"] = counts
            out["methods"]["density"] = {
                "what": "faits localisés par cellule",
                "grid": grid.describe(),
                "n_events": int(counts.sum()),
            }
        if "hotspots" in wanted:
            hm = hotspot_map(x, y, extent=extent, cell=cell, max_cells=MAX_CELLS)
            out["hotspots"] = hm
            out["methods"]["hotspots"] = {
                **hm.method,
                "reference": "Getis & Ord 1992; Ord & Getis 1995; FDR Benjamini-Hochberg",
            }
            if hm.note:
                out["notes"]["hotspots"] = hm.note
        if "emerging" in wanted:
            cats, method, note = _emerging(grid, ids[inside], t_ns[inside], period, cell)
            out["emerging"] = cats
            if method:
                out["methods"]["emerging"] = method
            if note:
                out["notes"]["emerging"] = note
    return MapData(
        period=period,
        categories=tuple(categories),
        cell=float(cell),
        layers=tuple(n for n in LAYERS if n in layers),
        n_events=len(x),
        **out,
    )


def _emerging(
    grid: Grid, ids: np.ndarray, t_ns: np.ndarray, period: Period, cell: float
) -> tuple[np.ndarray | None, dict[str, Any], str | None]:
    """Emerging hot-spot categories per cell on the steps of the web map (weeks when the
    period is at most 60 weeks long, else 4-week blocks; band of two cells)."""
    import pandas as pd

    step_days = 7 if period.days <= 7 * 60 else 28
    n_steps = int(period.days // step_days)
    if n_steps < MIN_STEPS:
        return None, {}, f"période trop courte : au moins {MIN_STEPS} pas de {step_days} jours"
    t0 = int(pd.Timestamp(period.start).tz_convert("UTC").value)
    step = (t_ns - t0) // (step_days * 86400 * 10**9)
    keep = (step >= 0) & (step < n_steps)
    counts = np.zeros((n_steps, grid.n_cells), dtype="float64")
    np.add.at(counts, (step[keep], ids[keep]), 1.0)
    if counts.sum() == 0:
        return None, {}, "aucun fait sur la période"
    er = emerging_hotspots_grid(counts.reshape(n_steps, *grid.shape), cell, 2 * cell)
    cats = np.asarray(er.category, dtype=object).reshape(grid.shape)
    cats = np.where(cats == "no_pattern", "", cats)
    method = {**er.method, "step_days": step_days, "n_steps": n_steps, "grid": grid.describe()}
    return cats, method, None


def store_layers(engine: Engine, data: MapData) -> MapData:
    """``data`` with the zones, interventions and cameras of the store it asks for."""
    import dataclasses

    extra: dict[str, Any] = {}
    if "zones" in data.layers:
        from gltd.store.zones import load_zones

        extra["zones"] = load_zones(engine)
    if "interventions" in data.layers:
        extra["interventions"] = _interventions(engine)
    if "cameras" in data.layers:
        extra["cameras"] = _cameras(engine, data.period)
    return dataclasses.replace(data, **extra)


def _interventions(engine: Engine) -> Any:
    import geopandas as gpd
    from shapely import wkt
    from sqlalchemy import select

    from gltd.geo import WGS84, analysis_crs
    from gltd.model import Intervention

    with engine.connect() as conn:
        rows = conn.execute(
            select(
                Intervention.name,
                Intervention.geometry_wkt,
                Intervention.started_on,
                Intervention.ended_on,
            )
        ).all()
    frame = gpd.GeoDataFrame(
        {
            "name": [r.name for r in rows],
            "started_on": [r.started_on.date() for r in rows],
            "ended_on": [r.ended_on.date() if r.ended_on else None for r in rows],
        },
        geometry=[wkt.loads(r.geometry_wkt) for r in rows],
        crs=WGS84,
    )
    return frame.to_crs(analysis_crs())


def _cameras(engine: Engine, period: Period) -> Any:
    import geopandas as gpd
    from shapely.geometry import Point

    from gltd.cctv.inventory import list_cameras
    from gltd.geo import analysis_crs, fov_polygon

    cams = list_cameras(engine, during=(period.first_day, period.last_day))
    return gpd.GeoDataFrame(
        {
            "code": [c.code for c in cams],
            "status": [c.status_on(period.last_day) for c in cams],
            "point": [Point(c.x, c.y) for c in cams],
        },
        geometry=[fov_polygon(c.x, c.y, c.heading_deg, c.field_angle_deg, c.range_m) for c in cams],
        crs=analysis_crs(),
    )
