"""Places, not people: spot free text that looks like a person's identity.

gltd stores places and counts, never identities. Free-text fields (operation notes,
requesting unit, camera-request description, account names, import columns) are checked
here; what looks like a French phone number, an e-mail address, a date of birth or a
name after a civility (« M. Dupont », « Mme X », « monsieur … ») gives a warning in
French naming the field. Nothing is refused: the warning asks the person typing to
remove it. The bilan, which goes to every agency and the press, prints no free-text
notes at all and passes the other texts it shows through :func:`redact`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

__all__ = [
    "IDENTITY_KINDS",
    "identity_hints",
    "redact",
    "field_warning",
    "form_warnings",
    "column_warnings",
    "MASK",
]

#: Replaces what :func:`redact` removes.
MASK = "[masqué]"

_MONTHS = (
    "janvier|février|fevrier|mars|avril|mai|juin|juillet|août|aout|septembre|octobre|"
    "novembre|décembre|decembre"
)
_DATE = rf"(?:\d{{1,2}}\s*[/.-]\s*\d{{1,2}}\s*[/.-]\s*\d{{2,4}}|\d{{1,2}}(?:er)?\s+(?:{_MONTHS})\s+\d{{4}})"
_NAME = r"[A-ZÀ-ÖØ-Þ][A-Za-zÀ-ÖØ-öø-ÿ'’-]*"

#: (label in French, pattern). Order matters for the wording only.
IDENTITY_KINDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "une adresse e-mail",
        re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE),
    ),
    (
        "un numéro de téléphone",
        re.compile(
            r"(?<![\w+])(?:(?:\+|00)33[\s.-]?(?:\(0\)[\s.-]?)?|0)[1-9](?:[\s.-]?\d{2}){4}(?!\d)"
        ),
    ),
    (
        "une date de naissance",
        re.compile(
            rf"(?i:\b(?:née?s?|date\s+de\s+naissance|ddn)\b)\s*(?:le\s+|:\s*)?{_DATE}",
        ),
    ),
    (
        "un nom de personne",
        re.compile(
            # Civility abbreviations are case-sensitive (« me » is also a pronoun) and
            # take a capitalised word; the long forms take any word but an article.
            rf"(?:\b(?:MM?|Mmes?|Mlles?|Me|Dr|Pr)\.?\s+{_NAME}"
            r"|(?i:\b(?:monsieur|madame|mademoiselle|messieurs|mesdames)\s+)"
            r"(?!(?i:le|la|les|l['’]|du|des|de)\b)[A-Za-zÀ-ÖØ-öø-ÿ][\w'’-]+"
            r"|(?i:\b(?:nom|prénom|prenom)\s*:\s*)[A-Za-zÀ-ÖØ-öø-ÿ][\w'’-]+)"
        ),
    ),
)


def identity_hints(text: Any) -> list[str]:
    """What in ``text`` looks like a person's identity (French labels, no duplicates)."""
    if not isinstance(text, str) or not text.strip():
        return []
    return [label for label, pattern in IDENTITY_KINDS if pattern.search(text)]


def redact(text: Any) -> Any:
    """``text`` with every identity-looking part replaced by :data:`MASK` (others as is)."""
    if not isinstance(text, str):
        return text
    for _label, pattern in IDENTITY_KINDS:
        text = pattern.sub(MASK, text)
    return text


def _what(hints: Sequence[str]) -> str:
    return hints[0] if len(hints) == 1 else ", ".join(hints[:-1]) + " et " + hints[-1]


def field_warning(label: str, text: Any) -> str | None:
    """The French warning for one field, or None when nothing looks like an identity."""
    hints = identity_hints(text)
    if not hints:
        return None
    return (
        f"le champ « {label} » semble contenir {_what(hints)} : gltd enregistre des lieux, "
        "pas des personnes ; retirez toute donnée personnelle"
    )


def form_warnings(values: Mapping[str, Any], labels: Mapping[str, str]) -> list[str]:
    """Warnings for every text value of a form (``labels``: field name → French label)."""
    out = []
    for name, value in values.items():
        w = field_warning(labels.get(name, name), value)
        if w:
            out.append(w)
    return out


def column_warnings(values: Iterable[Any], column: str, rows: Iterable[Any]) -> list[str]:
    """Warnings for an imported column: the column and the first rows concerned."""
    found: list[str] = []
    kinds: list[str] = []
    for value, row in zip(values, rows, strict=False):
        hints = identity_hints(value)
        if hints:
            found.append(str(row))
            kinds.extend(h for h in hints if h not in kinds)
    if not found:
        return []
    shown = ", ".join(found[:10]) + (f" (et {len(found) - 10} autres)" if len(found) > 10 else "")
    return [
        f"colonne « {column} », ligne(s) {shown} : semble contenir {_what(kinds)} ; gltd "
        "enregistre des lieux, pas des personnes : retirez toute donnée personnelle du fichier"
    ]
