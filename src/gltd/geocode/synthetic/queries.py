"""Police-style queries drawn from a synthetic BAN extract, each with its expected answer.

The distortions are those of police and city exports: upper case without accents,
abbreviated types and titles, inverted forms, suffixes written ``12B``/``12 BIS``,
typos, a missing or non-existent number, the commune inline or in its own column, a
postcode only, a wrong postcode of the right commune, noise (``BAT B``, ``APPT 12``,
``CEDEX``), and streets that exist only in a neighbouring commune (which must be
refused). The generator was written before the matcher was tuned; the tuning used
``seed=1`` only, and the figures are reported on other seeds (held out).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from gltd.geocode.synthetic.ban import SynthAddress

if TYPE_CHECKING:
    from gltd.geocode.batch import AddressGeocoder
    from gltd.geocode.match import GeocodeResult

__all__ = [
    "Query",
    "Scores",
    "answer_queries",
    "police_queries",
    "police_spelling",
    "score_answers",
    "score_results",
]

#: How police software abbreviates (several spellings per word).
_ABBR: dict[str, tuple[str, ...]] = {
    "RUE": ("R", "R.", "RUE"),
    "AVENUE": ("AV", "AV.", "AVE"),
    "BOULEVARD": ("BD", "BLD", "BD."),
    "PLACE": ("PL", "PL."),
    "IMPASSE": ("IMP", "IMP."),
    "CHEMIN": ("CHE", "CHEM", "CH"),
    "ALLEE": ("ALL", "ALL."),
    "ROUTE": ("RTE",),
    "QUAI": ("QU", "QUAI"),
    "SQUARE": ("SQ",),
    "FAUBOURG": ("FBG", "FG"),
    "SAINT": ("ST",),
    "SAINTE": ("STE",),
    "GENERAL": ("GAL", "GAL.", "GEN"),
    "MARECHAL": ("MAL", "MAL."),
    "DOCTEUR": ("DR",),
    "PRESIDENT": ("PDT",),
    "COMMANDANT": ("CDT",),
    "RESIDENCE": ("RES",),
}
_NOISE = ("BAT B", "BAT C", "APPT 12", "APPT 3", "ESC A", "3EME ETAGE", "BAT 4 APPT 21")
_ARTICLES = {"DE", "DU", "DES", "LA", "LE", "LES", "L", "D"}


@dataclass(frozen=True)
class Query:
    """A query row and what a correct geocoder must answer."""

    qid: str
    address: str
    postcode: str
    city: str
    housenumber: str
    #: Expected BAN address id, when the number exists in the base.
    expect_id: str | None
    #: Expected street (INSEE code, street name); ``None`` when a refusal is expected.
    expect_street: tuple[str, str] | None
    #: What the query exercises (for the per-kind breakdown).
    kinds: tuple[str, ...]


def _upper_ascii(s: str) -> str:
    s = s.replace("œ", "oe").replace("Œ", "OE")
    s = unicodedata.normalize("NFKD", s)
    s = "".join(c for c in s if not unicodedata.combining(c))
    return s.upper().replace("-", " ").replace("'", " ")


def _typo(word: str, rng: np.random.Generator) -> str:
    i = int(rng.integers(1, len(word) - 1))
    op = int(rng.integers(0, 4))
    if op == 0:  # substitution
        c = "AEIOURSTNL"[int(rng.integers(0, 10))]
        return word[:i] + c + word[i + 1 :]
    if op == 1:  # deletion
        return word[:i] + word[i + 1 :]
    if op == 2:  # transposition
        return word[: i - 1] + word[i] + word[i - 1] + word[i + 1 :]
    return word[:i] + word[i] + word[i:]  # doubled letter


def _street_text(name: str, rng: np.random.Generator, kinds: list[str]) -> str:
    words = _upper_ascii(name).split()
    if rng.random() < 0.15:
        kinds.append("accents")
        words = name.replace("-", " ").split()  # as written in the base, accents kept
        return " ".join(words)
    out: list[str] = []
    abbreviate = rng.random() < 0.65
    for j, w in enumerate(words):
        if abbreviate and w in _ABBR and (j == 0 or w not in ("RUE", "PLACE", "ROUTE")):
            out.append(str(rng.choice(_ABBR[w])))
            if "abreviation" not in kinds:
                kinds.append("abreviation")
        else:
            out.append(w)
    if rng.random() < 0.10 and len(out) > 2:
        kept = [w for j, w in enumerate(out) if j == 0 or w not in _ARTICLES]
        if kept != out:
            out = kept
            kinds.append("sans_article")
    if rng.random() < 0.15:
        long_words = [j for j, w in enumerate(out) if j > 0 and len(w) >= 5 and w.isalpha()]
        if long_words:
            j = int(rng.choice(long_words))
            out[j] = _typo(out[j], rng)
            kinds.append("faute")
    if rng.random() < 0.10 and len(out) >= 2:
        # CARMES (RUE DES): the type and its articles after the name.
        k = 1
        while k < len(out) - 1 and out[k] in _ARTICLES:
            k += 1
        out = [*out[k:], "(" + " ".join(out[:k]) + ")"]
        kinds.append("inverse")
    return " ".join(out)


def police_spelling(name: str, rng: np.random.Generator) -> str:
    """A street name as a police export may write it (abbreviated, inverted, a typo…)."""
    return _street_text(name, rng, [])


def _number_text(a: SynthAddress, rng: np.random.Generator) -> str:
    if not a.rep:
        return str(a.numero)
    rep = a.rep.upper()
    forms = {
        "BIS": (f"{a.numero}B", f"{a.numero} BIS", f"{a.numero}BIS"),
        "TER": (f"{a.numero}T", f"{a.numero} TER", f"{a.numero}TER"),
    }.get(rep, (f"{a.numero}{rep}", f"{a.numero} {rep}"))
    return str(rng.choice(forms))


def police_queries(
    addresses: Sequence[SynthAddress], *, n: int = 300, seed: int = 1
) -> list[Query]:
    """``n`` police-style queries on ``addresses`` (see the module docstring)."""
    rng = np.random.default_rng(seed)
    by_commune: dict[str, dict[str, list[SynthAddress]]] = {}
    postcodes: dict[str, set[str]] = {}
    names: dict[str, str] = {}
    for a in addresses:
        by_commune.setdefault(a.code_insee, {}).setdefault(a.nom_voie, []).append(a)
        postcodes.setdefault(a.code_insee, set()).add(a.code_postal)
        names[a.code_insee] = a.nom_commune
    communes = sorted(by_commune)
    all_pc = sorted({p for s in postcodes.values() for p in s})
    out: list[Query] = []
    for i in range(n):
        kinds: list[str] = []
        qid = f"q{seed}-{i:05d}"
        a = addresses[int(rng.integers(0, len(addresses)))]
        streets = by_commune[a.code_insee]
        refuse = rng.random() < 0.06
        if refuse:
            # A street that exists only in another commune, asked in this one: the
            # homonym elsewhere must not be returned.
            other = str(rng.choice([c for c in communes if c != a.code_insee] or communes))
            name = str(rng.choice(sorted(by_commune[other])))
            if name not in streets:
                b = by_commune[other][name][0]
                a = SynthAddress(
                    b.ban_id, b.id_fantoir, b.numero, b.rep, b.nom_voie,
                    a.code_postal, a.code_insee, a.nom_commune, b.lon, b.lat,
                )  # fmt: skip
                kinds.append("voie_d_une_autre_commune")
            else:
                refuse = False
        street = _street_text(a.nom_voie, rng, kinds)
        u = rng.random()
        expect_id: str | None = a.ban_id
        if u < 0.15:
            number = ""
            expect_id = None
            kinds.append("sans_numero")
        elif u < 0.25:
            taken = {b.numero for b in streets.get(a.nom_voie, [])}
            fake = max(taken | {a.numero}) + 2 * int(rng.integers(5, 40))
            number = str(fake)
            expect_id = None
            kinds.append("numero_absent")
        else:
            number = _number_text(a, rng)
            if a.rep:
                kinds.append("suffixe")
        own_number = bool(number) and rng.random() < 0.2
        if own_number:
            kinds.append("colonne_numero")
        text = street if (own_number or not number) else f"{number} {street}"
        if not own_number and number and rng.random() < 0.1:
            text = f"{number}, {street}"
        if rng.random() < 0.12:
            text = f"{text} {rng.choice(_NOISE)}"
            kinds.append("bruit")
        city = _upper_ascii(a.nom_commune) if rng.random() < 0.85 else a.nom_commune
        if city.startswith("SAINT ") and rng.random() < 0.5:
            city = "ST " + city[6:]
        pc = a.code_postal
        v = rng.random()
        if v < 0.05:
            wrong = (
                sorted(postcodes[a.code_insee] - {pc})
                or [p for p in all_pc if p not in postcodes[a.code_insee]][:1]
            )
            if wrong:
                pc = str(rng.choice(wrong))
                kinds.append("mauvais_code_postal")
        elif v < 0.12:
            city = ""
            kinds.append("code_postal_seul")
        elif v < 0.22:
            pc = ""
            kinds.append("commune_seule")
        if rng.random() < 0.15 and city:
            text = f"{text} {pc} {city}".replace("  ", " ")
            if rng.random() < 0.3:
                text += " CEDEX"
                kinds.append("cedex")
            kinds.append("commune_dans_adresse")
            pc, city = "", ""
        out.append(
            Query(
                qid=qid,
                address=text.strip(),
                postcode=pc,
                city=city,
                housenumber=number if own_number else "",
                expect_id=None if refuse else expect_id,
                expect_street=None if refuse else (a.code_insee, a.nom_voie),
                kinds=tuple(kinds) or ("simple",),
            )
        )
    return out


@dataclass(frozen=True)
class Scores:
    """Figures on a query set."""

    n: int
    correct_street: float
    wrong_street: float
    exact_number: float
    refused_ok: float
    n_numbers: int
    n_refusals: int


def score_results(
    queries: Sequence[Query],
    streets: Sequence[tuple[str | None, str] | None],
    ids: Sequence[str | None],
) -> Scores:
    """Correct street, point on a wrong street, exact number, refusals kept (fractions).

    ``streets[i]`` is the (INSEE code, street name) of the answer to ``queries[i]``, or
    ``None`` when it was refused or placed only at the commune; ``ids[i]`` its BAN id.
    """
    placeable = [i for i, q in enumerate(queries) if q.expect_street is not None]
    must_refuse = [i for i, q in enumerate(queries) if q.expect_street is None]
    numbered = [i for i, q in enumerate(queries) if q.expect_id is not None]
    ok = sum(1 for i in placeable if streets[i] == queries[i].expect_street)
    wrong = sum(
        1
        for i in range(len(queries))
        if streets[i] is not None and streets[i] != queries[i].expect_street
    )
    exact = sum(1 for i in numbered if ids[i] == queries[i].expect_id)
    kept = sum(1 for i in must_refuse if streets[i] is None)
    return Scores(
        n=len(queries),
        correct_street=ok / max(1, len(placeable)),
        wrong_street=wrong / max(1, len(queries)),
        exact_number=exact / max(1, len(numbered)),
        refused_ok=kept / max(1, len(must_refuse)),
        n_numbers=len(numbered),
        n_refusals=len(must_refuse),
    )


def answer_queries(geocoder: AddressGeocoder, queries: Sequence[Query]) -> list[GeocodeResult]:
    """The answer of ``geocoder`` (the built-in matcher or addok's) to each query, in order."""
    return [
        geocoder.geocode(q.address, postcode=q.postcode, city=q.city, housenumber=q.housenumber)
        for q in queries
    ]


def score_answers(queries: Sequence[Query], answers: Sequence[GeocodeResult]) -> Scores:
    """:func:`score_results` of a geocoder's answers (:func:`answer_queries`): a street is
    its (INSEE code, street name), none for an answer placed at the commune or refused."""
    streets = [(r.code_insee, r.nom_voie) if r.nom_voie else None for r in answers]
    return score_results(queries, streets, [r.ban_id for r in answers])
