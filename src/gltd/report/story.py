"""The story the data holds: the month-by-month trend of the period against its
comparison, and the displacement analysis of each intervention made during the period.

The displacement figures are those of :func:`gltd.displacement.run_displacement` (the
analysis ``gltd displacement`` runs), never recomputed here: the bilan only chooses the
intervention, the periods (as long before as after) and the rings, and words the result.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Engine

from gltd.displacement import DisplacementReport, run_displacement
from gltd.documents.fmt import fr_date, fr_int, fr_month_abbr, fr_p
from gltd.errors import InputError
from gltd.interventions import KIND_LABELS, list_interventions
from gltd.report import queries as q
from gltd.timeutil import PARIS, Period

__all__ = [
    "monthly_trend",
    "displacement_sections",
    "RINGS_M",
    "MIN_AFTER_DAYS",
    "MAX_INTERVENTIONS",
    "VERDICT_WORDS",
    "verdict_sentence",
    "short_sentence",
]

#: Rings around an intervention's target (metres from its edge): the scale of a quartier.
RINGS_M = (200.0, 400.0, 600.0)
#: An intervention is analysed when at least this many days of the period follow its start.
MIN_AFTER_DAYS = 28
#: At most this many interventions are analysed (the first ones of the period).
MAX_INTERVENTIONS = 3


def _months(p: Period) -> list[tuple[int, int]]:
    first, last = p.first_day, p.last_day
    out = []
    y, m = first.year, first.month
    while (y, m) <= (last.year, last.month):
        out.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def _month_counts(times: list[datetime], p: Period) -> list[int]:
    months = _months(p)
    index = {ym: i for i, ym in enumerate(months)}
    out = [0] * len(months)
    for t in times:
        local = t.astimezone(PARIS)
        i = index.get((local.year, local.month))
        if i is not None:
            out[i] += 1
    return out


def _month_days(p: Period) -> list[int]:
    """Days of each month that fall in the period (a partial first or last month)."""
    out = []
    for y, m in _months(p):
        start = date(y, m, 1)
        end = date(y + (m == 12), m % 12 + 1, 1) - timedelta(days=1)
        out.append((min(end, p.last_day) - max(start, p.first_day)).days + 1)
    return out


def monthly_trend(
    engine: Engine,
    period: Period,
    compare: Period,
    categories: Sequence[str],
    zone_ids: Sequence[int] | None = None,
) -> dict[str, Any]:
    """Incidents of ``categories`` per local month of the period and of the comparison
    (month *k* of one beside month *k* of the other), with the days each month covers."""
    from gltd.taxonomy import get_taxonomy

    tax = get_taxonomy()
    now = _month_counts(q.incident_times(engine, period, categories, zone_ids), period)
    ref = _month_counts(q.incident_times(engine, compare, categories, zone_ids), compare)
    months = [
        {"year": y, "month": m, "label": f"{fr_month_abbr(m)} {y}", "count": n, "days": d}
        for (y, m), n, d in zip(_months(period), now, _month_days(period), strict=True)
    ]
    months_ref = [
        {"year": y, "month": m, "label": f"{fr_month_abbr(m)} {y}", "count": n, "days": d}
        for (y, m), n, d in zip(_months(compare), ref, _month_days(compare), strict=True)
    ]
    return {
        "categories": list(categories),
        "category_labels": [tax.label(c) for c in categories],
        "months": months,
        "months_ref": months_ref,
        "total": sum(now),
        "total_ref": sum(ref),
        "method": "faits enregistrés par mois civil (heure de Paris), localisés ou non ; "
        "le premier et le dernier mois peuvent être incomplets (nombre de jours indiqué)",
    }


def _candidates(engine: Engine, period: Period, zone_ids: Sequence[int] | None = None) -> list[Any]:
    """Interventions started in the period with enough of it after their start (and, for
    a bilan of some zones, in one of them); a series of operations is left out (the whole
    bilan measures the operations)."""
    out = []
    for i in list_interventions(engine):
        start = i.started_on.astimezone(PARIS)
        if i.kind == "operations" or not (period.start <= start < period.end):
            continue
        if zone_ids is not None and i.zone_id not in set(zone_ids):
            continue
        if (period.end.astimezone(PARIS).date() - start.date()).days < MIN_AFTER_DAYS:
            continue
        out.append(i)
    return out[:MAX_INTERVENTIONS]


#: The verdict of the measures (Bowers & Johnson 2003) in plain words.
VERDICT_WORDS = {
    "cible_non_amelioree": "la cible ne s'est pas améliorée par rapport au témoin : on ne "
    "peut pas parler de déplacement",
    "diffusion": "la cible s'est améliorée et ses abords aussi : diffusion des bénéfices, "
    "pas de déplacement",
    "neutre": "la cible s'est améliorée, sans déplacement ni diffusion autour",
    "deplacement_partiel": "la cible s'est améliorée ; une partie des faits s'est reportée "
    "autour, mais le bénéfice net reste positif",
    "deplacement_egal": "la cible s'est améliorée, mais le report autour compense exactement "
    "le gain",
    "deplacement_excedentaire": "la cible s'est améliorée en apparence, mais le report autour "
    "dépasse le gain : effet net défavorable",
}


def verdict_sentence(sec: dict[str, Any]) -> str:
    """« Fermeture … (20 avril 2018) : dans la cible, de 6 à 2 faits ; … » in French."""
    c = sec["counts"]
    reach = fr_int(max(sec["rings_m"]))
    words = VERDICT_WORDS.get(sec["measures"]["verdict"], sec["measures"]["verdict"])
    tne = sec["measures"]["tne"]
    net = ""
    if tne is not None and round(tne) != 0:
        net = (
            f" Effet net total : environ {fr_int(round(abs(tne)))} faits "
            + ("évités" if tne > 0 else "de plus")
            + " dans la cible et ses abords, par rapport à l'évolution du témoin."
        )
    wdd = sec["wdd"]
    test = (
        f" Test WDD : {wdd['label']} ({fr_p(wdd['p_value'])})."
        if wdd is not None and wdd.get("p_value") is not None
        else " Test WDD non calculable."
    )
    up = [r for r in sec["rings"] if (r["measures"]["bdm"] or 0) > 0]
    rings = (
        " Anneau par anneau, plus de faits que ne le prévoyait le témoin "
        + ("dans l'anneau " if len(up) == 1 else "dans les anneaux ")
        + ", ".join(f"{fr_int(r['inner_m'])} à {fr_int(r['outer_m'])} m" for r in up)
        + " : un report à cette distance est possible."
        if up
        else ""
    )
    small = (
        " Effectifs faibles dans la cible : à lire avec prudence."
        if sec["measures"]["small_numbers"]
        else ""
    )
    return (
        f"{sec['name']} ({sec['started_on']}), {fr_int(sec['days'])} jours avant et après : "
        f"dans la cible, de {fr_int(c['target']['before'])} à {fr_int(c['target']['after'])} "
        f"faits ; autour (jusqu'à {reach} m), de {fr_int(c['buffer']['before'])} à "
        f"{fr_int(c['buffer']['after'])} ; dans le témoin, de {fr_int(c['control']['before'])} "
        f"à {fr_int(c['control']['after'])}. Lecture : {words}.{rings}{net}{test}{small}"
    )


def short_sentence(sec: dict[str, Any]) -> str:
    """The press edition's line: the target's two counts, the verdict in words, the test."""
    c = sec["counts"]["target"]
    words = VERDICT_WORDS.get(sec["measures"]["verdict"], sec["measures"]["verdict"])
    wdd = sec["wdd"]
    test = (
        f" (test WDD : {wdd['label']}, {fr_p(wdd['p_value'])})"
        if wdd is not None and wdd.get("p_value") is not None
        else ""
    )
    small = " ; effectifs faibles dans la cible" if sec["measures"]["small_numbers"] else ""
    return (
        f"{sec['name']} ({sec['started_on']}) : dans la cible, de {fr_int(c['before'])} à "
        f"{fr_int(c['after'])} faits en {fr_int(sec['days'])} jours ; {words}{test}{small}."
    )


def ring_reading(ring: dict[str, Any]) -> str:
    """A ring against the control: « hausse relative » (BDM > 0) or « baisse relative »."""
    bdm = ring["measures"]["bdm"]
    if bdm is None or bdm == 0:
        return "comme le témoin"
    return "hausse relative (report possible)" if bdm > 0 else "baisse relative"


def _section(info: Any, rep: DisplacementReport) -> dict[str, Any]:
    d = rep.as_dict()
    m = d["measures"]
    wdd = d["wdd"]
    out: dict[str, Any] = {
        "intervention_id": info.id,
        "name": info.name,
        "kind": info.kind,
        "kind_label": KIND_LABELS.get(info.kind, info.kind),
        "started_on": fr_date(info.started_on.astimezone(PARIS).date()),
        "before": d["before"],
        "after": d["after"],
        "days": rep.params["after_days"],
        "rings_m": list(rep.params["rings_m"]),
        "control": d["control"],
        "categories": d["categories"],
        "counts": d["counts"],
        "rings": [{**r, "reading": ring_reading(r)} for r in d["rings"]],
        "measures": {
            k: m[k]
            for k in ("sm", "bdm", "wdq", "wdq_meaningful", "tne", "verdict", "small_numbers")
        },
        "interpretation": m["interpretation_fr"],
        "interpretation_short": "améliorée" if (m["sm"] or 0) < 0 else "non améliorée",
        "wdd": None
        if wdd is None
        else {
            k: wdd[k]
            for k in ("estimate", "se", "z", "p_value", "ci_low", "ci_high", "significant")
            if k in wdd
        }
        | {"label": wdd.get("label_fr")},
        "warnings": d["warnings"],
        "caveats": d["caveats"],
        "error": None,
    }
    out["sentence"] = verdict_sentence(out)
    out["short"] = short_sentence(out)
    return out


def displacement_sections(
    engine: Engine,
    period: Period,
    categories: Sequence[str],
    *,
    zone_ids: Sequence[int] | None = None,
    now: datetime | None = None,
) -> tuple[list[dict[str, Any]], list[DisplacementReport]]:
    """The displacement analysis of each intervention made during the period: as long a
    « before » as the « after » that the period leaves, rings :data:`RINGS_M`, the
    categories of the map, the domain's automatic control area; not stored as a run.

    Returns the JSON-ready sections and the reports (for their maps)."""
    sections: list[dict[str, Any]] = []
    reports: list[DisplacementReport] = []
    for info in _candidates(engine, period, zone_ids):
        start = info.started_on.astimezone(PARIS).date()
        days = (period.end.astimezone(PARIS).date() - start).days
        try:
            rep = run_displacement(
                engine,
                intervention_id=info.id,
                before=f"{days}d",
                after=f"{days}d",
                rings=list(RINGS_M),
                categories=list(categories),
                store=False,
                now=now,
            )
        except InputError as exc:
            sections.append(
                {
                    "intervention_id": info.id,
                    "name": info.name,
                    "kind": info.kind,
                    "kind_label": KIND_LABELS.get(info.kind, info.kind),
                    "started_on": fr_date(start),
                    "error": str(exc),
                }
            )
            continue
        sections.append(_section(info, rep))
        reports.append(rep)
    return sections, reports
