"""Movement of hotspots between two periods: appeared / vanished / persisted cells,
shift of each zone's centre of gravity, and Andresen's spatial point pattern test.

- **Hotspot change**: each cell's Gi* class in the period before and after (same grid);
  a cell is a hotspot at the chosen confidence (default 95 %, class ≥ 2). *Appeared*:
  hot after, not before; *vanished*: hot before, not after; *persisted*: hot in both.
- **Centre of gravity** of each zone's events (mean x, y) in both periods, with the
  distance of the shift in metres and its bearing in degrees clockwise from grid north
  (Lambert-93 grid north differs from true north by less than 1° around Orléans).
- **SPPT** (Andresen 2009) via :func:`gltd.analysis.sppt.sppt`: on the grid cells
  (overall S-index, and per zone the share of similar cells among the cells holding that
  zone's events) and on the zones themselves.

References
----------
Andresen, M. A. (2009). Testing for similarity in area-based spatial patterns.
*Applied Geography* 29(3), 333–345.
Bachi, R. (1963). Standard distance measures and related methods for spatial analysis.
*Papers of the Regional Science Association* 10, 83–132 (mean centre).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from gltd.analysis.events import EventSet
from gltd.analysis.gistar import GiStarResult, gi_star_grid
from gltd.analysis.grid import DEFAULT_MAX_BYTES, Grid, grid_counts, make_grid
from gltd.analysis.sppt import SpptResult, sppt, sppt_counts
from gltd.errors import InputError

__all__ = [
    "HotspotChange",
    "CentreShift",
    "MovementResult",
    "compare_hotspots",
    "centre_shift",
    "bearing_label_fr",
    "movement",
]

_LEVELS = {1: 90, 2: 95, 3: 99}
_DIRECTIONS = ("nord", "nord-est", "est", "sud-est", "sud", "sud-ouest", "ouest", "nord-ouest")


@dataclass(frozen=True, eq=False)
class HotspotChange:
    """Status of each cell between two periods.

    Attributes
    ----------
    status : object array
        ``"apparu"``, ``"disparu"``, ``"persistant"`` or ``""`` per cell.
    n_appeared, n_vanished, n_persisted : int
    min_class : int
        Class threshold (2 = 95 %).
    """

    status: np.ndarray
    n_appeared: int
    n_vanished: int
    n_persisted: int
    min_class: int


def compare_hotspots(class_before: Any, class_after: Any, *, min_class: int = 2) -> HotspotChange:
    """Appeared / vanished / persisted hotspots from two Gi* class arrays (same shape).

    Examples
    --------
    >>> compare_hotspots([3, 0, 2, 1], [3, 2, 0, 0]).status.tolist()
    ['persistant', 'apparu', 'disparu', '']
    """
    a = np.asarray(class_before) >= min_class
    b = np.asarray(class_after) >= min_class
    if a.shape != b.shape:
        raise ValueError("class arrays must have the same shape")
    status = np.full(a.shape, "", dtype=object)
    status[b & ~a] = "apparu"
    status[a & ~b] = "disparu"
    status[a & b] = "persistant"
    return HotspotChange(
        status=status,
        n_appeared=int((b & ~a).sum()),
        n_vanished=int((a & ~b).sum()),
        n_persisted=int((a & b).sum()),
        min_class=min_class,
    )


def bearing_label_fr(bearing: float) -> str:
    """French compass direction of a bearing in degrees (8 sectors).

    Examples
    --------
    >>> bearing_label_fr(0), bearing_label_fr(100), bearing_label_fr(230)
    ('nord', 'est', 'sud-ouest')
    """
    return _DIRECTIONS[int(((bearing % 360) + 22.5) // 45) % 8]


@dataclass(frozen=True)
class CentreShift:
    """Mean centre of a set of events in two periods and the shift between them."""

    zone_id: int
    n_before: int
    n_after: int
    x_before: float
    y_before: float
    x_after: float
    y_after: float
    distance_m: float
    bearing_deg: float
    direction_fr: str

    def as_dict(self) -> dict[str, Any]:
        """Plain values for JSON (NaN as None)."""
        return {
            k: (None if isinstance(v, float) and not math.isfinite(v) else v)
            for k, v in self.__dict__.items()
        }


def centre_shift(
    before: EventSet, after: EventSet, zone_ids: Sequence[int] | None = None
) -> list[CentreShift]:
    """Shift of the mean centre, overall (``zone_id = -1``) and per zone.

    A zone with no event in one of the periods gets NaN coordinates and distance.
    """
    groups: list[tuple[int, np.ndarray, np.ndarray]] = [
        (-1, np.ones(before.n, bool), np.ones(after.n, bool))
    ]
    for z in zone_ids or []:
        groups.append((int(z), before.zone_id == z, after.zone_id == z))
    out: list[CentreShift] = []
    nan = float("nan")
    for zid, ma, mb in groups:
        na, nb = int(ma.sum()), int(mb.sum())
        xa = float(before.x[ma].mean()) if na else nan
        ya = float(before.y[ma].mean()) if na else nan
        xb = float(after.x[mb].mean()) if nb else nan
        yb = float(after.y[mb].mean()) if nb else nan
        dx, dy = xb - xa, yb - ya
        dist = math.hypot(dx, dy) if na and nb else nan
        bearing = math.degrees(math.atan2(dx, dy)) % 360 if na and nb and dist > 0 else nan
        label = bearing_label_fr(bearing) if math.isfinite(bearing) else "—"
        out.append(CentreShift(zid, na, nb, xa, ya, xb, yb, dist, bearing, label))
    return out


@dataclass(frozen=True, eq=False)
class MovementResult:
    """Everything that moved between two periods on a common grid."""

    grid: Grid
    counts_before: np.ndarray
    counts_after: np.ndarray
    gi_before: GiStarResult
    gi_after: GiStarResult
    change: HotspotChange
    shifts: list[CentreShift]
    sppt_cells: SpptResult
    sppt_zones: SpptResult | None
    zone_ids: list[int]
    zone_cell_s_index: dict[int, float]
    method: dict[str, Any] = field(default_factory=dict)


def movement(
    before: EventSet,
    after: EventSet,
    cell: float,
    *,
    distance: float | None = None,
    k: int | None = None,
    zone_ids: Sequence[int] | None = None,
    min_class: int = 2,
    sample: float = 0.85,
    iterations: int = 200,
    confidence: float = 0.95,
    seed: int = 0,
    grid: Grid | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> MovementResult:
    """Compare the hotspots and point patterns of two periods.

    Parameters
    ----------
    before, after : EventSet
        Events of the reference period and of the period studied.
    cell : float
        Cell side in metres of the common grid.
    distance, k : optional
        Gi* neighbourhood (default ``distance = 2 × cell``).
    zone_ids : optional
        Zones for the centre shifts and the zone-level SPPT.
    min_class : int
        Gi* class defining a hotspot (2 = 95 %).
    sample, iterations, confidence, seed
        SPPT parameters (Andresen: 85 %, 200, 95 %).
    """
    for name, ev in (("de référence", before), ("étudiée", after)):
        if ev.n == 0:
            raise InputError(f"aucun fait sur la période {name} : comparaison impossible")
    if grid is None:
        xs = np.concatenate([before.x, after.x])
        ys = np.concatenate([before.y, after.y])
        grid = make_grid(
            (xs.min(), ys.min(), xs.max(), ys.max()), cell, crs=before.crs, max_bytes=max_bytes
        )
    cb = grid_counts(before, cell, grid=grid)
    ca = grid_counts(after, cell, grid=grid)
    if distance is None and k is None:
        distance = 2 * grid.cell
    gb = gi_star_grid(cb.counts, grid.cell, distance=distance, k=k)
    ga = gi_star_grid(ca.counts, grid.cell, distance=distance, k=k)
    change = compare_hotspots(gb.hot_cold_class, ga.hot_cold_class, min_class=min_class)
    zids = [int(z) for z in (zone_ids or [])]
    shifts = centre_shift(before, after, zids)
    sp_cells = sppt(
        grid.locate(before.x, before.y),
        grid.locate(after.x, after.y),
        grid.n_cells,
        sample=sample,
        iterations=iterations,
        confidence=confidence,
        seed=seed,
    )
    sp_zones: SpptResult | None = None
    zone_cell_s: dict[int, float] = {}
    if zids:
        index = {z: i for i, z in enumerate(zids)}
        zb = np.bincount(
            [index[int(z)] for z in before.zone_id if int(z) in index], minlength=len(zids)
        )
        za = np.bincount(
            [index[int(z)] for z in after.zone_id if int(z) in index], minlength=len(zids)
        )
        if zb.sum() > 0 and za.sum() > 0:
            sp_zones = sppt_counts(
                zb, za, sample=sample, iterations=iterations, confidence=confidence, seed=seed
            )
        for z in zids:
            cells = np.unique(
                np.concatenate(
                    [
                        grid.locate(before.x[before.zone_id == z], before.y[before.zone_id == z]),
                        grid.locate(after.x[after.zone_id == z], after.y[after.zone_id == z]),
                    ]
                )
            )
            cells = cells[cells >= 0]
            zone_cell_s[z] = float(sp_cells.similar[cells].mean()) if cells.size else float("nan")
    method = {
        "grid": grid.describe(),
        "gi_star": gb.method,
        "hotspot_threshold": f"classe Gi* ≥ {min_class} ({_LEVELS.get(min_class, '?')} %)",
        "sppt": {
            "test": "Andresen (2009)",
            "sample": sample,
            "iterations": iterations,
            "confidence": confidence,
            "seed": seed,
        },
        "centre": "centre moyen (x̄, ȳ), relèvement en degrés depuis le nord du quadrillage",
        "n_before": before.n,
        "n_after": after.n,
    }
    return MovementResult(
        grid=grid,
        counts_before=cb.counts,
        counts_after=ca.counts,
        gi_before=gb,
        gi_after=ga,
        change=change,
        shifts=shifts,
        sppt_cells=sp_cells,
        sppt_zones=sp_zones,
        zone_ids=zids,
        zone_cell_s_index=zone_cell_s,
        method=method,
    )
