"""Match one address against the index: commune first, then street, then number.

The commune of the answer always agrees with the input: it is one named in the commune
field (or at the end of the address), or, when no name is recognised, one that uses the
postcode. A wrong postcode of the right commune is tolerated (the name wins, flagged).
Within those communes the street is found by a fuzzy comparison of normalised keys
(:func:`rapidfuzz.fuzz.ratio` on the street name without its type, the type agreeing
or not); a weak or ambiguous best street is refused rather than guessed, because a
confident wrong point is the worst outcome for crime mapping. The number is then looked
up exactly (suffix ``BIS``/``TER`` included); a missing or unknown number gives the
street's point, flagged ``voie``.

Scores are in 0–1: the street similarity, times 0.95 for a suffix not found, 0.9 for a
query without number, 0.8 for a number not in the base, 0.95 for a postcode that
disagrees with the commune, and the city-name similarity when the commune was only
recognised approximately.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz, process
from sqlalchemy import Connection, Engine, select, text

from gltd.geocode.normalise import (
    STREET_TYPES,
    commune_key,
    parse_address,
    parse_number,
    street_core,
)
from gltd.model import (
    GeocodeCommune,
    GeocodePostcode,
)

__all__ = ["GeocodeResult", "Geocoder", "MIN_STREET_SCORE", "AMBIGUITY_MARGIN"]

#: Best street similarity below which the row is refused.
MIN_STREET_SCORE = 0.80
#: A second street this close to the best makes the answer ambiguous (refused).
AMBIGUITY_MARGIN = 0.06
#: City-name similarity needed to accept a misspelt commune.
MIN_CITY_SCORE = 0.88
#: Factor on the street score when the query's street type differs from the base's.
TYPE_MISMATCH = 0.75
#: Factor when the query gives no street type.
NO_TYPE = 0.97
#: Communes whose streets are kept in memory, and streets whose numbers are.
CACHE_COMMUNES = 2_000
CACHE_STREETS = 20_000

_STREETS_SQL = text(
    "SELECT id, nom_voie, voie_key, code_postal, lon, lat FROM geocode_street "
    "WHERE code_insee = :code ORDER BY id"
)
_NUMBERS_SQL = text(
    "SELECT numero, rep, ban_id, lon, lat, code_postal FROM geocode_address WHERE street_id = :sid"
)


@dataclass(frozen=True)
class GeocodeResult:
    """The answer for one address."""

    precision: str
    score: float
    lon: float | None = None
    lat: float | None = None
    label: str | None = None
    ban_id: str | None = None
    code_insee: str | None = None
    nom_voie: str | None = None
    #: Why refused, or what was approximate (French, for the review file).
    note: str = ""

    @property
    def placed(self) -> bool:
        """A point was found (numéro, voie or commune)."""
        return self.precision != "refusé"


def _refused(note: str) -> GeocodeResult:
    return GeocodeResult("refusé", 0.0, note=note)


@dataclass
class _Commune:
    """Streets and addresses of one commune, in memory."""

    name: str
    ids: np.ndarray
    names: list[str]
    cores: list[str]
    types: list[str]
    postcodes: list[str]
    lon: np.ndarray
    lat: np.ndarray


def _type_of(key: str) -> str:
    head = key.split(" ", 1)[0]
    return head if head in STREET_TYPES else ""


class Geocoder:
    """Geocode addresses against the index of ``engine`` (see the module docstring).

    Examples
    --------
    >>> g = Geocoder(engine)  # doctest: +SKIP
    >>> g.geocode("12 R DES CARMES", postcode="45000", city="ORLEANS").precision  # doctest: +SKIP
    'numéro'
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._by_name: dict[str, set[str]] = {}
        self._by_postcode: dict[str, set[str]] = {}
        self._postcodes_of: dict[str, set[str]] = {}
        self._official: dict[str, str] = {}
        with engine.connect() as conn:
            for code, name, key, kind in conn.execute(
                select(
                    GeocodeCommune.code_insee,
                    GeocodeCommune.name,
                    GeocodeCommune.name_key,
                    GeocodeCommune.kind,
                )
            ):
                self._by_name.setdefault(key, set()).add(code)
                if kind == "commune" or code not in self._official:
                    self._official[code] = name
            for pc, code in conn.execute(
                select(GeocodePostcode.code_postal, GeocodePostcode.code_insee)
            ):
                self._by_postcode.setdefault(pc, set()).add(code)
                self._postcodes_of.setdefault(code, set()).add(pc)
        self._name_keys = sorted(self._by_name)
        self._cache: OrderedDict[str, _Commune] = OrderedDict()
        self._numbers_cache: OrderedDict[
            int, dict[tuple[int, str], tuple[str, float, float, str]]
        ] = OrderedDict()
        self._conn: Connection | None = None

    # ------------------------------------------------------------------ communes
    def _communes(
        self, postcode: str | None, city: str | None
    ) -> tuple[list[str], float, list[str]]:
        """Candidate INSEE codes, a score factor, and notes."""
        notes: list[str] = []
        by_city: set[str] = set()
        factor = 1.0
        if city:
            key = commune_key(city)
            by_city = set(self._by_name.get(key, ()))
            if not by_city and key:
                best = process.extractOne(
                    key, self._name_keys, scorer=fuzz.ratio, score_cutoff=MIN_CITY_SCORE * 100
                )
                if best is not None:
                    by_city = set(self._by_name[best[0]])
                    factor = best[1] / 100.0
                    notes.append(f"commune « {city} » lue « {self._official_of(by_city)} »")
        by_pc = set(self._by_postcode.get(postcode, ())) if postcode else set()
        if by_city and by_pc:
            both = by_city & by_pc
            if both:
                return sorted(both), factor, notes
            notes.append(
                f"code postal {postcode} d'une autre commune que {self._official_of(by_city)} "
                "(la commune l'emporte)"
            )
            return sorted(by_city), factor * 0.95, notes
        if by_city:
            return sorted(by_city), factor, notes
        if city and by_pc:
            notes.append(f"commune « {city} » inconnue : communes du code postal {postcode}")
            return sorted(by_pc), 0.9, notes
        if by_pc:
            return sorted(by_pc), factor, notes
        return [], 0.0, notes

    def _official_of(self, codes: set[str]) -> str:
        return ", ".join(sorted(self._official.get(c, c) for c in codes))

    def _connection(self) -> Connection:
        if self._conn is None:
            self._conn = self.engine.connect()
        return self._conn

    def close(self) -> None:
        """Release the database connection."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def __enter__(self) -> Geocoder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _load(self, code: str) -> _Commune:
        hit = self._cache.get(code)
        if hit is not None:
            self._cache.move_to_end(code)
            return hit
        streets = self._connection().execute(_STREETS_SQL, {"code": code}).all()
        keys = [s[2] for s in streets]
        c = _Commune(
            name=self._official.get(code, code),
            ids=np.asarray([s[0] for s in streets], dtype="int64"),
            names=[s[1] for s in streets],
            cores=[street_core(k) for k in keys],
            types=[_type_of(k) for k in keys],
            postcodes=[s[3] for s in streets],
            lon=np.asarray([s[4] for s in streets], dtype="float64"),
            lat=np.asarray([s[5] for s in streets], dtype="float64"),
        )
        self._cache[code] = c
        if len(self._cache) > CACHE_COMMUNES:
            self._cache.popitem(last=False)
        return c

    def _numbers(self, street_id: int) -> dict[tuple[int, str], tuple[str, float, float, str]]:
        hit = self._numbers_cache.get(street_id)
        if hit is not None:
            return hit
        rows = self._connection().execute(_NUMBERS_SQL, {"sid": street_id}).all()
        out = {(n, r or ""): (b, lo, la, pc) for n, r, b, lo, la, pc in rows}
        self._numbers_cache[street_id] = out
        if len(self._numbers_cache) > CACHE_STREETS:
            self._numbers_cache.popitem(last=False)
        return out

    # ------------------------------------------------------------------ streets
    def _streets(self, key: str, codes: list[str]) -> list[tuple[float, str, int]]:
        """(score, code_insee, index in the commune) of the best streets, best first."""
        q_type = _type_of(key)
        q_core = street_core(key)
        found: list[tuple[float, str, int]] = []
        for code in codes:
            c = self._load(code)
            if not c.names:
                continue
            sims = process.cdist([q_core], c.cores, scorer=fuzz.ratio, dtype=np.float32)[0] / 100.0
            if q_type:
                types = np.asarray([t == q_type for t in c.types])
                sims = np.where(types, sims, sims * TYPE_MISMATCH)
            else:
                sims = sims * NO_TYPE
            top = np.argsort(-sims)[:3]
            found += [(float(sims[i]), code, int(i)) for i in top]
        found.sort(key=lambda t: -t[0])
        return found

    # ------------------------------------------------------------------ public
    def geocode(
        self,
        address: object,
        *,
        postcode: object = None,
        city: object = None,
        housenumber: object = None,
    ) -> GeocodeResult:
        """Geocode one address (see the module docstring)."""
        parsed = parse_address(address, postcode=postcode, city=city)
        number, suffix = parsed.number, parsed.suffix
        if housenumber is not None and str(housenumber).strip():
            n2, s2 = parse_number(housenumber)
            if n2 is not None:
                number, suffix = n2, s2
        if not parsed.street and not parsed.city and not parsed.postcode:
            return _refused("adresse vide")
        codes, factor, notes = self._communes(parsed.postcode, parsed.city)
        street = parsed.street
        if not parsed.city:
            # ``12 RUE DES CARMES ORLEANS``: the commune at the end, without postcode.
            tokens = street.split()
            for k in range(min(6, len(tokens) - 1), 0, -1):
                tail = " ".join(tokens[-k:])
                inside = set(self._by_name.get(tail, ()))
                if inside and (not codes or inside & set(codes)):
                    codes = sorted(inside & set(codes)) if codes else sorted(inside)
                    street = " ".join(tokens[:-k])
                    break
        if not codes:
            if not parsed.city and not parsed.postcode:
                return _refused("ni commune ni code postal : la commune doit être connue")
            what = parsed.city or parsed.postcode
            return _refused(f"commune ou code postal « {what} » absent de l'index")
        if not street:
            return self._commune_point(codes, factor, notes)
        found = self._streets(street, codes)
        if not found or found[0][0] < MIN_STREET_SCORE:
            near = ""
            if found:
                best = self._load(found[0][1])
                near = f" (la plus proche : {best.names[found[0][2]]}, {found[0][0]:.2f})"
            return _refused(f"voie introuvable dans {self._official_of(set(codes))}{near}")
        best_score, code, i = found[0]
        rivals = [
            (s2, code2, j)
            for s2, code2, j in found[1:]
            if best_score - s2 < AMBIGUITY_MARGIN and not (best_score == 1.0 and s2 < 1.0)
        ]
        if rivals:
            # Homonyms (same name in communes sharing the postcode): the house number
            # decides when exactly one of them has it; otherwise the row is refused.
            tied = [(best_score, code, i), *rivals]
            with_number = [
                t
                for t in tied
                if number is not None
                and t[0] == best_score
                and any(n == number for n, _ in self._numbers(int(self._load(t[1]).ids[t[2]])))
            ]
            if len(with_number) == 1 and all(t[0] == best_score for t in tied):
                best_score, code, i = with_number[0]
                others = sorted({self._load(t[1]).name for t in tied if t[1] != code})
                notes = [
                    *notes,
                    f"voie homonyme à {', '.join(others)} : seule à avoir le n° {number}",
                ]
                factor *= 0.9
            else:
                c, other = self._load(code), self._load(rivals[0][1])
                j = rivals[0][2]
                return _refused(
                    f"voie ambiguë : {c.names[i]} ({c.name}) ou {other.names[j]} ({other.name})"
                )
        c = self._load(code)
        return self._number_point(c, code, i, best_score * factor, number, suffix, notes)

    def suggest(
        self,
        address: object,
        *,
        postcode: object = None,
        city: object = None,
        housenumber: object = None,
        limit: int = 3,
    ) -> list[GeocodeResult]:
        """The best candidate streets for a refused address (for a person to choose).

        Same communes as :meth:`geocode` (the agreement rule holds), no threshold and no
        ambiguity refusal: the number when the street has it, else the street's point.
        """
        parsed = parse_address(address, postcode=postcode, city=city)
        number, suffix = parsed.number, parsed.suffix
        if housenumber is not None and str(housenumber).strip():
            n2, s2 = parse_number(housenumber)
            if n2 is not None:
                number, suffix = n2, s2
        codes, factor, _notes = self._communes(parsed.postcode, parsed.city)
        if not codes or not parsed.street:
            return []
        out = []
        seen: set[tuple[str, int]] = set()
        for score, code, i in self._streets(parsed.street, codes):
            if (code, i) in seen or score < 0.5:
                continue
            seen.add((code, i))
            out.append(
                self._number_point(self._load(code), code, i, score * factor, number, suffix, [])
            )
            if len(out) >= limit:
                break
        return out

    def _commune_point(self, codes: list[str], factor: float, notes: list[str]) -> GeocodeResult:
        if len(codes) > 1:
            return _refused(
                f"adresse sans voie et plusieurs communes : {self._official_of(set(codes))}"
            )
        c = self._load(codes[0])
        if not c.names:
            return _refused("commune sans voie dans l'index")
        lon, lat = float(np.median(c.lon)), float(np.median(c.lat))
        return GeocodeResult(
            "commune",
            round(0.5 * factor, 3),
            lon,
            lat,
            c.name,
            None,
            codes[0],
            None,
            "; ".join([*notes, "adresse sans voie : point de la commune"]),
        )

    def _number_point(
        self,
        c: _Commune,
        code: str,
        i: int,
        score: float,
        number: int | None,
        suffix: str,
        notes: list[str],
    ) -> GeocodeResult:
        sid = int(c.ids[i])
        numbers = self._numbers(sid)
        hit = None
        if number is not None:
            hit = numbers.get((number, suffix))
            if hit is None and suffix:
                hit = numbers.get((number, ""))
                if hit is not None:
                    notes = [*notes, f"suffixe {suffix} absent de la base : numéro {number}"]
                    score *= 0.95
        if hit is not None:
            ban_id, lon, lat, pc = hit
            rep = [r for (n, r), v in numbers.items() if v is hit]
            rep_txt = f" {rep[0].lower()}" if rep and rep[0] else ""
            label = f"{number}{rep_txt} {c.names[i]} {pc} {c.name}"
            return GeocodeResult(
                "numéro", round(score, 3), lon, lat, label, ban_id, code, c.names[i],
                "; ".join(notes),
            )  # fmt: skip
        if number is None:
            score *= 0.9
            notes = [*notes, "adresse sans numéro : point de la voie"]
        else:
            score *= 0.8
            notes = [
                *notes,
                f"numéro {number}{' ' + suffix if suffix else ''} absent de la base : point de la voie",
            ]
        label = f"{c.names[i]} {c.postcodes[i]} {c.name}"
        return GeocodeResult(
            "voie",
            round(score, 3),
            float(c.lon[i]),
            float(c.lat[i]),
            label,
            None,
            code,
            c.names[i],
            "; ".join(notes),
        )
