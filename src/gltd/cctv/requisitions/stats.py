"""Yearly statistics of the register and the trend since the first year on record."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import numpy as np
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from gltd.cctv.requisitions.register import now_utc
from gltd.model import (
    REQUISITION_STATUSES,
    Requisition,
)
from gltd.timeutil import PARIS

__all__ = ["YearStats", "RequisitionStats", "yearly_stats"]


@dataclass(frozen=True)
class YearStats:
    """One year of the register (local year of receipt)."""

    year: int
    count: int
    by_status: dict[str, int]
    on_time_rate: float | None
    median_turnaround_days: float | None
    useful_share: float | None
    days_observed: int
    partial: bool


@dataclass(frozen=True)
class RequisitionStats:
    """Yearly statistics and the trend since the first year on record."""

    years: list[YearStats]
    trend: dict[str, Any] | None
    comparison: dict[str, Any] | None
    method: dict[str, str]

    def as_dict(self) -> dict[str, Any]:
        """Plain values for JSON."""
        return {
            "years": [y.__dict__ for y in self.years],
            "trend": self.trend,
            "comparison": self.comparison,
            "method": self.method,
        }


def yearly_stats(engine: Engine, *, now: datetime | None = None) -> RequisitionStats:
    """Count, on-time rate, median turnaround, useful share per year; trend and test.

    - on-time rate = remise / (remise + hors délai) — *sans objet* (nothing recorded) is
      left out, open ones too;
    - turnaround = delivery − receipt, for delivered ones (median, in days);
    - useful share = utile / (utile + non utile) among delivered ones;
    - trend: Mann–Kendall on the yearly counts of complete years, and the exact Poisson
      comparison of the last year with the first (rates per day observed, so a year in
      progress is compared fairly).
    """
    from gltd.analysis.trends import mann_kendall, poisson_rate_test

    t_now = now_utc(now)
    with Session(engine) as session:
        rows = session.execute(
            select(
                Requisition.received_at,
                Requisition.status,
                Requisition.delivered_at,
                Requisition.outcome,
            )
        ).all()
    if not rows:
        return RequisitionStats([], None, None, _STATS_METHOD)
    per_year: dict[int, list[Any]] = {}
    for rec, st, deliv, outc in rows:
        per_year.setdefault(rec.astimezone(PARIS).year, []).append((rec, st, deliv, outc))
    first, last = min(per_year), max(max(per_year), t_now.astimezone(PARIS).year)
    years: list[YearStats] = []
    today = t_now.astimezone(PARIS).date()
    for y in range(first, last + 1):
        items = per_year.get(y, [])
        by_status = dict.fromkeys(REQUISITION_STATUSES, 0)
        for _, st, _, _ in items:
            by_status[st] = by_status.get(st, 0) + 1
        closed = by_status["remise"] + by_status["hors_delai"]
        turns = [(d - r).total_seconds() / 86400 for r, st, d, _ in items if st == "remise" and d]
        known = [o for _, st, _, o in items if st == "remise" and o in ("utile", "non_utile")]
        end_day = min(date(y, 12, 31), today)
        observed = (end_day - date(y, 1, 1)).days + 1
        years.append(
            YearStats(
                year=y,
                count=len(items),
                by_status=by_status,
                on_time_rate=by_status["remise"] / closed if closed else None,
                median_turnaround_days=float(np.median(turns)) if turns else None,
                useful_share=known.count("utile") / len(known) if known else None,
                days_observed=max(observed, 0),
                partial=end_day < date(y, 12, 31),
            )
        )
    full = [y for y in years if not y.partial]
    trend = None
    if len(full) >= 3:
        mk = mann_kendall([y.count for y in full])
        trend = {
            "test": "Mann-Kendall",
            "years": [y.year for y in full],
            "counts": [y.count for y in full],
            "s": mk.s,
            "z": mk.z,
            "p_value": mk.p_value,
            "trend": mk.trend,
            "n": mk.n,
        }
    comparison = None
    if len(years) >= 2 and years[-1].days_observed > 0:
        a, b = years[0], years[-1]
        rc = poisson_rate_test(b.count, a.count, b.days_observed, a.days_observed)
        comparison = {"year": b.year, "year_ref": a.year, **rc.as_dict()}
    return RequisitionStats(years, trend, comparison, _STATS_METHOD)


_STATS_METHOD = {
    "on_time_rate": "remise / (remise + hors délai), sans objet et en cours exclus",
    "turnaround": "médiane de (remise − réception) en jours, réquisitions remises",
    "useful_share": "utile / (utile + non utile) parmi les remises au résultat connu",
    "trend": "Mann-Kendall sur les années complètes (gltd.analysis.trends)",
    "comparison": "test exact de Poisson, dernière année contre la première, par jour observé",
}
