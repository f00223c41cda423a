"""The hotspot service: one method on events read from a file (:func:`run_hotspots`) or on
the store (:func:`run_hotspots_db`, stored as ``AnalysisRun(kind="hotspots")``), on grid
cells or (Gi*, LISA) on zones.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from sqlalchemy import Engine

from gltd.analysis.events import EventSet
from gltd.errors import InputError
from gltd.hotspots.inputs import resolve_categories
from gltd.hotspots.methods import run_grid
from gltd.hotspots.result import HotspotResult
from gltd.hotspots.zones import check_units, load_db_zones, run_hotspots_zones
from gltd.timeutil import Period

__all__ = ["run_hotspots", "run_hotspots_db"]

#: The source named in captions and ``method`` blocks of a run on the store.
STORE_SOURCE = "base gltd (faits enregistrés)"


def run_hotspots(
    events: EventSet,
    *,
    method: str,
    units: str = "grid",
    zones_file: str | Path | None = None,
    zone_kind: str | None = None,
    rate: str = "none",
    cell: float = 250.0,
    bandwidth: float | None = None,
    weights: str | None = None,
    step: str = "week",
    period: Period | None = None,
    compare_to: Period | None = None,
    categories: Sequence[str] | None = None,
    source: str = "",
    permutations: int = 999,
    seed: int = 0,
    progress: Callable[[str], None] | None = None,
) -> HotspotResult:
    """Run one method on events given in memory (read from a file).

    On the grid (``units="grid"``) every method applies; on zones (``units="zones"``),
    Gi* or LISA on the polygons of ``zones_file`` (required: without a database there are
    no stored zones), of kind ``zone_kind`` when given, on counts or (``rate="area"``)
    counts per km². Grid-only options (cell, bandwidth, step, compare_to) are ignored on
    zones.
    """
    from gltd.mapping.zones import read_zones_file

    check_units(units, zone_kind=zone_kind, zones_file=zones_file, rate=rate)
    cats = resolve_categories(categories)
    if units == "grid":
        return run_grid(
            events,
            method=method,
            cell=cell,
            bandwidth=bandwidth,
            weights=weights,
            step=step,
            period=period,
            compare_to=compare_to,
            categories=cats,
            source=source,
            permutations=permutations,
            seed=seed,
            progress=progress,
        )
    if zones_file is None:
        raise InputError(
            "--units zones sur un fichier de faits : donnez les polygones avec "
            "--zones-file FICHIER (GeoJSON ou GeoPackage), ou travaillez sur la base (--db)"
        )
    return run_hotspots_zones(
        events,
        read_zones_file(zones_file, zone_kind),
        method=method,
        weights=weights,
        rate=rate,
        period=period,
        categories=cats,
        source=source,
        zones_source=f"fichier {Path(zones_file).name}",
        permutations=permutations,
        seed=seed,
        progress=progress,
    )


def run_hotspots_db(
    engine: Engine,
    *,
    method: str,
    units: str = "grid",
    zones_file: str | Path | None = None,
    zone_kind: str | None = None,
    rate: str = "none",
    cell: float = 250.0,
    bandwidth: float | None = None,
    weights: str | None = None,
    step: str = "week",
    period: Period | None = None,
    compare_to: Period | None = None,
    categories: Sequence[str] | None = None,
    source: str = STORE_SOURCE,
    permutations: int = 999,
    seed: int = 0,
    progress: Callable[[str], None] | None = None,
    store: bool = True,
) -> HotspotResult:
    """Run one method on the store's incidents; store the run (``store=True``).

    On the grid, the stored zones are drawn on the map and give ``compare`` its per-zone
    centre shifts. On zones (``units="zones"``), Gi* or LISA on the stored zones (of kind
    ``zone_kind`` when given) or on the polygons of ``zones_file``; ``rate="area"``
    analyses counts per km².
    """
    from dataclasses import replace

    from gltd.mapping.zones import read_zones_file
    from gltd.store.queries import load_events
    from gltd.store.runs import record_run
    from gltd.store.zones import load_zones

    check_units(units, zone_kind=zone_kind, zones_file=zones_file, rate=rate)
    cats = resolve_categories(categories)
    events = load_events(engine, categories=cats or None)
    out: HotspotResult
    if units == "zones":
        if zones_file is not None:
            zones = read_zones_file(zones_file, zone_kind)
            zsrc = f"fichier {Path(zones_file).name}"
        else:
            zones = load_db_zones(engine, zone_kind)
            zsrc = "zones enregistrées" + (f" de type {zone_kind}" if zone_kind else "")
        out = run_hotspots_zones(
            events,
            zones,
            method=method,
            weights=weights,
            rate=rate,
            period=period,
            categories=cats,
            source=source,
            zones_source=zsrc,
            permutations=permutations,
            seed=seed,
            progress=progress,
        )
    else:
        stored = load_zones(engine)
        out = run_grid(
            events,
            method=method,
            cell=cell,
            bandwidth=bandwidth,
            weights=weights,
            step=step,
            period=period,
            compare_to=compare_to,
            categories=cats,
            zones=stored if len(stored) else None,
            source=source,
            permutations=permutations,
            seed=seed,
            progress=progress,
        )
    if not store:
        return out
    params = {k: v for k, v in out.document["method"].items() if k != "grid"}
    run_id = record_run(
        engine,
        kind="hotspots",
        category=cats[0] if len(cats) == 1 else None,
        params=params,
        result=out.document["summary"],
    )
    return replace(out, run_id=run_id)
