"""Figures of the dashboard: counts per zone with their change and its significance,
and the upcoming deadlines (requisitions, actions, camera authorisations)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, and_, or_, select

from gltd.analysis.trends import poisson_rate_test
from gltd.cctv.requisitions import deadline_alerts
from gltd.model import Action, Agency, Camera
from gltd.model.base import utcnow
from gltd.store.zones import list_zones
from gltd.taxonomy import get_taxonomy
from gltd.timeutil import PARIS
from gltd.web.auth import CurrentUser
from gltd.web.cache import DataCache
from gltd.web.periods import PeriodChoice
from gltd.web.permissions import allowed

__all__ = ["zone_kpis", "deadlines", "category_choices", "zones_list"]

#: Camera authorisations are listed this many days before they expire (renewal ≈ 4 months).
AUTHORISATION_NOTICE_DAYS = 122
REQUISITION_NOTICE_DAYS = 7
ACTION_NOTICE_DAYS = 30


def zones_list(engine: Engine, cache: DataCache) -> list[tuple[int, str, str, bool]]:
    """Zones (id, name, kind, illustrative), cached."""

    def load() -> list[tuple[int, str, str, bool]]:
        return [(z.id, z.name, z.kind, z.illustrative) for z in list_zones(engine)]

    return list(cache.memo(("zones",), load))


def _comparison(count: int, ref: int, days: float, ref_days: float) -> dict[str, Any]:
    return poisson_rate_test(count, ref, days, ref_days).as_dict()


def zone_kpis(
    engine: Engine, cache: DataCache, choice: PeriodChoice, categories: list[str]
) -> dict[str, Any]:
    """Counts per zone for the period and its reference, with the exact Poisson test."""
    key = ("kpis", choice.period, choice.reference, tuple(categories))

    def compute() -> dict[str, Any]:
        cube = cache.cube()
        p, r = choice.period, choice.reference
        now = cube.zone_counts(p.start, p.end, categories)
        ref = cube.zone_counts(r.start, r.end, categories)
        rows = []
        for zid, name, kind, illus in zones_list(engine, cache):
            c, cr = now.get(zid, 0), ref.get(zid, 0)
            rows.append(
                {
                    "zone_id": zid,
                    "zone": name,
                    "kind": kind,
                    "illustrative": illus,
                    **_comparison(c, cr, p.days, r.days),
                }
            )
        outside = (now.get(-1, 0), ref.get(-1, 0))
        if any(outside):
            rows.append(
                {
                    "zone_id": None,
                    "zone": "Hors zone",
                    "kind": "",
                    "illustrative": False,
                    **_comparison(outside[0], outside[1], p.days, r.days),
                }
            )
        total = _comparison(sum(now.values()), sum(ref.values()), p.days, r.days)
        return {
            "period": {"start": p.start.isoformat(), "end": p.end.isoformat(), "label": p.label()},
            "reference": {
                "start": r.start.isoformat(),
                "end": r.end.isoformat(),
                "label": r.label(),
            },
            "compare": choice.compare,
            "categories": categories,
            "zones": rows,
            "total": total,
            "method": {
                "test": "Poisson exact (binomial conditionnel), bilatéral, IC "
                f"{total['confidence'] * 100:g} % du rapport de taux",
                "exposure": "durée des périodes en jours",
                "small_numbers": "effectifs < 10 signalés « petits effectifs »",
                "zones_overlap": "une zone peut en recouvrir une autre : le total compte chaque fait une fois",
                "source": "faits enregistrés dans gltd (table incident)",
            },
        }

    result: dict[str, Any] = cache.memo(key, compute, registers=False)
    return result


def category_choices(cache: DataCache) -> list[tuple[str, str, bool]]:
    """(code, French label, drug-related) for the taxonomy plus codes seen in the data."""
    tax = get_taxonomy()
    seen = set(cache.cube().categories)
    out = [(c.code, c.label_fr, c.drug) for c in tax.categories]
    out += [(c, c, False) for c in sorted(seen - set(tax.by_code))]
    return out


def deadlines(
    engine: Engine, user: CurrentUser, today: date | None = None, *, now: datetime | None = None
) -> dict[str, Any]:
    """What falls due soon or is late on ``today`` / at ``now``, filtered by what the user reads.

    The requisitions are those of ``gltd cctv requisitions alerts --within 7d``
    (:func:`gltd.cctv.requisitions.deadline_alerts`), the 50 most urgent.
    """
    today = today or datetime.now(PARIS).date()
    now = now or utcnow()
    out: dict[str, Any] = {"requisitions": None, "actions": [], "authorisations": []}
    if allowed(user.agency_kind, user.role, "requisitions", "read"):
        alerts = deadline_alerts(engine, within=timedelta(days=REQUISITION_NOTICE_DAYS), now=now)
        out["requisitions"] = [
            {
                "id": v.id,
                "received_at": v.received_at,
                "unit": v.requesting_unit,
                "deadline": v.deadline,
                "status": v.status,
                "level": deadline_level(v.deadline, v.status, now),
            }
            for v in (a.requisition for a in alerts[:50])
        ]
    with engine.connect() as conn:
        acts = conn.execute(
            select(Action.id, Action.title, Action.due_on, Action.status, Agency.name)
            .outerjoin(Agency, Agency.id == Action.owner_agency_id)
            .where(
                and_(
                    Action.status.in_(("a_faire", "en_cours")),
                    Action.due_on <= today + timedelta(days=ACTION_NOTICE_DAYS),
                )
            )
            .order_by(Action.due_on)
            .limit(50)
        ).all()
        out["actions"] = [
            {
                "id": a.id,
                "title": a.title,
                "due_on": a.due_on,
                "status": a.status,
                "owner": a.name,
                "late": a.due_on < today,
            }
            for a in acts
        ]
        cams = conn.execute(
            select(Camera.id, Camera.code, Camera.authorisation_number, Camera.authorisation_expiry)
            .where(
                and_(
                    or_(Camera.removed_on.is_(None), Camera.removed_on > today),
                    Camera.authorisation_expiry
                    <= today + timedelta(days=AUTHORISATION_NOTICE_DAYS),
                )
            )
            .order_by(Camera.authorisation_expiry)
            .limit(50)
        ).all()
        out["authorisations"] = [
            {
                "id": c.id,
                "code": c.code,
                "number": c.authorisation_number,
                "expiry": c.authorisation_expiry,
                "late": c.authorisation_expiry < today,
            }
            for c in cams
        ]
    return out


def deadline_level(deadline: datetime | None, status: str, now: datetime | None = None) -> str:
    """Colour class of a requisition deadline: depasse, urgent (< 48 h), proche (< 7 j), ok, clos."""
    if status not in ("recue", "en_cours"):
        return "clos"
    if deadline is None:
        return "inconnu"
    now = now or utcnow()
    left = deadline - now
    if left.total_seconds() < 0:
        return "depasse"
    if left < timedelta(hours=48):
        return "urgent"
    if left < timedelta(days=7):
        return "proche"
    return "ok"
