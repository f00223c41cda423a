"""French address normalisation: the same folding for the BAN side and the query side.

Police and city software write addresses in upper case, without accents, with
abbreviated street types (``R``, ``AV``, ``BD``…), inverted forms (``CARMES (RUE DES)``),
house-number suffixes (``12B``, ``12 BIS``) and noise (``BAT B``, ``APPT 12``,
``CEDEX``). :func:`street_key` turns a street name, from either side, into one canonical
key (upper case, no accents, abbreviations expanded, articles dropped), and
:func:`parse_address` splits a free-text address into number, suffix, street, postcode
and commune.

Examples
--------
>>> street_key("Rue des Carmes") == street_key("R. DES CARMES") == "RUE CARMES"
True
>>> a = parse_address("12B CARMES (RUE DES) BAT C 45000 ORLEANS CEDEX")
>>> (a.number, a.suffix, a.street, a.postcode, a.city)
(12, 'BIS', 'RUE CARMES', '45000', 'ORLEANS')
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

__all__ = [
    "ABBREVIATIONS",
    "STREET_TYPES",
    "ParsedAddress",
    "fold",
    "street_key",
    "street_core",
    "commune_key",
    "parse_address",
    "parse_number",
    "normalise_suffix",
]

#: Abbreviations of street types and common words (AFNOR NF Z10-011 and police usage).
ABBREVIATIONS: dict[str, str] = {
    "R": "RUE",
    "RU": "RUE",
    "AV": "AVENUE",
    "AVE": "AVENUE",
    "AVN": "AVENUE",
    "BD": "BOULEVARD",
    "BLD": "BOULEVARD",
    "BVD": "BOULEVARD",
    "BOUL": "BOULEVARD",
    "PL": "PLACE",
    "PLA": "PLACE",
    "IMP": "IMPASSE",
    "CHE": "CHEMIN",
    "CHEM": "CHEMIN",
    "CH": "CHEMIN",
    "ALL": "ALLEE",
    "AL": "ALLEE",
    "RTE": "ROUTE",
    "QU": "QUAI",
    "QAI": "QUAI",
    "SQ": "SQUARE",
    "CRS": "COURS",
    "PROM": "PROMENADE",
    "FBG": "FAUBOURG",
    "FG": "FAUBOURG",
    "PAS": "PASSAGE",
    "PSG": "PASSAGE",
    "VLA": "VILLA",
    "CITE": "CITE",
    "CTE": "CITE",
    "RES": "RESIDENCE",
    "RPT": "ROND POINT",
    "RDPT": "ROND POINT",
    "LOT": "LOTISSEMENT",
    "HAM": "HAMEAU",
    "LD": "LIEU DIT",
    "SEN": "SENTIER",
    "VC": "VOIE COMMUNALE",
    "ZA": "ZONE ACTIVITE",
    "ZI": "ZONE INDUSTRIELLE",
    "ZAC": "ZONE AMENAGEMENT CONCERTE",
    "ST": "SAINT",
    "STE": "SAINTE",
    "STS": "SAINTS",
    "GAL": "GENERAL",
    "GEN": "GENERAL",
    "GL": "GENERAL",
    "MAL": "MARECHAL",
    "MAR": "MARECHAL",
    "PDT": "PRESIDENT",
    "PRES": "PRESIDENT",
    "DR": "DOCTEUR",
    "CDT": "COMMANDANT",
    "CMDT": "COMMANDANT",
    "CNE": "CAPITAINE",
    "LT": "LIEUTENANT",
    "COL": "COLONEL",
    "PR": "PROFESSEUR",
    "PROF": "PROFESSEUR",
    "ABBE": "ABBE",
    "MGR": "MONSEIGNEUR",
    "ND": "NOTRE DAME",
    "NTRE": "NOTRE",
    "GD": "GRAND",
    "GDE": "GRANDE",
    "PT": "PETIT",
    "PTE": "PETITE",
    "VX": "VIEUX",
    "VIEIL": "VIEUX",
    "FR": "FRERES",
}

#: Street types (first word of a BAN street name), after expansion.
STREET_TYPES = frozenset(
    {
        "RUE",
        "AVENUE",
        "BOULEVARD",
        "PLACE",
        "IMPASSE",
        "CHEMIN",
        "ALLEE",
        "ROUTE",
        "QUAI",
        "SQUARE",
        "COURS",
        "PROMENADE",
        "FAUBOURG",
        "PASSAGE",
        "VILLA",
        "CITE",
        "RESIDENCE",
        "ROND",
        "LOTISSEMENT",
        "HAMEAU",
        "LIEU",
        "SENTIER",
        "VOIE",
        "ZONE",
        "VENELLE",
        "RUELLE",
        "ESPLANADE",
        "MAIL",
        "PARVIS",
        "CLOS",
        "DOMAINE",
        "QUARTIER",
        "TRAVERSE",
        "PONT",
        "PORT",
        "CARREFOUR",
    }
)

#: Words that carry no meaning for matching (articles, prepositions).
ARTICLES = frozenset({"DE", "DU", "DES", "LA", "LE", "LES", "L", "D", "AU", "AUX", "ET", "A"})

#: House-number suffixes (BAN ``rep``), canonical forms.
SUFFIXES: dict[str, str] = {
    "B": "BIS",
    "BIS": "BIS",
    "T": "TER",
    "TER": "TER",
    "Q": "QUATER",
    "QUA": "QUATER",
    "QUATER": "QUATER",
    "QUINQUIES": "QUINQUIES",
    "C": "C",
    "D": "D",
    "E": "E",
    "F": "F",
    "G": "G",
    "H": "H",
}

_NOISE_WORDS = (
    "BAT|BATIMENT|BT|BLOC|APPT|APPART|APPARTEMENT|APT|APP|ESC|ESCALIER|ETG|ETAGE|"
    "LOGT|LOGEMENT|CEDEX|BP|CS|TSA|BOITE|BAL|CHAMBRE|HALL|NIVEAU"
)
#: A noise marker and its value (``BAT B``, ``APPT 12``, ``3EME ETAGE``, ``CEDEX 1``).
_NOISE = re.compile(
    rf"\b(?:{_NOISE_WORDS})\s*(?:N\s*)?(?:\d+[A-Z]?|[A-Z]\d*)(?=\s|$)"
    r"|\b\d+\s*(?:ER|EME|E)\s+(?:ETAGE|ETG)\b"
    r"|\b(?:RDC|REZ DE CHAUSSEE|SOUS SOL)\b"
)
_NOISE_LONE = re.compile(r"\b(?:CEDEX|RDC)\b")
_PAREN = re.compile(r"^(?P<head>.*?)\s*\((?P<inner>[^()]*)\)\s*(?P<tail>.*)$")
_POSTCODE_CITY = re.compile(r"(?:^|\s)(?P<pc>\d{5})(?:\s+(?P<city>[A-Z][A-Z ]*))?\s*$")
_NUMBER = re.compile(
    r"^(?P<num>\d{1,5})(?:\s*[-/]\s*\d{1,5})?\s*"
    r"(?P<suf>BIS|TER|QUATER|QUINQUIES|QUA|[A-HQT](?![A-Z]))?(?:\s+|$)"
)


@dataclass(frozen=True)
class ParsedAddress:
    """A free-text address split into its parts (each folded, ``None`` when absent)."""

    number: int | None
    suffix: str
    street: str
    postcode: str | None
    city: str | None


def fold(text: object) -> str:
    """Upper case, no accents, no punctuation, single spaces (``Œ`` → ``OE``)."""
    if text is None:
        return ""
    s = str(text)
    if not s:
        return ""
    s = s.replace("œ", "oe").replace("Œ", "OE").replace("æ", "ae").replace("Æ", "AE")
    s = unicodedata.normalize("NFKD", s)
    s = "".join(c for c in s if not unicodedata.combining(c))
    s = s.upper()
    s = re.sub(r"[^A-Z0-9()]+", " ", s)
    return " ".join(s.split())


def _expand(tokens: list[str]) -> list[str]:
    out: list[str] = []
    for i, t in enumerate(tokens):
        exp = ABBREVIATIONS.get(t)
        # A one-letter token is an abbreviation only at the start (R = RUE); elsewhere
        # it is a name initial or an article (``RUE D ARC``).
        if exp is None or (len(t) == 1 and i > 0):
            out.append(t)
        elif t == "CH" and i > 0:
            out.append(t)
        else:
            out.extend(exp.split())
    return out


def _uninvert(s: str) -> str:
    """``CARMES (RUE DES)`` → ``RUE DES CARMES``; ``CARMES, RUE DES`` is folded already."""
    m = _PAREN.match(s)
    if m:
        head, inner, tail = m.group("head"), m.group("inner").strip(), m.group("tail")
        num = re.match(r"^(\d+\s*(?:BIS|TER|[A-H](?![A-Z]))?)\s+(.*)$", head)
        lead, name = (num.group(1) + " ", num.group(2)) if num else ("", head)
        # ``CARMES (RUE DES)``, ``ROCHELLE (LA)``: what is in parentheses comes first.
        return " ".join(f"{lead}{inner} {name} {tail}".split())
    return s


@lru_cache(maxsize=200_000)
def street_key(name: str) -> str:
    """Canonical key of a street name: folded, abbreviations expanded, articles dropped."""
    s = _uninvert(fold(name)).replace("(", " ").replace(")", " ")
    tokens = _expand(s.split())
    # Inverted without parentheses: ``CARMES RUE DES`` (type after the name).
    if len(tokens) >= 2 and tokens[0] not in STREET_TYPES:
        for j in range(1, len(tokens)):
            if tokens[j] in STREET_TYPES and all(t in ARTICLES for t in tokens[j + 1 :]):
                tokens = tokens[j:] + tokens[:j]
                break
    kept = [t for t in tokens if t not in ARTICLES]
    return " ".join(kept or tokens)


def street_core(key: str) -> str:
    """A street key without its leading type (``RUE CARMES`` → ``CARMES``)."""
    parts = key.split(" ", 1)
    if len(parts) == 2 and parts[0] in STREET_TYPES:
        if parts[0] == "ROND" and parts[1].startswith("POINT"):
            return parts[1][5:].strip() or key
        return parts[1]
    return key


@lru_cache(maxsize=100_000)
def commune_key(name: str) -> str:
    """Canonical key of a commune name (``St-Jean-de-Braye`` → ``SAINT JEAN BRAYE``)."""
    s = fold(name).replace("(", " ").replace(")", " ")
    s = re.sub(r"\bCEDEX(\s+\d+)?\b", " ", s)
    s = re.sub(r"\s\d+$", " ", s)  # ``ORLEANS 1`` (postal distribution office)
    tokens = _expand(s.split())
    # Commune names never start with a street type: R/AV expansions are undone.
    tokens = [t for t in tokens if t not in ARTICLES]
    return " ".join(tokens)


def normalise_suffix(text: object) -> str:
    """Canonical house-number suffix (``b`` → ``BIS``, ``ter`` → ``TER``), ``""`` when none."""
    s = fold(text).replace(" ", "")
    return SUFFIXES.get(s, s)


def parse_number(text: object) -> tuple[int | None, str]:
    """House number and suffix from a number column (``12``, ``12B``, ``12 bis``)."""
    s = fold(text)
    m = _NUMBER.match(s + " ") if s else None
    if not m:
        return None, ""
    return int(m.group("num")), normalise_suffix(m.group("suf") or "")


def parse_address(text: object, *, postcode: object = None, city: object = None) -> ParsedAddress:
    """Split a free-text address into number, suffix, street key, postcode and commune.

    ``postcode`` and ``city`` (from their own columns) win over those found at the end
    of the text. The street is returned as a :func:`street_key`.
    """
    s = fold(text)
    pc = fold(postcode).replace(" ", "") or None
    ct = fold(city) or None
    s = _NOISE.sub(" ", s)
    s = _NOISE_LONE.sub(" ", s)
    s = " ".join(s.split())
    m = _POSTCODE_CITY.search(s)
    if m:
        pc = pc or m.group("pc")
        ct = ct or (m.group("city") or "").strip() or None
        s = s[: m.start()].strip()
    if ct:
        ct = " ".join(_NOISE.sub(" ", ct).split()) or None
    if pc and not re.fullmatch(r"\d{5}", pc):
        pc = pc if re.fullmatch(r"\d{4}", pc) is None else "0" + pc
        if not re.fullmatch(r"\d{5}", pc):
            pc = None
    s = _uninvert(s)
    number: int | None = None
    suffix = ""
    m2 = _NUMBER.match(s + " ")
    if m2 and len(s) > m2.end() - 1:
        number = int(m2.group("num"))
        suffix = normalise_suffix(m2.group("suf") or "")
        s = s[m2.end() :].strip()
    s = re.sub(r"^\s*(?:N|NO|NUM)\s+", "", s)
    street = street_key(s) if s else ""
    return ParsedAddress(number, suffix, street, pc, ct)
