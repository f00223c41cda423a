"""Incident points of the demo: Poisson counts per day and cluster, Gaussian positions.

Each *cluster* (a drug-market hotspot or a background layer) has a yearly rate per
category. The expected count of a day is ``rate / 365.25 × trend(year) × season(day) ×
effect(day)``; the count is Poisson, the position Gaussian around the cluster centre
(``sigma`` metres) or uniform over the commune, re-drawn when it falls outside the commune;
the local hour follows a Normal law (evening peak for drugs). The effects encode the story
of the article: the GLTD from 24 March 2018 (more arrests of consumers: police activity),
the bar closure of 20 April 2018 (the Carmes market partly moves to Carmes Nord), and a
hotspot emerging in Secteur Est in 2018.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from gltd.demo.calendar import (
    BAR_CLOSURE_DAY,
    DATA_FIRST_DAY,
    DATA_LAST_DAY,
    GLTD_FIRST_DAY,
    day_index,
)
from gltd.demo.geography import (
    COMMUNE,
    M_PER_DEG_LAT,
    M_PER_DEG_LON,
    inside_commune,
)

__all__ = ["Cluster", "CLUSTERS", "IncidentArrays", "draw_incidents", "DRUG", "OTHER"]

DRUG = ("trafic_stupefiants", "usage_stupefiants", "point_de_deal")
OTHER = (
    "cambriolages",
    "vols_dans_vehicules",
    "destructions_degradations",
    "violences_hors_famille",
    "vols_sans_violence",
)


@dataclass(frozen=True)
class Cluster:
    """A source of incidents: centre and spread (``sigma_m`` = 0 means uniform)."""

    key: str
    lon: float
    lat: float
    sigma_m: float
    #: Yearly expected counts by category.
    per_year: dict[str, float] = field(default_factory=dict)
    #: Key of the effect applied (see :func:`_effect`).
    effect: str = "none"


_D = dict  # brevity below

CLUSTERS: tuple[Cluster, ...] = (
    # Les Carmes: around the bar « Le Score » and a small square.
    Cluster(
        "carmes_score",
        1.8990,
        47.9025,
        80,
        _D(trafic_stupefiants=30, usage_stupefiants=70, point_de_deal=16),
        "carmes_score",
    ),
    Cluster(
        "carmes_place",
        1.9035,
        47.9015,
        110,
        _D(trafic_stupefiants=16, usage_stupefiants=40, point_de_deal=8),
        "carmes_place",
    ),
    # Carmes Nord: little before the closure, then the displaced part of the market.
    Cluster(
        "carmes_nord",
        1.9005,
        47.9066,
        90,
        _D(trafic_stupefiants=2, usage_stupefiants=6, point_de_deal=1),
        "carmes_nord",
    ),
    Cluster(
        "source_a",
        1.9330,
        47.8345,
        130,
        _D(trafic_stupefiants=26, usage_stupefiants=60, point_de_deal=12),
        "quartier",
    ),
    Cluster(
        "source_b",
        1.9400,
        47.8300,
        120,
        _D(trafic_stupefiants=20, usage_stupefiants=45, point_de_deal=10),
        "quartier",
    ),
    Cluster(
        "argonne_a",
        1.9300,
        47.9150,
        110,
        _D(trafic_stupefiants=22, usage_stupefiants=45, point_de_deal=10),
        "argonne",
    ),
    Cluster(
        "argonne_b",
        1.9370,
        47.9125,
        110,
        _D(trafic_stupefiants=16, usage_stupefiants=35, point_de_deal=8),
        "argonne",
    ),
    # Secteur Est: almost nothing before 2018, then an emerging market.
    Cluster(
        "est",
        1.9480,
        47.9030,
        90,
        _D(trafic_stupefiants=40, usage_stupefiants=60, point_de_deal=30),
        "emerging",
    ),
    # Background layers (drugs and the other categories).
    Cluster(
        "centre",
        1.9050,
        47.9020,
        1500,
        _D(
            trafic_stupefiants=60,
            usage_stupefiants=250,
            point_de_deal=25,
            cambriolages=440,
            vols_dans_vehicules=500,
            destructions_degradations=440,
            violences_hors_famille=250,
            vols_sans_violence=380,
        ),
    ),
    Cluster(
        "source_bg",
        1.9340,
        47.8330,
        700,
        _D(
            cambriolages=80,
            vols_dans_vehicules=90,
            destructions_degradations=100,
            violences_hors_famille=60,
            vols_sans_violence=50,
        ),
    ),
    Cluster(
        "uniform",
        0.0,
        0.0,
        0,
        _D(
            trafic_stupefiants=20,
            usage_stupefiants=100,
            point_de_deal=10,
            cambriolages=280,
            vols_dans_vehicules=310,
            destructions_degradations=260,
            violences_hors_famille=140,
            vols_sans_violence=170,
        ),
    ),
)


@dataclass(frozen=True)
class IncidentArrays:
    """Generated incidents as parallel arrays (local day index, seconds, lon, lat, code)."""

    day: np.ndarray
    seconds: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    category: np.ndarray
    cluster: np.ndarray

    def __len__(self) -> int:
        return len(self.day)


def _days() -> np.ndarray:
    return np.arange(day_index(DATA_LAST_DAY) + 1)


def _year_frac(days: np.ndarray) -> np.ndarray:
    return DATA_FIRST_DAY.year + days / 365.25


def _effect(name: str, category: str, days: np.ndarray) -> np.ndarray:
    """Multiplier of the daily rate encoding the scenario's events."""
    gltd = days >= day_index(GLTD_FIRST_DAY)
    closure = days >= day_index(BAR_CLOSURE_DAY)
    m = np.ones(len(days))
    # Police activity under the GLTD: more consumers and traffickers recorded.
    police = {"usage_stupefiants": 1.8, "trafic_stupefiants": 1.3}.get(category, 1.0)
    if name in ("carmes_score", "carmes_place", "quartier", "carmes_nord", "emerging"):
        m = np.where(gltd, m * police, m)
    if name == "argonne":  # « plus compliquée »: the market holds on
        m = np.where(gltd, m * {"point_de_deal": 1.25}.get(category, police), m)
    if name == "carmes_score":
        after = {"usage_stupefiants": 0.6}.get(category, 0.35)
        m = np.where(closure, m * after, m)
    if name == "carmes_place":
        m = np.where(closure, m * 0.8, m)
    if name == "carmes_nord":
        # Half of the bar's market moves north, ramping up over three weeks.
        ramp = np.clip((days - day_index(BAR_CLOSURE_DAY)) / 21.0, 0.0, 1.0)
        moved = {"trafic_stupefiants": 15.0, "usage_stupefiants": 35.0, "point_de_deal": 8.0}
        base = {"trafic_stupefiants": 2.0, "usage_stupefiants": 6.0, "point_de_deal": 1.0}
        m = m + ramp * moved.get(category, 0.0) / base.get(category, 1.0)
    if name == "emerging":
        start = day_index(DATA_FIRST_DAY.replace(year=2018, month=1, day=1))
        full = day_index(DATA_FIRST_DAY.replace(year=2018, month=6, day=1))
        ramp = np.clip((days - start) / (full - start), 0.0, 1.0)
        m = m * (0.05 + 0.95 * ramp)
    return m


def _season(days: np.ndarray, category: str) -> np.ndarray:
    amp = 0.2 if category in DRUG else 0.1
    return 1.0 + amp * np.sin(2 * np.pi * (days - 100) / 365.25)


def _trend(days: np.ndarray, category: str) -> np.ndarray:
    slope = 0.04 if category in DRUG else -0.01
    return 1.0 + slope * (_year_frac(days) - 2011.0)


def _positions(rng: np.random.Generator, cluster: Cluster, n: int) -> tuple[np.ndarray, np.ndarray]:
    lon = np.empty(0)
    lat = np.empty(0)
    lons = np.array([p[0] for p in COMMUNE])
    lats = np.array([p[1] for p in COMMUNE])
    while len(lon) < n:
        k = max(16, int((n - len(lon)) * 1.4))
        if cluster.sigma_m <= 0:
            a = rng.uniform(lons.min(), lons.max(), k)
            b = rng.uniform(lats.min(), lats.max(), k)
        else:
            a = cluster.lon + rng.normal(0.0, cluster.sigma_m / M_PER_DEG_LON, k)
            b = cluster.lat + rng.normal(0.0, cluster.sigma_m / M_PER_DEG_LAT, k)
        keep = inside_commune(a, b)
        lon = np.concatenate([lon, a[keep]])
        lat = np.concatenate([lat, b[keep]])
    return np.round(lon[:n], 6), np.round(lat[:n], 6)


def _seconds(rng: np.random.Generator, n: int, drug: bool) -> np.ndarray:
    if drug:
        hours = rng.normal(18.5, 3.5, n) % 24.0
    else:
        hours = np.where(rng.random(n) < 0.6, rng.normal(16.0, 4.5, n), rng.uniform(0, 24, n))
        hours = hours % 24.0
    return np.floor(hours * 3600.0 / 60.0).astype("int64") * 60


def draw_incidents(
    rng: np.random.Generator,
    *,
    scale: float = 1.0,
    progress: Callable[[int, int], None] | None = None,
) -> IncidentArrays:
    """Draw every incident of the scenario, sorted by time.

    Parameters
    ----------
    rng : numpy.random.Generator
        The scenario's generator (consumed in a fixed order: same seed, same incidents).
    scale : float
        Multiplies every rate (1.0 gives about 34,000 incidents over 2011–2018).
    progress : callable, optional
        Called with ``(done, total)`` clusters.

    Returns
    -------
    IncidentArrays
    """
    days = _days()
    parts: list[tuple[np.ndarray, ...]] = []
    total = len(CLUSTERS)
    for ci, cluster in enumerate(CLUSTERS):
        for category, per_year in cluster.per_year.items():
            rate = (
                per_year
                * scale
                / 365.25
                * _trend(days, category)
                * _season(days, category)
                * _effect(cluster.effect, category, days)
            )
            counts = rng.poisson(rate)
            n = int(counts.sum())
            if n == 0:
                continue
            d = np.repeat(days, counts)
            lon, lat = _positions(rng, cluster, n)
            secs = _seconds(rng, n, category in DRUG)
            parts.append((d, secs, lon, lat, np.full(n, category, dtype=object), np.full(n, ci)))
        if progress is not None:
            progress(ci + 1, total)
    day = np.concatenate([p[0] for p in parts])
    sec = np.concatenate([p[1] for p in parts])
    lon = np.concatenate([p[2] for p in parts])
    lat = np.concatenate([p[3] for p in parts])
    cat = np.concatenate([p[4] for p in parts])
    clu = np.concatenate([p[5] for p in parts])
    order = np.lexsort((lat, lon, sec, day))
    return IncidentArrays(
        day=day[order],
        seconds=sec[order],
        lon=lon[order],
        lat=lat[order],
        category=cat[order],
        cluster=clu[order],
    )
