"""Andresen's spatial point pattern test (SPPT): are two point patterns alike, area by area?

The test compares the share of events of a *base* pattern (e.g. the period before an
intervention) with the shares of a *test* pattern (the period after) in each area (zone,
grid cell). It does not test randomness or clustering: it tells, for each area, whether
its share of events changed beyond what resampling the test pattern would produce.

Procedure (Andresen 2009; Andresen & Malleson 2011; R package ``sppt``, Steenbeek et al.
2018):

1. base share of area *i*: ``p_i = b_i / Σ b``;
2. draw ``m = round(sample × n_test)`` test events without replacement, ``iterations``
   times (default 85 %, 200 times), and compute each area's share of the sample;
3. sort the shares of each area and drop the ``floor(α/2 × iterations)`` lowest and
   highest (α = 1 − confidence; 5 and 5 for 200 draws at 95 %): the interval runs from
   the 6th to the 195th value (same order statistics as the R package);
4. area *i* is *similar* when ``low_i ≤ p_i ≤ high_i``;
5. S-index ``S = (1/n) Σ s_i`` with ``s_i = 1`` for a similar area; the robust S-index
   drops the areas with no event in either pattern (they are trivially similar).

Drawing *m* events without replacement from a multiset with counts ``t_i`` and counting
them per area is exactly a multivariate hypergeometric draw, which is how the counts are
drawn here (one call for all iterations).

References
----------
Andresen, M. A. (2009). Testing for similarity in area-based spatial patterns: a
nonparametric Monte Carlo approach. *Applied Geography* 29(3), 333–345.
Andresen, M. A. & Malleson, N. (2011). Testing the stability of crime patterns:
implications for theory and policy. *Journal of Research in Crime and Delinquency* 48(1),
58–82.
Steenbeek, W., Vandeviver, C., Andresen, M. A., Malleson, N. & Wheeler, A. (2018).
*sppt: Spatial Point Pattern Test*, R package 0.2.3 (https://github.com/wsteenbeek/sppt).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["SpptResult", "sppt", "sppt_counts"]


@dataclass(frozen=True, eq=False)
class SpptResult:
    """Result of the spatial point pattern test.

    Attributes
    ----------
    base_share : float array (n_areas,)
        Share (0–1) of the base events in each area.
    test_low, test_high : float array (n_areas,)
        Bounds of the resampled test shares (interval at ``confidence``).
    similar : bool array (n_areas,)
        True when ``test_low ≤ base_share ≤ test_high``.
    s_index : float
        Share of similar areas among all areas (Andresen's global S).
    robust_s_index : float
        Share of similar areas among the areas with at least one event in either
        pattern (``nan`` when every area is empty).
    n_base, n_test : int
        Numbers of base and test events counted in the areas.
    params : dict
        ``sample``, ``iterations``, ``confidence``, ``seed``, ``sample_size``,
        ``rank_low``, ``rank_high`` (0-based order statistics used).
    base_counts, test_counts : int arrays (n_areas,)
        Events per area in each pattern.
    test_share : float array (n_areas,)
        Share of the (whole) test pattern in each area.
    local_s : int array (n_areas,)
        +1 when the test share is above the interval's reading of the base share (the area
        gained weight: ``base_share < test_low``), −1 when it lost weight
        (``base_share > test_high``), 0 when similar (``localS`` of the R package).
    """

    base_share: np.ndarray
    test_low: np.ndarray
    test_high: np.ndarray
    similar: np.ndarray
    s_index: float
    robust_s_index: float
    n_base: int
    n_test: int
    params: dict[str, Any]
    base_counts: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype="int64"))
    test_counts: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype="int64"))
    test_share: np.ndarray = field(default_factory=lambda: np.zeros(0))
    local_s: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype="int64"))

    @property
    def n_areas(self) -> int:
        """Number of areas."""
        return len(self.base_share)

    @property
    def n_robust(self) -> int:
        """Number of areas with at least one event in either pattern."""
        return int(np.count_nonzero((self.base_counts + self.test_counts) > 0))

    @property
    def label_fr(self) -> str:
        """A plain French reading of the robust S-index."""
        s = self.robust_s_index
        if math.isnan(s):
            return "aucun fait dans les zones comparées"
        if s >= 0.8:
            return "répartition spatiale globalement stable"
        if s >= 0.5:
            return "répartition spatiale en partie modifiée"
        return "répartition spatiale fortement modifiée"

    def as_dict(self, *, nonempty_only: bool = False) -> dict[str, Any]:
        """Plain values for JSON (``nonempty_only``: list only areas with events)."""
        keep = (self.base_counts + self.test_counts) > 0 if nonempty_only else None
        return {
            "test": "SPPT (Andresen)",
            "n_areas": self.n_areas,
            "n_robust": self.n_robust,
            "n_base": self.n_base,
            "n_test": self.n_test,
            "s_index": _finite(self.s_index),
            "robust_s_index": _finite(self.robust_s_index),
            "label_fr": self.label_fr,
            "params": dict(self.params),
            "areas": [
                {
                    "area": i,
                    "base_count": int(self.base_counts[i]),
                    "test_count": int(self.test_counts[i]),
                    "base_share": float(self.base_share[i]),
                    "test_share": float(self.test_share[i]),
                    "test_low": float(self.test_low[i]),
                    "test_high": float(self.test_high[i]),
                    "similar": bool(self.similar[i]),
                    "local_s": int(self.local_s[i]),
                }
                for i in range(self.n_areas)
                if keep is None or keep[i]
            ],
        }


def sppt(
    base_area: Any,
    test_area: Any,
    n_areas: int,
    *,
    sample: float = 0.85,
    iterations: int = 200,
    confidence: float = 0.95,
    seed: int | np.random.Generator | None = 0,
) -> SpptResult:
    """Andresen's spatial point pattern test on events already assigned to areas.

    Parameters
    ----------
    base_area, test_area : int array-likes
        Area index (0 … ``n_areas − 1``) of each base / test event. Negative indices mean
        "outside every area" and are ignored.
    n_areas : int
        Number of areas (areas without events count: they enter the S-index).
    sample : float
        Share of the test events drawn (without replacement) at each iteration; 0.85 in
        Andresen's test. ``1.0`` makes every draw the whole test pattern.
    iterations : int
        Number of draws (200 in Andresen's test).
    confidence : float
        Confidence level of the interval (0.95).
    seed : int, Generator or None
        Seed of :func:`numpy.random.default_rng` (same seed, same result).

    Returns
    -------
    SpptResult

    Examples
    --------
    >>> r = sppt([0, 0, 1, 1], [0, 0, 1, 1], 3, sample=1.0)
    >>> r.similar.tolist(), r.s_index, r.robust_s_index
    ([True, True, True], 1.0, 1.0)
    """
    b = _area_indices(base_area, n_areas, "base_area")
    t = _area_indices(test_area, n_areas, "test_area")
    base_counts = np.bincount(b, minlength=n_areas).astype("int64")
    test_counts = np.bincount(t, minlength=n_areas).astype("int64")
    return sppt_counts(
        base_counts,
        test_counts,
        sample=sample,
        iterations=iterations,
        confidence=confidence,
        seed=seed,
    )


def sppt_counts(
    base_counts: Any,
    test_counts: Any,
    *,
    sample: float = 0.85,
    iterations: int = 200,
    confidence: float = 0.95,
    seed: int | np.random.Generator | None = 0,
) -> SpptResult:
    """The same test from counts per area (see :func:`sppt`)."""
    bc = np.asarray(base_counts, dtype="int64")
    tc = np.asarray(test_counts, dtype="int64")
    if bc.ndim != 1 or tc.shape != bc.shape:
        raise ValueError("SPPT : les comptes de base et de test doivent avoir la même longueur")
    if (bc < 0).any() or (tc < 0).any():
        raise ValueError("SPPT : un compte par zone est négatif")
    if not 0.0 < sample <= 1.0:
        raise ValueError(f"SPPT : la part rééchantillonnée doit être dans ]0, 1] (reçu {sample})")
    if iterations < 1:
        raise ValueError(f"SPPT : il faut au moins une itération (reçu {iterations})")
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"SPPT : le niveau de confiance doit être dans ]0, 1[ (reçu {confidence})")
    n_base = int(bc.sum())
    n_test = int(tc.sum())
    if n_base == 0:
        raise ValueError("SPPT : aucun fait dans le motif de base (période avant)")
    if n_test == 0:
        raise ValueError("SPPT : aucun fait dans le motif de test (période après)")
    n_areas = len(bc)

    m = max(1, int(np.round(sample * n_test)))
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    draws = rng.multivariate_hypergeometric(tc, m, size=iterations)  # (iterations, n_areas)
    shares = np.sort(draws / m, axis=0)
    alpha = 1.0 - confidence
    rank_low = int(math.floor(alpha / 2 * iterations))  # 0-based; R: floor(.)+1, 1-based
    rank_high = int(math.ceil((1 - alpha / 2) * iterations)) - 1
    rank_low = min(rank_low, iterations - 1)
    rank_high = max(min(rank_high, iterations - 1), rank_low)
    low = shares[rank_low].astype("float64")
    high = shares[rank_high].astype("float64")

    base_share = bc / n_base
    test_share = tc / n_test
    similar = (base_share >= low) & (base_share <= high)
    local_s = np.where(base_share < low, 1, np.where(base_share > high, -1, 0)).astype("int64")
    s_index = float(similar.mean()) if n_areas else float("nan")
    nonempty = (bc + tc) > 0
    robust = float(similar[nonempty].mean()) if nonempty.any() else float("nan")
    params: dict[str, Any] = {
        "sample": sample,
        "iterations": iterations,
        "confidence": confidence,
        "seed": seed if not isinstance(seed, np.random.Generator) else "generator",
        "sample_size": m,
        "rank_low": rank_low,
        "rank_high": rank_high,
    }
    return SpptResult(
        base_share=base_share,
        test_low=low,
        test_high=high,
        similar=similar,
        s_index=s_index,
        robust_s_index=robust,
        n_base=n_base,
        n_test=n_test,
        params=params,
        base_counts=bc,
        test_counts=tc,
        test_share=test_share,
        local_s=local_s,
    )


def _area_indices(values: Any, n_areas: int, name: str) -> np.ndarray:
    a = np.asarray(values)
    if a.size == 0:
        return np.zeros(0, dtype="int64")
    if not np.issubdtype(a.dtype, np.integer):
        raise ValueError(f"SPPT : {name} doit contenir des indices de zone entiers")
    a = a.astype("int64").ravel()
    if n_areas < 1:
        raise ValueError("SPPT : il faut au moins une zone")
    if (a >= n_areas).any():
        raise ValueError(f"SPPT : {name} contient un indice ≥ n_areas ({n_areas})")
    return a[a >= 0]


def _finite(v: float) -> float | None:
    return None if (v is None or not math.isfinite(v)) else float(v)
