"""Hotspot cartography on the database or on a file of points.

- :func:`read_points_file`: a minimal reader for a CSV (x/y in metres, or lon/lat) or a
  GeoJSON of points (full importers live in :mod:`gltd.ingest`).
- :func:`run_hotspots`: one method (``kde``, ``gistar``, ``lisa``, ``emerging``,
  ``compare``) on an EventSet → :class:`HotspotOutput` (JSON payload with its ``method``
  block and every cell, a vector layer, a raster, map layers).
- :func:`run_hotspots_db`: the same on the store, stored as ``AnalysisRun(kind="hotspots")``;
  with ``units="zones"``, Gi* / LISA on the stored zones or a polygon file
  (:mod:`gltd.services.hotspots_zones`).
- :func:`hotspot_map_data`: what the bilan and the web map need (Gi* cells as GeoJSON
  features in WGS84, the KDE raster, cells that appeared / vanished).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from gltd.analysis.emerging import CATEGORY_LABELS_FR, emerging_hotspots_grid
from gltd.analysis.events import ANALYSIS_CRS, EventSet
from gltd.analysis.gistar import CLASS_LABELS_FR, gi_star_grid
from gltd.analysis.grid import Grid, check_projected_xy, grid_counts
from gltd.analysis.kde import kde_events
from gltd.analysis.lisa import QUADRANT_LABELS_FR, local_moran
from gltd.analysis.movement import movement
from gltd.analysis.spacetime_cube import make_cube
from gltd.analysis.weights import WeightsSpec, build_weights, parse_weights
from gltd.errors import InputError
from gltd.mapping.render import MapLayers
from gltd.services.hotspots_zones import ZONES_NO_TIF, check_units, run_zones_db
from gltd.timeutil import Period

__all__ = [
    "METHODS",
    "HotspotOutput",
    "read_points_file",
    "resolve_categories",
    "run_hotspots",
    "run_hotspots_db",
    "hotspot_map_data",
    "write_hotspot_output",
    "FORMATS",
]

METHODS = ("kde", "gistar", "lisa", "emerging", "compare")
FORMATS = ("geojson", "gpkg", "json", "png", "tif")
_X = ("x", "x_l93", "x_lambert93", "coord_x")
_Y = ("y", "y_l93", "y_lambert93", "coord_y")
_LON = ("lon", "lng", "longitude", "long")
_LAT = ("lat", "latitude")
_T = ("t", "date", "occurred_at", "datetime", "date_heure", "date_faits", "horodatage")
_CAT = ("category", "categorie", "catégorie", "nature", "type")


@dataclass
class HotspotOutput:
    """Result of one run, ready to be written in any format."""

    method: str
    payload: dict[str, Any]
    grid: Grid
    frame: Any  # GeoDataFrame of cells (analysis CRS)
    raster: np.ndarray
    raster_label: str
    layers: MapLayers
    extra: dict[str, Any] = field(default_factory=dict)
    #: ``"grid"`` (cells, ``payload["cells"]``) or ``"zones"`` (polygons,
    #: ``payload["zones"]``; ``grid`` is then one cell framing the zones, no raster).
    units: str = "grid"


# --- input ----------------------------------------------------------------------------


def _pick(columns: Any, names: Sequence[str]) -> str | None:
    low = {c.lower().strip(): c for c in columns}
    return next((low[n] for n in names if n in low), None)


def read_points_file(path: str | Path) -> EventSet:
    """Read points from a CSV (``x``/``y`` metres in Lambert-93, or ``lon``/``lat``) or a
    GeoJSON / GeoPackage of points; lon/lat and geographic layers are projected to
    Lambert-93. Optional columns: a date (``date``, ``t``, ``occurred_at``…) and a
    category (``category``, ``categorie``, ``nature``)."""
    p = Path(path)
    if not p.exists():
        raise InputError("fichier introuvable", file=str(p))
    xcol: str | None
    ycol: str | None
    suffix = p.suffix.lower()
    if suffix in (".geojson", ".json", ".gpkg", ".shp"):
        import geopandas as gpd

        try:
            gdf = gpd.read_file(p)
        except Exception as exc:  # noqa: BLE001 - any reader error is a bad file
            raise InputError(f"fichier géographique illisible ({exc})", file=str(p)) from exc
        if len(gdf) and not (gdf.geometry.geom_type == "Point").all():
            raise InputError("seuls des points sont acceptés (géométries Point)", file=str(p))
        if gdf.crs is None:
            raise InputError("système de coordonnées absent du fichier", file=str(p))
        gdf = gdf.to_crs(ANALYSIS_CRS)
        frame = pd.DataFrame(gdf.drop(columns="geometry"))
        frame["__x"], frame["__y"] = gdf.geometry.x.to_numpy(), gdf.geometry.y.to_numpy()
        xcol, ycol = "__x", "__y"
    elif suffix in (".csv", ".txt", ".tsv"):
        try:
            frame = pd.read_csv(p, sep=None, engine="python", encoding="utf-8-sig")
        except Exception as exc:  # noqa: BLE001
            raise InputError(f"CSV illisible ({exc})", file=str(p)) from exc
        lon, lat = _pick(frame.columns, _LON), _pick(frame.columns, _LAT)
        xcol, ycol = _pick(frame.columns, _X), _pick(frame.columns, _Y)
        if lon and lat:
            from pyproj import Transformer

            lo = _numeric(frame, lon, p)
            la = _numeric(frame, lat, p)
            bad = np.flatnonzero((np.abs(lo) > 180) | (np.abs(la) > 90))
            if bad.size:
                raise InputError(
                    "longitude/latitude hors bornes", file=str(p), row=int(bad[0]) + 2, field=lon
                )
            tr = Transformer.from_crs("EPSG:4326", ANALYSIS_CRS, always_xy=True)
            frame["__x"], frame["__y"] = tr.transform(lo, la)
            xcol, ycol = "__x", "__y"
        elif not (xcol and ycol):
            raise InputError(
                "colonnes de coordonnées introuvables (attendu x et y en mètres Lambert-93, "
                f"ou lon et lat en degrés) ; colonnes lues : {', '.join(map(str, frame.columns))}",
                file=str(p),
            )
    else:
        raise InputError("format non reconnu (attendu .csv, .geojson, .gpkg ou .shp)", file=str(p))
    assert xcol is not None and ycol is not None
    x = _numeric(frame, xcol, p)
    y = _numeric(frame, ycol, p)
    tcol = _pick(frame.columns, _T)
    t = None
    if tcol:
        raw = frame[tcol].astype(str).str.strip()
        parsed = pd.to_datetime(raw, errors="coerce", format="ISO8601")
        if parsed.isna().any():
            parsed = pd.to_datetime(raw, errors="coerce", format="mixed", dayfirst=True)
        if parsed.isna().any():
            row = int(np.flatnonzero(parsed.isna().to_numpy())[0]) + 2
            raise InputError("date illisible", file=str(p), row=row, field=tcol)
        if parsed.dt.tz is None:
            parsed = parsed.dt.tz_localize("Europe/Paris", ambiguous="NaT", nonexistent="NaT")
        t = parsed
    ccol = _pick(frame.columns, _CAT)
    cats = None
    if ccol:
        from gltd.taxonomy import get_taxonomy

        tax = get_taxonomy()
        cats = [tax.resolve(str(v)) or str(v) for v in frame[ccol]]
    try:
        check_projected_xy(x, y)
    except InputError as exc:
        raise InputError(
            f"{exc} ; pour des degrés, nommez les colonnes lon et lat", file=str(p)
        ) from None
    return EventSet.from_arrays(x, y, t, cats)


def _numeric(frame: pd.DataFrame, col: str, p: Path) -> np.ndarray:
    vals = pd.to_numeric(frame[col].astype(str).str.replace(",", "."), errors="coerce")
    bad = np.flatnonzero(vals.isna().to_numpy())
    if bad.size:
        raise InputError("nombre attendu", file=str(p), row=int(bad[0]) + 2, field=str(col))
    return vals.to_numpy(dtype="float64")


def resolve_categories(categories: Sequence[str] | None) -> list[str]:
    """Category codes from codes or labels (``stupefiants`` = every drug category)."""
    from gltd.taxonomy import get_taxonomy

    tax = get_taxonomy()
    out: list[str] = []
    for c in categories or []:
        for part in str(c).split(","):
            part = part.strip()
            if not part:
                continue
            if part.lower() in ("stupefiants", "stupéfiants", "stups", "drogues"):
                out.extend(tax.drug_codes)
                continue
            code = tax.resolve(part)
            if code is None:
                known = ", ".join(cat.code for cat in tax.categories)
                raise InputError(f"catégorie inconnue : « {part} » (codes connus : {known})")
            out.append(code)
    return list(dict.fromkeys(out))


def _select(events: EventSet, period: Period | None, categories: Sequence[str]) -> EventSet:
    ev = events.of_categories(categories)
    if period is not None:
        ev = ev.between(period.start, period.end)
    return ev


def _check_events(ev: EventSet, what: str, method: str) -> None:
    if ev.n == 0:
        raise InputError(
            f"aucun fait {what} : rien à cartographier (vérifiez période et catégories)"
        )
    check_projected_xy(ev.x, ev.y, ev.crs)
    if ev.n == 1:
        raise InputError(
            f"un seul fait {what} : une carte de concentration n'a pas de sens "
            "(élargissez la période ou les catégories)"
        )


def _check_spread(counts: np.ndarray, cell: float, n: int, what: str) -> None:
    if int((counts > 0).sum()) <= 1:
        raise InputError(
            f"les {n} faits {what} tombent tous dans une seule cellule de {cell:g} m : "
            "aucune comparaison entre lieux n'est possible ; réduisez --cell ou "
            "utilisez --method kde"
        )


# --- run ------------------------------------------------------------------------------


def _clean(v: Any) -> Any:
    if isinstance(v, float | np.floating):
        return float(v) if np.isfinite(v) else None
    if isinstance(v, np.integer):
        return int(v)
    return v


def _cells(grid: Grid, columns: dict[str, np.ndarray]) -> list[dict[str, Any]]:
    xy = grid.centres_flat()
    ids = np.arange(grid.n_cells)
    cols = {k: np.asarray(v).ravel().tolist() for k, v in columns.items()}
    return [
        {"id": int(i), "x": float(xy[i, 0]), "y": float(xy[i, 1])}
        | {k: _clean(cols[k][i]) for k in cols}
        for i in ids
    ]


def _period_label(p: Period | None) -> str:
    return p.label() if p is not None else "toute la période du fichier"


def _period_dict(p: Period | None) -> dict[str, Any] | None:
    if p is None:
        return None
    return {"start": p.start.isoformat(), "end": p.end.isoformat(), "label": p.label()}


def run_hotspots(
    events: EventSet,
    *,
    method: str,
    cell: float = 250.0,
    bandwidth: float | None = None,
    weights: str | None = None,
    step: str = "week",
    period: Period | None = None,
    compare_to: Period | None = None,
    categories: Sequence[str] | None = None,
    zones: Any = None,
    source: str = "",
    permutations: int = 999,
    seed: int = 0,
    progress: Callable[[str], None] | None = None,
) -> HotspotOutput:
    """Run one hotspot method on events (already in the analysis CRS).

    ``period`` selects the events studied; ``compare_to`` the reference period of
    ``method="compare"`` (default: the period of equal length just before). Weights
    default to a distance band of two cells (500 m for 250 m cells).
    """
    if method not in METHODS:
        raise InputError(f"méthode inconnue : « {method} » (attendu {', '.join(METHODS)})")
    cats = list(categories or [])
    say = progress or (lambda _msg: None)
    spec: WeightsSpec = parse_weights(weights) if weights else WeightsSpec("distance", 2 * cell)
    ev = _select(events, period, cats)
    what = f"sur la période {_period_label(period)}" + (f" ({', '.join(cats)})" if cats else "")
    _check_events(ev, what, method)
    base_method: dict[str, Any] = {
        "name": method,
        "crs": ev.crs,
        "cell_m": cell,
        "period": _period_dict(period),
        "categories": cats or "toutes",
        "source": source,
        "n": ev.n,
    }
    summary: dict[str, Any]
    caption_src = f"Source : {source}. " if source else ""
    say("calcul")
    if method == "kde":
        r = kde_events(ev, cell, bandwidth)
        gc = grid_counts(ev, cell, grid=r.grid)
        grid, raster = r.grid, r.density
        cols = {"count": gc.counts, "statistic": r.density, "p_value": np.full(grid.shape, np.nan)}
        cols["class"] = np.full(grid.shape, None, dtype=object)
        mblock = {**base_method, **r.method, "bandwidth_m": r.bandwidth}
        layers = MapLayers(grid, "Densité des faits (noyau gaussien)", "", surface=r.density)
        summary = {"max_density_km2": float(r.density.max())}
        label = "densité (faits par km²)"
    elif method in ("gistar", "lisa"):
        gc = grid_counts(ev, cell)
        grid = gc.grid
        _check_spread(gc.counts, cell, ev.n, what)
        if method == "gistar":
            if spec.kind == "distance":
                g = gi_star_grid(gc.counts, cell, distance=spec.value)
            else:
                g = gi_star_grid(gc.counts, cell, k=int(spec.value))
            cls = g.hot_cold_class
            cols = {"count": gc.counts, "statistic": g.z, "p_value": g.p_fdr, "class": cls}
            cols["p_raw"] = g.p
            mblock = {**base_method, **g.method, "weights": spec.describe()}
            layers = MapLayers(grid, "Points chauds et froids (Getis-Ord Gi*)", "", classes=cls)
            summary = {
                "n_hot": g.n_hot,
                "n_cold": g.n_cold,
                "by_class": {CLASS_LABELS_FR[k]: int((cls == k).sum()) for k in range(-3, 4)},
            }
            raster, label = g.z, "z Gi*"
        else:
            w = build_weights(grid.centres_flat(), spec)
            lr = local_moran(gc.flat(), w, permutations=permutations, seed=seed)
            cluster = lr.cluster.reshape(grid.shape)
            cols = {
                "count": gc.counts,
                "statistic": lr.local_i.reshape(grid.shape),
                "p_value": lr.p_sim.reshape(grid.shape),
                "class": cluster,
            }
            mblock = {**base_method, **lr.method, "weights": spec.describe()}
            # Draw HH as hot 95 %, LL as cold 95 %, outliers at 90 %.
            draw = np.select(
                [cluster == 1, cluster == 3, cluster == 4, cluster == 2], [2, -2, 1, -1], 0
            )
            layers = MapLayers(grid, "Concentrations locales (I de Moran local)", "", classes=draw)
            summary = {QUADRANT_LABELS_FR[k]: int((cluster == k).sum()) for k in range(5)}
            raster, label = lr.local_i.reshape(grid.shape), "I de Moran local"
    elif method == "emerging":
        start = period.start if period else None
        end = period.end if period else None
        cube = make_cube(ev, cell, step, start=start, end=end)
        grid = cube.grid
        _check_spread(cube.counts.sum(axis=0), cell, ev.n, what)
        if spec.kind != "distance":
            raise InputError("l'analyse émergente utilise une bande de distance (distance:M)")
        er = emerging_hotspots_grid(cube.counts, cell, spec.value)
        cat = er.category.reshape(grid.shape)
        cols = {
            "count": cube.counts.sum(axis=0),
            "statistic": er.trend_z.reshape(grid.shape),
            "p_value": er.trend_p.reshape(grid.shape),
            "class": cat,
            "n_hot_steps": er.hot.sum(axis=0).reshape(grid.shape),
            "n_cold_steps": er.cold.sum(axis=0).reshape(grid.shape),
        }
        mblock = {
            **base_method,
            **er.method,
            "weights": spec.describe(),
            "step": step,
            "steps": cube.step_labels(),
            "n_excluded": cube.n_excluded,
        }
        layers = MapLayers(
            grid,
            "Points chauds émergents",
            "",
            categories=cat,
            category_labels=CATEGORY_LABELS_FR,
        )
        summary = {CATEGORY_LABELS_FR[k]: v for k, v in er.counts_by_category().items()}
        raster, label = er.trend_z.reshape(grid.shape), "z de tendance Mann-Kendall"
    ref: Period | None = None
    if method == "compare":
        ref = compare_to or (period.previous() if period is not None else None)
        if ref is None:
            raise InputError("comparaison : indiquez --period et --compare-to (DEBUT..FIN)")
        before = _select(events, ref, cats)
        _check_events(before, f"sur la période de référence {ref.label()}", method)
        dist = spec.value if spec.kind == "distance" else None
        k = int(spec.value) if spec.kind == "knn" else None
        zone_ids = [int(z) for z in zones["id"]] if zones is not None and len(zones) else None
        for e, lab in ((before, f"de référence {ref.label()}"), (ev, what)):
            _check_spread(grid_counts(e, cell).counts, cell, e.n, lab)
        mv = movement(before, ev, cell, distance=dist, k=k, zone_ids=zone_ids, seed=seed)
        grid = mv.grid
        status = mv.change.status
        cols = {
            "count": mv.counts_after,
            "count_before": mv.counts_before,
            "statistic": mv.gi_after.z,
            "p_value": mv.gi_after.p_fdr,
            "class": status,
            "class_before": mv.gi_before.hot_cold_class,
            "class_after": mv.gi_after.hot_cold_class,
            "sppt_similar": mv.sppt_cells.similar.reshape(grid.shape),
        }
        names = dict(zip(zones["id"], zones["name"], strict=True)) if zone_ids else {}
        shifts = [s.as_dict() | {"zone": names.get(s.zone_id, "ensemble")} for s in mv.shifts]
        mblock = {
            **base_method,
            **mv.method,
            "compare_to": _period_dict(ref),
            "weights": spec.describe(),
        }
        summary = {
            "appeared": mv.change.n_appeared,
            "vanished": mv.change.n_vanished,
            "persisted": mv.change.n_persisted,
            "centre_shifts": shifts,
            "sppt": {
                "cells": mv.sppt_cells.as_dict(),
                "zones": mv.sppt_zones.as_dict() if mv.sppt_zones is not None else None,
                "zone_cell_s_index": {
                    names.get(z, str(z)): v for z, v in mv.zone_cell_s_index.items()
                },
            },
        }
        layers = MapLayers(grid, "Points chauds apparus, disparus, persistants", "", change=status)
        raster, label = mv.gi_after.z - mv.gi_before.z, "différence des z Gi*"
    say("mise en forme")
    mblock["n_locations"] = grid.n_cells
    mblock["n"] = ev.n
    layers.zones = zones
    bw = mblock.get("bandwidth_m")
    rule = "règle de Silverman" if bandwidth is None else "donnée"
    wdesc = spec.label() if method != "kde" else f"largeur de bande {bw:.0f} m ({rule})"
    layers.caption = (
        f"Période : {_period_label(period)}"
        + (f" ; référence : {ref.label()}" if ref is not None else "")
        + f". {caption_src}Méthode : {method}, cellules de {cell:g} m, {wdesc}"
        + (
            ", correction FDR (Benjamini-Hochberg)"
            if method in ("gistar", "emerging", "compare")
            else ""
        )
        + f". n = {ev.n} faits. Lambert-93 (EPSG:2154)."
    )
    from gltd.mapping.vector import cells_frame

    attrs = {k: [_clean(v) for v in np.asarray(c).ravel().tolist()] for k, c in cols.items()}
    attrs = {k: v for k, v in attrs.items() if any(a is not None for a in v)}
    frame = cells_frame(grid, grid.cell_ids().ravel(), attrs)
    payload = {
        "method": {**mblock, "grid": grid.describe()},
        "summary": summary,
        "cells": _cells(grid, cols),
    }
    return HotspotOutput(method, payload, grid, frame, np.asarray(raster, float), label, layers)


def run_hotspots_db(
    engine: Engine,
    *,
    method: str,
    period: Period | None = None,
    categories: Sequence[str] | None = None,
    store: bool = True,
    units: str = "grid",
    zone_kind: str | None = None,
    zones_file: str | Path | None = None,
    rate: str = "none",
    **kwargs: Any,
) -> HotspotOutput:
    """Run :func:`run_hotspots` on the store's incidents and zones; store the run.

    With ``units="zones"``, run :func:`~gltd.services.hotspots_zones.run_hotspots_zones`
    on the stored zones (of kind ``zone_kind`` when given) or on the polygons of
    ``zones_file``; ``rate="area"`` analyses counts per km².
    """
    from gltd.model import AnalysisRun
    from gltd.store.engine import session_scope
    from gltd.store.queries import load_events, load_zones

    check_units(units, zone_kind=zone_kind, zones_file=zones_file, rate=rate)
    cats = resolve_categories(categories)
    source = kwargs.pop("source", "base gltd (faits enregistrés)")
    out: HotspotOutput
    if units == "zones":
        out = run_zones_db(
            engine,
            method=method,
            period=period,
            categories=cats,
            zone_kind=zone_kind,
            zones_file=zones_file,
            rate=rate,
            source=source,
            **kwargs,
        )
    else:
        events = load_events(engine, categories=cats or None)
        zones = load_zones(engine)
        out = run_hotspots(
            events,
            method=method,
            period=period,
            categories=cats,
            zones=zones if len(zones) else None,
            source=source,
            **kwargs,
        )
    if store:
        params = {k: v for k, v in out.payload["method"].items() if k != "grid"}
        with session_scope(engine) as s:
            run = AnalysisRun(
                kind="hotspots",
                category=cats[0] if len(cats) == 1 else None,
                params_json=json.dumps(params, ensure_ascii=False, default=str),
                result_json=json.dumps(out.payload["summary"], ensure_ascii=False, default=str),
            )
            s.add(run)
            s.flush()
            out.extra["run_id"] = int(run.id)
    return out


def hotspot_map_data(
    engine: Engine,
    period: Period,
    categories: Sequence[str] | None,
    cell: float = 250.0,
    *,
    weights: str | None = None,
    bandwidth: float | None = None,
    compare_to: Period | None = None,
) -> dict[str, Any]:
    """Data for the bilan and the web map (all geometry in WGS84).

    Returns a dict with ``cells`` (GeoJSON FeatureCollection of the cells holding events
    or significant, with ``count``, ``z``, ``p_fdr``, ``class``, ``label``), ``kde``
    (``values`` north-up rows in faits/km², ``bounds_wgs84``, ``bounds_l93``, ``cell``,
    ``bandwidth_m``), ``comparison`` (``appeared``/``vanished``/``persisted`` cell
    features and counts, or None without ``compare_to``) and the ``method`` blocks.
    Raises :class:`~gltd.errors.InputError` with the reason when a part cannot be made.
    """
    gi = run_hotspots_db(
        engine,
        method="gistar",
        period=period,
        categories=categories,
        cell=cell,
        weights=weights,
        store=False,
    )
    kd = run_hotspots_db(
        engine,
        method="kde",
        period=period,
        categories=categories,
        cell=cell,
        bandwidth=bandwidth,
        store=False,
    )
    f = gi.frame
    keep = (np.asarray(f["count"]) > 0) | (np.asarray(f["class"]) != 0)
    cells = f[keep].copy()
    cells["label"] = [CLASS_LABELS_FR[int(c)] for c in cells["class"]]
    cells = cells.rename(columns={"statistic": "z", "p_value": "p_fdr"})
    g = kd.grid
    from pyproj import Transformer

    tr = Transformer.from_crs(g.crs, "EPSG:4326", always_xy=True)
    x0, y0, x1, y1 = g.bounds
    lo0, la0 = tr.transform(x0, y0)
    lo1, la1 = tr.transform(x1, y1)
    data: dict[str, Any] = {
        "cells": json.loads(cells.to_crs("EPSG:4326").to_json(drop_id=True)),
        "gistar_method": gi.payload["method"],
        "gistar_summary": gi.payload["summary"],
        "kde": {
            "values": np.flipud(kd.raster).round(4).tolist(),
            "bounds_l93": [x0, y0, x1, y1],
            "bounds_wgs84": [lo0, la0, lo1, la1],
            "cell": g.cell,
            "bandwidth_m": kd.payload["method"]["bandwidth_m"],
            "unit": "faits par km²",
        },
        "kde_method": kd.payload["method"],
        "comparison": None,
    }
    if compare_to is not None:
        cp = run_hotspots_db(
            engine,
            method="compare",
            period=period,
            categories=categories,
            cell=cell,
            weights=weights,
            compare_to=compare_to,
            store=False,
        )
        cf = cp.frame.to_crs("EPSG:4326")
        data["comparison"] = {
            k: json.loads(cf[cf["class"] == k].to_json(drop_id=True))
            for k in ("apparu", "disparu", "persistant")
        } | {
            "summary": cp.payload["summary"],
            "method": cp.payload["method"],
        }
    return data


def write_hotspot_output(out: HotspotOutput, fmt: str, path: str | Path) -> Path:
    """Write a run as ``geojson``, ``gpkg``, ``json``, ``png`` or ``tif`` (whole or nothing)."""
    from gltd.mapping import render_png, write_geotiff, write_vector
    from gltd.mapping._atomic import atomic_path

    path = Path(path)
    if fmt not in FORMATS:
        raise InputError(f"format inconnu : « {fmt} » (attendu {', '.join(FORMATS)})")
    if out.units == "zones" and fmt == "tif":
        raise InputError(ZONES_NO_TIF)
    if fmt in ("geojson", "gpkg"):
        return write_vector(out.frame, path, fmt, layer=f"hotspots_{out.method}")
    if fmt == "tif":
        return write_geotiff(out.grid, out.raster, path, description=out.raster_label)
    if fmt == "png":
        return render_png(out.layers, path)
    with atomic_path(path) as tmp:
        tmp.write_text(
            json.dumps(out.payload, ensure_ascii=False, indent=1, default=str), encoding="utf-8"
        )
    return path
