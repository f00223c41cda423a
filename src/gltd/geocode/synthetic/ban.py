"""Synthetic Base Adresse Nationale extracts, in the real CSV and addok ndjson layouts.

Two geographies: :func:`orleans_extract` (the demo's Orléans and three neighbouring
communes with homonymous streets — a few hundred addresses for the tests, a few
thousand for the demo) and :func:`departement_extract` (a Loiret-sized département of
generated communes, for the benchmark). Everything is deterministic for a given seed.
Names are plausible, positions illustrative: this is not BAN data.
"""

from __future__ import annotations

import gzip
import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from gltd.geocode.synthetic.vocabulary import (
    NEIGHBOUR_STREETS,
    ORLEANS_STREETS,
    PEOPLE,
    PLACE_TAILS,
    PLACE_WORDS,
    SAINTS,
    THINGS,
    TYPES,
)

__all__ = [
    "BAN_COLUMNS",
    "SynthAddress",
    "SynthCommune",
    "ORLEANS_COMMUNES",
    "orleans_extract",
    "departement_extract",
    "write_ban_csv",
    "write_addok_ndjson",
    "street_addresses",
    "street_names",
]

#: Columns of the BAN ``adresses-XX.csv`` files, in order.
BAN_COLUMNS = (
    "id",
    "id_fantoir",
    "numero",
    "rep",
    "nom_voie",
    "code_postal",
    "code_insee",
    "nom_commune",
    "code_insee_ancienne_commune",
    "nom_ancienne_commune",
    "x",
    "y",
    "lon",
    "lat",
    "type_position",
    "alias",
    "nom_ld",
    "libelle_acheminement",
    "nom_afnor",
    "source_position",
    "source_nom_voie",
    "certification_commune",
    "cad_parcelles",
)


@dataclass(frozen=True)
class SynthCommune:
    """A commune: INSEE code, name, postcodes, and the box its streets are drawn in."""

    code_insee: str
    name: str
    postcodes: tuple[str, ...]
    lon0: float
    lat0: float
    lon1: float
    lat1: float


@dataclass(frozen=True)
class SynthAddress:
    """One address, as a row of a BAN extract."""

    ban_id: str
    id_fantoir: str
    numero: int
    rep: str
    nom_voie: str
    code_postal: str
    code_insee: str
    nom_commune: str
    lon: float
    lat: float

    @property
    def label(self) -> str:
        """The BAN label (``12 bis Rue des Carmes 45000 Orléans``)."""
        rep = f" {self.rep}" if self.rep else ""
        return f"{self.numero}{rep} {self.nom_voie} {self.code_postal} {self.nom_commune}"


#: The demo's Orléans (boxes inside its illustrative outline) and three neighbours.
ORLEANS_COMMUNES = (
    SynthCommune("45234", "Orléans", ("45000", "45100"), 1.880, 47.826, 1.955, 47.932),
    SynthCommune("45284", "Saint-Jean-de-Braye", ("45800",), 1.966, 47.900, 1.995, 47.922),
    SynthCommune("45232", "Olivet", ("45160",), 1.870, 47.845, 1.902, 47.862),
    SynthCommune("45147", "Fleury-les-Aubrais", ("45400",), 1.890, 47.938, 1.925, 47.952),
)


_REPS = ("bis", "ter", "a", "b")


def _fantoir(code_insee: str, k: int) -> str:
    return f"{code_insee}_{k:04d}"


def street_addresses(
    commune: SynthCommune,
    name: str,
    k: int,
    lon: float,
    lat: float,
    n: int,
    rng: np.random.Generator,
    postcode: str,
) -> list[SynthAddress]:
    """``n`` numbers along a straight street from (lon, lat), odd and even sides."""
    angle = rng.uniform(0, math.pi)
    step_m = rng.uniform(12.0, 25.0)
    dlon = math.cos(angle) * step_m / 74_600.0
    dlat = math.sin(angle) * step_m / 111_200.0
    side_lon, side_lat = -dlat * 0.4, dlon * 0.4
    fantoir = _fantoir(commune.code_insee, k)
    out: list[SynthAddress] = []
    numbers = sorted({int(v) for v in rng.choice(np.arange(1, 4 * n + 8), size=n, replace=False)})
    for num in numbers:
        along = (num - 1) // 2
        sgn = 1.0 if num % 2 else -1.0
        a_lon = lon + along * dlon + sgn * side_lon
        a_lat = lat + along * dlat + sgn * side_lat
        reps = [""]
        if rng.random() < 0.12:
            reps.append(str(rng.choice(_REPS)))
        for rep in reps:
            shift = 0.3 if rep else 0.0
            suffix = f"_{rep}" if rep else ""
            out.append(
                SynthAddress(
                    ban_id=f"{fantoir}_{num:05d}{suffix}",
                    id_fantoir=fantoir,
                    numero=num,
                    rep=rep,
                    nom_voie=name,
                    code_postal=postcode,
                    code_insee=commune.code_insee,
                    nom_commune=commune.name,
                    lon=round(a_lon + shift * dlon, 6),
                    lat=round(a_lat + shift * dlat, 6),
                )
            )
    return out


def orleans_extract(*, per_street: int = 8, seed: int = 0) -> list[SynthAddress]:
    """Orléans and its neighbours: about ``per_street`` numbers on each street.

    With the default, about 700 addresses (the tests); ``per_street=40`` gives the
    demo's few thousand.
    """
    rng = np.random.default_rng(seed)
    out: list[SynthAddress] = []
    orleans = ORLEANS_COMMUNES[0]
    for k, (name, lon, lat) in enumerate(ORLEANS_STREETS, start=1):
        pc = "45000" if lat > 47.895 else "45100"
        out += street_addresses(orleans, name, k, lon, lat, per_street, rng, pc)
    for commune in ORLEANS_COMMUNES[1:]:
        for k, name in enumerate(NEIGHBOUR_STREETS[commune.code_insee], start=1):
            lon = float(rng.uniform(commune.lon0, commune.lon1))
            lat = float(rng.uniform(commune.lat0, commune.lat1))
            out += street_addresses(
                commune, name, k, lon, lat, per_street, rng, commune.postcodes[0]
            )
    return out


def street_names(rng: np.random.Generator, n: int) -> list[str]:
    """``n`` distinct street names for one commune (shared vocabulary across communes)."""
    types, weights = zip(*TYPES, strict=True)
    p = np.asarray(weights, dtype="float64") / sum(weights)
    names: set[str] = set()
    out: list[str] = []
    guard = 0
    while len(out) < n and guard < n * 50:
        guard += 1
        t = str(rng.choice(types, p=p))
        u = rng.random()
        if u < 0.45:
            nm = str(rng.choice(THINGS))
        elif u < 0.80:
            person = str(rng.choice(PEOPLE))
            nm = person if person.startswith("d") and " " in person[:4] else person
        elif u < 0.93:
            nm = str(rng.choice(SAINTS))
        else:
            nm = f"des {rng.choice(PLACE_WORDS)}{rng.choice(('s', 'x', 'ts'))}"
        name = (
            f"{t} {nm}"
            if t != "Lieu-dit"
            else f"{rng.choice(PLACE_WORDS)} {rng.choice(PLACE_WORDS)}"
        )
        if t == "Résidence":
            name = f"Résidence {nm.split(' ', 1)[-1]}"
        if name in names:
            continue
        names.add(name)
        out.append(name)
    return out


def _commune_names(rng: np.random.Generator, n: int) -> list[str]:
    from gltd.geocode.normalise import commune_key

    seen: set[str] = set()
    out: list[str] = []
    while len(out) < n:
        u = rng.random()
        a, b = rng.choice(PLACE_WORDS, size=2, replace=False)
        if u < 0.3:
            name = f"{rng.choice(SAINTS)}-{rng.choice(PLACE_TAILS)}"
        elif u < 0.6:
            name = f"{a}{str(b).lower()}-{rng.choice(PLACE_TAILS)}"
        elif u < 0.8:
            name = f"{a}{str(b).lower()}"
        else:
            name = f"La {a}-{b}"
        key = commune_key(name)
        if key in seen:
            continue
        seen.add(key)
        out.append(name)
    return out


def departement_extract(
    *, n_addresses: int = 330_000, n_communes: int = 325, dep: str = "45", seed: int = 0
) -> list[SynthAddress]:
    """A département-sized extract: communes of varied size, homonymous streets across them.

    Postcodes are shared by neighbouring communes (five or so per postcode), as in the
    real base.
    """
    rng = np.random.default_rng(seed)
    names = _commune_names(rng, n_communes)
    sizes = rng.lognormal(mean=0.0, sigma=1.0, size=n_communes)
    # About 12 % of numbers get a suffixed twin (bis, ter…): aim below the total.
    sizes = np.maximum(40, sizes / sizes.sum() * n_addresses / 1.11).astype(int)
    out: list[SynthAddress] = []
    for i, (name, size) in enumerate(zip(names, sizes, strict=True)):
        code = f"{dep}{i + 1:03d}"
        pc = f"{dep}{(i // 5) * 10 + 100:03d}"[:5]
        lon0 = 1.5 + (i % 18) * 0.07
        lat0 = 47.5 + (i // 18) * 0.05
        commune = SynthCommune(code, name, (pc,), lon0, lat0, lon0 + 0.06, lat0 + 0.04)
        per = int(rng.integers(8, 30))
        n_streets = max(3, int(size) // per)
        for k, street in enumerate(street_names(rng, n_streets), start=1):
            lon = float(rng.uniform(commune.lon0, commune.lon1))
            lat = float(rng.uniform(commune.lat0, commune.lat1))
            out += street_addresses(commune, street, k, lon, lat, per, rng, pc)
    return out


def _lambert(addresses: Sequence[SynthAddress]) -> tuple[np.ndarray, np.ndarray]:
    from gltd.geo import WGS84, transformer

    tr = transformer(WGS84, "EPSG:2154")  # the BAN's x/y are Lambert-93, whatever the setting
    lon = np.asarray([a.lon for a in addresses])
    lat = np.asarray([a.lat for a in addresses])
    x, y = tr.transform(lon, lat)
    return np.round(x, 2), np.round(y, 2)


def _open_text(path: Path, compress: bool | None) -> object:
    gz = path.suffix == ".gz" if compress is None else compress
    if gz:
        return gzip.open(path, "wt", encoding="utf-8", newline="", compresslevel=1)
    return path.open("w", encoding="utf-8", newline="")


def write_ban_csv(
    addresses: Sequence[SynthAddress], path: str | Path, *, compress: bool | None = None
) -> Path:
    """Write a BAN ``adresses-XX.csv`` (``;``, UTF-8; gzip when the name ends in ``.gz``)."""
    from gltd.geocode.normalise import fold

    p = Path(path)
    x, y = _lambert(addresses)
    fh = _open_text(p, compress)
    with fh as out:  # type: ignore[attr-defined]
        out.write(";".join(BAN_COLUMNS) + "\n")
        for a, xx, yy in zip(addresses, x, y, strict=True):
            row = (
                a.ban_id,
                a.id_fantoir,
                str(a.numero),
                a.rep,
                a.nom_voie,
                a.code_postal,
                a.code_insee,
                a.nom_commune,
                "",
                "",
                f"{xx:.2f}",
                f"{yy:.2f}",
                f"{a.lon:.6f}",
                f"{a.lat:.6f}",
                "entrée",
                "",
                "",
                fold(a.nom_commune),
                fold(a.nom_voie),
                "commune",
                "commune",
                "1",
                "",
            )
            out.write(";".join(row) + "\n")
    return p


def _group_streets(addresses: Iterable[SynthAddress]) -> dict[str, list[SynthAddress]]:
    streets: dict[str, list[SynthAddress]] = {}
    for a in addresses:
        streets.setdefault(a.id_fantoir, []).append(a)
    return streets


def write_addok_ndjson(
    addresses: Sequence[SynthAddress], path: str | Path, *, compress: bool | None = None
) -> Path:
    """Write an ``adresses-addok-XX.ndjson``: one street per line, its housenumbers inside."""
    p = Path(path)
    x, y = _lambert(addresses)
    xy = {a.ban_id: (float(xx), float(yy)) for a, xx, yy in zip(addresses, x, y, strict=True)}
    fh = _open_text(p, compress)
    with fh as out:  # type: ignore[attr-defined]
        for fantoir, items in _group_streets(addresses).items():
            first = items[0]
            lon = sum(a.lon for a in items) / len(items)
            lat = sum(a.lat for a in items) / len(items)
            numbers = {
                f"{a.numero}{' ' + a.rep if a.rep else ''}": {
                    "id": a.ban_id,
                    "x": xy[a.ban_id][0],
                    "y": xy[a.ban_id][1],
                    "lon": a.lon,
                    "lat": a.lat,
                }
                for a in items
            }
            doc = {
                "id": fantoir,
                "type": "street",
                "name": first.nom_voie,
                "postcode": first.code_postal,
                "citycode": first.code_insee,
                "city": first.nom_commune,
                "context": f"{first.code_insee[:2]}, Loiret, Centre-Val de Loire",
                "importance": 0.5,
                "lon": round(lon, 6),
                "lat": round(lat, 6),
                "housenumbers": numbers,
            }
            out.write(json.dumps(doc, ensure_ascii=False) + "\n")
    return p
