"""The synthesis of the bilan in plain French: short sentences, both counts, the test.

Wording rules (DESIGN.md, « honest numbers »): every change shows the two counts and
its p-value; a change on small numbers is said to be too small to conclude; a rise in
arrests is said to measure police activity first.
"""

from __future__ import annotations

from typing import Any

from gltd.documents.fmt import (
    fr_ci,
    fr_date,
    fr_eur,
    fr_int,
    fr_num,
    fr_pct,
    fr_rr,
)
from gltd.report.places import ELSEWHERE, NO_ZONE

__all__ = [
    "synthesis",
    "compare_phrase",
    "hotspot_sentence",
    "requisitions_sentence",
    "place_name",
]


def requisitions_sentence(inp: dict[str, Any]) -> str:
    """« Pendant la période : 121 réquisitions reçues, 117 remises, dont 47 jugées utiles
    à l'enquête. » — counts only (the register's ``useful``: delivered and reported useful)."""
    return (
        f"Pendant la période : {_plural(inp['count'], 'réquisition reçue', 'réquisitions reçues')}, "
        f"{_plural(inp['delivered'], 'remise', 'remises')} dans le délai, dont "
        f"{fr_int(inp['useful'])} {'jugée utile' if inp['useful'] == 1 else 'jugées utiles'} "
        "à l'enquête."
    )


def place_name(b: dict[str, Any], zone: str, lead: bool = False) -> str:
    """A zone as a sentence names it: a remainder zone (« Reste de la ville ») is not a
    place — « ailleurs dans la commune » (:func:`gltd.report.places.remainder_zones`)."""
    if zone in b.get("zones_remainder", ()) or zone == NO_ZONE:
        return ELSEWHERE[0].upper() + ELSEWHERE[1:] if lead else ELSEWHERE
    return zone


def compare_phrase(compare: dict[str, Any]) -> str:
    """« la même période de 2017 », « les six mois précédents »…"""
    kind = compare.get("kind")
    if kind == "previous-year":
        return f"la même période un an plus tôt ({compare['label']})"
    if kind == "previous-period":
        return f"la période précédente de même durée ({compare['label']})"
    return f"la période de comparaison ({compare['label']})"


def _change(t: dict[str, Any]) -> str:
    rr = (
        f", rapport des taux {fr_rr(t['rate_ratio'])} (IC 95 % {fr_ci(t['ci_low'], t['ci_high'])})"
        if t["rate_ratio"] is not None
        else ""
    )
    return f"{t['text']}{rr} : {t['verdict']}"


def _of(noun: str) -> str:
    """« de résine », « d'herbe », « d'héroïne »."""
    return f"d'{noun}" if noun[:1].lower() in "aeiouyhéèêàâîôû" else f"de {noun}"


def _plural(n: int, one: str, many: str) -> str:
    return f"{fr_int(n)} {one if n == 1 else many}"


def _places(h: dict[str, Any], status: str) -> str:
    """« Les Carmes (6), autour de la Gare (3) et 2 isolées »: clusters of two cells or
    more, largest first, named where their cells are (:func:`gltd.report.places`)."""
    mine = [c for c in h.get("clusters", []) if c["status"] == status]
    groups = [c for c in mine if c["n_cells"] >= 2]
    lone = sum(1 for c in mine if c["n_cells"] < 2)
    parts = [f"{c['where']} ({fr_int(c['n_cells'])})" for c in groups[:3]]
    if len(groups) > 3:
        parts.append(_plural(len(groups) - 3, "autre groupe", "autres groupes"))
    if lone and parts:
        parts.append(_plural(lone, "isolée", "isolées"))
    return ", ".join(parts)


def hotspot_sentence(h: dict[str, Any]) -> str | None:
    """The sentence of the hotspot map: counts by status and where the groups of cells are."""
    if not (h["persistant"] or h["apparu"] or h["disparu"]):
        return None
    where_now = _places(h, "persistant")
    where_new = _places(h, "apparu")
    where_gone = _places(h, "disparu")
    return (
        f"Carte des points chauds (cellules de {fr_int(h['cell_m'])} m) : "
        f"{_plural(h['persistant'], 'cellule persistante', 'cellules persistantes')}"
        + (f" — {where_now}" if where_now else "")
        + f", {_plural(h['apparu'], 'apparue', 'apparues')}"
        + (f" — {where_new}" if where_new else "")
        + f", {_plural(h['disparu'], 'disparue', 'disparues')}"
        + (f" — {where_gone}" if where_gone else "")
        + ". La géographie bouge : un déplacement possible est à suivre."
    )


def synthesis(b: dict[str, Any]) -> list[dict[str, str]]:
    """Sentences of the one-page synthesis, each with a ``kind`` (for styling)."""
    out: list[dict[str, str]] = []
    ops = b["operations"]
    period = b["period"]["label"]
    ref_short = (
        "même période un an plus tôt"
        if b["compare"]["kind"] == "previous-year"
        else ("période précédente" if b["compare"]["kind"] == "previous-period" else "comparaison")
    )
    zones = ", ".join(
        f"{place_name(b, z['zone'])} : {fr_int(z['count'])}" for z in ops["by_zone"] if z["count"]
    )
    out.append(
        {
            "kind": "operations",
            "text": f"{period[0].upper()}{period[1:]}, "
            f"{_plural(ops['total'], 'opération a été menée', 'opérations ont été menées')}"
            + (f" ({zones})" if zones else "")
            + f", dont {_plural(ops['occupation'], 'opération', 'opérations')} d'occupation "
            f"et {fr_int(ops['dog_detection'])} avec détection cynophile. "
            f"Période de comparaison : {_plural(ops['total_ref'], 'opération', 'opérations')}.",
        }
    )
    a, ar = ops["arrests"], ops["arrests_ref"]
    out.append(
        {
            "kind": "arrests",
            "text": f"Interpellations : {fr_int(a['trafficker'])} trafiquants, "
            f"{fr_int(a['consumer'])} consommateurs et {fr_int(a['other'])} autres "
            f"({ref_short} : {fr_int(ar['trafficker'])}, {fr_int(ar['consumer'])} et "
            f"{fr_int(ar['other'])}).",
        }
    )
    if ops["seizures"] or ops["cash_eur"]:
        parts = [
            f"{fr_num(s['quantity'] / 1000, 2)} kg {_of(s['substance'])}"
            if s["unit"] == "g" and s["quantity"] >= 1000
            else f"{fr_num(s['quantity'], 0)} {s['unit']} {_of(s['substance'])}"
            for s in ops["seizures"]
        ]
        if ops["cash_eur"]:
            parts.append(f"{fr_eur(ops['cash_eur'])} en numéraire")
        out.append({"kind": "seizures", "text": "Saisies : " + ", ".join(parts) + "."})
    # Arrests by zone: significant changes first.
    rows = [r for r in b["arrests_by_zone"] if r["zone_id"] is not None]
    signif = sorted(
        (r for r in rows if r["test"]["significant"] and not r["test"]["small_numbers"]),
        key=lambda r: r["test"]["p_value"],
    )
    for r in signif[:4]:
        out.append(
            {
                "kind": "change",
                "lead": f"{place_name(b, r['zone'], True)} — interpellations de "
                f"{r['role_label'].lower()}",
                "text": f"{place_name(b, r['zone'], True)} — interpellations de "
                f"{r['role_label'].lower()} : "
                f"{_change(r['test'])}.",
            }
        )
    # Incidents: the main significant changes, and how many rows are too small.
    inc = b["incidents"]["by_zone"]
    sig_inc = sorted(
        (r for r in inc if r["test"]["significant"]),
        key=lambda r: r["test"]["p_value"],
    )
    for r in sig_inc[:5]:
        out.append(
            {
                "kind": "change",
                "lead": f"{place_name(b, r['zone'], True)} — {r['category_label'].lower()}",
                "text": f"{place_name(b, r['zone'], True)} — {r['category_label'].lower()} "
                "(faits enregistrés) : "
                f"{_change(r['test'])}.",
            }
        )
    small = sum(1 for r in inc if r["test"]["small_numbers"] and not r["test"]["significant"])
    if inc:
        out.append(
            {
                "kind": "note",
                "text": f"Sur {_plural(len(inc), 'comparaison', 'comparaisons')} par zone et "
                f"catégorie, {fr_int(len(sig_inc))} "
                f"{'est significative' if len(sig_inc) == 1 else 'sont significatives'} "
                f"et {fr_int(small)} "
                f"{'porte' if small == 1 else 'portent'} sur des effectifs trop faibles "
                "pour conclure.",
            }
        )
    sentence = hotspot_sentence(b["hotspots"])
    if sentence:
        out.append({"kind": "map", "text": sentence})
    for d in b.get("displacement", []):
        if d.get("short"):
            out.append({"kind": "displacement", "text": f"Intervention — {d['short']}"})
    c = b["cameras"]
    if c["count"]:
        out.append(
            {
                "kind": "cameras",
                "text": f"Vidéoprotection : {fr_int(c['count'])} caméras en service "
                f"{b['period']['label']}, dont {fr_pct(c['hd_share'])} en haute définition, "
                f"{fr_int(c['count_end'])} en service le {fr_date(c['as_of'])} pour un coût annuel de "
                f"{fr_eur(c['annual_cost_eur'])} ; "
                f"{_plural(c['expiring_count'], 'autorisation préfectorale expire', 'autorisations préfectorales expirent')} "
                "dans les six mois.",
            }
        )
    req = b["requisitions"]
    per_year = req["per_year"]
    if per_year:
        first, last = per_year[0], per_year[-1]
        until = f" (au {fr_date(last['until'])})" if last["partial"] else ""
        rate = (
            f" ; {fr_pct(last['on_time_rate'])} traitées dans le délai de conservation"
            if last["on_time_rate"] is not None
            else ""
        )
        med = (
            f", délai médian {fr_num(last['median_turnaround_days'], 1)} jour"
            if last["median_turnaround_days"] is not None
            else ""
        )
        out.append(
            {
                "kind": "requisitions",
                "text": f"Réquisitions judiciaires d'images : {fr_int(last['count'])} en "
                f"{last['year']}{until}, contre {fr_int(first['count'])} en {first['year']}"
                f"{rate}{med}.",
            }
        )
    inp = req.get("in_period")
    if inp:
        out.append({"kind": "requisitions", "text": requisitions_sentence(inp)})
    act = b["actions"]
    if act["count"]:
        st = act["by_status"]
        out.append(
            {
                "kind": "actions",
                "text": f"Actions du GLTD : {_plural(act['count'], 'action décidée', 'actions décidées')}"
                f" — {fr_int(st['fait'])} faite{'s' if st['fait'] > 1 else ''}, "
                f"{fr_int(st['en_cours'])} en cours, {fr_int(st['a_faire'])} à faire"
                + (f", dont {fr_int(act['late'])} en retard" if act["late"] else "")
                + ".",
            }
        )
    out.append({"kind": "caveat", "text": b["caveat"]})
    return out
