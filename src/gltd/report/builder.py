"""The GLTD bilan as data: every number of the report, with its method.

:func:`build_bilan` reads the store and returns a JSON-ready dict (plus a private
``_layers`` entry holding the arrays of the map, dropped from the JSON). The renderers
(:mod:`gltd.report.render`) only format what is here, so the PDF, the HTML and the JSON
always show the same numbers.

Changes between the period and the comparison period use the exact conditional Poisson
test of :func:`gltd.analysis.trends.poisson_rate_test` with the periods' lengths in days
as exposures (Przyborowski & Wilenski 1940); counts under 10 are flagged.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

import pandas as pd
from sqlalchemy import Engine

from gltd import __version__
from gltd.analysis.trends import SMALL_NUMBERS, poisson_rate_test
from gltd.cctv.inventory import list_cameras
from gltd.documents.fmt import fr_date, fr_int, fr_p, fr_test_change
from gltd.errors import GltdError
from gltd.report import queries as q
from gltd.report.hotspots import hotspot_layers
from gltd.report.places import remainder_zones
from gltd.report.press import press_section
from gltd.report.sections import (
    actions_section,
    cameras_section,
    operations_section,
    requisitions_section,
)
from gltd.report.story import displacement_sections, monthly_trend
from gltd.report.synthesis import synthesis
from gltd.store.zones import resolve_zone_ids
from gltd.taxonomy import get_taxonomy
from gltd.timeutil import Period, parse_period

__all__ = ["build_bilan", "resolve_compare", "period_dict", "CAVEAT", "NO_ZONE"]

NO_ZONE = "Sans zone"
CAVEAT = (
    "Les indicateurs « stupéfiants » (trafic, usage, interpellations, saisies) comptent des "
    "faits élucidés et des personnes mises en cause : ils mesurent l'activité des services "
    "autant que le marché. Une hausse des interpellations ou des saisies traduit d'abord un "
    "effort policier ; une baisse des faits peut aussi traduire un déplacement."
)
DISPLACEMENT_METHOD = (
    "pour chaque intervention commencée dans la période (hors série d'opérations, qui est "
    "l'objet du bilan), l'analyse de déplacement de gltd : période après = du début de "
    "l'intervention à la fin de la période, période avant de même durée, anneaux de 200, "
    "400 et 600 m autour de la cible, zone témoin automatique (le reste de la ville), "
    "catégories de la carte ; mesures de Bowers & Johnson (2003), test WDD (Wheeler & "
    "Ratcliffe 2018)"
)
ROLES = (
    ("trafficker", "arrests_trafficker", "Trafiquants"),
    ("consumer", "arrests_consumer", "Consommateurs"),
)


#: Left out of the default map: they count consumers arrested (police activity).
USE_CODES = ("usage_stupefiants", "usage_stupefiants_afd")


def market_categories(drug_codes: Sequence[str]) -> list[str]:
    """Categories of the default hotspot map: the drug market without simple use."""
    codes = [c for c in drug_codes if c not in USE_CODES]
    return codes or list(drug_codes) or [c for c in get_taxonomy().drug_codes if c not in USE_CODES]


def resolve_compare(period: Period, spec: str) -> tuple[Period, str]:
    """The comparison period for ``previous-year``, ``previous-period`` or ``FROM..TO``."""
    s = spec.strip()
    if s == "previous-year":
        return period.shifted_years(-1), "previous-year"
    if s == "previous-period":
        return period.previous(), "previous-period"
    if ".." in s:
        return parse_period(s), "custom"
    raise GltdError(
        f"période de comparaison illisible : « {spec} » (attendu previous-year, "
        "previous-period ou DEBUT..FIN)"
    )


def _days(p: Period) -> int:
    return (p.last_day - p.first_day).days + 1


def period_dict(p: Period) -> dict[str, Any]:
    """A period as JSON: first and last local days (both included), length, label."""
    return {
        "first_day": p.first_day.isoformat(),
        "last_day": p.last_day.isoformat(),
        "days": _days(p),
        "start_utc": p.start.astimezone(UTC).isoformat(),
        "end_utc": p.end.astimezone(UTC).isoformat(),
        "label": f"du {fr_date(p.first_day)} au {fr_date(p.last_day)}",
    }


def _test(
    n: int, n_ref: int, period: Period, compare: Period, unit: str = "faits"
) -> dict[str, Any]:
    r = poisson_rate_test(int(n), int(n_ref), float(_days(period)), float(_days(compare)))
    d = r.as_dict()
    d["text"] = _change_text(d, unit)
    d["verdict"] = verdict(d)
    return d


def verdict(t: dict[str, Any]) -> str:
    """The plain-French reading of a test (small numbers said so, even when significant)."""
    if t["count"] == 0 and t["count_ref"] == 0:
        return "aucun fait sur les deux périodes"
    up = (t["rate_ratio"] is None) or t["rate_ratio"] > 1
    if t["significant"]:
        word = "hausse significative" if up else "baisse significative"
        return f"{word} (petits effectifs)" if t["small_numbers"] else word
    if t["small_numbers"]:
        return "effectifs trop faibles pour conclure"
    return "variation non significative"


def _change_text(t: dict[str, Any], unit: str = "faits") -> str:
    """``+125 % (20 → 45), p = 0,002`` — both counts always shown; below 10 events in
    either period, counts only: ``de 2 à 55 faits, p < 0,001`` (never a percentage)."""
    if t["count"] == 0 and t["count_ref"] == 0:
        return "aucun fait sur les deux périodes"
    if t["small_numbers"]:
        return f"{fr_test_change(t, unit)}, {fr_p(t['p_value'])}"
    counts = f"({fr_int(t['count_ref'])} → {fr_int(t['count'])})"
    return f"{fr_test_change(t)} {counts}, {fr_p(t['p_value'])}"


def _zone_names(zf: pd.DataFrame) -> dict[int, str]:
    names = {int(i): str(n) for i, n in zip(zf["id"], zf["name"], strict=True)}
    names[-1] = NO_ZONE
    return names


def _zones_in_order(names: dict[int, str], zone_ids: list[int] | None) -> list[int]:
    """Zone ids in the tables' order: the named zones, then the rest of the city (-1);
    only those of ``zone_ids`` when the bilan is on some zones."""
    order = [z for z in names if z != -1] + [-1]
    return order if zone_ids is None else [z for z in order if z in zone_ids]


def _incident_tables(
    engine: Engine,
    period: Period,
    compare: Period,
    zone_ids: list[int] | None,
    names: dict[int, str],
    categories: Sequence[str] | None,
) -> dict[str, Any]:
    tax = get_taxonomy()
    now = q.incident_counts(engine, period, zone_ids)
    ref = q.incident_counts(engine, compare, zone_ids)
    both = pd.concat([now.assign(which="now"), ref.assign(which="ref")])
    table = both.pivot_table(
        index=["zone_id", "category"], columns="which", values="n", aggfunc="sum", fill_value=0
    )
    for col in ("now", "ref"):
        if col not in table.columns:
            table[col] = 0
    present = set(both["category"])
    drug = [c for c in tax.drug_codes if c in present]
    focus = list(categories) if categories else drug
    zones_order = _zones_in_order(names, zone_ids)
    lookup: dict[tuple[int, str], tuple[int, int]] = {
        (int(k[0]), str(k[1])): (int(a), int(b))
        for k, a, b in zip(table.index, table["now"], table["ref"], strict=True)
    }
    rows: list[dict[str, Any]] = []
    totals: list[dict[str, Any]] = []
    for cat in focus:
        for z in zones_order:
            n, n_ref = lookup.get((z, cat), (0, 0))
            if z == -1 and n == 0 and n_ref == 0:
                continue
            rows.append(
                {
                    "zone_id": z,
                    "zone": names.get(z, str(z)),
                    "category": cat,
                    "category_label": tax.label(cat),
                    "test": _test(n, n_ref, period, compare),
                }
            )
        sub = table.xs(cat, level="category") if cat in present else None
        n = int(sub["now"].sum()) if sub is not None else 0
        n_ref = int(sub["ref"].sum()) if sub is not None else 0
        totals.append(
            {
                "category": cat,
                "category_label": tax.label(cat),
                "test": _test(n, n_ref, period, compare),
            }
        )
    others = []
    for cat in sorted(present - set(focus), key=lambda c: tax.label(c)):
        sub = table.xs(cat, level="category")
        others.append(
            {
                "category": cat,
                "category_label": tax.label(cat),
                "test": _test(int(sub["now"].sum()), int(sub["ref"].sum()), period, compare),
            }
        )
    return {
        "categories": focus,
        "by_zone": rows,
        "totals": totals,
        "other_categories": others,
        "total_now": int(now["n"].sum()),
        "total_ref": int(ref["n"].sum()),
    }


def _arrests_by_zone(
    ops_now: pd.DataFrame,
    ops_ref: pd.DataFrame,
    period: Period,
    compare: Period,
    names: dict[int, str],
    zone_ids: list[int] | None,
) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    zones_order = _zones_in_order(names, zone_ids)
    for role, col, label in ROLES:
        g_now = ops_now.groupby("zone_id")[col].sum()
        g_ref = ops_ref.groupby("zone_id")[col].sum()
        for z in zones_order:
            n, n_ref = int(g_now.get(z, 0)), int(g_ref.get(z, 0))
            if z == -1 and n == 0 and n_ref == 0:
                continue
            out.append(
                {
                    "zone_id": z,
                    "zone": names.get(z, str(z)),
                    "role": role,
                    "role_label": label,
                    "test": _test(n, n_ref, period, compare, "interpellations"),
                }
            )
        out.append(
            {
                "zone_id": None,
                "zone": "Total",
                "role": role,
                "role_label": label,
                "test": _test(
                    int(g_now.sum()), int(g_ref.sum()), period, compare, "interpellations"
                ),
            }
        )
    return out


def build_bilan(
    engine: Engine,
    period: Period,
    compare: Period,
    zones: Sequence[str | int] | None = None,
    *,
    compare_kind: str = "custom",
    categories: Sequence[str] | None = None,
    title: str | None = None,
    theme: str = "Lutte contre le trafic de stupéfiants",
    cell: float = 250.0,
    generated_at: datetime | None = None,
) -> dict[str, Any]:
    """Every number of the GLTD bilan for ``period`` compared with ``compare``.

    Parameters
    ----------
    engine : sqlalchemy.Engine
    period, compare : Period
        The period of the bilan and the comparison period (local days, end included).
    zones : names or ids, optional
        Restrict counts, operations and hotspots to these zones (all zones by default).
    compare_kind : str
        ``previous-year``, ``previous-period`` or ``custom`` (for the wording).
    categories : codes, optional
        Categories of the zone table and the map (default: the drug categories present).
    title, theme : str
        Title (default: « Groupe local de traitement de la délinquance ») and subject.
    cell : float
        Cell side of the hotspot grid, metres.
    generated_at : datetime, optional
        Time stamp written in the report (default: now); fixed by tests.

    Returns
    -------
    dict
        JSON-ready sections (``synthesis``, ``operations``, ``arrests_by_zone``,
        ``incidents``, ``hotspots``, ``requisitions``, ``cameras``, ``actions``,
        ``method``...) and a private ``_layers`` entry for the map.
    """
    stamp = generated_at or datetime.now(UTC)
    zone_ids = resolve_zone_ids(engine, zones)
    zf = q.zones_frame(engine)
    names = _zone_names(zf)
    # Never a planned operation, whoever runs the bilan: it goes to every agency and the press.
    ops_now = q.operations_frame(engine, period, zone_ids, now=stamp)
    ops_ref = q.operations_frame(engine, compare, zone_ids, now=stamp)
    incidents = _incident_tables(engine, period, compare, zone_ids, names, categories)
    map_categories = list(categories) if categories else market_categories(incidents["categories"])
    hot = hotspot_layers(engine, period, compare, map_categories, zone_ids=zone_ids, cell=cell)
    moves, move_reports = displacement_sections(
        engine, period, map_categories, zone_ids=zone_ids, now=stamp
    )
    bilan: dict[str, Any] = {
        "kind": "gltd-bilan",
        "version": __version__,
        "generated_at": stamp.isoformat(timespec="seconds"),
        "title": title or "Groupe local de traitement de la délinquance",
        "theme": theme,
        "demo": q.is_demo(engine),
        "agencies": q.agencies(engine),
        "period": period_dict(period),
        "compare": {**period_dict(compare), "kind": compare_kind},
        "zones_selected": [names[z] for z in zone_ids] if zone_ids is not None else None,
        "zones_remainder": sorted(remainder_zones(hot["layers"]["zones"])),
        "operations": operations_section(
            engine, ops_now, ops_ref, names, period, compare, now=stamp
        ),
        "arrests_by_zone": _arrests_by_zone(ops_now, ops_ref, period, compare, names, zone_ids),
        "incidents": incidents,
        "trend": monthly_trend(engine, period, compare, incidents["categories"], zone_ids),
        "hotspots": hot["summary"],
        "displacement": moves,
        "requisitions": requisitions_section(engine, period),
        "cameras": cameras_section(engine, period),
        "actions": actions_section(engine, period.last_day),
        "caveat": CAVEAT,
    }
    bilan["synthesis"] = synthesis(bilan)
    bilan["press"] = press_section(bilan)
    bilan["method"] = _method(bilan, zone_ids, names)
    alive = list_cameras(engine, during=(period.first_day, period.last_day))
    bilan["_displacement"] = move_reports
    bilan["_layers"] = {
        **hot["layers"],
        "cameras": pd.DataFrame({"x": [c.x for c in alive], "y": [c.y for c in alive]}),
    }
    return bilan


def _method(
    bilan: dict[str, Any], zone_ids: list[int] | None, names: dict[int, str]
) -> dict[str, Any]:
    tax = get_taxonomy()
    return {
        "period": bilan["period"],
        "compare": bilan["compare"],
        "time_reference": "jours locaux Europe/Paris, premier et dernier jour inclus",
        "filters": {
            "zones": [names[z] for z in zone_ids] if zone_ids is not None else "toutes",
            "categories_table": bilan["incidents"]["categories"],
            "categories_labels": [tax.label(c) for c in bilan["incidents"]["categories"]],
            "incidents_without_zone": f"comptés sur la ligne « {NO_ZONE} »",
            "operations": "opérations réalisées dont la date de début est dans la période ; "
            "zone de l'opération ; les opérations planifiées (ou datées après l'édition du "
            "bilan) n'y figurent jamais",
        },
        "tests": {
            "rate_comparison": "test exact de Poisson conditionnel (binomial sur n = n1 + n0, "
            "p0 = d1 / (d1 + d0)), intervalle exact de Clopper-Pearson du rapport des taux "
            "(Przyborowski & Wilenski 1940 ; R poisson.test)",
            "exposure": "durée des périodes en jours",
            "confidence": 0.95,
            "alpha": 0.05,
            "small_numbers_threshold": SMALL_NUMBERS,
            "small_numbers_rule": f"effectif < {SMALL_NUMBERS} dans l'une des deux périodes",
            "multiple_testing": "aucune correction sur les tableaux par zone : lire les p "
            "comme des indications, non comme des preuves",
        },
        "hotspots": bilan["hotspots"]["method"],
        "trend": bilan["trend"]["method"],
        "displacement": DISPLACEMENT_METHOD,
        "requisitions": bilan["requisitions"]["method"],
        "cameras": bilan["cameras"]["method"],
        "caveat": CAVEAT,
        "sources": [
            "base gltd : faits, opérations, caméras, réquisitions, actions du GLTD",
            "données de démonstration fictives" if bilan["demo"] else "données importées",
        ],
        "software": f"gltd {__version__}",
    }


def as_of_label(d: date) -> str:
    """« au 24 septembre 2018 »."""
    return f"au {fr_date(d)}"
