"""Near-repeat (Knox) analyses: from a CSV file or the store, stored runs, alerts, outputs.

- :func:`read_events_csv` reads a file like the Near Repeat Calculator's (x, y, date without
  header) or with a header (x/y or lon/lat, date or datetime);
- :func:`run_from_file` / :func:`run_from_db` run :func:`gltd.analysis.knox.near_repeat`;
  a run on the store is saved through :mod:`gltd.store.runs` (``kind="near_repeat"``);
- :func:`near_repeat_alerts` lists, for each recent event, the radius and time window in
  which nearby places are at significantly higher risk according to the latest run of its
  category (places and times only), and :func:`alerts_geojson` maps them (WGS84);
- :func:`render` writes a result as CSV, JSON or an HTML table read at a glance.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import Engine

from gltd.analysis.events import EventSet
from gltd.analysis.knox import DEFAULT_ALPHA, NearRepeatResult, near_repeat
from gltd.errors import InputError
from gltd.geo import WGS84, analysis_crs, transformer
from gltd.near_repeat.io import read_events, read_events_csv, render
from gltd.store.queries import load_events
from gltd.store.runs import list_runs, record_run
from gltd.timeutil import PARIS, Period

__all__ = [
    "NearRepeatParams",
    "NearRepeatAlert",
    "AlertReport",
    "parse_bands",
    "read_events_csv",
    "run_from_file",
    "run_from_db",
    "near_repeat_alerts",
    "alerts_geojson",
    "render",
    "KIND",
]

KIND = "near_repeat"
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class NearRepeatParams:
    """Parameters of a near-repeat run (as given by the user)."""

    distance_edges: tuple[float, ...]
    time_edges: tuple[float, ...]
    permutations: int = 999
    seed: int | None = None
    metric: str = "euclidean"
    unit: str = "days"
    nrc: bool = False
    alpha: float = DEFAULT_ALPHA

    def run(
        self, events: EventSet, progress: Progress | None = None, *, crs: str | None = None
    ) -> NearRepeatResult:
        """Run the Knox analysis on ``events`` (``crs``: how their coordinates are known)."""
        return near_repeat(
            events,
            crs=crs,
            distance_edges=self.distance_edges,
            time_edges=self.time_edges,
            permutations=self.permutations,
            seed=self.seed,
            metric=self.metric,
            unit=self.unit,
            nrc=self.nrc,
            alpha=self.alpha,
            progress=progress,
        )


def parse_bands(text: str, what: str) -> tuple[float, ...]:
    """``"0,100,200"`` → (0, 100, 200); ``inf`` allowed as last edge."""
    out = []
    for part in text.replace(";", ",").split(","):
        p = part.strip().lower().replace("∞", "inf")
        if not p:
            continue
        try:
            out.append(float(p))
        except ValueError:
            raise InputError(
                f"bandes de {what} illisibles : « {part.strip()} » dans « {text} » "
                "(attendu des nombres séparés par des virgules, ex. 0,100,200)"
            ) from None
    return tuple(out)


# ---------------------------------------------------------------- runs


def run_from_file(
    path: str | Path,
    params: NearRepeatParams,
    progress: Progress | None = None,
    *,
    date_format: str | None = None,
    crs: str | None = None,
) -> NearRepeatResult:
    """Read a CSV file and run the analysis (nothing is stored). Dates are read in
    ``date_format``; month-first by default with ``params.nrc`` (the NRC's files); x/y are
    in ``crs`` when given (reported « as given » otherwise)."""
    events, described = read_events(path, date_format=date_format, nrc=params.nrc, crs=crs)
    return params.run(events, progress, crs=described)


@dataclass(frozen=True)
class StoredRun:
    """A run on the store, the parameters stored with it and its id (None when the caller
    stores it itself, as the web's job runner does)."""

    result: NearRepeatResult
    run_id: int | None
    source: dict[str, Any]
    params: dict[str, Any] = field(default_factory=dict)


def run_from_db(
    engine: Engine,
    params: NearRepeatParams,
    *,
    period: Period | None = None,
    categories: Sequence[str] | None = None,
    zones: Sequence[str | int] | None = None,
    created_by: str | None = None,
    progress: Progress | None = None,
    store: bool = True,
) -> StoredRun:
    """Run the analysis on the store's incidents and (``store``) save the run."""
    cats = [c for c in (categories or []) if c]
    events = load_events(
        engine,
        start=period.start if period else None,
        end=period.end if period else None,
        categories=cats or None,
        zones=zones,
    )
    if events.n < 2:
        raise InputError(
            f"il faut au moins deux événements localisés pour une analyse de répétition "
            f"({events.n} trouvé(s) pour ces filtres)"
        )
    result = params.run(events, progress)
    source = {
        "source": "base",
        "period": period.label() if period else None,
        "categories": cats,
        "zones": [str(z) for z in zones or []],
    }
    stored = {**asdict(params), **source, "seed": result.seed}
    run_id = None
    if store:
        run_id = record_run(
            engine,
            kind=KIND,
            category=cats[0] if len(cats) == 1 else None,
            created_by=created_by,
            params=stored,
            result=result.to_dict(),
        )
    return StoredRun(result=result, run_id=run_id, source=source, params=stored)


# ---------------------------------------------------------------- alerts


@dataclass(frozen=True)
class NearRepeatAlert:
    """Raised risk around one recent event (a place and a time, never a person)."""

    category: str
    occurred_at: str
    x: float
    y: float
    lon: float
    lat: float
    radius_m: float
    window: float
    unit: str
    until: str
    active: bool
    metric: str
    run_id: int
    run_date: str
    bands: list[dict[str, float]] = field(default_factory=list)

    def text_fr(self) -> str:
        """« Dans un rayon de 200 m, risque accru pendant 7 j (jusqu'au …) »."""
        unit = "j" if self.unit == "days" else "h"
        steps = " ; ".join(
            f"≤ {b['distance_to']:g} m : {b['time_to']:g} {unit}" for b in self.bands
        )
        return (
            f"risque accru dans un rayon de {self.radius_m:g} m pendant {self.window:g} {unit} "
            f"(jusqu'au {self.until}) — {steps}"
        )


@dataclass(frozen=True)
class AlertReport:
    """Alerts of recent events and what could not be assessed."""

    alerts: list[NearRepeatAlert]
    since: str
    now: str
    recent_events: int
    without_run: dict[str, int]
    without_raised_risk: dict[str, int]


def _risk_zone(result: dict[str, Any]) -> tuple[float, float, list[dict[str, float]]] | None:
    """Radius, window and per-distance windows of the significant finite cells."""
    cells = [
        c
        for c in result.get("cells", [])
        if c.get("significant")
        and c.get("distance_to") is not None
        and c.get("time_to") is not None
    ]
    if not cells:
        return None
    by_dist: dict[float, float] = {}
    for c in cells:
        d = float(c["distance_to"])
        by_dist[d] = max(by_dist.get(d, 0.0), float(c["time_to"]))
    bands = [{"distance_to": d, "time_to": w} for d, w in sorted(by_dist.items())]
    return max(by_dist), max(by_dist.values()), bands


def _latest_runs(engine: Engine) -> list[tuple[int, datetime, dict[str, Any], dict[str, Any]]]:
    return [
        (r.id, r.created_at, r.params, r.result)
        for r in list_runs(engine, kind=KIND, status="done")
        if r.result
    ]


def near_repeat_alerts(
    engine: Engine,
    *,
    since: timedelta,
    now: datetime | None = None,
    categories: Sequence[str] | None = None,
) -> AlertReport:
    """For each event of the last ``since``, the raised-risk area of its latest run.

    The run used for an event is the latest near-repeat run on exactly its category, else
    the latest run on all categories. The radius is the largest upper distance edge of a
    significant cell (open "more than" bands excluded); the window, per distance band, the
    largest upper time edge of its significant cells.
    """
    now = now or datetime.now(UTC)
    if now.tzinfo is None:
        raise InputError("date sans fuseau horaire pour « maintenant »")
    events = load_events(engine, start=now - since, end=now, categories=categories or None)
    runs = _latest_runs(engine)

    def run_for(cat: str) -> tuple[int, datetime, dict[str, Any], dict[str, Any]] | None:
        exact = next((r for r in runs if list(r[2].get("categories") or []) == [cat]), None)
        return exact or next((r for r in runs if not r[2].get("categories")), None)

    to_wgs = transformer(analysis_crs(), WGS84)
    alerts: list[NearRepeatAlert] = []
    without_run: dict[str, int] = {}
    without_risk: dict[str, int] = {}
    local = pd.Series(events.t).dt.tz_localize("UTC").dt.tz_convert(PARIS)
    for k in range(events.n):
        cat = str(events.category[k])
        run = run_for(cat)
        if run is None:
            without_run[cat] = without_run.get(cat, 0) + 1
            continue
        rid, created, params, result = run
        zone = _risk_zone(result)
        if zone is None:
            without_risk[cat] = without_risk.get(cat, 0) + 1
            continue
        radius, window, bands = zone
        unit = str(result.get("parameters", {}).get("unit", "days"))
        when = local.iloc[k].to_pydatetime()
        delta = timedelta(days=window) if unit == "days" else timedelta(hours=window)
        if events.date_only:
            last_day = when.date() + delta - timedelta(days=1)
            until, active = last_day.isoformat(), last_day >= now.astimezone(PARIS).date()
            occurred = when.date().isoformat()
        else:
            end = when + delta
            until, active = end.isoformat(timespec="minutes"), end > now
            occurred = when.isoformat(timespec="minutes")
        lon, lat = to_wgs.transform(events.x[k], events.y[k])
        alerts.append(
            NearRepeatAlert(
                category=cat,
                occurred_at=occurred,
                x=float(events.x[k]),
                y=float(events.y[k]),
                lon=round(float(lon), 6),
                lat=round(float(lat), 6),
                radius_m=radius,
                window=window,
                unit=unit,
                until=until,
                active=bool(active),
                metric=str(result.get("parameters", {}).get("metric", "euclidean")),
                run_id=rid,
                run_date=created.astimezone(PARIS).date().isoformat(),
                bands=bands,
            )
        )
    alerts.sort(key=lambda a: (a.occurred_at, a.category), reverse=True)
    return AlertReport(
        alerts=alerts,
        since=(now - since).astimezone(PARIS).isoformat(timespec="minutes"),
        now=now.astimezone(PARIS).isoformat(timespec="minutes"),
        recent_events=events.n,
        without_run=without_run,
        without_raised_risk=without_risk,
    )


def alerts_geojson(report: AlertReport) -> dict[str, Any]:
    """The alerts as a GeoJSON FeatureCollection (WGS84): one area per event.

    The area is the disc (Euclidean runs) or the diamond (Manhattan runs) of the radius
    around the event, computed in Lambert-93 then converted to longitude/latitude.
    """
    from shapely.geometry import Point, Polygon, mapping
    from shapely.ops import transform

    to_wgs = transformer(analysis_crs(), WGS84).transform
    features = []
    for a in report.alerts:
        r = max(a.radius_m, 1.0)
        if a.metric == "manhattan":
            shape = Polygon([(a.x + r, a.y), (a.x, a.y + r), (a.x - r, a.y), (a.x, a.y - r)])
        else:
            shape = Point(a.x, a.y).buffer(r, quad_segs=16)
        geom = mapping(transform(to_wgs, shape))
        geom["coordinates"] = [
            [[round(c, 6) for c in xy] for xy in ring] for ring in geom["coordinates"]
        ]
        features.append(
            {
                "type": "Feature",
                "geometry": geom,
                "properties": {
                    "categorie": a.category,
                    "date_fait": a.occurred_at,
                    "lon": a.lon,
                    "lat": a.lat,
                    "rayon_m": a.radius_m,
                    "fenetre": a.window,
                    "unite": a.unit,
                    "jusqu_au": a.until,
                    "actif": a.active,
                    "distance": a.metric,
                    "analyse_id": a.run_id,
                    "analyse_du": a.run_date,
                    "detail": a.text_fr(),
                },
            }
        )
    return {
        "type": "FeatureCollection",
        "name": "gltd_repetitions_proches",
        "metadata": {
            "depuis": report.since,
            "au": report.now,
            "evenements_recents": report.recent_events,
        },
        "features": features,
    }
