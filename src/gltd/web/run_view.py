"""What a run page shows: the parameters in French and each result as its users read it.

A run stores its parameters and result as JSON (:mod:`gltd.store.runs`). This module
turns them into what the page prints: ``catégories : trafic de stupéfiants`` rather than
``['trafic_stupefiants']``, dates as « 1er janvier 2018 », option labels rather than codes,
and, per kind of analysis, the result in the form its users know — the coloured Knox
table of the near-repeat export, the displacement report's measures and map, the counts
of a hot-spot map. The renderings themselves belong to the domain packages (one home);
this module only picks them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from markupsafe import Markup

from gltd.documents.fmt import fr_date, fr_dec, fr_int, fr_num
from gltd.taxonomy import get_taxonomy

__all__ = [
    "KIND_LABELS",
    "french_params",
    "hotspot_counts",
    "result_html",
    "category_of",
    "siting_map_data",
]

#: Names of the kinds of run that are not launched from the web (CLI runs).
KIND_LABELS = {
    "hotspots": "Points chauds",
    "near_repeat": "Répétitions proches (Knox)",
    "carte": "Carte imprimable ou export des couches",
}

_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_STAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T")

#: French names of the stored parameters (form fields and what the services add).
LABELS: dict[str, str] = {
    "categories": "catégories",
    "permutations": "permutations",
    "distance_edges": "bandes de distance (m)",
    "time_edges": "bandes de temps",
    "metric": "distance",
    "alpha": "seuil",
    "seed": "graine",
    "zones": "zones",
    "intervention_id": "intervention",
    "before": "durée avant / après",
    "buffer": "zone tampon (m)",
    "as_of": "date de l'étude",
    "request_id": "demande de caméra",
    "lat": "latitude",
    "lon": "longitude",
    "radius": "rayon (m)",
    "n_sites": "caméras à placer",
    "compare": "comparaison",
    "format": "format",
    # printable maps (gltd.web.map_print)
    "layers": "couches",
    "paper": "papier",
    "cell": "cellules (m)",
    # hot-spot runs (their method block)
    "name": "méthode",
    "cell_m": "cellules (m)",
    "statistic": "statistique",
    "correction": "correction",
    "weights": "voisinage",
    "step": "pas de temps",
    "n_steps": "nombre de pas",
    "n": "faits analysés",
    "n_locations": "lieux",
}
#: Parameters never printed on the summary line (internal, or said elsewhere).
HIDDEN = {"source", "period", "nrc", "unit", "steps", "crs", "mean", "std", "kernel_cells"}
HIDDEN |= {"gi_star", "trend", "p_value", "engine", "weights_transform", "classes", "time_steps"}
HIDDEN |= {"n_excluded", "_by"}
VALUES: dict[str, dict[str, str]] = {
    "metric": {"euclidean": "euclidienne (à vol d'oiseau)", "manhattan": "de Manhattan"},
    "correction": {"fdr_bh": "FDR (Benjamini-Hochberg)", "aucune": "aucune"},
    "step": {"week": "semaine", "month": "mois"},
    "name": {
        "gistar": "points chauds (Gi*)",
        "lisa": "LISA (I de Moran local)",
        "emerging": "points chauds émergents",
        "kde": "densité (noyau)",
        "compare": "comparaison de deux périodes",
    },
}
HOTSPOT_COUNTS = {
    "n_hot": "points chauds",
    "n_cold": "points froids",
    "appeared": "points chauds apparus",
    "vanished": "points chauds disparus",
    "persisted": "points chauds persistants",
}


def category_of(params: Mapping[str, Any]) -> str | None:
    """The category a run is filed under: its only category, else none (several or all)."""
    cats = [c for c in params.get("categories") or [] if c]
    return str(cats[0]) if len(cats) == 1 else None


def _categories(codes: Any) -> str:
    tax = get_taxonomy()
    codes = [c for c in codes or [] if c]
    return ", ".join(_lower_first(tax.label(str(c))) for c in codes) if codes else "toutes"


def _lower_first(label: str) -> str:
    """« Trafic de stupéfiants » → « trafic de stupéfiants » (an acronym stays)."""
    return label[:1].lower() + label[1:] if label[1:2].islower() else label


def _value(key: str, value: Any, options: Mapping[str, str]) -> str:
    """One stored value as a French reader expects it."""
    if key in VALUES and str(value) in VALUES[key]:
        return VALUES[key][str(value)]
    if str(value) in options:
        return options[str(value)]
    if key == "alpha":
        return f"p ≤ {fr_dec(value)}"
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, int):
        return fr_int(value)
    if isinstance(value, float):
        return fr_dec(round(value, 6))
    if isinstance(value, str) and _DAY.match(value):
        return fr_date(value)
    if isinstance(value, str) and _STAMP.match(value):
        return fr_date(value[:10])
    if isinstance(value, Mapping):
        if "label" in value:
            return str(value["label"])
        if key == "weights":
            dist = value.get("distance_m")
            text = str(value.get("type", ""))
            return f"{text}, {fr_dec(dist)} m" if dist is not None else text
        return ", ".join(f"{k} : {_value(k, v, {})}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return " ; ".join(_value(key, v, {}) for v in value) or "—"
    return str(value)


def french_params(
    params: Mapping[str, Any], fields: list[Any] | None = None
) -> list[tuple[str, str]]:
    """(French name, French value) of a run's parameters, in the order of its form.

    ``fields``: the form fields of its analysis (their labels and option labels), if any.
    """
    opts: dict[str, dict[str, str]] = {
        f.name: {str(v): str(lab) for v, lab in f.options} for f in fields or []
    }
    flabels = {f.name: f.label for f in fields or []}
    out: list[tuple[str, str]] = []
    done: set[str] = set()
    if params.get("first") and params.get("last"):
        out.append(("période", f"du {fr_date(params['first'])} au {fr_date(params['last'])}"))
        done |= {"first", "last", "period"}
    elif isinstance(params.get("period"), Mapping) and "label" in params["period"]:
        out.append(("période", str(params["period"]["label"])))
        done.add("period")
    order = [f.name for f in fields or []] + [k for k in params if k not in flabels]
    for key in order:
        if key in done or key in HIDDEN or key not in params:
            continue
        value = params[key]
        if value is None or value == "" or (key == "zones" and not value):
            continue
        if key == "categories":
            out.append(("catégories", _categories(value)))
            continue
        name = LABELS.get(key) or flabels.get(key, key.replace("_", " "))
        if key == "time_edges":
            name = (
                "bandes de temps (heures)" if params.get("unit") == "hours" else name + " (jours)"
            )
        out.append((name, _value(key, value, opts.get(key, {}))))
    return out


def hotspot_counts(summary: Any) -> list[tuple[str, str]]:
    """(French label, count) of a hot-spot run's summary: the hot and cold counts, then
    the classes that have cells, the « nothing significant » class last."""
    if not isinstance(summary, Mapping):
        return []
    rows = [
        (label, fr_int(summary[key]))
        for key, label in HOTSPOT_COUNTS.items()
        if isinstance(summary.get(key), int)
    ]
    nested = summary.get("by_class")
    classes = nested if isinstance(nested, Mapping) else summary
    quiet = []
    for label, n in classes.items():
        if label in HOTSPOT_COUNTS or isinstance(n, bool) or not isinstance(n, int):
            continue
        if label in ("non significatif", "aucun motif détecté"):
            quiet.append((str(label), fr_int(n)))
        elif n:
            rows.append((str(label), fr_int(n)))
    if isinstance(summary.get("max_density_km2"), int | float):
        rows.append(("densité maximale (faits par km²)", fr_num(summary["max_density_km2"])))
    return rows + quiet


def result_html(kind: str, result: Any, *, map_url: str | None = None) -> Markup | None:
    """The result in the rendering its users know, as HTML (None when there is none)."""
    if not isinstance(result, Mapping):
        return None
    if kind == "near_repeat" and result.get("cells"):
        from gltd.near_repeat import knox_table_html

        return Markup(knox_table_html(dict(result)))  # noqa: S704 - rendered, escaped by Jinja
    if kind == "displacement" and "measures" in result:
        from gltd.displacement import measures_html

        return Markup(measures_html(dict(result), map_uri=map_url))  # noqa: S704 - idem
    return None


def siting_map_data(result: Any) -> dict[str, str] | None:
    """What the run page's map of a siting run draws (``data-`` attributes of
    ``#siting-map``, read by static/js/forms.js): the sites in order with their marginal
    gain and share of the facts not yet filmed, the covered radius, and the cameras layer
    of the period's last day (the cameras the siting took into account)."""
    import json

    from gltd.cctv.siting import period_days, sites_table

    if not isinstance(result, Mapping) or not result.get("sites"):
        return None
    params = result.get("params") or {}
    sites = [
        {
            "rank": s["rank"],
            "lat": s["lat"],
            "lon": s["lon"],
            "gain": fr_num(s["gain"], 0),
            "share": fr_num(100 * s["share"], 1) if s["share"] is not None else None,
        }
        for s in sites_table(result)
    ]
    out = {"sites": json.dumps(sites), "radius": str(float(params.get("radius_m") or 0))}
    period = params.get("period")
    if isinstance(period, list | tuple) and len(period) == 2:
        last = period_days(result)[1].isoformat()
        out["cameras"] = f"/api/map/cameras?du={last}&au={last}"
    return out
