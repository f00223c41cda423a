"""Inputs of a displacement analysis: target, periods, data checks, control, other interventions.

Every user mistake (a target outside the data, periods outside the data or in the future,
a buffer that swallows the control) raises :class:`~gltd.errors.InputError` with a French
message saying what to change.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np
import shapely
from sqlalchemy import Engine, func, select

from gltd.analysis.events import EventSet
from gltd.errors import InputError
from gltd.model import Incident, Intervention
from gltd.store.zones import load_zones, zone_by_name
from gltd.timeutil import PARIS, Period, parse_day, parse_duration

__all__ = [
    "DATA_TOLERANCE_DAYS",
    "resolve_target",
    "period_days",
    "check_periods",
    "check_extent",
    "resolve_control",
    "warn_other_interventions",
]

#: Periods may start/end this many days beyond the first/last recorded fact.
DATA_TOLERANCE_DAYS = 7


def resolve_target(
    engine: Engine,
    intervention_id: int | None,
    target: Any | None,
    target_label: str | None,
    around: tuple[float, float] | None,
    radius: float | None,
    start: date | datetime | str | None,
) -> tuple[Any, str, date, datetime | None]:
    from gltd.interventions import circle, get_intervention

    given = sum(v is not None for v in (intervention_id, target, around))
    if given != 1:
        raise InputError(
            "indiquez une seule cible : une intervention, une zone ou un fichier de "
            "polygone, ou un point et un rayon",
            field="target",
        )
    ended_on: datetime | None = None
    start_day = _as_day(start) if start is not None else None
    if intervention_id is not None:
        info = get_intervention(engine, intervention_id)
        geom, label, ended_on = (
            info.geometry,
            f"{info.name} (intervention n° {info.id})",
            info.ended_on,
        )
        if start_day is None:
            start_day = info.started_on.astimezone(PARIS).date()
    elif around is not None:
        if radius is None:
            raise InputError("un point cible demande aussi un rayon (en mètres)", field="radius")
        lat, lon = around
        geom = circle(lat, lon, radius)
        label = target_label or f"{radius:g} m autour de {lat:.5f}, {lon:.5f}"
    else:
        geom, label = target, target_label or "zone cible"
    if start_day is None:
        raise InputError(
            "date de début manquante : AAAA-MM-JJ (premier jour « après »)", field="start"
        )
    if geom is None or geom.is_empty or geom.area <= 0:
        raise InputError("la zone cible est vide (un polygone est attendu)")
    return geom, label, start_day, ended_on


def _as_day(value: date | datetime | str) -> date:
    if isinstance(value, datetime):
        return value.astimezone(PARIS).date() if value.tzinfo else value.date()
    if isinstance(value, date):
        return value
    try:
        return parse_day(str(value), what="date de début")
    except InputError as exc:
        raise InputError(exc.reason, field="start") from None


def period_days(value: str | timedelta | int, option: str) -> int:
    """Whole days of a duration; ``option`` is the parameter (``before``, ``after``)."""
    td = (
        parse_duration(value)
        if isinstance(value, str)
        else value
        if isinstance(value, timedelta)
        else timedelta(days=int(value))
    )
    days = int(round(td.total_seconds() / 86400))
    if days < 1:
        what = {"before": "durée avant", "after": "durée après"}.get(option, "durée")
        raise InputError(f"{what} : au moins un jour est attendu", field=option)
    return days


def check_periods(engine: Engine, before: Period, after: Period, now: datetime) -> None:
    today = now.astimezone(PARIS).date()
    if after.first_day > today:
        raise InputError(
            f"la date de début {after.first_day:%d/%m/%Y} est dans le futur : aucun fait "
            "« après » ne peut encore être compté"
        )
    if after.end > now:
        raise InputError(
            f"la période après ({after.label()}) n'est pas terminée : raccourcissez la durée "
            "après ou attendez la fin de la période",
            field="after",
        )
    with engine.connect() as conn:
        first, last = conn.execute(
            select(func.min(Incident.occurred_at), func.max(Incident.occurred_at))
        ).one()
    if first is None:
        raise InputError("aucun fait en base : importez des faits avant l'analyse")
    first = first if first.tzinfo else first.replace(tzinfo=UTC)
    last = last if last.tzinfo else last.replace(tzinfo=UTC)
    tol = timedelta(days=DATA_TOLERANCE_DAYS)
    cover = (
        f"les données couvrent du {first.astimezone(PARIS):%d/%m/%Y} "
        f"au {last.astimezone(PARIS):%d/%m/%Y}"
    )
    if before.start < first - tol:
        raise InputError(
            f"la période avant ({before.label()}) commence avant les données ({cover}) : "
            "raccourcissez la durée avant ou choisissez une date de début plus tardive",
            field="before",
        )
    if after.end > last + tol:
        raise InputError(
            f"la période après ({after.label()}) dépasse les données ({cover}) : "
            "raccourcissez la durée après ou choisissez une date de début plus ancienne",
            field="after",
        )


def check_extent(target: Any, ev: EventSet) -> None:
    from shapely.geometry import box

    extent = box(float(ev.x.min()), float(ev.y.min()), float(ev.x.max()), float(ev.y.max()))
    if not target.intersects(extent.buffer(1.0)):
        from gltd.geo import geometry_to_lonlat

        c = geometry_to_lonlat(target.centroid)
        raise InputError(
            f"la zone cible (centre {c.y:.5f} N, {c.x:.5f} E) est hors de l'étendue des "
            "données : vérifiez les coordonnées (LAT,LON dans cet ordre) ou la zone"
        )


def resolve_control(
    engine: Engine, control: str | Any, outer: Any, ev: EventSet, warnings: list[str]
) -> tuple[Any, str]:
    if isinstance(control, str) and control.strip().lower() == "auto":
        zones = load_zones(engine, exclude_kinds=["perimetre"])
        if len(zones):
            city = shapely.union_all(zones.geometry.to_numpy())
            label = "reste de la ville (zones enregistrées, hors cible et anneaux)"
        else:
            city = shapely.multipoints(np.column_stack([ev.x, ev.y])).convex_hull
            label = "reste de l'étendue des données (enveloppe convexe, hors cible et anneaux)"
        base = city
    elif isinstance(control, str):
        base, _ = zone_by_name(engine, control)
        label = f"zone « {control} » (hors cible et anneaux)"
    else:
        base, label = control, "zone témoin fournie (hors cible et anneaux)"
    ctrl = base.difference(outer)
    if ctrl.is_empty or ctrl.area < 1.0:
        raise InputError(
            "la zone tampon recouvre entièrement la zone témoin : réduisez la zone tampon "
            "(ou les anneaux) ou choisissez une zone témoin plus éloignée",
            field="buffer",
        )
    if not (isinstance(control, str) and control.strip().lower() == "auto"):
        lost = 1.0 - ctrl.area / base.area
        if lost > 0.001:
            warnings.append(
                f"{lost:.0%} de la zone témoin recouvre la cible ou les anneaux et en a été retiré"
            )
    return ctrl, label


def warn_other_interventions(
    engine: Engine,
    current: int | None,
    target: Any,
    rings: Sequence[Any],
    ctrl: Any,
    before: Period,
    after: Period,
    warnings: list[str],
) -> None:
    from shapely import wkt

    from gltd.geo import geometry_to_metric

    with engine.connect() as conn:
        rows = conn.execute(
            select(
                Intervention.id, Intervention.name, Intervention.geometry_wkt,
                Intervention.started_on, Intervention.ended_on,
            )
        ).all()  # fmt: skip
    for iid, name, gwkt, started, ended in rows:
        if iid == current:
            continue
        started = started if started.tzinfo else started.replace(tzinfo=UTC)
        ended = ended if ended is None or ended.tzinfo else ended.replace(tzinfo=UTC)
        if started >= after.end or (ended is not None and ended <= before.start):
            continue
        g = geometry_to_metric(wkt.loads(gwkt))
        what = f"l'intervention « {name} » (n° {iid}, début {started.astimezone(PARIS):%d/%m/%Y})"
        if g.intersects(target):
            warnings.append(f"la cible recouvre aussi {what} : les effets se mêlent")
        hit = [i + 1 for i, r in enumerate(rings) if g.intersects(r)]
        if hit:
            warnings.append(
                f"les anneaux {', '.join(map(str, hit))} recouvrent {what} : un déplacement ou "
                "une diffusion peut venir d'elle"
            )
        if g.intersects(ctrl):
            warnings.append(
                f"la zone témoin contient {what} : témoin contaminé, choisissez une autre zone témoin"
            )
