"""Siting new cameras: candidates (a file or a grid inside zones) × incidents → maximal
covering (:mod:`gltd.analysis.siting`), stored as an ``AnalysisRun(kind="siting")``.

The function takes the engine first and keyword-only options, and raises
:class:`~gltd.errors.InputError` with a French message on a user mistake.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import Engine

from gltd.cctv.dates import add_years
from gltd.cctv.fov import covered_by_cameras
from gltd.cctv.inventory import list_cameras
from gltd.cctv.siting.candidates import grid_candidates, read_candidates
from gltd.errors import InputError
from gltd.geo import analysis_crs
from gltd.store.runs import record_run
from gltd.timeutil import PARIS, local_midnight

__all__ = ["run_siting", "siting_geojson", "EXACT_MAX_CANDIDATES"]

#: Above this many candidates the exact programme is refused (use the greedy).
EXACT_MAX_CANDIDATES = 5000


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
        raise InputError("donnez à la fois le budget et le coût par caméra", field="budget")
    if cost is not None and cost <= 0:
        raise InputError("le coût par caméra doit être positif", field="cost")
    if candidates is not None:
        cand, labels = read_candidates(candidates)
        source = f"fichier {Path(candidates).name}"
    elif grid is not None:
        cand, labels = grid_candidates(engine, grid, zones)
        source = f"grille de {grid:g} m" + (f" dans {', '.join(zones)}" if zones else "")
    else:
        raise InputError(
            "donnez un fichier de points candidats ou le pas d'une grille de candidats",
            field="candidates",
        )
    if exact and len(cand) > EXACT_MAX_CANDIDATES:
        raise InputError(
            f"{len(cand)} candidats : trop pour la résolution exacte (au plus "
            f"{EXACT_MAX_CANDIDATES}) ; renoncez à la résolution exacte (glouton) ou réduisez "
            "les candidats",
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
