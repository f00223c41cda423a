"""The dashboard's headline figures (the bilan's cover, live) and its monthly trend.

Tiles: facts of the selected categories with their change and exact test, operations and
arrests (carried out, never planned ones: :func:`gltd.report.queries.carried_out`, the
bilan's rule), cameras in service during the period, requisitions received, GLTD actions.
Each tile shows only to an account that reads its register. The trend counts the facts
of each month over the 24 months up to the end of the period, per category, in one zone
or in all, from the in-memory incident cube.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Engine, func, select

from gltd.analysis.trends import poisson_rate_test
from gltd.cctv.inventory import network_summary
from gltd.cctv.requisitions import period_counts
from gltd.documents.fmt import fr_month_abbr
from gltd.model import Operation
from gltd.report.queries import actions_frame, carried_out
from gltd.taxonomy import get_taxonomy
from gltd.timeutil import PARIS, Period, local_midnight
from gltd.web.cache import DataCache
from gltd.web.periods import PeriodChoice

__all__ = ["tiles", "monthly_trend", "TREND_MONTHS"]

#: Months drawn by the trend chart (up to the month of the period's last day).
TREND_MONTHS = 24
#: Categories drawn one by one when none is selected (the others are summed).
TOP_CATEGORIES = 5


def _tile(
    key: str, what: str, count: int, ref: int | None, note: str = "", test: Any = None
) -> dict[str, Any]:
    return {"key": key, "what": what, "count": count, "ref": ref, "note": note, "test": test}


def tiles(
    engine: Engine,
    cache: DataCache,
    choice: PeriodChoice,
    categories: list[str],
    zone_id: int | None,
    can: Callable[[str], bool],
    today: date,
) -> list[dict[str, Any]]:
    """The headline figures of the period (and its reference) an account may read.

    Each register's figures are cached on what they depend on (the period, the zone, the
    day), not on the whole filter: a new category choice recounts only the facts.
    """
    p, r = choice.period, choice.reference
    key = ("tiles-facts", p, r, tuple(categories), zone_id)
    out = [cache.memo(key, lambda: _facts(cache, p, r, categories, zone_id), registers=False)]
    if can("operations"):
        out += cache.memo(("tiles-ops", p, r, zone_id), lambda: _operations(engine, p, r, zone_id))
    if can("cameras"):
        out.append(cache.memo(("tiles-cams", p), lambda: _cameras(engine, p)))
    if can("requisitions"):
        out.append(cache.memo(("tiles-reqs", p, r), lambda: _requisitions(engine, p, r)))
    if can("actions"):
        out.append(cache.memo(("tiles-actions", today), lambda: _actions(engine, today)))
    return out


def _facts(
    cache: DataCache, p: Period, r: Period, categories: list[str], zone_id: int | None
) -> dict[str, Any]:
    cube = cache.cube()
    now = cube.zone_counts(p.start, p.end, categories)
    ref = cube.zone_counts(r.start, r.end, categories)
    if zone_id is None:
        n, n_ref = sum(now.values()), sum(ref.values())
    else:
        n, n_ref = now.get(zone_id, 0), ref.get(zone_id, 0)
    test = poisson_rate_test(n, n_ref, p.days, r.days).as_dict()
    return _tile("incidents", "faits enregistrés", n, n_ref, test=test)


def _operations(engine: Engine, p: Period, r: Period, zone_id: int | None) -> list[dict[str, Any]]:
    """Operations carried out (the bilan's rule, never a planned one) and their arrests."""
    o = Operation.__table__.c

    def sums(period: Period) -> tuple[int, int, int]:
        stmt = select(
            func.count(), func.sum(o.arrests_trafficker), func.sum(o.arrests_consumer)
        ).where(o.started_at >= period.start, o.started_at < period.end, carried_out())
        if zone_id is not None:
            stmt = stmt.where(o.zone_id == zone_id)
        with engine.connect() as conn:
            n, t, c = conn.execute(stmt).one()
        return int(n or 0), int(t or 0), int(c or 0)

    now, ref = sums(p), sums(r)
    return [
        _tile("operations", "opérations", now[0], ref[0]),
        _tile("arrests_trafficker", "interpellations de trafiquants", now[1], ref[1]),
        _tile("arrests_consumer", "interpellations de consommateurs", now[2], ref[2]),
    ]


def _cameras(engine: Engine, p: Period) -> dict[str, Any]:
    net = network_summary(engine, coverage=False, during=(p.first_day, p.last_day))
    hd = f"dont {round(100 * net.hd_share)} % en HD" if net.hd_share is not None else ""
    return _tile("cameras", "caméras en service pendant la période", net.n_cameras, None, hd)


def _requisitions(engine: Engine, p: Period, r: Period) -> dict[str, Any]:
    c = period_counts(engine, start=p.start, end=p.end)
    c_ref = period_counts(engine, start=r.start, end=r.end)
    done, late = c.by_status.get("remise", 0), c.by_status.get("hors_delai", 0)
    note = f"{done} remises, {late} hors délai"
    return _tile("requisitions", "réquisitions d'images reçues", c.count, c_ref.count, note)


def _actions(engine: Engine, today: date) -> dict[str, Any]:
    acts = actions_frame(engine)
    open_ = acts["status"].isin(("a_faire", "en_cours"))
    late = int((open_ & acts["due_on"].notna() & (acts["due_on"] < today)).sum())
    done = int((acts["status"] == "fait").sum())
    note = f"{done} faites, {late} en retard"
    return _tile("actions", "actions décidées en GLTD", len(acts), None, note)


def _month_starts(last_day: date, months: int) -> list[date]:
    """First days of the ``months`` months up to ``last_day``'s, and of the month after."""
    y, m = last_day.year, last_day.month
    out = []
    for k in range(months, -1, -1):
        mm = m - k + 1
        yy = y + (mm - 1) // 12
        out.append(date(yy, (mm - 1) % 12 + 1, 1))
    return out


def _month_histogram(cache: DataCache) -> dict[str, Any]:
    """Facts per local month × category × zone of the whole cube (one pass, cached per data
    version): a trend is then a sum of a few slices."""

    def compute() -> dict[str, Any]:
        cube = cache.cube()
        local = pd.to_datetime(cube.t, utc=True).tz_convert(PARIS)
        month = (local.year.to_numpy() * 12 + local.month.to_numpy() - 1).astype("int64")
        m0 = int(month.min()) if len(month) else 0
        n_m = int(month.max()) - m0 + 1 if len(month) else 1
        n_cat = max(len(cube.categories), 1)
        zone = cube.zone + 1  # -1 (no zone) → 0
        n_zone = int(zone.max()) + 1 if len(zone) else 1
        flat = ((month - m0) * n_cat + cube.cat) * n_zone + zone
        hist = np.bincount(flat, minlength=n_m * n_cat * n_zone).reshape(n_m, n_cat, n_zone)
        return {"m0": m0, "hist": hist}

    result: dict[str, Any] = cache.memo(("month-hist",), compute, registers=False)
    return result


def monthly_trend(
    cache: DataCache, last_day: date, categories: Sequence[str], zone_id: int | None
) -> dict[str, Any]:
    """Facts per month and category over the :data:`TREND_MONTHS` months up to ``last_day``
    (the last month stops at ``last_day``), in zone ``zone_id`` or in all. Without selected
    categories, the :data:`TOP_CATEGORIES` most frequent ones and « autres catégories »."""
    key = ("trend", last_day, tuple(categories), zone_id)

    def compute() -> dict[str, Any]:
        cube = cache.cube()
        h = _month_histogram(cache)
        hist, m0 = h["hist"], h["m0"]
        starts = _month_starts(last_day, TREND_MONTHS)
        n_cat = max(len(cube.categories), 1)
        grid = np.zeros((TREND_MONTHS, n_cat), dtype="int64")
        zsel = slice(None) if zone_id is None else slice(zone_id + 1, zone_id + 2)
        for k, d in enumerate(starts[:-2]):  # whole months, from the histogram
            m = d.year * 12 + d.month - 1 - m0
            if 0 <= m < hist.shape[0]:  # an unknown zone's slice is empty: zeros
                grid[k] = hist[m, :, zsel].sum(axis=1)
        # The last month, up to the last day only, from the cube itself.
        i0, i1 = cube.span(local_midnight(starts[-2]), local_midnight(last_day + timedelta(1)))
        cat = cube.cat[i0:i1]
        if zone_id is not None:
            cat = cat[cube.zone[i0:i1] == zone_id]
        grid[-1] = np.bincount(cat, minlength=n_cat)[:n_cat]
        tax = get_taxonomy()
        codes = list(cube.categories)
        if categories:
            shown = [c for c in categories if c in codes]
            rest: list[str] = []
        else:
            order = np.argsort(-grid.sum(axis=0), kind="stable")
            ranked = [codes[i] for i in order if grid[:, i].sum() > 0]
            shown, rest = ranked[:TOP_CATEGORIES], ranked[TOP_CATEGORIES:]
        series = [
            {"code": c, "label": tax.label(c), "counts": grid[:, codes.index(c)].tolist()}
            for c in shown
        ]
        if rest:
            idx = [codes.index(c) for c in rest]
            series.append(
                {
                    "code": "autres",
                    "label": "autres catégories",
                    "counts": grid[:, idx].sum(axis=1).tolist(),
                }
            )
        return {
            "months": [f"{fr_month_abbr(d.month)} {d.year}" for d in starts[:-1]],
            "first_days": [d.isoformat() for d in starts[:-1]],
            "series": series,
            "zone_id": zone_id,
            "partial_last": last_day + timedelta(1) != starts[-1],
        }

    result: dict[str, Any] = cache.memo(key, compute, registers=False)
    return result
