"""The network summary (size, HD share, cost, incidents in a field of view, authorisations)
and the coverage layer."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Engine

from gltd.cctv.dates import add_months, add_years
from gltd.cctv.fov import covered_by_cameras, fov_feature_collection
from gltd.cctv.inventory.records import list_cameras
from gltd.timeutil import PARIS

__all__ = ["NetworkSummary", "network_summary", "network_history", "coverage_geojson"]


@dataclass(frozen=True)
class NetworkSummary:
    """The network on a day: size, cost, coverage of incidents, authorisations."""

    on: date
    period_start: datetime
    period_end: datetime
    n_cameras: int
    n_hd: int
    hd_share: float | None
    annual_cost_eur: float
    #: category → {"n": incidents, "covered": inside a field of view, "share": covered/n}
    coverage_by_category: dict[str, dict[str, float | int | None]]
    expiring: list[dict[str, Any]] = field(default_factory=list)
    expired: list[dict[str, Any]] = field(default_factory=list)
    without_authorisation: list[str] = field(default_factory=list)
    method: dict[str, Any] = field(default_factory=dict)
    #: Longest retention of the cameras in service (days), None without camera.
    max_retention_days: int | None = None

    def as_dict(self) -> dict[str, Any]:
        """Plain values for JSON."""
        out = dataclasses.asdict(self)
        out["on"] = self.on.isoformat()
        out["period_start"] = self.period_start.isoformat()
        out["period_end"] = self.period_end.isoformat()
        return out


def network_summary(
    engine: Engine,
    *,
    on: date | None = None,
    period_start: datetime | None = None,
    period_end: datetime | None = None,
    categories: Sequence[str] | None = None,
    within_months: int = 6,
    coverage: bool = True,
    during: tuple[date, date] | None = None,
) -> NetworkSummary:
    """Count, HD share, annual cost, share of incidents in a field of view, authorisations.

    Parameters
    ----------
    on : date, optional
        The day the network is taken (cameras in service that day); today by default.
    period_start, period_end : aware datetimes, optional
        Incidents counted; the twelve months before ``on`` by default.
    categories : codes, optional
        Only these categories.
    within_months : int
        Authorisations expiring within this many months are listed (6 by default):
        from ``on`` to ``on`` + ``within_months`` included; those expired before ``on``
        are listed apart.
    coverage : bool
        Count the incidents in a field of view (``False``: the network only, no incident
        read; ``coverage_by_category`` is then empty).
    during : (first, last) days, optional
        Take the cameras in service on at least one day of this period (both days
        included, :meth:`CameraRecord.in_service_during`) instead of those in service on
        ``on`` — what a bilan of the period counts. Authorisations (expiring, expired,
        missing) are those of the cameras in service on ``on``.
    """
    from gltd.store.queries import load_events
    from gltd.timeutil import local_midnight

    today = on or datetime.now(PARIS).date()
    end = period_end or local_midnight(today + timedelta(days=1))
    start = period_start or local_midnight(add_years(today, -1) + timedelta(days=1))
    alive = list_cameras(engine, active_on=today)
    cams = alive if during is None else list_cameras(engine, during=during)
    n = len(cams)
    n_hd = sum(c.hd for c in cams)
    by_cat: dict[str, dict[str, float | int | None]] = {}
    ev = load_events(engine, start=start, end=end, categories=categories) if coverage else None
    if ev is not None and ev.n:
        covered = covered_by_cameras(ev.x, ev.y, cams)
        for cat in sorted(set(ev.category.tolist())):
            m = ev.category == cat
            k, c_in = int(m.sum()), int(covered[m].sum())
            by_cat[cat] = {"n": k, "covered": c_in, "share": c_in / k if k else None}
        k, c_in = int(ev.n), int(covered.sum())
        by_cat["_total"] = {"n": k, "covered": c_in, "share": c_in / k}
    limit = add_months(today, within_months)
    expiring = [
        {"code": c.code, "authorisation_number": c.authorisation_number,
         "expiry": c.authorisation_expiry.isoformat(),
         "days_left": (c.authorisation_expiry - today).days}
        for c in alive
        if c.authorisation_expiry is not None and today <= c.authorisation_expiry <= limit
    ]  # fmt: skip
    expired = [
        {"code": c.code, "authorisation_number": c.authorisation_number,
         "expiry": c.authorisation_expiry.isoformat()}
        for c in alive
        if c.authorisation_expiry is not None and c.authorisation_expiry < today
    ]  # fmt: skip
    return NetworkSummary(
        on=today,
        period_start=start.astimezone(UTC),
        period_end=end.astimezone(UTC),
        n_cameras=n,
        n_hd=n_hd,
        hd_share=n_hd / n if n else None,
        annual_cost_eur=float(sum(c.annual_cost_eur for c in cams)),
        coverage_by_category=by_cat,
        expiring=sorted(expiring, key=lambda e: e["expiry"]),
        expired=sorted(expired, key=lambda e: e["expiry"]),
        without_authorisation=[c.code for c in alive if c.authorisation_date is None],
        max_retention_days=max((c.retention_days for c in cams), default=None),
        method={
            "coverage": "point dans le secteur de vue (gltd.analysis.coverage)",
            "incidents": "faits géolocalisés de la période, demi-ouverte [début, fin)",
            "renewal_note": "renouvellement à déposer environ 4 mois avant l'échéance (CSI L252-4)",
        },
    )


def coverage_geojson(engine: Engine, *, on: date | None = None) -> dict[str, Any]:
    """Fields of view of the cameras in service on ``on`` (today) as GeoJSON (WGS84)."""
    day = on or datetime.now(PARIS).date()
    return fov_feature_collection(list_cameras(engine, active_on=day))


def network_history(engine: Engine, *, on: date, years: int = 10) -> list[dict[str, int]]:
    """Cameras in service (and HD ones) at the end of each year, ``on`` for its own year.

    From the year of the first installation on record (at most ``years`` years back) to
    the year of ``on``.
    """
    cams = list_cameras(engine)
    installed = [c.installed_on.year for c in cams if c.installed_on is not None]
    first = max(min([*installed, on.year]), on.year - years + 1)
    out = []
    for y in range(first, on.year + 1):
        d = on if y == on.year else date(y, 12, 31)
        alive = [c for c in cams if c.active_on(d)]
        out.append({"year": y, "count": len(alive), "hd": sum(bool(c.hd) for c in alive)})
    return out
