"""Video-protection services shared by the CLI, the web application and the bilan.

The domain functions live in :mod:`gltd.cctv` (inventory, requisitions, viewing log,
relevance study); they are re-exported here so a caller needs one import. This module
adds the siting service: candidates (a file or a grid inside zones) × incidents →
maximal covering (:mod:`gltd.analysis.siting`), stored as an ``AnalysisRun``.

Every function takes the engine first and keyword-only options, and raises
:class:`~gltd.errors.GltdError` with a French message on a user mistake.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from sqlalchemy import Engine

from gltd.cctv.dates import add_years
from gltd.cctv.fov import covered_by_cameras, fov_feature_collection
from gltd.cctv.inventory import (
    CameraData,
    CameraRecord,
    NetworkSummary,
    add_camera,
    edit_camera,
    get_camera,
    list_cameras,
    network_summary,
)
from gltd.cctv.requisitions import (
    RequisitionData,
    RequisitionView,
    change_status,
    deadline_alerts,
    get_requisition,
    list_requisitions,
    register_requisition,
    set_outcome,
    yearly_stats,
)
from gltd.cctv.study import relevance_study
from gltd.cctv.study_render import write_study
from gltd.cctv.viewlog import export_viewings_csv, list_viewings, log_viewing
from gltd.errors import InputError
from gltd.geo import analysis_crs
from gltd.store.runs import record_run
from gltd.timeutil import PARIS, local_midnight

if TYPE_CHECKING:
    from gltd.ingest.pipeline import ImportOptions, ImportResult

__all__ = [
    "CameraData",
    "CameraRecord",
    "NetworkSummary",
    "RequisitionData",
    "RequisitionView",
    "add_camera",
    "edit_camera",
    "get_camera",
    "import_cameras",
    "list_cameras",
    "network_summary",
    "coverage_geojson",
    "register_requisition",
    "change_status",
    "set_outcome",
    "get_requisition",
    "list_requisitions",
    "deadline_alerts",
    "yearly_stats",
    "log_viewing",
    "list_viewings",
    "export_viewings_csv",
    "relevance_study",
    "write_study",
    "run_siting",
    "read_candidates",
    "grid_candidates",
    "siting_geojson",
    "EXACT_MAX_CANDIDATES",
]

#: Above this many candidates the exact programme is refused (use the greedy).
EXACT_MAX_CANDIDATES = 5000


def import_cameras(
    engine: Engine,
    path: str | Path,
    options: ImportOptions | None = None,
    *,
    progress: Callable[[str, int, int], None] | None = None,
) -> ImportResult:
    """Import a camera inventory file through the import pipeline (the one camera importer).

    Same as ``gltd import cameras``: :func:`gltd.ingest.pipeline.import_file` with the
    loader :mod:`gltd.ingest.cameras` (legal checks, update of stored cameras on
    re-import). ``options`` is a :class:`gltd.ingest.pipeline.ImportOptions`; returns the
    :class:`gltd.ingest.pipeline.ImportResult`.
    """
    from gltd.ingest.pipeline import import_file

    return import_file(engine, "cameras", path, options, progress=progress)


def coverage_geojson(engine: Engine, *, on: date | None = None) -> dict[str, Any]:
    """Fields of view of the cameras in service on ``on`` (today) as GeoJSON (WGS84)."""
    day = on or datetime.now(PARIS).date()
    return fov_feature_collection(list_cameras(engine, active_on=day))


def read_candidates(path: str | Path) -> tuple[np.ndarray, list[str]]:
    """Candidate points from CSV (``lat``/``lon`` or ``x``/``y`` in Lambert-93) or GeoJSON.

    Returns the ``(n, 2)`` metric coordinates and a label per point (``id`` column, or the
    row number).
    """
    from gltd.geo import to_metric

    p = Path(path)
    if not p.exists():
        raise InputError("fichier de candidats introuvable", file=str(p))
    if p.suffix.lower() in (".geojson", ".json", ".gpkg", ".shp"):
        from gltd.ingest.geofiles import read_geo_frame

        gdf = read_geo_frame(p)
        if gdf.crs is None:
            raise InputError("système de coordonnées absent", file=p.name)
        if not (gdf.geometry.geom_type == "Point").all():
            raise InputError("seuls des points sont attendus", file=p.name)
        gdf = gdf.to_crs(analysis_crs())
        labels = [str(v) for v in (gdf["id"] if "id" in gdf else range(1, len(gdf) + 1))]
        return np.column_stack([gdf.geometry.x, gdf.geometry.y]), labels
    text = p.read_text(encoding="utf-8-sig")
    first = text.splitlines()[0] if text else ""
    reader = csv.DictReader(io.StringIO(text), delimiter=";" if ";" in first else ",")
    cols = {c.strip().lower(): c for c in reader.fieldnames or []}
    pts: list[tuple[float, float]] = []
    labels = []
    for i, row in enumerate(reader, start=2):

        def num(name: str, row: dict[str, str] = row, i: int = i) -> float:
            raw = (row.get(cols[name]) or "").strip().replace(",", ".")
            try:
                return float(raw)
            except ValueError:
                raise InputError(
                    f"nombre attendu, lu « {raw} »", file=p.name, row=i, field=name
                ) from None

        if "lat" in cols and "lon" in cols:
            pts.append(to_metric(num("lon"), num("lat"), analysis_crs()))
        elif "x" in cols and "y" in cols:
            pts.append((num("x"), num("y")))
        else:
            raise InputError(
                "colonnes lat et lon (WGS84) ou x et y (Lambert-93) attendues", file=p.name
            )
        labels.append(str(row.get(cols["id"], "")).strip() if "id" in cols else str(i - 1))
    if not pts:
        raise InputError("aucun point candidat", file=p.name)
    return np.asarray(pts, dtype="float64"), labels


def grid_candidates(
    engine: Engine, spacing: float, zones: Sequence[str] | None
) -> tuple[np.ndarray, list[str]]:
    """Points of a regular grid (``spacing`` metres) inside the chosen zones (all: city)."""
    import shapely

    from gltd.store.zones import load_zones, resolve_zone_ids

    if not spacing > 0:
        raise InputError(f"pas de grille {spacing} : un nombre de mètres > 0", field="grid")
    gdf = load_zones(engine)
    if len(gdf) == 0:
        raise InputError("aucune zone enregistrée : importez les zones ou donnez --candidates")
    ids = resolve_zone_ids(engine, list(zones) if zones else None)
    if ids is not None:
        gdf = gdf[gdf["id"].isin(ids)]
    area = shapely.union_all(gdf.geometry.to_numpy())
    xmin, ymin, xmax, ymax = area.bounds
    n_est = ((xmax - xmin) / spacing) * ((ymax - ymin) / spacing)
    if n_est > 2_000_000:
        raise InputError(
            f"grille de {n_est:,.0f} points : pas de {spacing:g} m trop fin pour ces zones",
            field="grid",
        )
    gx, gy = np.meshgrid(
        np.arange(xmin + spacing / 2, xmax, spacing), np.arange(ymin + spacing / 2, ymax, spacing)
    )
    pts = np.column_stack([gx.ravel(), gy.ravel()])
    pts = pts[shapely.contains_xy(area, pts[:, 0], pts[:, 1])]
    if len(pts) == 0:
        raise InputError("aucun point de grille dans ces zones (pas trop grand ?)", field="grid")
    return pts, [f"g{i + 1}" for i in range(len(pts))]


def run_siting(
    engine: Engine,
    *,
    candidates: str | Path | None = None,
    grid: float | None = None,
    zones: Sequence[str] | None = None,
    k: int = 20,
    radius: float = 100.0,
    budget: float | None = None,
    cost: float | None = None,
    exact: bool = False,
    categories: Sequence[str] | None = None,
    weights: Mapping[str, float] | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    time_limit: float | None = None,
    store: bool = True,
    by: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Choose ``k`` new camera sites maximising the weight of incidents newly covered.

    Parameters
    ----------
    candidates : path, optional
        File of candidate points; else ``grid`` (spacing in metres) inside ``zones``.
    k, radius : number of cameras and coverage radius (metres)
    budget, cost : euros; with both, at most ``floor(budget / cost)`` cameras
    exact : also solve exactly (spopt MCLP + CBC) and report the gap
    categories, weights : incidents counted and their weight per category (1 by default)
    start, end : period of the incidents (the last twelve months by default)

    Returns
    -------
    dict
        JSON-ready: chosen sites, covered weight, optimum and gap when known, method.
    """
    from gltd.analysis.siting import candidate_coverage, site_cameras
    from gltd.geo import to_lonlat
    from gltd.store.queries import load_events

    say = progress or (lambda _m: None)
    if k < 1:
        raise InputError(f"k = {k} : au moins une caméra", field="k")
    if not radius > 0:
        raise InputError(f"rayon {radius} : un nombre de mètres > 0", field="radius")
    if (budget is None) != (cost is None):
        raise InputError("donnez à la fois --budget et --cost (coût par caméra)", field="budget")
    if cost is not None and cost <= 0:
        raise InputError("le coût par caméra doit être positif", field="cost")
    if candidates is not None:
        cand, labels = read_candidates(candidates)
        source = f"fichier {Path(candidates).name}"
    elif grid is not None:
        cand, labels = grid_candidates(engine, grid, zones)
        source = f"grille de {grid:g} m" + (f" dans {', '.join(zones)}" if zones else "")
    else:
        raise InputError("donnez --candidates FICHIER ou --grid PAS (avec --zones)")
    if exact and len(cand) > EXACT_MAX_CANDIDATES:
        raise InputError(
            f"{len(cand)} candidats : trop pour la résolution exacte (au plus "
            f"{EXACT_MAX_CANDIDATES}) ; retirez --exact (glouton) ou réduisez les candidats",
            field="exact",
        )
    today = datetime.now(PARIS).date()
    end = end or local_midnight(today + timedelta(days=1))
    start = start or local_midnight(add_years(end.astimezone(PARIS).date(), -1))
    say("Chargement des faits…")
    ev = load_events(engine, start=start, end=end, categories=categories)
    w = np.ones(ev.n)
    if weights:
        unknown = set(weights) - set(ev.category.tolist())
        w = np.array([float(weights.get(c, 1.0)) for c in ev.category.tolist()])
        if any(v < 0 for v in weights.values()):
            raise InputError("poids négatif", field="weights")
    else:
        unknown = set()
    say("Couverture existante…")
    cams = list_cameras(engine, active_on=end.astimezone(PARIS).date() - timedelta(days=1))
    existing = covered_by_cameras(ev.x, ev.y, cams)
    say(f"Couverture de {len(cand)} candidats…")
    cover = candidate_coverage(cand, ev.xy, radius=radius)
    say("Optimisation…")
    res = site_cameras(
        cover, w, k, existing_covered=existing, budget=budget, cost=cost, exact=exact,
        time_limit=time_limit,
    )  # fmt: skip
    sites = []
    for rank, (j, gain) in enumerate(zip(res.chosen.tolist(), res.gains.tolist(), strict=True), 1):
        lon, lat = to_lonlat(float(cand[j, 0]), float(cand[j, 1]), analysis_crs())
        sites.append(
            {"rank": rank, "candidate": labels[j], "index": int(j), "lat": round(lat, 6),
             "lon": round(lon, 6), "x": float(cand[j, 0]), "y": float(cand[j, 1]),
             "gain": gain}
        )  # fmt: skip
    out: dict[str, Any] = {
        "kind": "implantation",
        "generated_at": datetime.now(UTC).isoformat(),
        "sites": sites,
        "covered_weight": res.covered_weight,
        "available_weight": res.available_weight,
        "existing_weight": res.existing_weight,
        "covered_share": res.covered_weight / res.available_weight
        if res.available_weight
        else None,
        "k": res.k,
        "solution": res.method,
        "greedy_weight": res.greedy_weight,
        "optimum": res.optimum,
        "gap": res.gap,
        "cost_eur": None if cost is None else cost * len(sites),
        "params": {
            "candidates": source, "n_candidates": int(len(cand)), "n_incidents": int(ev.n),
            "radius_m": radius, "k_requested": k, "budget_eur": budget, "cost_eur": cost,
            "categories": list(categories) if categories else "toutes",
            "weights": dict(weights) if weights else "1 par fait",
            "unknown_weight_categories": sorted(unknown),
            "period": [start.isoformat(), end.isoformat()],
            "existing_cameras": len(cams),
        },
        "method": res.params,
    }  # fmt: skip
    if store:
        out["run_id"] = record_run(
            engine, kind="siting", created_by=by, params=out["params"], result=out
        )
    return out


def siting_geojson(result: Mapping[str, Any]) -> dict[str, Any]:
    """The chosen sites as a GeoJSON FeatureCollection (WGS84 points)."""
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [s["lon"], s["lat"]]},
                "properties": {k: v for k, v in s.items() if k not in ("lat", "lon", "x", "y")},
            }
            for s in result["sites"]
        ],
        "properties": {k: result[k] for k in ("covered_weight", "optimum", "gap", "k", "solution")},
    }
