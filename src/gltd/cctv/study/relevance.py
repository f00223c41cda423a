"""Run a relevance study: gather the data, rank the site, conclude, store the result."""

from __future__ import annotations

import json
import math
from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from gltd.analysis.trends import SMALL_NUMBERS, mann_kendall, poisson_rate_test
from gltd.cctv.dates import add_months, add_years
from gltd.cctv.study.data import city_probes, load_city, make_site, percentile_rank
from gltd.cctv.study.rule import CONCLUSION_RULE, EVIDENCE, conclude
from gltd.cctv.study.surroundings import (
    existing_coverage,
    hotspot_status,
    nearby_requisitions,
    past_interventions,
)
from gltd.model import RelevanceStudy
from gltd.taxonomy import get_taxonomy
from gltd.timeutil import PARIS, local_midnight

__all__ = ["relevance_study", "PLAN_SPAN", "PLAN_POINTS_MAX"]

#: The site's plan (in the PDF) shows this many radii around its centre.
PLAN_SPAN = 1.6
#: At most this many facts drawn on the plan (every k-th beyond, and the plan says so).
PLAN_POINTS_MAX = 5000


def _plan_points(x0: float, y0: float, half: float, ev: Any, in_site: np.ndarray) -> dict[str, Any]:
    """The facts of the three years on the site's plan (a square of ``2 × half`` metres)."""
    on = (np.abs(ev.x - x0) <= half) & (np.abs(ev.y - y0) <= half)
    idx = np.flatnonzero(on)
    n = len(idx)
    if n > PLAN_POINTS_MAX:
        idx = idx[:: -(-n // PLAN_POINTS_MAX)]
    return {
        "half_width_m": half,
        "n": int(n),
        "shown": len(idx),
        "x": [round(float(v), 1) for v in ev.x[idx]],
        "y": [round(float(v), 1) for v in ev.y[idx]],
        "in_site": [bool(v) for v in in_site[idx]],
    }


def relevance_study(
    engine: Engine,
    *,
    lat: float | None = None,
    lon: float | None = None,
    radius: float = 100.0,
    heading: float | None = None,
    field_angle: float = 360.0,
    request_id: int | None = None,
    as_of: date | None = None,
    categories: list[str] | None = None,
    store: bool = True,
    by: str | None = None,
) -> dict[str, Any]:
    """Run a relevance study and (by default) store it as a :class:`RelevanceStudy`.

    Parameters
    ----------
    lat, lon, radius : site as a point and a radius (metres)…
    heading, field_angle : …optionally a field of view (heading from north, opening)
    request_id : a recorded :class:`CameraRequest` instead of a point
    as_of : date
        The study covers the three years before this day (today by default).
    categories : codes, optional
        Categories studied (all by default).

    Returns
    -------
    dict
        The study, JSON-ready (also stored in ``RelevanceStudy.result_json``).
    """
    site = make_site(
        engine, lat=lat, lon=lon, radius=radius, heading=heading, field_angle=field_angle,
        request_id=request_id,
    )  # fmt: skip
    day = as_of or datetime.now(PARIS).date()
    end = local_midnight(day)
    bounds_days = [add_years(day, -k) for k in (3, 2, 1, 0)]
    starts = [local_midnight(d) for d in bounds_days]
    # Facts near the site and on its plan (with times and categories), the city's x, y only.
    pad = site.radius_m * PLAN_SPAN + 1.0
    bbox = (site.x - pad, site.y - pad, site.x + pad, site.y + pad)
    from types import SimpleNamespace

    cx, cy, last_year, ev = load_city(engine, starts[0], starts[2], end, categories, bbox)
    city = SimpleNamespace(x=cx, y=cy)
    tax = get_taxonomy()
    in_site = site.contains(ev.x, ev.y)
    t64 = [np.datetime64(s.astimezone(UTC).replace(tzinfo=None), "ns") for s in starts]
    year_idx = np.searchsorted(np.asarray(t64[1:3]), ev.t, side="right")
    site_cat = ev.category[in_site]
    site_year = year_idx[in_site]
    cats = sorted(set(site_cat.tolist()))
    by_cat = []
    for c in cats:
        m = site_cat == c
        counts = [int((m & (site_year == k)).sum()) for k in range(3)]
        by_cat.append({"code": c, "label": tax.label(c), "counts": counts, "total": sum(counts)})
    by_cat.sort(key=lambda r: (-r["total"], r["code"]))
    totals = [int((site_year == k).sum()) for k in range(3)]
    n3 = int(sum(totals))
    periods = [
        {"start": bounds_days[k].isoformat(), "end": (bounds_days[k + 1] - timedelta(days=1)).isoformat()}
        for k in range(3)
    ]  # fmt: skip
    # Trend: last year vs the previous one, last year vs the two before, monthly MK.
    last_vs_prev = poisson_rate_test(totals[2], totals[1])
    last_vs_two = poisson_rate_test(totals[2], totals[0] + totals[1], 1.0, 2.0)
    months = []
    for k in range(36):
        d0 = add_months(bounds_days[0], k)
        months.append(np.datetime64(local_midnight(d0).astimezone(UTC).replace(tzinfo=None), "ns"))
    m_idx = np.searchsorted(np.asarray(months), ev.t[in_site], side="right") - 1
    monthly = np.bincount(m_idx[m_idx >= 0], minlength=36)[:36]
    mk = mann_kendall(monthly)
    # Rank in the city: counts in discs of the same radius on a regular grid of probes.
    from scipy.spatial import cKDTree

    probes = city_probes(engine, max(site.radius_m, 50.0), city)
    disc_site = int((np.hypot(ev.x - site.x, ev.y - site.y) <= site.radius_m).sum())
    if len(cx) and len(probes):
        tree = cKDTree(np.column_stack([cx, cy]))
        probe_counts = np.asarray(
            tree.query_ball_point(probes, r=site.radius_m, return_length=True)
        )
    else:
        probe_counts = np.zeros(len(probes), dtype=int)
    pct = percentile_rank(probe_counts, disc_site)
    pct_value = None if math.isnan(pct) else round(pct, 1)
    rank = {
        "percentile": pct_value,
        "site_count_disc": disc_site,
        "n_probes": int(len(probes)),
        "city_median": float(np.median(probe_counts)) if len(probes) else None,
        "city_p90": float(np.percentile(probe_counts, 90)) if len(probes) else None,
        "method": "faits des trois ans dans un disque de même rayon, centré sur chaque point "
        f"d'une grille régulière (pas = rayon, au moins 50 m : {max(site.radius_m, 50.0):g} m) "
        "couvrant la commune ; percentile à rang moyen",
    }
    hot = hotspot_status(engine, cx[last_year], cy[last_year], site)
    coverage = existing_coverage(engine, site, day, ev, in_site)
    reqs = nearby_requisitions(engine, site, starts[0], end)
    displacement = {
        "nearby_hot_cells": hot.get("hot_cells_within_500m") if hot.get("available") else None,
        "nearest_hot_cell_m": hot.get("nearest_hot_cell_m"),
        "past_interventions": past_interventions(engine, site, end),
        "evidence": "Piza et al. 2019 : déport dans 6 études sur 50, diffusion dans 15 ; "
        "Guerette & Bowers 2009 : déport dans 26 % des observations, diffusion dans 27 %",
    }
    plan = _plan_points(site.x, site.y, site.radius_m * PLAN_SPAN, ev, in_site)
    conclusion = conclude(n3, pct_value, hot, coverage["area_share"], last_vs_prev, displacement)
    result: dict[str, Any] = {
        "kind": "etude_pertinence",
        "generated_at": datetime.now(UTC).isoformat(),
        "as_of": day.isoformat(),
        "site": {
            "lat": site.lat, "lon": site.lon, "x": site.x, "y": site.y,
            "radius_m": site.radius_m, "heading_deg": site.heading_deg if site.is_sector else None,
            "field_angle_deg": site.field_angle_deg if site.is_sector else 360.0,
            "camera_request_id": site.camera_request_id, "label": site.label,
            "area_m2": float(site.polygon().area),
        },
        "periods": periods,
        "categories_studied": categories or "toutes",
        "incidents": {"by_category": by_cat, "totals": totals, "total": n3,
                      "monthly": monthly.astype(int).tolist(),
                      "months_start": bounds_days[0].isoformat()},
        "trend": {"last_vs_previous": last_vs_prev.as_dict(),
                  "last_vs_two_before": last_vs_two.as_dict(),
                  "monthly_mann_kendall": {"s": mk.s, "z": mk.z, "p_value": mk.p_value,
                                           "trend": mk.trend, "n": mk.n}},
        "plan": plan,
        "rank": rank,
        "hotspot": hot,
        "coverage": coverage,
        "requisitions": reqs,
        "displacement": displacement,
        "evidence": list(EVIDENCE),
        "conclusion": conclusion,
        "method": {
            "period": "trois années glissantes avant la date de l'étude, demi-ouvertes",
            "site": "secteur de vue exact (distance ≤ portée, écart angulaire ≤ angle/2)"
            if site.is_sector else "disque du rayon donné",
            "trend": "test exact de Poisson (gltd.analysis.trends) et Mann-Kendall mensuel",
            "source": "faits géolocalisés de la base gltd",
            "small_numbers_threshold": SMALL_NUMBERS,
            "conclusion_rule": CONCLUSION_RULE,
        },
    }  # fmt: skip
    if store:
        with Session(engine) as s, s.begin():
            row = RelevanceStudy(
                camera_request_id=site.camera_request_id, lon=site.lon, lat=site.lat,
                radius_m=site.radius_m, conclusion=conclusion["verdict"],
                result_json=json.dumps(result, ensure_ascii=False),
            )  # fmt: skip
            s.add(row)
            s.flush()
            result["study_id"] = row.id
    return result
