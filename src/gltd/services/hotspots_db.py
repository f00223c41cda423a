"""Hotspot maps on the store: :func:`run_hotspots_db` runs one method on the stored
incidents (or, with ``units="zones"``, on the stored zones or a polygon file, see
:mod:`gltd.services.hotspots_zones`) and stores it as ``AnalysisRun(kind="hotspots")``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from gltd.services.hotspots_inputs import resolve_categories
from gltd.services.hotspots_methods import run_hotspots
from gltd.services.hotspots_output import HotspotOutput
from gltd.services.hotspots_zones import check_units, run_zones_db
from gltd.timeutil import Period

__all__ = ["run_hotspots_db"]


def run_hotspots_db(
    engine: Engine,
    *,
    method: str,
    period: Period | None = None,
    categories: Sequence[str] | None = None,
    store: bool = True,
    units: str = "grid",
    zone_kind: str | None = None,
    zones_file: str | Path | None = None,
    rate: str = "none",
    **kwargs: Any,
) -> HotspotOutput:
    """Run :func:`run_hotspots` on the store's incidents and zones; store the run.

    With ``units="zones"``, run :func:`~gltd.services.hotspots_zones.run_hotspots_zones`
    on the stored zones (of kind ``zone_kind`` when given) or on the polygons of
    ``zones_file``; ``rate="area"`` analyses counts per km².
    """
    from gltd.model import AnalysisRun
    from gltd.store.engine import session_scope
    from gltd.store.queries import load_events, load_zones

    check_units(units, zone_kind=zone_kind, zones_file=zones_file, rate=rate)
    cats = resolve_categories(categories)
    source = kwargs.pop("source", "base gltd (faits enregistrés)")
    out: HotspotOutput
    if units == "zones":
        out = run_zones_db(
            engine,
            method=method,
            period=period,
            categories=cats,
            zone_kind=zone_kind,
            zones_file=zones_file,
            rate=rate,
            source=source,
            **kwargs,
        )
    else:
        events = load_events(engine, categories=cats or None)
        zones = load_zones(engine)
        out = run_hotspots(
            events,
            method=method,
            period=period,
            categories=cats,
            zones=zones if len(zones) else None,
            source=source,
            **kwargs,
        )
    if store:
        params = {k: v for k, v in out.payload["method"].items() if k != "grid"}
        with session_scope(engine) as s:
            run = AnalysisRun(
                kind="hotspots",
                category=cats[0] if len(cats) == 1 else None,
                params_json=json.dumps(params, ensure_ascii=False, default=str),
                result_json=json.dumps(out.payload["summary"], ensure_ascii=False, default=str),
            )
            s.add(run)
            s.flush()
            out.extra["run_id"] = int(run.id)
    return out
