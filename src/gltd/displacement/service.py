"""Displacement analysis on the store: did the target improve, and did crime move next door?

:func:`run_displacement` resolves the target (an intervention, a polygon, or a point and a
radius), builds concentric rings and a control area, counts the events before and after in
each (vectorised point-in-polygon), and runs Bowers & Johnson's measures, the weighted
displacement difference test and Andresen's spatial point pattern test. The result is a
:class:`DisplacementReport` (rendered by :mod:`gltd.displacement.output`) stored
as an ``AnalysisRun(kind="displacement")``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np
import shapely
from sqlalchemy import Engine

from gltd.analysis.displacement import DisplacementMeasures, displacement_measures
from gltd.analysis.events import EventSet
from gltd.analysis.sppt import SpptResult, sppt
from gltd.analysis.wdd import WddResult, wdd_test
from gltd.displacement.inputs import (
    DATA_TOLERANCE_DAYS,
    check_extent,
    check_periods,
    period_days,
    resolve_control,
    resolve_target,
    warn_other_interventions,
)
from gltd.errors import InputError
from gltd.store.queries import load_events
from gltd.store.runs import record_run
from gltd.taxonomy import get_taxonomy
from gltd.timeutil import PARIS, Period, local_midnight

__all__ = [
    "DisplacementReport",
    "RingResult",
    "run_displacement",
    "count_before_after",
    "make_rings",
    "DATA_TOLERANCE_DAYS",
]


@dataclass(frozen=True)
class RingResult:
    """Counts and measures of one concentric ring (annulus) around the target."""

    inner_m: float
    outer_m: float
    b0: int
    b1: int
    measures: DisplacementMeasures
    wdd: WddResult | None

    def as_dict(self) -> dict[str, Any]:
        """Plain values for JSON."""
        return {
            "inner_m": self.inner_m,
            "outer_m": self.outer_m,
            "before": self.b0,
            "after": self.b1,
            "measures": self.measures.as_dict(),
            "wdd": None if self.wdd is None else self.wdd.as_dict(),
        }


@dataclass(frozen=True, eq=False)
class DisplacementReport:
    """Everything a displacement analysis produced (geometries in Lambert-93)."""

    target_label: str
    intervention_id: int | None
    before: Period
    after: Period
    categories: tuple[str, ...]
    a0: int
    a1: int
    c0: int
    c1: int
    rings: tuple[RingResult, ...]
    overall: DisplacementMeasures
    wdd: WddResult | None
    sppt: SpptResult | None
    sppt_areas: str
    control_label: str
    warnings: tuple[str, ...]
    caveats: tuple[str, ...]
    target: Any
    ring_geoms: tuple[Any, ...]
    control: Any
    points_before: np.ndarray = field(default_factory=lambda: np.zeros((0, 2)))
    points_after: np.ndarray = field(default_factory=lambda: np.zeros((0, 2)))
    run_id: int | None = None
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def b0(self) -> int:
        """Buffer (all rings) count before."""
        return sum(r.b0 for r in self.rings)

    @property
    def b1(self) -> int:
        """Buffer (all rings) count after."""
        return sum(r.b1 for r in self.rings)

    def as_dict(self) -> dict[str, Any]:
        """Plain values for JSON (geometries as WGS84 WKT)."""
        from gltd.geo import geometry_to_lonlat

        return {
            "kind": "displacement",
            "run_id": self.run_id,
            "target": self.target_label,
            "intervention_id": self.intervention_id,
            "before": _period_dict(self.before),
            "after": _period_dict(self.after),
            "categories": list(self.categories),
            "control": self.control_label,
            "counts": {
                "target": {"before": self.a0, "after": self.a1},
                "buffer": {"before": self.b0, "after": self.b1},
                "control": {"before": self.c0, "after": self.c1},
            },
            "measures": self.overall.as_dict(),
            "rings": [r.as_dict() for r in self.rings],
            "wdd": None if self.wdd is None else self.wdd.as_dict(),
            "sppt": None
            if self.sppt is None
            else {"units": self.sppt_areas, **self.sppt.as_dict(nonempty_only=True)},
            "warnings": list(self.warnings),
            "caveats": list(self.caveats),
            "params": dict(self.params),
            "geometry_wgs84": {
                "target": geometry_to_lonlat(self.target).wkt,
                "rings": [geometry_to_lonlat(g).wkt for g in self.ring_geoms],
            },
        }


def _period_dict(p: Period) -> dict[str, Any]:
    return {
        "start": p.start.isoformat(),
        "end": p.end.isoformat(),
        "days": round(p.days, 3),
        "label": p.label(),
    }


def make_rings(target: Any, distances: Sequence[float]) -> tuple[Any, ...]:
    """Concentric rings (annuli) around ``target`` at increasing outer distances (m)."""
    d = [float(v) for v in distances]
    if not d or any(v <= 0 for v in d) or any(b <= a for a, b in zip(d, d[1:], strict=False)):
        raise InputError(
            f"anneaux invalides : {distances} (distances croissantes > 0 attendues, "
            "ex. 100,200,300)"
        )
    shells = [target] + [target.buffer(v, quad_segs=16) for v in d]
    return tuple(shells[i + 1].difference(shells[i]) for i in range(len(d)))


def count_before_after(
    x: np.ndarray, y: np.ndarray, is_after: np.ndarray, areas: Sequence[Any]
) -> np.ndarray:
    """Events before/after in each polygon: an ``(len(areas), 2)`` int array.

    Points are first filtered by each polygon's bounding box, then tested with
    :func:`shapely.contains_xy` on the prepared polygon (boundary points are outside).
    """
    out = np.zeros((len(areas), 2), dtype="int64")
    for i, geom in enumerate(areas):
        if geom is None or geom.is_empty:
            continue
        shapely.prepare(geom)
        minx, miny, maxx, maxy = geom.bounds
        sel = np.flatnonzero((x >= minx) & (x <= maxx) & (y >= miny) & (y <= maxy))
        inside = sel[shapely.contains_xy(geom, x[sel], y[sel])]
        n_after = int(np.count_nonzero(is_after[inside]))
        out[i] = (len(inside) - n_after, n_after)
    return out


def run_displacement(
    engine: Engine,
    *,
    intervention_id: int | None = None,
    target: Any | None = None,
    target_label: str | None = None,
    around: tuple[float, float] | None = None,
    radius: float | None = None,
    start: date | datetime | str | None = None,
    before: str | timedelta | int = "6M",
    after: str | timedelta | int | None = None,
    buffer: float | None = None,
    rings: Sequence[float] | None = None,
    control: str | Any = "auto",
    categories: Sequence[str] | None = None,
    sppt_cell: float = 250.0,
    sppt_by: str = "grid",
    seed: int = 0,
    store: bool = True,
    now: datetime | None = None,
) -> DisplacementReport:
    """Run a displacement analysis and (by default) store it as an AnalysisRun.

    Parameters
    ----------
    engine : sqlalchemy.Engine
    intervention_id : int, optional
        Take target, start date (and name) from a stored intervention.
    target : shapely polygon in Lambert-93, optional
        The target area (with ``target_label``).
    around, radius : (lat, lon) and metres, optional
        A disc as target.
    start : date, aware datetime or ``AAAA-MM-JJ``
        First local day of the "after" period (default: the intervention's start).
    before, after : ``6M``, ``90d``… or timedelta or days
        Lengths of the periods, rounded to whole days; ``after`` defaults to ``before``.
        Unequal lengths are allowed: the Bowers–Johnson measures do not depend on them,
        the WDD is normalised to the length of the "after" period.
    buffer, rings : metres
        One buffer width (default 300 m) or several ring distances (``[100, 200, 300]``).
    control : ``"auto"``, a zone name, or a Lambert-93 polygon
        ``auto``: the city (union of the zones that are not intervention perimeters, or
        the data's convex hull) minus the target and its rings.
    categories : category codes, optional
    sppt_cell, sppt_by : SPPT on a square grid of this cell (m), or on ``"zones"``.
    seed : int
        Seed of the SPPT resampling.
    store : bool
        Store an ``AnalysisRun(kind="displacement")``.
    now : aware datetime, optional
        "Today" (for tests); a period ending in the future is refused.

    Returns
    -------
    DisplacementReport
    """
    now = now or datetime.now(UTC)
    warnings: list[str] = []
    tgt, label, start_day, ended_on = resolve_target(
        engine, intervention_id, target, target_label, around, radius, start
    )
    b_days = period_days(before, "before")
    a_days = b_days if after is None else period_days(after, "after")
    before_p = Period(local_midnight(start_day - timedelta(days=b_days)), local_midnight(start_day))
    after_p = Period(local_midnight(start_day), local_midnight(start_day + timedelta(days=a_days)))
    check_periods(engine, before_p, after_p, now)
    if ended_on is not None and ended_on < after_p.end:
        warnings.append(
            f"l'intervention a pris fin le {ended_on.astimezone(PARIS):%d/%m/%Y}, avant la fin "
            "de la période après : l'effet mesuré mêle période active et période terminée"
        )

    if rings is not None and buffer is not None:
        raise InputError(
            "zone tampon et anneaux s'excluent : choisissez l'un ou l'autre", field="rings"
        )
    distances = list(rings) if rings is not None else [300.0 if buffer is None else buffer]
    ring_geoms = make_rings(tgt, distances)
    outer = tgt.buffer(max(distances), quad_segs=16)

    cats = tuple(categories or ())
    ev = load_events(engine, start=before_p.start, end=after_p.end, categories=cats or None)
    if ev.n == 0:
        raise InputError(
            "aucun fait localisé "
            + (f"des catégories {', '.join(cats)} " if cats else "")
            + f"entre le {before_p.first_day:%d/%m/%Y} et le {after_p.last_day:%d/%m/%Y}"
        )
    check_extent(tgt, ev)
    ctrl, ctrl_label = resolve_control(engine, control, outer, ev, warnings)
    warn_other_interventions(engine, intervention_id, tgt, ring_geoms, ctrl, before_p, after_p,
                              warnings)  # fmt: skip

    is_after = ev.t >= _utc64(after_p.start)
    counts = count_before_after(ev.x, ev.y, is_after, [tgt, *ring_geoms, ctrl])
    a0, a1 = (int(v) for v in counts[0])
    c0, c1 = (int(v) for v in counts[-1])
    ring_counts = [(int(b0), int(b1)) for b0, b1 in counts[1:-1]]
    b0 = sum(b for b, _ in ring_counts)
    b1 = sum(b for _, b in ring_counts)
    overall = displacement_measures(a0, a1, b0, b1, c0, c1)
    tw = (b_days / a_days, 1.0)
    ring_results = []
    for (lo, hi), (rb0, rb1) in zip(
        zip([0.0, *distances[:-1]], distances, strict=True), ring_counts, strict=True
    ):
        m = displacement_measures(a0, a1, rb0, rb1, c0, c1)
        w = _scaled_wdd((rb0, rb1), (c0, c1), None, tw)
        ring_results.append(RingResult(lo, hi, rb0, rb1, m, w))
    wdd = _scaled_wdd((a0, a1), (c0, c1), (b0, b1), tw)
    if wdd is None:
        warnings.append(
            "test WDD non calculable : il faut des faits avant l'intervention dans la cible et "
            "dans la zone témoin"
        )

    study = shapely.union_all([outer, ctrl])
    in_study = _inside(study, ev.x, ev.y)
    sppt_res, sppt_label = _run_sppt(ev, in_study, is_after, sppt_by, sppt_cell, seed, warnings)

    caveats = _caveats(overall, b_days, a_days, cats, wdd)
    view = outer.buffer(max(distances)).bounds
    vis = (ev.x >= view[0]) & (ev.x <= view[2]) & (ev.y >= view[1]) & (ev.y <= view[3])
    params: dict[str, Any] = {
        "intervention_id": intervention_id,
        "start": start_day.isoformat(),
        "before_days": b_days,
        "after_days": a_days,
        "rings_m": distances,
        "control": ctrl_label,
        "categories": list(cats),
        "sppt_by": sppt_by,
        "sppt_cell": sppt_cell if sppt_by == "grid" else None,
        "seed": seed,
    }
    report = DisplacementReport(
        target_label=label,
        intervention_id=intervention_id,
        before=before_p,
        after=after_p,
        categories=cats,
        a0=a0,
        a1=a1,
        c0=c0,
        c1=c1,
        rings=tuple(ring_results),
        overall=overall,
        wdd=wdd,
        sppt=sppt_res,
        sppt_areas=sppt_label,
        control_label=ctrl_label,
        warnings=tuple(warnings),
        caveats=caveats,
        target=tgt,
        ring_geoms=ring_geoms,
        control=ctrl,
        points_before=np.column_stack([ev.x[vis & ~is_after], ev.y[vis & ~is_after]]),
        points_after=np.column_stack([ev.x[vis & is_after], ev.y[vis & is_after]]),
        params=params,
    )
    if not store:
        return report
    run_id = record_run(
        engine,
        kind="displacement",
        category=",".join(cats) or None,
        params=params,
        result=report.as_dict(),
    )
    object.__setattr__(report, "run_id", run_id)
    return report


# --- tests and caveats ----------------------------------------------------------------


def _scaled_wdd(
    treated: tuple[int, int],
    control: tuple[int, int],
    disp: tuple[int, int] | None,
    time_weights: tuple[float, float],
) -> WddResult | None:
    """WDD with the control scaled to the before count of the area it controls."""
    c0 = control[0]
    if c0 == 0 or treated[0] == 0 or (disp is not None and disp[0] == 0):
        return None
    aw_disp = 1.0 if disp is None else c0 / disp[0]
    return wdd_test(
        treated,
        control,
        disp,
        None,
        time_weights=time_weights,
        area_weights=(c0 / treated[0], 1.0, aw_disp, 1.0),
    )


def _inside(geom: Any, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    shapely.prepare(geom)
    minx, miny, maxx, maxy = geom.bounds
    mask = (x >= minx) & (x <= maxx) & (y >= miny) & (y <= maxy)
    sel = np.flatnonzero(mask)
    mask[sel] = shapely.contains_xy(geom, x[sel], y[sel])
    return mask


def _run_sppt(
    ev: EventSet,
    in_study: np.ndarray,
    is_after: np.ndarray,
    by: str,
    cell: float,
    seed: int,
    warnings: list[str],
) -> tuple[SpptResult | None, str]:
    if by == "zones":
        zid = ev.zone_id[in_study]
        ok = zid >= 0
        codes, area = np.unique(zid[ok], return_inverse=True)
        n_areas, label = len(codes), "zones enregistrées"
        aft = is_after[in_study][ok]
    elif by == "grid":
        if not cell > 0:
            raise InputError(f"taille de maille invalide : {cell} m")
        x, y = ev.x[in_study], ev.y[in_study]
        if len(x) == 0:
            return None, ""
        ix = np.floor((x - x.min()) / cell).astype("int64")
        iy = np.floor((y - y.min()) / cell).astype("int64")
        nx = int(ix.max()) + 1
        area = iy * nx + ix
        n_areas = nx * (int(iy.max()) + 1)
        label = f"grille de {cell:g} m"
        aft = is_after[in_study]
    else:
        raise InputError(
            f"découpage du test SPPT : « grid » ou « zones » attendu (reçu « {by} »)",
            field="sppt_by",
        )
    if n_areas == 0 or not aft.any() or aft.all():
        warnings.append("test SPPT non calculable : il faut des faits avant et après")
        return None, label
    return sppt(area[~aft], area[aft], n_areas, seed=seed), label


def _caveats(
    m: DisplacementMeasures,
    b_days: int,
    a_days: int,
    cats: tuple[str, ...],
    wdd: WddResult | None,
) -> tuple[str, ...]:
    out: list[str] = list(m.notes_fr)
    if b_days == a_days:
        out.append(
            f"périodes avant et après de même durée ({a_days} jours) : les effectifs sont "
            "directement comparables"
        )
    else:
        out.append(
            f"périodes de durées inégales (avant {b_days} jours, après {a_days} jours) : les "
            "mesures de Bowers & Johnson (rapports au témoin dans chaque période) n'en "
            "dépendent pas ; le test WDD est normalisé à la durée de la période après"
        )
    out.append(
        "saisonnalité : la zone témoin corrige les variations communes à toute la ville, "
        "pas celles propres à la cible (marché, terrasses, vacances) ; comparez aussi avec "
        "la même période de l'année précédente"
    )
    out.append(
        "le test WDD suppose des effectifs de Poisson indépendants ; avec des faits groupés "
        "(surdispersion) son erreur-type est sous-estimée"
        + ("" if wdd is None else " ; la zone témoin y est ramenée au niveau avant de la cible")
    )
    out.append(
        "le test SPPT d'origine ne rééchantillonne que la période après : avec beaucoup de "
        "faits il signale des écarts faibles ; lisez l'indice S avec les effectifs par maille"
    )
    drug = set(get_taxonomy().drug_codes)
    if not cats or drug.intersection(cats):
        out.append(
            "les faits de stupéfiants comptent des mis en cause d'affaires élucidées : ils "
            "mesurent l'activité des services autant que le trafic (une opération de police "
            "fait monter les chiffres)"
        )
    return tuple(out)


def _utc64(value: datetime) -> np.datetime64:
    return np.datetime64(value.astimezone(UTC).replace(tzinfo=None), "ns")
