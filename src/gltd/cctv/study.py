"""Relevance study (*étude de pertinence*) for a proposed camera site.

The analytic part of a camera authorisation file (former R252-3 CSI): recorded crime
around the site by category over the last three years and its trend, the site's rank in
the city, existing coverage, requisitions on nearby cameras, hotspot status, displacement
risk, the evidence base, and a conclusion with its reasons.

Conclusion rule (documented in ``docs/cctv.md``), on the categories studied:

- **défavorable** when fewer than 10 facts in three years (too few to justify a camera),
  or at least 75 % of the site already in an existing field of view, or the site below
  the city median (percentile < 50) and not a Gi* hotspot;
- **favorable** when the site is in the top decile of the city (percentile ≥ 90) or a Gi*
  hotspot at 95 % or more, less than 25 % of it already covered, and no significant fall
  of the facts over the last year;
- **réservé** otherwise.

Nearby hot areas (displacement risk) and past interventions' WDQ do not change the verdict:
they are listed as reasons to accompany the camera with other measures.
"""

from __future__ import annotations

import importlib.util
import json
import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from gltd.analysis.coverage import coverage_matrix, in_sector
from gltd.analysis.trends import SMALL_NUMBERS, mann_kendall, poisson_rate_test
from gltd.cctv._common import to_lonlat, to_metric
from gltd.cctv.fov import fov_polygon
from gltd.cctv.inventory import add_months, add_years, city_extent, list_cameras
from gltd.config import get_settings
from gltd.errors import InputError
from gltd.model import CameraRequest, Incident, Intervention, RelevanceStudy, Requisition
from gltd.taxonomy import get_taxonomy
from gltd.timeutil import PARIS, local_midnight

__all__ = ["StudySite", "relevance_study", "EVIDENCE", "CONCLUSION_RULE", "VERDICT_LABELS"]

VERDICT_LABELS = {
    "favorable": "Avis favorable",
    "reserve": "Avis réservé",
    "defavorable": "Avis défavorable",
}
CONCLUSION_RULE = (
    "défavorable si moins de 10 faits en trois ans, ou site couvert à 75 % ou plus par des "
    "caméras existantes, ou site sous la médiane de la ville (percentile < 50) sans être un "
    "point chaud Gi* ; favorable si percentile ≥ 90 ou point chaud Gi* à 95 % ou plus, site "
    "couvert à moins de 25 % et pas de baisse significative sur la dernière année ; réservé "
    "sinon. Le risque de déport ne change pas l'avis mais appelle des mesures d'accompagnement."
)
#: What the literature says (DOMAIN.md §2), stated in every study.
EVIDENCE: tuple[dict[str, str], ...] = (
    {
        "source": "Welsh & Farrington (revue Campbell, 41 études, 2009)",
        "finding": "baisse moyenne de 16 % de la délinquance ; 51 % dans les parkings ; "
        "effet non significatif en centre-ville et dans les transports",
    },
    {
        "source": "Piza, Welsh, Farrington & Thomas (2019, 76 études)",
        "finding": "baisse modeste mais significative, plus nette dans les parkings et les "
        "quartiers résidentiels, avec une surveillance active et des mesures combinées ; "
        "déport observé dans 6 études sur 50, diffusion des bénéfices dans 15",
    },
    {
        "source": "Cour des comptes (rapport sur les polices municipales, 2020)",
        "finding": "aucune corrélation globale entre le niveau d'équipement en "
        "vidéoprotection et le niveau de délinquance ou le taux d'élucidation",
    },
    {
        "source": "CREOGN (agglomération grenobloise, 1 939 enquêtes)",
        "finding": "les images ont contribué à l'élucidation dans 1,13 % des enquêtes",
    },
)
HOT_LABELS = {
    3: "point chaud (99 %)",
    2: "point chaud (95 %)",
    1: "point chaud (90 %)",
    0: "non significatif",
    -1: "point froid (90 %)",
    -2: "point froid (95 %)",
    -3: "point froid (99 %)",
}


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

    def polygon(self) -> Any:
        """The site's area as a polygon in the metric CRS."""
        return fov_polygon(
            self.x,
            self.y,
            self.heading_deg if self.is_sector else None,
            self.field_angle_deg,
            self.radius_m,
        )

    def contains(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Which points are in the site's area (exact sector test)."""
        return in_sector(
            x,
            y,
            self.x,
            self.y,
            self.heading_deg if self.is_sector else None,
            self.field_angle_deg,
            self.radius_m,
        )


def _site(
    engine: Engine,
    *,
    lat: float | None,
    lon: float | None,
    radius: float,
    heading: float | None,
    field_angle: float,
    request_id: int | None,
) -> StudySite:
    crs = get_settings().analysis_crs
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
        raise InputError("indiquez un site (--at LAT,LON) ou une demande (--request ID)")
    if not radius > 0:
        raise InputError(f"rayon {radius} : un nombre de mètres > 0", field="radius")
    if heading is not None and not 0 <= heading < 360:
        raise InputError(f"orientation {heading} : de 0 à 359 degrés", field="heading")
    extent = city_extent(engine)
    if extent is not None:
        from shapely.geometry import Point

        if not extent.covers(Point(lon, lat)):
            raise InputError(
                f"le site ({lat:.5f} N, {lon:.5f} E) est hors de la commune (aucune zone "
                "enregistrée ne le contient ; vérifiez l'ordre latitude, longitude)",
                field="at",
            )
    x, y = to_metric(lon, lat, crs)
    return StudySite(lat, lon, x, y, float(radius), heading, float(field_angle), None, "")


def _load(
    engine: Engine,
    start: datetime,
    end: datetime,
    categories: list[str] | None,
    bbox: tuple[float, float, float, float] | None = None,
) -> Any:
    """Incidents of ``[start, end)`` as an EventSet, optionally inside a bounding box."""
    import pandas as pd
    from sqlalchemy import String, and_, type_coerce

    from gltd.analysis.events import EventSet

    t = Incident.__table__.c
    conds: list[Any] = [t.x.is_not(None), t.y.is_not(None), t.occurred_at >= start,
                        t.occurred_at < end]  # fmt: skip
    if categories:
        conds.append(t.category.in_(list(categories)))
    if bbox is not None:
        conds += [t.x >= bbox[0], t.y >= bbox[1], t.x <= bbox[2], t.y <= bbox[3]]
    stmt = select(t.x, t.y, type_coerce(t.occurred_at, String), t.category).where(and_(*conds))
    with engine.connect() as conn:
        rows = conn.execute(stmt).all()
    if not rows:
        return EventSet.from_arrays([], [], [], [])
    x, y, ts, cat = zip(*rows, strict=True)
    times = pd.to_datetime(pd.Series(ts, dtype=object), format="ISO8601", utc=True)
    return EventSet.from_arrays(x, y, times.dt.tz_localize(None).to_numpy(), cat)


def _load_city(
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


def _city_probes(engine: Engine, spacing: float, ev: Any) -> np.ndarray:
    """Regular probe points (spacing = the site's radius) inside the city extent.

    ``ev`` is anything with ``x``, ``y`` arrays (used for the extent when no zone exists).
    """
    import shapely
    from shapely.ops import transform

    extent = city_extent(engine)
    crs = get_settings().analysis_crs
    if extent is not None:
        from pyproj import Transformer

        tr = Transformer.from_crs("EPSG:4326", crs, always_xy=True).transform
        poly = transform(tr, extent)
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


def _percentile_rank(values: np.ndarray, v: float) -> float:
    """Mid-rank percentile: 100 × (share below + half the share equal)."""
    if len(values) == 0:
        return float("nan")
    below = float((values < v).sum())
    equal = float((values == v).sum())
    return 100.0 * (below + 0.5 * equal) / len(values)


def _hotspot(ev: Any, site: StudySite, probes_bounds: tuple[float, ...] | None) -> dict[str, Any]:
    """Gi* class of the site's cell (hotspots engineer's modules) on the last year."""
    if importlib.util.find_spec("gltd.analysis.gistar") is None or (
        importlib.util.find_spec("gltd.analysis.grid") is None
    ):
        return {"available": False, "note": "module Gi* absent : seul le percentile est donné"}
    from gltd.analysis.gistar import gi_star_grid
    from gltd.analysis.grid import grid_counts, make_grid

    cell, band = 100.0, 300.0
    if ev.n == 0:
        return {"available": False, "note": "aucun fait : Gi* non calculé"}
    bounds = probes_bounds or (ev.x.min(), ev.y.min(), ev.x.max(), ev.y.max())
    b = (
        min(bounds[0], site.x) - cell,
        min(bounds[1], site.y) - cell,
        max(bounds[2], site.x) + cell,
        max(bounds[3], site.y) + cell,
    )
    try:
        grid = make_grid(b, cell)
        gc = grid_counts(ev, cell, grid=grid)
        res = gi_star_grid(gc.counts, cell, distance=band)
    except Exception as exc:  # noqa: BLE001 — the study goes on without Gi*
        return {"available": False, "note": f"Gi* non calculé : {exc}"}
    cid = int(grid.locate(np.array([site.x]), np.array([site.y]))[0])
    row, col = divmod(cid, grid.nx)
    cls = int(res.hot_cold_class[row, col])
    hot = res.hot_cold_class > 0
    # Hot cells near the site (displacement risk): within 500 m of the site, outside it.
    xc, yc = grid.centres()
    d = np.hypot(xc - site.x, yc - site.y)
    near = hot & (d <= 500.0) & (d > site.radius_m)
    return {
        "available": True,
        "class": cls,
        "label": HOT_LABELS[cls],
        "z": None if math.isnan(res.z[row, col]) else float(res.z[row, col]),
        "p_fdr": None if math.isnan(res.p_fdr[row, col]) else float(res.p_fdr[row, col]),
        "n_hot_cells_city": int(hot.sum()),
        "hot_cells_within_500m": int(near.sum()),
        "nearest_hot_cell_m": float(d[near].min()) if near.any() else None,
        "method": {"cell_m": cell, "distance_band_m": band, "period": "dernière année",
                   **{k: v for k, v in res.method.items() if isinstance(v, str | int | float)}},
    }  # fmt: skip


def _past_interventions(engine: Engine, site: StudySite, as_of: datetime) -> dict[str, Any]:
    if importlib.util.find_spec("gltd.analysis.displacement") is None:
        return {"available": False, "items": [], "note": "module de déport absent"}
    import shapely
    from pyproj import Transformer
    from shapely import wkt
    from shapely.ops import transform

    from gltd.analysis.displacement import displacement_measures

    crs = get_settings().analysis_crs
    tr = Transformer.from_crs("EPSG:4326", crs, always_xy=True).transform
    extent = city_extent(engine)
    city = transform(tr, extent) if extent is not None else None
    with Session(engine) as s:
        rows = s.execute(select(Intervention)).scalars().all()
        items = []
        for iv in rows:
            target = transform(tr, wkt.loads(iv.geometry_wkt))
            dist = float(shapely.distance(target, shapely.Point(site.x, site.y)))
            if dist > 1000.0 or iv.started_on + timedelta(days=365) > as_of:
                continue
            buffer = target.buffer(250.0).difference(target)
            a0, a1 = iv.started_on - timedelta(days=365), iv.started_on + timedelta(days=365)
            ev = _load(engine, a0, a1, None)
            before = ev.t < np.datetime64(iv.started_on.astimezone(UTC).replace(tzinfo=None))
            in_a = shapely.contains_xy(target, ev.x, ev.y)
            in_b = shapely.contains_xy(buffer, ev.x, ev.y)
            in_c = ~(in_a | in_b)
            if city is not None:
                in_c &= shapely.contains_xy(city, ev.x, ev.y)
            counts = [int((m & before).sum()) for m in (in_a, in_b, in_c)]
            counts_after = [int((m & ~before).sum()) for m in (in_a, in_b, in_c)]
            dm = displacement_measures(
                counts[0], counts_after[0], counts[1], counts_after[1], counts[2], counts_after[2]
            )
            items.append(
                {"id": iv.id, "name": iv.name, "kind": iv.kind, "distance_m": round(dist),
                 "started_on": iv.started_on.astimezone(PARIS).date().isoformat(),
                 **dm.as_dict()}
            )  # fmt: skip
    return {
        "available": True,
        "items": items,
        "method": "cible = périmètre de l'intervention, tampon = anneau de 250 m, témoin = "
        "reste de la commune ; un an avant / un an après (Bowers & Johnson 2003)",
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
    site = _site(
        engine, lat=lat, lon=lon, radius=radius, heading=heading, field_angle=field_angle,
        request_id=request_id,
    )  # fmt: skip
    day = as_of or datetime.now(PARIS).date()
    end = local_midnight(day)
    bounds_days = [add_years(day, -k) for k in (3, 2, 1, 0)]
    starts = [local_midnight(d) for d in bounds_days]
    # Facts near the site (with times and categories), and the city's x, y only.
    pad = site.radius_m + 1.0
    bbox = (site.x - pad, site.y - pad, site.x + pad, site.y + pad)
    from types import SimpleNamespace

    cx, cy, last_year, ev = _load_city(engine, starts[0], starts[2], end, categories, bbox)
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

    probes = _city_probes(engine, max(site.radius_m, 50.0), city)
    disc_site = int((np.hypot(ev.x - site.x, ev.y - site.y) <= site.radius_m).sum())
    if len(cx) and len(probes):
        tree = cKDTree(np.column_stack([cx, cy]))
        probe_counts = np.asarray(
            tree.query_ball_point(probes, r=site.radius_m, return_length=True)
        )
    else:
        probe_counts = np.zeros(len(probes), dtype=int)
    pct = _percentile_rank(probe_counts, disc_site)
    pct_value = None if math.isnan(pct) else round(pct, 1)
    rank = {
        "percentile": pct_value,
        "site_count_disc": disc_site,
        "n_probes": int(len(probes)),
        "city_median": float(np.median(probe_counts)) if len(probes) else None,
        "city_p90": float(np.percentile(probe_counts, 90)) if len(probes) else None,
        "method": "faits des trois ans dans un disque de même rayon, centré sur chaque point "
        "d'une grille régulière (pas = rayon) couvrant la commune ; percentile à rang moyen",
    }
    from gltd.analysis.events import EventSet

    hot = _hotspot(
        EventSet.from_arrays(cx[last_year], cy[last_year]),
        site,
        (probes[:, 0].min(), probes[:, 1].min(), probes[:, 0].max(), probes[:, 1].max())
        if len(probes)
        else None,
    )
    coverage = _existing_coverage(engine, site, day, ev, in_site)
    reqs = _nearby_requisitions(engine, site, starts[0], end)
    displacement = {
        "nearby_hot_cells": hot.get("hot_cells_within_500m") if hot.get("available") else None,
        "nearest_hot_cell_m": hot.get("nearest_hot_cell_m"),
        "past_interventions": _past_interventions(engine, site, end),
        "evidence": "Piza et al. 2019 : déport dans 6 études sur 50, diffusion dans 15 ; "
        "Guerette & Bowers 2009 : déport dans 26 % des observations, diffusion dans 27 %",
    }
    conclusion = _conclude(n3, pct_value, hot, coverage["area_share"], last_vs_prev, displacement)
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


def _existing_coverage(
    engine: Engine, site: StudySite, day: date, ev: Any, in_site: np.ndarray
) -> dict[str, Any]:
    from shapely.ops import unary_union

    cams = list_cameras(engine, active_on=day)
    poly = site.polygon()
    overlapping = []
    polys = []
    for c in cams:
        p = fov_polygon(c.x, c.y, c.heading_deg, c.field_angle_deg, c.range_m)
        if p.intersects(poly):
            polys.append(p)
            lon, lat = c.lon, c.lat
            overlapping.append(
                {"code": c.code, "distance_m": round(math.hypot(c.x - site.x, c.y - site.y)),
                 "hd": c.hd, "lat": lat, "lon": lon, "heading_deg": c.heading_deg,
                 "field_angle_deg": c.field_angle_deg, "range_m": c.range_m,
                 "overlap_share": float(p.intersection(poly).area / poly.area)}
            )  # fmt: skip
    union = unary_union(polys) if polys else None
    share = float(union.intersection(poly).area / poly.area) if union is not None else 0.0
    n_site = int(in_site.sum())
    covered = 0
    if n_site and cams:
        cov = coverage_matrix(
            ev.x[in_site], ev.y[in_site],
            np.array([c.x for c in cams]), np.array([c.y for c in cams]),
            range_m=np.array([c.range_m for c in cams]),
            heading_deg=np.array([np.nan if c.heading_deg is None else c.heading_deg for c in cams]),
            field_angle_deg=np.array([c.field_angle_deg for c in cams]),
        )  # fmt: skip
        covered = int(cov.covered.sum())
    return {
        "n_cameras_in_service": len(cams),
        "overlapping_cameras": sorted(overlapping, key=lambda o: o["distance_m"]),
        "area_share": share,
        "incidents_already_covered": covered,
        "incidents_share_covered": covered / n_site if n_site else None,
    }


def _nearby_requisitions(
    engine: Engine, site: StudySite, start: datetime, end: datetime
) -> dict[str, Any]:
    near_m = max(300.0, 2 * site.radius_m)
    cams = [c for c in list_cameras(engine) if math.hypot(c.x - site.x, c.y - site.y) <= near_m]
    codes = {c.code for c in cams}
    with Session(engine) as s:
        from sqlalchemy.orm import selectinload

        rows = s.execute(
            select(Requisition)
            .where(Requisition.received_at >= start, Requisition.received_at < end)
            .options(selectinload(Requisition.cameras))
        ).scalars().all()  # fmt: skip
        hits = [r for r in rows if codes & {c.code for c in r.cameras}]
        per_year: dict[int, int] = {}
        for r in hits:
            y = r.received_at.astimezone(PARIS).year
            per_year[y] = per_year.get(y, 0) + 1
        return {
            "radius_m": near_m,
            "cameras": sorted(codes),
            "count": len(hits),
            "per_year": dict(sorted(per_year.items())),
            "delivered": sum(r.status == "remise" for r in hits),
            "useful": sum(r.outcome == "utile" for r in hits),
            "out_of_time": sum(r.status == "hors_delai" for r in hits),
            "all_city": len(rows),
        }


def _conclude(
    n3: int,
    pct: float | None,
    hot: dict[str, Any],
    area_share: float,
    trend: Any,
    displacement: dict[str, Any],
) -> dict[str, Any]:
    reasons: list[str] = []
    is_hot = bool(hot.get("available")) and int(hot.get("class", 0)) >= 2
    p = -1.0 if pct is None else pct
    falling = trend.significant and trend.rate_ratio < 1 and not trend.small_numbers
    if n3 < SMALL_NUMBERS:
        verdict = "defavorable"
        reasons.append(
            f"{n3} fait(s) en trois ans autour du site : trop peu pour justifier une caméra"
        )
    elif area_share >= 0.75:
        verdict = "defavorable"
        reasons.append(f"site déjà couvert à {area_share:.0%} par des caméras existantes")
    elif p < 50 and not is_hot:
        verdict = "defavorable"
        reasons.append(f"site sous la médiane de la ville (percentile {p:.0f}) et hors point chaud")
    elif (p >= 90 or is_hot) and area_share < 0.25 and not falling:
        verdict = "favorable"
        reasons.append(
            f"site parmi les plus exposés de la ville (percentile {p:.0f}"
            + (f", {hot['label']}" if is_hot else "")
            + ")"
        )
        reasons.append(f"couverture existante faible ({area_share:.0%} de la surface)")
    else:
        verdict = "reserve"
        if p < 90 and not is_hot:
            reasons.append(f"exposition moyenne (percentile {p:.0f}), pas de point chaud établi")
        if area_share >= 0.25:
            reasons.append(f"site déjà couvert à {area_share:.0%} par des caméras existantes")
        if falling:
            reasons.append("baisse significative des faits sur la dernière année")
    if hot.get("available") is False:
        reasons.append("statut de point chaud non calculé : " + str(hot.get("note", "")))
    near = displacement.get("nearby_hot_cells")
    if near:
        reasons.append(
            f"{near} maille(s) chaude(s) à moins de 500 m : risque de déport, à accompagner "
            "d'autres mesures (présence, aménagement)"
        )
    past = displacement.get("past_interventions", {}).get("items", [])
    bad = [i for i in past if i.get("wdq") is not None and i["wdq"] < -1]
    if bad:
        reasons.append(
            f"{len(bad)} intervention(s) passée(s) à proximité avec un déport supérieur au gain "
            "(WDQ < −1)"
        )
    return {
        "verdict": verdict,
        "label": VERDICT_LABELS[verdict],
        "reasons": reasons,
        "rule": CONCLUSION_RULE,
    }


def site_lonlat(x: float, y: float) -> tuple[float, float]:
    """WGS84 of a metric point (for templates)."""
    return to_lonlat(x, y, get_settings().analysis_crs)
