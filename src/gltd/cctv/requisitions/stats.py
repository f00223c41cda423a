"""Yearly statistics of the register and the trend since the first year on record."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from gltd.cctv.requisitions.register import now_utc
from gltd.model import (
    REQUISITION_STATUSES,
    Requisition,
)
from gltd.timeutil import PARIS, aware, local_midnight

__all__ = ["Counts", "YearStats", "RequisitionStats", "yearly_stats", "period_counts"]


class _Open:
    by_status: dict[str, int]

    @property
    def pending(self) -> int:
        """Still open (reçue, en cours)."""
        return self.by_status["recue"] + self.by_status["en_cours"]


@dataclass(frozen=True)
class Counts(_Open):
    """Figures of a set of requisitions (those of a period)."""

    count: int
    by_status: dict[str, int]
    #: remise / (remise + hors délai).
    on_time_rate: float | None
    median_turnaround_days: float | None
    useful_share: float | None
    #: Delivered and reported useful to the investigation.
    useful: int


@dataclass(frozen=True)
class YearStats(_Open):
    """One year of the register (local year of receipt)."""

    year: int
    count: int
    by_status: dict[str, int]
    on_time_rate: float | None
    median_turnaround_days: float | None
    useful_share: float | None
    days_observed: int
    partial: bool
    useful: int
    #: Last local day counted of a partial year (ISO), else None.
    until: str | None


@dataclass(frozen=True)
class RequisitionStats:
    """Yearly statistics and the trend since the first year on record."""

    years: list[YearStats]
    trend: dict[str, Any] | None
    comparison: dict[str, Any] | None
    method: dict[str, str]
    #: Last local day counted.
    last_day: date | None = None

    def as_dict(self) -> dict[str, Any]:
        """Plain values for JSON."""
        return {
            "years": [dataclasses.asdict(y) for y in self.years],
            "trend": self.trend,
            "comparison": self.comparison,
            "method": self.method,
        }


_Row = tuple[datetime, str, datetime | None, str | None]


def _rows(engine: Engine, start: datetime | None, end: datetime) -> list[_Row]:
    """(received, status, delivered, outcome) of the requisitions received in [start, end)."""
    stmt = select(
        Requisition.received_at, Requisition.status, Requisition.delivered_at, Requisition.outcome
    ).where(Requisition.received_at < end)
    if start is not None:
        stmt = stmt.where(Requisition.received_at >= start)
    with Session(engine) as session:
        return [tuple(r) for r in session.execute(stmt).all()]  # type: ignore[misc]


def _counts(items: list[_Row]) -> dict[str, Any]:
    by_status = dict.fromkeys(REQUISITION_STATUSES, 0)
    for _, st, _, _ in items:
        by_status[st] = by_status.get(st, 0) + 1
    closed = by_status["remise"] + by_status["hors_delai"]
    turns = [(d - r).total_seconds() / 86400 for r, st, d, _ in items if st == "remise" and d]
    known = [o for _, st, _, o in items if st == "remise" and o in ("utile", "non_utile")]
    return {
        "count": len(items),
        "by_status": by_status,
        "on_time_rate": by_status["remise"] / closed if closed else None,
        "median_turnaround_days": float(np.median(turns)) if turns else None,
        "useful": known.count("utile"),
        "useful_share": known.count("utile") / len(known) if known else None,
    }


def period_counts(engine: Engine, *, start: datetime, end: datetime) -> Counts:
    """Figures of the requisitions received in [``start``, ``end``) (aware datetimes)."""
    return Counts(**_counts(_rows(engine, aware(start, field="start"), aware(end, field="end"))))


def yearly_stats(
    engine: Engine, *, now: datetime | None = None, last_day: date | None = None
) -> RequisitionStats:
    """Count, on-time rate, median turnaround, useful share per year; trend and test.

    Requisitions received up to ``last_day`` (local day, included; today by default) are
    counted, per local year of receipt from the first on record to the year of
    ``last_day`` (partial when it is not the 31st of December).

    - on-time rate = remise / (remise + hors délai) — *sans objet* (nothing recorded) is
      left out, open ones too;
    - turnaround = delivery − receipt, for delivered ones (median, in days);
    - useful share = utile / (utile + non utile) among delivered ones;
    - trend: Mann–Kendall on the yearly counts of complete years, and the exact Poisson
      comparison of the last year with the first (rates per day observed, so a year in
      progress is compared fairly).
    """
    from gltd.analysis.trends import mann_kendall, poisson_rate_test

    today = last_day or now_utc(now).astimezone(PARIS).date()
    rows = _rows(engine, None, local_midnight(today + timedelta(days=1)))
    if not rows:
        return RequisitionStats([], None, None, _STATS_METHOD, today)
    per_year: dict[int, list[_Row]] = {}
    for row in rows:
        per_year.setdefault(row[0].astimezone(PARIS).year, []).append(row)
    first, last = min(per_year), today.year
    years: list[YearStats] = []
    for y in range(first, last + 1):
        end_day = min(date(y, 12, 31), today)
        partial = end_day < date(y, 12, 31)
        years.append(
            YearStats(
                **_counts(per_year.get(y, [])),
                year=y,
                days_observed=max((end_day - date(y, 1, 1)).days + 1, 0),
                partial=partial,
                until=end_day.isoformat() if partial else None,
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
    return RequisitionStats(years, trend, comparison, _STATS_METHOD, today)


_STATS_METHOD = {
    "on_time_rate": "remise / (remise + hors délai), sans objet et en cours exclus",
    "turnaround": "médiane de (remise − réception) en jours, réquisitions remises",
    "useful_share": "utile / (utile + non utile) parmi les remises au résultat connu",
    "trend": "Mann-Kendall sur les années complètes (gltd.analysis.trends)",
    "comparison": "test exact de Poisson, dernière année contre la première, par jour observé",
}
