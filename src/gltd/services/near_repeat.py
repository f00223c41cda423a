"""Near-repeat (Knox) analyses: from a CSV file or the store, stored runs, alerts, outputs.

- :func:`read_events_csv` reads a file like the Near Repeat Calculator's (x, y, date without
  header) or with a header (x/y or lon/lat, date or datetime);
- :func:`run_from_file` / :func:`run_from_db` run :func:`gltd.analysis.knox.near_repeat`;
  a run on the store is saved as an :class:`~gltd.model.AnalysisRun` (``kind="near_repeat"``);
- :func:`near_repeat_alerts` lists, for each recent event, the radius and time window in
  which nearby places are at significantly higher risk according to the latest run of its
  category (places and times only), and :func:`alerts_geojson` maps them (WGS84);
- :func:`render` writes a result as CSV, JSON or an HTML table read at a glance.
"""

from __future__ import annotations

import csv
import io
import json
import math
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Engine, select

from gltd.analysis.events import ANALYSIS_CRS, EventSet
from gltd.analysis.knox import DEFAULT_ALPHA, NearRepeatResult, near_repeat
from gltd.errors import InputError
from gltd.model import AnalysisRun
from gltd.store.engine import session_scope
from gltd.store.queries import load_events
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

_X = {"x", "coord_x", "x_l93", "xl93", "easting"}
_Y = {"y", "coord_y", "y_l93", "yl93", "northing"}
_LON = {"lon", "long", "lng", "longitude"}
_LAT = {"lat", "latitude"}
_DATE = {"date", "datetime", "date_heure", "dateheure", "time", "t", "jour", "date_faits"}
_TIME = {"heure", "hour"}
_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")
_DATETIME_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
)


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

    def run(self, events: EventSet, progress: Progress | None = None) -> NearRepeatResult:
        """Run the Knox analysis on ``events``."""
        return near_repeat(
            events,
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


# ---------------------------------------------------------------- CSV input


def _norm(name: str) -> str:
    t = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    return t.strip().lower().replace(" ", "_").replace("-", "_")


def _number(value: str) -> float | None:
    v = value.strip().replace("\u00a0", "").replace(" ", "")
    if not v:
        return None
    try:
        return float(v.replace(",", ".")) if v.count(",") == 1 and "." not in v else float(v)
    except ValueError:
        return None


def read_events_csv(path: str | Path) -> EventSet:
    """Events of a CSV file: x/y (metres, Lambert-93 or any metric CRS) or lon/lat (WGS84,
    projected to Lambert-93), and a date or date-time (naive values are Europe/Paris).

    Without a header the columns are x, y, date (the Near Repeat Calculator's order).
    Delimiters ``,`` ``;`` or tab; decimal comma accepted with ``;``.
    """
    p = Path(path)
    name = p.name
    try:
        text = p.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError("fichier introuvable", file=str(path)) from None
    except UnicodeDecodeError:
        text = p.read_text(encoding="latin-1")
    lines = [ln for ln in text.splitlines() if ln.strip()]
    if not lines:
        raise InputError("fichier vide", file=name)
    delim = max((";", "\t", ","), key=lambda d: lines[0].count(d))
    rows = list(csv.reader(lines, delimiter=delim))
    first = rows[0]
    header = len(first) < 2 or _number(first[0]) is None or _number(first[1]) is None
    if header:
        cols = [_norm(c) for c in first]
        body, offset = rows[1:], 2
    else:
        cols = ["x", "y", "date"] + [f"_{i}" for i in range(3, len(first))]
        body, offset = rows, 1
    if len(cols) < 3:
        raise InputError(
            "il faut au moins trois colonnes : x, y, date (ou lon, lat, date)", file=name
        )

    def col(names: set[str]) -> int | None:
        return next((i for i, c in enumerate(cols) if c in names), None)

    ix, iy, ilon, ilat = col(_X), col(_Y), col(_LON), col(_LAT)
    idate, itime = col(_DATE), col(_TIME)
    geographic = ix is None and ilon is not None and ilat is not None
    a_idx, b_idx = (ilon, ilat) if geographic else (ix, iy)
    if a_idx is None or b_idx is None or idate is None:
        raise InputError(
            f"colonnes non reconnues : {', '.join(first)} (attendu x, y, date ou lon, lat, "
            "date ; ou trois colonnes sans en-tête x, y, date)",
            file=name,
        )
    fa, fb = cols[a_idx], cols[b_idx]
    if len(body) < 2:
        raise InputError(
            f"il faut au moins deux événements pour une analyse de répétition "
            f"({len(body)} ligne(s) de données)",
            file=name,
        )
    a = np.empty(len(body))
    b = np.empty(len(body))
    dates: list[str] = []
    for k, r in enumerate(body):
        line = k + offset
        for arr, idx, fname in ((a, a_idx, fa), (b, b_idx, fb)):
            raw = r[idx] if idx < len(r) else ""
            v = _number(raw)
            if v is None or not math.isfinite(v):
                what = "manquante" if not raw.strip() else f"illisible « {raw} »"
                raise InputError(
                    f"coordonnée {what} (nombre attendu)", file=name, row=line, field=fname
                )
            arr[k] = v
        d = r[idate].strip() if idate < len(r) else ""
        if itime is not None and itime < len(r) and r[itime].strip():
            d = f"{d} {r[itime].strip()}"
        dates.append(d)
    when, date_only = _parse_dates(dates, name, cols[idate], offset)
    if geographic:
        x, y = _project_lonlat(a, b, name, fa, fb, offset)
    else:
        _refuse_degrees(a, b, name)
        x, y = a, b
    return EventSet.from_arrays(x, y, when, crs=ANALYSIS_CRS, date_only=date_only)


def _parse_dates(values: list[str], file: str, field_name: str, offset: int) -> tuple[Any, bool]:
    s = pd.Series(values, dtype=object)
    for k, v in enumerate(values):
        if not v:
            raise InputError("date manquante", file=file, row=k + offset, field=field_name)
    best: tuple[int, pd.Series, str] | None = None
    for fmt in (*_DATE_FORMATS, *_DATETIME_FORMATS):
        parsed = pd.to_datetime(s, format=fmt, errors="coerce")
        ok = int(parsed.notna().sum())
        if ok == len(values):
            date_only = fmt in _DATE_FORMATS
            local = parsed.dt.tz_localize(
                PARIS, ambiguous=np.zeros(len(parsed), dtype=bool), nonexistent="shift_forward"
            )
            return local, date_only
        if best is None or ok > best[0]:
            best = (ok, parsed, fmt)
    assert best is not None
    k = int(np.argmax(best[1].isna().to_numpy()))
    raise InputError(
        f"date illisible « {values[k]} » (attendu AAAA-MM-JJ ou JJ/MM/AAAA, "
        "éventuellement suivie de HH:MM ou HH:MM:SS)",
        file=file,
        row=k + offset,
        field=field_name,
    )


def _refuse_degrees(x: np.ndarray, y: np.ndarray, file: str) -> None:
    """x/y that look like longitudes/latitudes (a whole city within a few units)."""
    if (
        (np.abs(x) <= 180).all()
        and (np.abs(y) <= 90).all()
        and max(float(np.ptp(x)), float(np.ptp(y))) < 5
    ):
        raise InputError(
            "les coordonnées x/y ressemblent à des longitudes/latitudes en degrés : "
            "nommez les colonnes lon et lat (elles seront projetées en Lambert-93, "
            "EPSG:2154) ou donnez des x/y projetés en mètres",
            file=file,
        )


def _project_lonlat(
    lon: np.ndarray, lat: np.ndarray, file: str, flon: str, flat: str, offset: int
) -> tuple[np.ndarray, np.ndarray]:
    from pyproj import Transformer

    for arr, lim, fname in ((lon, 180, flon), (lat, 90, flat)):
        bad = np.abs(arr) > lim
        if bad.any():
            k = int(np.argmax(bad))
            raise InputError(
                f"{fname} hors limites ({arr[k]:g}) : degrés WGS84 attendus",
                file=file,
                row=k + offset,
                field=fname,
            )
    tr = Transformer.from_crs("EPSG:4326", ANALYSIS_CRS, always_xy=True)
    x, y = tr.transform(lon, lat)
    return np.asarray(x, dtype=float), np.asarray(y, dtype=float)


# ---------------------------------------------------------------- runs


def run_from_file(
    path: str | Path, params: NearRepeatParams, progress: Progress | None = None
) -> NearRepeatResult:
    """Read a CSV file and run the analysis (nothing is stored)."""
    return params.run(read_events_csv(path), progress)


@dataclass(frozen=True)
class StoredRun:
    """A run on the store and the id of its :class:`AnalysisRun` row."""

    result: NearRepeatResult
    run_id: int
    source: dict[str, Any]


def run_from_db(
    engine: Engine,
    params: NearRepeatParams,
    *,
    period: Period | None = None,
    categories: Sequence[str] | None = None,
    zones: Sequence[str | int] | None = None,
    created_by: str | None = None,
    progress: Progress | None = None,
) -> StoredRun:
    """Run the analysis on the store's incidents and save it as an ``AnalysisRun``."""
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
    with session_scope(engine) as s:
        row = AnalysisRun(
            kind=KIND,
            category=cats[0] if len(cats) == 1 else None,
            created_by=created_by,
            status="done",
            params_json=json.dumps({**asdict(params), **source, "seed": result.seed}),
            result_json=json.dumps(result.to_dict(), ensure_ascii=False),
        )
        s.add(row)
        s.flush()
        run_id = int(row.id)
    return StoredRun(result=result, run_id=run_id, source=source)


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
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                AnalysisRun.id,
                AnalysisRun.created_at,
                AnalysisRun.params_json,
                AnalysisRun.result_json,
            )
            .where(AnalysisRun.kind == KIND, AnalysisRun.status == "done")
            .order_by(AnalysisRun.created_at.desc(), AnalysisRun.id.desc())
        ).all()
    out = []
    for rid, created, params, result in rows:
        if result:
            out.append((int(rid), created, json.loads(params or "{}"), json.loads(result)))
    return out


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

    from pyproj import Transformer

    to_wgs = Transformer.from_crs(ANALYSIS_CRS, "EPSG:4326", always_xy=True)
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
    from pyproj import Transformer
    from shapely.geometry import Point, Polygon, mapping
    from shapely.ops import transform

    to_wgs = Transformer.from_crs(ANALYSIS_CRS, "EPSG:4326", always_xy=True).transform
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


# ---------------------------------------------------------------- outputs


def render(result: NearRepeatResult, fmt: str, *, source: str = "") -> str:
    """The result as ``csv``, ``json`` or ``html`` text."""
    if fmt == "csv":
        buf = io.StringIO()
        result.to_frame().to_csv(buf, index=False, lineterminator="\n")
        return buf.getvalue()
    if fmt == "json":
        return json.dumps({**result.to_dict(), "source": source}, ensure_ascii=False, indent=2)
    if fmt == "html":
        return _render_html(result, source)
    raise InputError(f"format « {fmt} » inconnu (attendu csv, json ou html)")


def _cell_class(p: float | None, significant: bool) -> str:
    if not significant or p is None:
        return "ns"
    return "p001" if p <= 0.001 + 1e-12 else "p01" if p <= 0.01 + 1e-12 else "p05"


def _render_html(result: NearRepeatResult, source: str) -> str:
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    env = Environment(
        loader=FileSystemLoader(Path(__file__).parent / "templates"),
        autoescape=select_autoescape(["html"]),
    )
    cells = result.cells()
    k = len(result.time_labels)
    rows = []
    for d, label in enumerate(result.distance_labels):
        row = []
        for c in cells[d * k : (d + 1) * k]:
            row.append({**c, "css": _cell_class(c["p_value"], c["significant"])})
        rows.append({"label": label, "cells": row})
    return env.get_template("near_repeat.html").render(
        r=result,
        rows=rows,
        source=source,
        params=result.to_dict()["parameters"],
        fmt=_fmt_num,
        d_edges=", ".join(_edge(e) for e in result.distance_edges),
        t_edges=", ".join(_edge(e) for e in result.time_edges),
        generated=datetime.now(PARIS).strftime("%d/%m/%Y %H:%M"),
    )


def _edge(v: float) -> str:
    return "∞" if math.isinf(v) else f"{v:g}".replace(".", ",")


def _fmt_num(v: float | None, digits: int = 2) -> str:
    if v is None:
        return "—"
    return f"{v:.{digits}f}".replace(".", ",")
