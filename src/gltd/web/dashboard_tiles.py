"""The dashboard's headline figures (the bilan's cover, live) and its monthly trend.

Tiles: facts of the selected categories with their change and exact test, operations and
arrests (carried out, never planned ones: :func:`gltd.report.queries.operations_frame`,
the bilan's), cameras in service during the period, requisitions received, GLTD actions.
Each tile shows only to an account that reads its register. The trend counts the facts
of each month over the 24 months up to the end of the period, per category, in one zone
or in all, from the in-memory incident cube.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

import numpy as np
from sqlalchemy import Engine

from gltd.analysis.trends import poisson_rate_test
from gltd.cctv.inventory import network_summary
from gltd.cctv.requisitions import period_counts
from gltd.documents.fmt import fr_month_abbr
from gltd.report.queries import actions_frame, operations_frame
from gltd.taxonomy import get_taxonomy
from gltd.timeutil import local_midnight
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
    """The headline figures of the period (and its reference) an account may read."""
    reads = tuple(r for r in ("operations", "cameras", "requisitions", "actions") if can(r))
    key = ("tiles", choice.period, choice.reference, tuple(categories), zone_id, reads, today)

    def compute() -> list[dict[str, Any]]:
        p, r = choice.period, choice.reference
        cube = cache.cube()
        now = cube.zone_counts(p.start, p.end, categories)
        ref = cube.zone_counts(r.start, r.end, categories)
        if zone_id is None:
            n, n_ref = sum(now.values()), sum(ref.values())
        else:
            n, n_ref = now.get(zone_id, 0), ref.get(zone_id, 0)
        test = poisson_rate_test(n, n_ref, p.days, r.days).as_dict()
        out = [_tile("incidents", "faits enregistrés", n, n_ref, test=test)]
        zones = None if zone_id is None else [zone_id]
        if "operations" in reads:
            ops, ops_ref = operations_frame(engine, p, zones), operations_frame(engine, r, zones)
            out.append(_tile("operations", "opérations", len(ops), len(ops_ref)))
            for col, what in (
                ("arrests_trafficker", "interpellations de trafiquants"),
                ("arrests_consumer", "interpellations de consommateurs"),
            ):
                out.append(_tile(col, what, int(ops[col].sum()), int(ops_ref[col].sum())))
        if "cameras" in reads:
            net = network_summary(engine, coverage=False, during=(p.first_day, p.last_day))
            hd = f"dont {round(100 * net.hd_share)} % en HD" if net.hd_share is not None else ""
            out.append(
                _tile("cameras", "caméras en service pendant la période", net.n_cameras, None, hd)
            )
        if "requisitions" in reads:
            c = period_counts(engine, start=p.start, end=p.end)
            c_ref = period_counts(engine, start=r.start, end=r.end)
            note = f"{c.by_status.get('remise', 0)} remises, {c.by_status.get('hors_delai', 0)} hors délai"
            out.append(
                _tile("requisitions", "réquisitions d'images reçues", c.count, c_ref.count, note)
            )
        if "actions" in reads:
            acts = actions_frame(engine)
            open_ = acts["status"].isin(("a_faire", "en_cours"))
            late = int((open_ & acts["due_on"].notna() & (acts["due_on"] < today)).sum())
            done = int((acts["status"] == "fait").sum())
            out.append(
                _tile(
                    "actions",
                    "actions décidées en GLTD",
                    len(acts),
                    None,
                    f"{done} faites, {late} en retard",
                )
            )
        return out

    result: list[dict[str, Any]] = cache.memo(key, compute)
    return result


def _month_starts(last_day: date, months: int) -> list[date]:
    """First days of the ``months`` months up to ``last_day``'s, and of the month after."""
    y, m = last_day.year, last_day.month
    out = []
    for k in range(months, -1, -1):
        mm = m - k + 1
        yy = y + (mm - 1) // 12
        out.append(date(yy, (mm - 1) % 12 + 1, 1))
    return out


def _ns(d: date) -> int:
    """UTC nanoseconds of local midnight starting day ``d``."""
    return int(local_midnight(d).timestamp()) * 10**9


def monthly_trend(
    cache: DataCache, last_day: date, categories: Sequence[str], zone_id: int | None
) -> dict[str, Any]:
    """Facts per month and category over the :data:`TREND_MONTHS` months up to ``last_day``
    (the last month is partial when ``last_day`` is not its last day), in zone ``zone_id``
    or in all. Without selected categories, the :data:`TOP_CATEGORIES` most frequent ones
    and « autres catégories »."""
    key = ("trend", last_day, tuple(categories), zone_id)

    def compute() -> dict[str, Any]:
        cube = cache.cube()
        starts = _month_starts(last_day, TREND_MONTHS)
        bounds = np.array([_ns(d) for d in starts], "int64")
        end = _ns(date.fromordinal(last_day.toordinal() + 1))
        i0 = int(np.searchsorted(cube.t, bounds[0], "left"))
        i1 = int(np.searchsorted(cube.t, min(end, int(bounds[-1])), "left"))
        t, cat = cube.t[i0:i1], cube.cat[i0:i1]
        if zone_id is not None:
            keep = cube.zone[i0:i1] == zone_id
            t, cat = t[keep], cat[keep]
        month = np.searchsorted(bounds, t, "right") - 1
        n_cat = max(len(cube.categories), 1)
        grid = np.bincount(month * n_cat + cat, minlength=TREND_MONTHS * n_cat)
        grid = grid[: TREND_MONTHS * n_cat].reshape(TREND_MONTHS, n_cat)
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
        months = [f"{fr_month_abbr(d.month)} {d.year}" for d in starts[:-1]]
        return {
            "months": months,
            "first_days": [d.isoformat() for d in starts[:-1]],
            "series": series,
            "zone_id": zone_id,
            "partial_last": last_day != date.fromordinal(starts[-1].toordinal() - 1),
        }

    result: dict[str, Any] = cache.memo(key, compute)
    return result
