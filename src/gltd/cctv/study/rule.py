"""The conclusion of a relevance study (its rule) and the evidence base it states.

Conclusion rule (documented in ``docs/cctv.md``), on the categories studied:

- **défavorable** when fewer than 10 facts in three years (too few to justify a camera),
  or at least 75 % of the site already in an existing field of view, or the site below
  the city median (percentile < 50) and not a Gi* hotspot;
- **favorable** when the site is in the top decile of the city (percentile ≥ 90) or a Gi*
  hotspot at 95 % or more, less than 25 % of it already covered, and no significant fall
  of the facts over the last year;
- **réservé** otherwise.

Nearby hot areas (displacement risk) and past interventions' WDQ do not change the verdict:
they are listed as reasons to accompany the camera with other measures.
"""

from __future__ import annotations

from typing import Any

from gltd.analysis.trends import SMALL_NUMBERS

__all__ = ["VERDICT_LABELS", "CONCLUSION_RULE", "EVIDENCE", "conclude"]

VERDICT_LABELS = {
    "favorable": "Avis favorable",
    "reserve": "Avis réservé",
    "defavorable": "Avis défavorable",
}


CONCLUSION_RULE = (
    "défavorable si moins de 10 faits en trois ans, ou site couvert à 75 % ou plus par des "
    "caméras existantes, ou site sous la médiane de la ville (percentile < 50) sans être un "
    "point chaud Gi* ; favorable si percentile ≥ 90 ou point chaud Gi* à 95 % ou plus, site "
    "couvert à moins de 25 % et pas de baisse significative sur la dernière année ; réservé "
    "sinon. Le risque de déport ne change pas l'avis mais appelle des mesures d'accompagnement."
)


#: What the literature says (DOMAIN.md §2), stated in every study.
EVIDENCE: tuple[dict[str, str], ...] = (
    {
        "source": "Welsh & Farrington (revue Campbell, 41 études, 2009)",
        "finding": "baisse moyenne de 16 % de la délinquance ; 51 % dans les parkings ; "
        "effet non significatif en centre-ville et dans les transports",
    },
    {
        "source": "Piza, Welsh, Farrington & Thomas (2019, 76 études)",
        "finding": "baisse modeste mais significative, plus nette dans les parkings et les "
        "quartiers résidentiels, avec une surveillance active et des mesures combinées ; "
        "déport observé dans 6 études sur 50, diffusion des bénéfices dans 15",
    },
    {
        "source": "Cour des comptes (rapport sur les polices municipales, 2020)",
        "finding": "aucune corrélation globale entre le niveau d'équipement en "
        "vidéoprotection et le niveau de délinquance ou le taux d'élucidation",
    },
    {
        "source": "CREOGN (agglomération grenobloise, 1 939 enquêtes)",
        "finding": "les images ont contribué à l'élucidation dans 1,13 % des enquêtes",
    },
)


def conclude(
    n3: int,
    pct: float | None,
    hot: dict[str, Any],
    area_share: float,
    trend: Any,
    displacement: dict[str, Any],
) -> dict[str, Any]:
    reasons: list[str] = []
    is_hot = bool(hot.get("available")) and int(hot.get("class", 0)) >= 2
    p = -1.0 if pct is None else pct
    falling = trend.significant and trend.rate_ratio < 1 and not trend.small_numbers
    if n3 < SMALL_NUMBERS:
        verdict = "defavorable"
        reasons.append(
            f"{n3} fait(s) en trois ans autour du site : trop peu pour justifier une caméra"
        )
    elif area_share >= 0.75:
        verdict = "defavorable"
        reasons.append(f"site déjà couvert à {area_share:.0%} par des caméras existantes")
    elif p < 50 and not is_hot:
        verdict = "defavorable"
        reasons.append(f"site sous la médiane de la ville (percentile {p:.0f}) et hors point chaud")
    elif (p >= 90 or is_hot) and area_share < 0.25 and not falling:
        verdict = "favorable"
        reasons.append(
            f"site parmi les plus exposés de la ville (percentile {p:.0f}"
            + (f", {hot['label']}" if is_hot else "")
            + ")"
        )
        reasons.append(f"couverture existante faible ({area_share:.0%} de la surface)")
    else:
        verdict = "reserve"
        if p < 90 and not is_hot:
            reasons.append(f"exposition moyenne (percentile {p:.0f}), pas de point chaud établi")
        if area_share >= 0.25:
            reasons.append(f"site déjà couvert à {area_share:.0%} par des caméras existantes")
        if falling:
            reasons.append("baisse significative des faits sur la dernière année")
    if hot.get("available") is False:
        reasons.append("statut de point chaud non calculé : " + str(hot.get("note", "")))
    near = displacement.get("nearby_hot_cells")
    if near:
        reasons.append(
            f"{near} maille(s) chaude(s) à moins de 500 m : risque de déport, à accompagner "
            "d'autres mesures (présence, aménagement)"
        )
    past = displacement.get("past_interventions", {}).get("items", [])
    bad = [i for i in past if i.get("wdq") is not None and i["wdq"] < -1]
    if bad:
        reasons.append(
            f"{len(bad)} intervention(s) passée(s) à proximité avec un déport supérieur au gain "
            "(WDQ < −1)"
        )
    return {
        "verdict": verdict,
        "label": VERDICT_LABELS[verdict],
        "reasons": reasons,
        "rule": CONCLUSION_RULE,
    }
