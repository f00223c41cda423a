"""Spatial displacement and diffusion of benefits (Bowers & Johnson 2003).

Three areas are compared before (0) and after (1) an intervention: the target *A*, a
buffer *B* around it (where crime could move to) and a control *C* (trend of the rest of
the city). All measures use within-period ratios to the control, so they do not depend
on the lengths of the periods (the WDD test does: see :mod:`gltd.analysis.wdd`).

- success measure ``SM = A1/C1 − A0/C0`` (negative: the target improved relative to
  the control);
- buffer displacement measure ``BDM = B1/C1 − B0/C0`` (positive: displacement into the
  buffer; negative: diffusion of benefits);
- weighted displacement quotient ``WDQ = BDM / SM``, meaningful only when ``SM < 0``:
  ``WDQ > 0`` diffusion of benefits; ``−1 < WDQ < 0`` partial displacement, the net
  effect remains positive; ``WDQ < −1`` the displacement exceeds the gain; ``0`` neither;
- total net effect ``TNE = (A0·C1/C0 − A1) + (B0·C1/C0 − B1)``: facts avoided (positive)
  or added (negative) in target and buffer, relative to what the control's trend
  predicted.

References
----------
Bowers, K. J. & Johnson, S. D. (2003). Measuring the geographical displacement and
diffusion of benefit effects of crime prevention activity. *Journal of Quantitative
Criminology* 19(3), 275–301.
Guerette, R. T. (2009). *Analyzing Crime Displacement and Diffusion*. Problem-Oriented
Guides for Police, Problem-Solving Tools Series No. 10. COPS Office.
Guerette, R. T. & Bowers, K. J. (2009). Assessing the extent of crime displacement and
diffusion of benefits: a review of situational crime prevention evaluations.
*Criminology* 47(4), 1331–1368.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "VERDICT_LABELS",
    "DisplacementMeasures",
    "displacement_measures",
    "ring_measures",
    "SMALL_NUMBERS",
]

#: Below this count in the target or the buffer, results are flagged « petits effectifs ».
SMALL_NUMBERS = 10

#: Verdict codes (stable, for JSON and templates).
VERDICTS = (
    "temoin_vide",
    "cible_non_amelioree",
    "diffusion",
    "neutre",
    "deplacement_partiel",
    "deplacement_egal",
    "deplacement_excedentaire",
)

#: What a person reads for each verdict (a table cell: the report's rings).
VERDICT_LABELS = {
    "temoin_vide": "témoin vide : non calculable",
    "cible_non_amelioree": "cible non améliorée",
    "diffusion": "diffusion des bénéfices",
    "neutre": "ni déplacement ni diffusion",
    "deplacement_partiel": "déplacement partiel",
    "deplacement_egal": "déplacement égal au gain",
    "deplacement_excedentaire": "déplacement supérieur au gain",
}
assert set(VERDICT_LABELS) == set(VERDICTS), "every verdict has its label"


@dataclass(frozen=True)
class DisplacementMeasures:
    """Bowers & Johnson's measures for one target, one buffer and one control.

    Attributes
    ----------
    a0, a1, b0, b1, c0, c1 : int
        Counts before (0) and after (1) in target (a), buffer (b) and control (c).
    sm : float
        Success measure ``A1/C1 − A0/C0`` (``nan`` when a control count is 0).
    bdm : float
        Buffer displacement measure ``B1/C1 − B0/C0`` (``nan`` when a control count is 0).
    wdq : float
        ``BDM / SM`` when ``SM < 0``, else ``nan`` (not meaningful).
    wdq_meaningful : bool
        True when ``SM < 0`` (the target improved relative to the control).
    tne, tne_target, tne_buffer : float
        Total net effect and its target and buffer parts (positive: facts avoided).
    verdict : str
        One of :data:`VERDICTS`.
    interpretation_fr : str
        A French sentence for the report.
    notes_fr : tuple of str
        Caveats (zero counts, small numbers).
    small_numbers : bool
        True when a target or buffer count is below :data:`SMALL_NUMBERS`.
    """

    a0: int
    a1: int
    b0: int
    b1: int
    c0: int
    c1: int
    sm: float
    bdm: float
    wdq: float
    wdq_meaningful: bool
    tne: float
    tne_target: float
    tne_buffer: float
    verdict: str
    interpretation_fr: str
    notes_fr: tuple[str, ...]
    small_numbers: bool

    def as_dict(self) -> dict[str, Any]:
        """Plain values for JSON (``None`` for undefined numbers)."""
        return {
            "a0": self.a0,
            "a1": self.a1,
            "b0": self.b0,
            "b1": self.b1,
            "c0": self.c0,
            "c1": self.c1,
            "sm": _finite(self.sm),
            "bdm": _finite(self.bdm),
            "wdq": _finite(self.wdq),
            "wdq_meaningful": self.wdq_meaningful,
            "tne": _finite(self.tne),
            "tne_target": _finite(self.tne_target),
            "tne_buffer": _finite(self.tne_buffer),
            "verdict": self.verdict,
            "interpretation_fr": self.interpretation_fr,
            "notes_fr": list(self.notes_fr),
            "small_numbers": self.small_numbers,
        }


def displacement_measures(
    a0: int, a1: int, b0: int, b1: int, c0: int, c1: int
) -> DisplacementMeasures:
    """Success measure, buffer displacement measure, WDQ and total net effect.

    Parameters
    ----------
    a0, a1 : int
        Facts in the target area before and after.
    b0, b1 : int
        Facts in the buffer before and after.
    c0, c1 : int
        Facts in the control area before and after.

    Returns
    -------
    DisplacementMeasures

    Notes
    -----
    Zero counts: with ``C0 = 0`` or ``C1 = 0`` the control gives no trend and nothing is
    computed (verdict ``temoin_vide``); with ``A0 = A1 = 0`` the target had nothing to
    reduce (``SM = 0``, WDQ not meaningful); with ``B0 = B1 = 0`` the buffer shows neither
    displacement nor diffusion (``BDM = 0``).

    Examples
    --------
    Target 100 → 50, buffer 50 → 60, control 1000 → 1000 (Guerette 2009 style):

    >>> m = displacement_measures(100, 50, 50, 60, 1000, 1000)
    >>> round(m.sm, 3), round(m.bdm, 3), round(m.wdq, 3), m.tne
    (-0.05, 0.01, -0.2, 40.0)
    >>> m.verdict
    'deplacement_partiel'
    """
    counts = {"a0": a0, "a1": a1, "b0": b0, "b1": b1, "c0": c0, "c1": c1}
    for name, v in counts.items():
        if int(v) != v or v < 0:
            raise ValueError(f"{name} doit être un effectif entier positif ou nul (reçu {v})")
    a0, a1, b0, b1, c0, c1 = (int(v) for v in counts.values())
    notes: list[str] = []
    small = min(a0, a1) < SMALL_NUMBERS or min(b0, b1) < SMALL_NUMBERS
    if small:
        notes.append(
            f"petits effectifs (moins de {SMALL_NUMBERS} faits dans la cible ou la zone "
            "tampon sur une période) : les rapports sont instables, ne pas conclure"
        )
    nan = float("nan")
    if c0 == 0 or c1 == 0:
        notes.append(
            "zone témoin sans fait sur une période : l'évolution de référence est inconnue, "
            "aucune mesure n'est calculable"
        )
        return DisplacementMeasures(
            a0, a1, b0, b1, c0, c1, nan, nan, nan, False, nan, nan, nan,
            "temoin_vide",
            "Mesures non calculables : la zone témoin ne compte aucun fait sur l'une des "
            "périodes. Choisissez une zone témoin plus grande.",
            tuple(notes),
            small,
        )  # fmt: skip
    sm = a1 / c1 - a0 / c0
    bdm = b1 / c1 - b0 / c0
    tne_target = a0 * c1 / c0 - a1
    tne_buffer = b0 * c1 / c0 - b1
    tne = tne_target + tne_buffer
    if a0 == 0 and a1 == 0:
        notes.append("aucun fait dans la cible sur les deux périodes : rien à réduire")
    if b0 == 0 and b1 == 0:
        notes.append("aucun fait dans la zone tampon sur les deux périodes")
    tne_txt = _tne_sentence(tne)
    if not sm < 0:
        verdict = "cible_non_amelioree"
        wdq = nan
        text = (
            "La zone cible ne s'est pas améliorée par rapport à la zone témoin "
            f"(mesure de succès SM = {sm:+.4f} ≥ 0) : le quotient de déplacement (WDQ) est "
            "non significatif/non interprétable. " + _bdm_sentence(bdm) + " " + tne_txt
        )
        return DisplacementMeasures(
            a0, a1, b0, b1, c0, c1, sm, bdm, wdq, False, tne, tne_target, tne_buffer,
            verdict, text, tuple(notes), small,
        )  # fmt: skip
    wdq = bdm / sm
    if wdq > 0:
        verdict = "diffusion"
        text = (
            f"Succès dans la cible (SM = {sm:+.4f}) et diffusion des bénéfices : la zone "
            f"tampon s'est aussi améliorée (WDQ = {wdq:+.2f} > 0)."
        )
    elif wdq == 0:
        verdict = "neutre"
        text = (
            f"Succès dans la cible (SM = {sm:+.4f}), sans déplacement ni diffusion dans la "
            "zone tampon (WDQ = 0)."
        )
    elif wdq > -1:
        verdict = "deplacement_partiel"
        text = (
            f"Succès dans la cible (SM = {sm:+.4f}) avec un déplacement partiel vers la zone "
            f"tampon (WDQ = {wdq:+.2f}, entre −1 et 0) : le bénéfice net reste positif."
        )
    elif wdq == -1:
        verdict = "deplacement_egal"
        text = (
            f"Succès dans la cible (SM = {sm:+.4f}) mais le déplacement vers la zone tampon "
            "compense exactement le gain (WDQ = −1) : pas de bénéfice net."
        )
    else:
        verdict = "deplacement_excedentaire"
        text = (
            f"Succès apparent dans la cible (SM = {sm:+.4f}) mais le déplacement vers la zone "
            f"tampon dépasse le gain (WDQ = {wdq:+.2f} < −1) : effet net défavorable."
        )
    return DisplacementMeasures(
        a0, a1, b0, b1, c0, c1, sm, bdm, wdq, True, tne, tne_target, tne_buffer,
        verdict, text + " " + tne_txt, tuple(notes), small,
    )  # fmt: skip


def ring_measures(
    a0: int, a1: int, rings: Sequence[tuple[int, int]], c0: int, c1: int
) -> tuple[DisplacementMeasures, ...]:
    """The measures for each concentric ring taken as the buffer (distance decay).

    Parameters
    ----------
    a0, a1 : int
        Target counts before and after.
    rings : sequence of (b0, b1)
        Counts of each ring (annulus) from the innermost outwards.
    c0, c1 : int
        Control counts.

    Returns
    -------
    tuple of DisplacementMeasures
        One per ring, same target and control.
    """
    return tuple(displacement_measures(a0, a1, b0, b1, c0, c1) for b0, b1 in rings)


def _bdm_sentence(bdm: float) -> str:
    if bdm > 0:
        return f"La zone tampon s'est dégradée relativement au témoin (BDM = {bdm:+.4f})."
    if bdm < 0:
        return f"La zone tampon s'est améliorée relativement au témoin (BDM = {bdm:+.4f})."
    return "La zone tampon a suivi l'évolution du témoin (BDM = 0)."


def _tne_sentence(tne: float) -> str:
    if tne > 0:
        return (
            f"Effet net total : environ {tne:.1f} faits évités dans la cible et la zone "
            "tampon par rapport à l'évolution du témoin."
        )
    if tne < 0:
        return (
            f"Effet net total : environ {-tne:.1f} faits de plus dans la cible et la zone "
            "tampon que ne le prévoyait l'évolution du témoin."
        )
    return "Effet net total nul par rapport à l'évolution du témoin."


def _finite(v: float) -> float | None:
    return None if not math.isfinite(v) else float(v)
