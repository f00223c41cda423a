"""Police operations of the demo: routine ones since 2011, and the GLTD's six months.

Fixed by construction (the article's figures):

- 50 operations from 24 March to 24 September 2018, 30 of them in Les Carmes and
  La Source; occupation operations every 15 days (alternating Carmes / La Source, every
  other one with dog detection); two big operations in Carmes in spring and the closure
  of the bar « Le Score »; an operation on Saturday 22 September in Carmes using CCTV;
- exactly 41 trafficker arrests in those six months (multinomial split);
- consumer arrests in Les Carmes: 20 from 24 March to 24 September 2017 and 45 in the
  same six months of 2018 (+125 %).

Everything else (dates of the other operations, arrests elsewhere, seizures) is drawn.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np

from gltd.demo.calendar import (
    BAR_CLOSURE_DAY,
    DATA_FIRST_DAY,
    GLTD_FIRST_DAY,
    GLTD_LAST_DAY,
    REF_FIRST_DAY,
    REF_LAST_DAY,
)

__all__ = [
    "OperationSpec",
    "draw_operations",
    "TRAFFICKER_ARRESTS_GLTD",
    "CARMES_CONSUMERS_2017",
    "CARMES_CONSUMERS_2018",
    "GLTD_OPERATIONS_BY_ZONE",
]

TRAFFICKER_ARRESTS_GLTD = 41
CARMES_CONSUMERS_2017 = 20
CARMES_CONSUMERS_2018 = 45
#: Operations of the six months by zone (50 in all, 30 in Carmes + La Source).
GLTD_OPERATIONS_BY_ZONE = {
    "Les Carmes": 16,
    "La Source": 14,
    "L'Argonne": 9,
    "Carmes Nord": 4,
    "Secteur Est": 4,
    "Reste de la ville": 3,
}

POLICE = "DDSP du Loiret"
PARQUET = "Parquet d'Orléans"
VILLE = "Ville d'Orléans"
PREFECTURE = "Préfecture du Loiret"


@dataclass
class OperationSpec:
    """One operation before it is written (zone by name, local day and hours)."""

    day: date
    start_hour: float
    hours: float
    zone: str
    kind: str
    agencies: str = POLICE
    dog_detection: bool = False
    arrests_trafficker: int = 0
    arrests_consumer: int = 0
    arrests_other: int = 0
    cash_eur: float = 0.0
    notes: str | None = None
    seizures: list[tuple[str, float, str]] = field(default_factory=list)


def _random_day(rng: np.random.Generator, first: date, last: date) -> date:
    return first + timedelta(days=int(rng.integers(0, (last - first).days + 1)))


def _gltd_operations(rng: np.random.Generator) -> list[OperationSpec]:
    ops: list[OperationSpec] = []
    # Occupation every 15 days, alternating Carmes / La Source, dogs every other time.
    for k in range(13):
        d = date(2018, 3, 27) + timedelta(days=15 * k)
        ops.append(
            OperationSpec(
                d,
                15.0 + float(rng.integers(0, 4)),
                4.0,
                "Les Carmes" if k % 2 == 0 else "La Source",
                "occupation",
                f"{POLICE}, {VILLE}",
                dog_detection=(k % 2 == 1) or k in (0, 6),
                notes="Occupation de la voie publique (rythme de 15 jours)",
            )
        )
    ops.append(
        OperationSpec(
            date(2018, 4, 7),
            6.0,
            8.0,
            "Les Carmes",
            "interpellations",
            f"{POLICE}, {PARQUET}",
            notes="Opération d'envergure n° 1 aux Carmes",
        )
    )
    ops.append(
        OperationSpec(
            BAR_CLOSURE_DAY,
            10.0,
            2.0,
            "Les Carmes",
            "fermeture_administrative",
            f"{PREFECTURE}, {POLICE}",
            notes="Fermeture administrative du bar « Le Score » (arrêté préfectoral)",
        )
    )
    ops.append(
        OperationSpec(
            date(2018, 5, 19),
            6.0,
            9.0,
            "Les Carmes",
            "perquisition",
            f"{POLICE}, {PARQUET}",
            dog_detection=True,
            notes="Opération d'envergure n° 2 aux Carmes",
        )
    )
    ops.append(
        OperationSpec(
            date(2018, 9, 22),
            17.0,
            4.0,
            "Les Carmes",
            "interpellations",
            f"{POLICE}, {VILLE}",
            notes="Opération appuyée par les images de vidéoprotection (CSU)",
        )
    )
    placed: dict[str, int] = {}
    for op in ops:
        placed[op.zone] = placed.get(op.zone, 0) + 1
    kinds = np.array(["interpellations", "controle", "perquisition", "controle"])
    for zone, wanted in GLTD_OPERATIONS_BY_ZONE.items():
        for _ in range(wanted - placed.get(zone, 0)):
            kind = str(rng.choice(kinds))
            ops.append(
                OperationSpec(
                    _random_day(rng, GLTD_FIRST_DAY, GLTD_LAST_DAY - timedelta(days=1)),
                    float(rng.integers(8, 21)),
                    float(rng.integers(2, 6)),
                    zone,
                    kind,
                    POLICE,
                    dog_detection=bool(rng.random() < 0.2),
                )
            )
    ops.sort(key=lambda o: (o.day, o.start_hour, o.zone))
    # Exactly 41 trafficker arrests, split by a multinomial weighted by kind.
    weight = {
        "interpellations": 3.0,
        "perquisition": 3.0,
        "occupation": 1.0,
        "controle": 1.0,
        "fermeture_administrative": 0.3,
    }
    w = np.array([weight[o.kind] for o in ops])
    for o, n in zip(ops, rng.multinomial(TRAFFICKER_ARRESTS_GLTD, w / w.sum()), strict=True):
        o.arrests_trafficker = int(n)
    # Exactly 45 consumer arrests in Les Carmes, drawn elsewhere.
    carmes = [o for o in ops if o.zone == "Les Carmes" and o.kind != "fermeture_administrative"]
    wc = np.array([2.0 if o.kind == "occupation" else 3.0 for o in carmes])
    for o, n in zip(carmes, rng.multinomial(CARMES_CONSUMERS_2018, wc / wc.sum()), strict=True):
        o.arrests_consumer = int(n)
    for o in ops:
        if o.zone != "Les Carmes" and o.kind != "fermeture_administrative":
            o.arrests_consumer = int(rng.poisson(2.2))
        o.arrests_other = int(rng.poisson(0.3))
    return ops


def _routine_operations(rng: np.random.Generator) -> list[OperationSpec]:
    """Operations before the GLTD (2011 to 23 March 2018), 2.5 a month on average."""
    zones = np.array(
        ["Les Carmes", "La Source", "L'Argonne", "Reste de la ville", "Carmes Nord", "Secteur Est"]
    )
    zw = np.array([0.22, 0.28, 0.22, 0.20, 0.04, 0.04])
    kinds = np.array(["interpellations", "controle", "perquisition", "occupation"])
    kw = np.array([0.45, 0.35, 0.10, 0.10])
    ops: list[OperationSpec] = []
    month = DATA_FIRST_DAY
    while month < GLTD_FIRST_DAY:
        nxt = date(month.year + month.month // 12, month.month % 12 + 1, 1)
        last = min(nxt, GLTD_FIRST_DAY) - timedelta(days=1)
        for _ in range(int(rng.poisson(2.5))):
            d = _random_day(rng, month, last)
            in_ref = REF_FIRST_DAY <= d <= REF_LAST_DAY
            zone = str(rng.choice(zones, p=zw))
            if in_ref and zone == "Les Carmes":  # Carmes is fixed in that window
                zone = "La Source"
            kind = str(rng.choice(kinds, p=kw))
            strong = kind in ("interpellations", "perquisition")
            ops.append(
                OperationSpec(
                    d,
                    float(rng.integers(8, 21)),
                    float(rng.integers(2, 6)),
                    zone,
                    kind,
                    POLICE,
                    dog_detection=bool(rng.random() < 0.1),
                    arrests_trafficker=int(rng.poisson(1.2 if strong else 0.3)),
                    arrests_consumer=int(rng.poisson(2.0)),
                    arrests_other=int(rng.poisson(0.3)),
                )
            )
        month = nxt
    # Les Carmes, 24 March – 24 September 2017: five operations, exactly 20 consumers.
    ref = [
        OperationSpec(
            _random_day(rng, REF_FIRST_DAY, REF_LAST_DAY - timedelta(days=1)),
            float(rng.integers(8, 21)),
            3.0,
            "Les Carmes",
            str(rng.choice(kinds[:2])),
            POLICE,
            arrests_trafficker=int(rng.poisson(0.8)),
        )
        for _ in range(5)
    ]
    for o, n in zip(ref, rng.multinomial(CARMES_CONSUMERS_2017, np.full(5, 0.2)), strict=True):
        o.arrests_consumer = int(n)
    ops.extend(ref)
    ops.sort(key=lambda o: (o.day, o.start_hour, o.zone))
    return ops


def _seizures(rng: np.random.Generator, op: OperationSpec) -> None:
    if op.kind in ("fermeture_administrative",):
        return
    p = 0.85 if op.kind in ("interpellations", "perquisition") else 0.5
    if rng.random() < p:
        op.seizures.append(("résine de cannabis", round(float(rng.lognormal(4.0, 1.0)), 1), "g"))
    if rng.random() < p * 0.6:
        op.seizures.append(("herbe de cannabis", round(float(rng.lognormal(3.5, 1.0)), 1), "g"))
    if rng.random() < p * 0.25:
        op.seizures.append(("cocaïne", round(float(rng.lognormal(2.0, 1.0)), 1), "g"))
    if rng.random() < p * 0.08:
        op.seizures.append(("héroïne", round(float(rng.lognormal(2.0, 0.8)), 1), "g"))
    if rng.random() < p * 0.5:
        op.cash_eur = float(round(float(rng.lognormal(6.3, 0.9)), -1))


def draw_operations(rng: np.random.Generator) -> list[OperationSpec]:
    """Every operation of the scenario, in time order, with arrests and seizures."""
    ops = _routine_operations(rng) + _gltd_operations(rng)
    for op in ops:
        _seizures(rng, op)
    return ops
