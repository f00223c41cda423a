"""The press edition of the bilan: what a procureur hands to the press, on two pages.

It is a *selection* of the bilan already computed (:func:`gltd.report.builder.build_bilan`),
never a computation of its own, so the press edition, the full edition and the JSON always
say the same thing. Nothing in it can be quoted out of context:

- every figure comes with its count in the comparison period;
- a change is given only when it is significant and not on small numbers (both counts
  10 or more), and always as « +125 % (20 → 45), p = 0,003 »: a percentage never stands
  without its two counts;
- every change on drug indicators sits next to the caveat (they measure police activity
  as much as the market);
- operations are the bilan's, carried out only (never a planned one).
"""

from __future__ import annotations

from typing import Any

from gltd.report.synthesis import hotspot_sentence, place_name, requisitions_sentence

__all__ = ["press_section", "EDITIONS", "MAX_CHANGES"]

#: The editions of the bilan: code → French label.
EDITIONS = {"complete": "édition complète", "presse": "édition presse (deux pages)"}
#: The press edition shows at most this many changes.
MAX_CHANGES = 4


def _figure(key: str, label: str, value: Any, ref: Any = None, ref_key: str | None = None,
            ref_label: str = "comparaison") -> dict[str, Any]:  # fmt: skip
    return {
        "key": key,
        "label": label,
        "value": value,
        "ref": ref,
        "ref_key": ref_key,
        "ref_label": ref_label,
    }


def _key_figures(b: dict[str, Any]) -> list[dict[str, Any]]:
    ops = b["operations"]
    out = [
        _figure("operations.total", "opérations menées", ops["total"], ops["total_ref"],
                "operations.total_ref"),
        _figure("operations.arrests.trafficker", "interpellations de trafiquants",
                ops["arrests"]["trafficker"], ops["arrests_ref"]["trafficker"],
                "operations.arrests_ref.trafficker"),
        _figure("operations.arrests.consumer", "interpellations de consommateurs",
                ops["arrests"]["consumer"], ops["arrests_ref"]["consumer"],
                "operations.arrests_ref.consumer"),
    ]  # fmt: skip
    c = b["cameras"]
    if c["count"]:
        out.append(
            _figure("cameras.count", "caméras en service pendant la période", c["count"],
                    c["count_end"], "cameras.count_end", "en service le dernier jour")
        )  # fmt: skip
    inp = b["requisitions"].get("in_period")
    if inp and inp["count"]:
        out.append(
            _figure("requisitions.in_period.count", "réquisitions d'images reçues",
                    inp["count"], inp["useful"], "requisitions.in_period.useful",
                    "jugées utiles à l'enquête")
        )  # fmt: skip
    return out


def _changes(b: dict[str, Any]) -> list[dict[str, Any]]:
    """Significant changes on 10 events or more in both periods, smallest p first."""
    rows: list[tuple[float, dict[str, Any]]] = []
    for i, r in enumerate(b["arrests_by_zone"]):
        t = r["test"]
        if r["zone_id"] is None or not t["significant"] or t["small_numbers"]:
            continue
        lead = f"{place_name(b, r['zone'], True)} — interpellations de {r['role_label'].lower()}"
        rows.append((t["p_value"], {"lead": lead, "path": f"arrests_by_zone.{i}.test",
                                    "test": t, "drug": True}))  # fmt: skip
    for i, r in enumerate(b["incidents"]["by_zone"]):
        t = r["test"]
        if not t["significant"] or t["small_numbers"]:
            continue
        lead = (
            f"{place_name(b, r['zone'], True)} — {r['category_label'].lower()} (faits enregistrés)"
        )
        rows.append((t["p_value"], {"lead": lead, "path": f"incidents.by_zone.{i}.test",
                                    "test": t, "drug": True}))  # fmt: skip
    rows.sort(key=lambda pr: pr[0])
    return [r for _, r in rows]


def press_section(b: dict[str, Any]) -> dict[str, Any]:
    """What the press edition shows, chosen from the computed bilan ``b``."""
    eligible = _changes(b)
    small = sum(
        1
        for r in [*b["arrests_by_zone"], *b["incidents"]["by_zone"]]
        if r.get("zone_id", 0) is not None
        and r["test"]["significant"]
        and r["test"]["small_numbers"]
    )
    inp = b["requisitions"].get("in_period")
    return {
        "key_figures": _key_figures(b),
        "changes": eligible[:MAX_CHANGES],
        "changes_left_out": len(eligible) - min(len(eligible), MAX_CHANGES),
        "changes_small_numbers": small,
        "map_sentence": hotspot_sentence(b["hotspots"]),
        "interventions": [d["short"] for d in b.get("displacement", []) if d.get("short")],
        "requisitions_sentence": requisitions_sentence(inp) if inp and inp["count"] else None,
        "caveat": b["caveat"],
        "rule": "évolutions significatives (p < 0,05) sur au moins 10 faits dans chacune des "
        f"deux périodes, au plus {MAX_CHANGES}, les plus nettes d'abord ; chaque "
        "pourcentage avec ses deux effectifs",
    }
