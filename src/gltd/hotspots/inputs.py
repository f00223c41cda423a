"""Inputs of the hotspot maps: a points file, category codes, the events of a period.

- :func:`read_points_file`: a minimal reader for a CSV (x/y in metres, or lon/lat) or a
  GeoJSON of points (full importers live in :mod:`gltd.ingest`).
- :func:`resolve_categories`: category codes from codes or labels.
- :func:`select_events` / :func:`check_events` / :func:`check_spread`: the events studied
  and the checks that a map of them makes sense (grid and zones alike);
  :func:`period_label` / :func:`period_dict`: the period as the caption and the ``method``
  block say it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from gltd.analysis.events import EventSet
from gltd.analysis.grid import check_projected_xy
from gltd.errors import InputError
from gltd.geo import WGS84, analysis_crs, crs_label, transformer
from gltd.timeutil import Period

__all__ = [
    "read_points_file",
    "resolve_categories",
    "select_events",
    "check_events",
    "check_spread",
    "period_label",
    "period_dict",
    "crs_said",
    "crs_caption",
    "CRS_AS_GIVEN",
]

_X = ("x", "x_l93", "x_lambert93", "coord_x")
_Y = ("y", "y_l93", "y_lambert93", "coord_y")
_LON = ("lon", "lng", "longitude", "long")
_LAT = ("lat", "latitude")
_T = ("t", "date", "occurred_at", "datetime", "date_heure", "date_faits", "horodatage")
_CAT = ("category", "categorie", "catégorie", "nature", "type")


def _pick(columns: Any, names: Sequence[str]) -> str | None:
    low = {c.lower().strip(): c for c in columns}
    return next((low[n] for n in names if n in low), None)


def read_points_file(path: str | Path, *, crs: str | None = None) -> EventSet:
    """Read points from a CSV (``x``/``y`` metres, or ``lon``/``lat``) or a GeoJSON /
    GeoPackage of points; lon/lat and declared systems are projected to Lambert-93.

    ``x``/``y`` columns are in ``crs`` when given (projected to Lambert-93 then, and said
    in ``meta["source_crs"]``); without it they are taken as given (``meta["crs_as_given"]``),
    and every ``method`` block says the system was not stated (:func:`crs_said`).
    Optional columns: a date (``date``, ``t``, ``occurred_at``…) and a category
    (``category``, ``categorie``, ``nature``)."""
    p = Path(path)
    if not p.exists():
        raise InputError("fichier introuvable", file=str(p))
    meta: dict[str, Any] = {}
    xcol: str | None
    ycol: str | None
    suffix = p.suffix.lower()
    if suffix in (".geojson", ".json", ".gpkg", ".shp"):
        from gltd.ingest.geofiles import read_geo_frame

        if crs is not None:
            raise InputError(
                "--crs : réservé aux colonnes x/y d'un CSV (un fichier géographique déclare "
                "son système de coordonnées)",
                file=str(p),
            )
        gdf = read_geo_frame(p)
        if len(gdf) and not (gdf.geometry.geom_type == "Point").all():
            raise InputError("seuls des points sont acceptés (géométries Point)", file=str(p))
        if gdf.crs is None:
            raise InputError("système de coordonnées absent du fichier", file=str(p))
        gdf = gdf.to_crs(analysis_crs())
        frame = pd.DataFrame(gdf.drop(columns="geometry"))
        frame["__x"], frame["__y"] = gdf.geometry.x.to_numpy(), gdf.geometry.y.to_numpy()
        xcol, ycol = "__x", "__y"
    elif suffix in (".csv", ".txt", ".tsv"):
        try:
            frame = pd.read_csv(p, sep=None, engine="python", encoding="utf-8-sig")
        except Exception as exc:  # noqa: BLE001
            raise InputError(f"CSV illisible ({exc})", file=str(p)) from exc
        lon, lat = _pick(frame.columns, _LON), _pick(frame.columns, _LAT)
        xcol, ycol = _pick(frame.columns, _X), _pick(frame.columns, _Y)
        if lon and lat:
            if crs is not None:
                raise InputError(
                    "--crs : réservé aux colonnes x/y (les colonnes lon/lat sont des degrés WGS84)",
                    file=str(p),
                )

            lo = _numeric(frame, lon, p)
            la = _numeric(frame, lat, p)
            bad = np.flatnonzero((np.abs(lo) > 180) | (np.abs(la) > 90))
            if bad.size:
                raise InputError(
                    "longitude/latitude hors bornes", file=str(p), row=int(bad[0]) + 2, field=lon
                )
            tr = transformer(WGS84, analysis_crs())
            frame["__x"], frame["__y"] = tr.transform(lo, la)
            xcol, ycol = "__x", "__y"
        elif not (xcol and ycol):
            raise InputError(
                "colonnes de coordonnées introuvables (attendu x et y en mètres Lambert-93, "
                f"ou lon et lat en degrés) ; colonnes lues : {', '.join(map(str, frame.columns))}",
                file=str(p),
            )
    else:
        raise InputError("format non reconnu (attendu .csv, .geojson, .gpkg ou .shp)", file=str(p))
    assert xcol is not None and ycol is not None
    x = _numeric(frame, xcol, p)
    y = _numeric(frame, ycol, p)
    if xcol != "__x":  # x/y columns as written in the file
        if crs is None:
            meta["crs_as_given"] = True
        else:
            x, y = _project_xy(x, y, crs, p)
            meta["source_crs"] = crs
    tcol = _pick(frame.columns, _T)
    t = None
    if tcol:
        raw = frame[tcol].astype(str).str.strip()
        parsed = pd.to_datetime(raw, errors="coerce", format="ISO8601")
        if parsed.isna().any():
            parsed = pd.to_datetime(raw, errors="coerce", format="mixed", dayfirst=True)
        if parsed.isna().any():
            row = int(np.flatnonzero(parsed.isna().to_numpy())[0]) + 2
            raise InputError("date illisible", file=str(p), row=row, field=tcol)
        if parsed.dt.tz is None:
            parsed = parsed.dt.tz_localize("Europe/Paris", ambiguous="NaT", nonexistent="NaT")
        t = parsed
    ccol = _pick(frame.columns, _CAT)
    cats = None
    if ccol:
        from gltd.taxonomy import get_taxonomy

        tax = get_taxonomy()
        cats = [tax.resolve(str(v)) or str(v) for v in frame[ccol]]
    try:
        check_projected_xy(x, y)
    except InputError as exc:
        raise InputError(
            f"{exc} ; pour des degrés, nommez les colonnes lon et lat", file=str(p)
        ) from None
    return replace(EventSet.from_arrays(x, y, t, cats), meta=meta)


def _project_xy(x: np.ndarray, y: np.ndarray, crs: str, p: Path) -> tuple[np.ndarray, np.ndarray]:
    """x/y of the file in ``crs``, projected to the analysis CRS."""
    from pyproj import CRS
    from pyproj.exceptions import CRSError

    try:
        src = CRS.from_user_input(crs)
    except CRSError:
        raise InputError(
            f"--crs : système de coordonnées inconnu : « {crs} » (attendu par exemple "
            "EPSG:2154 pour Lambert-93 ou EPSG:32631 pour UTM 31 N)"
        ) from None
    if src.equals(CRS.from_user_input(analysis_crs())):
        return x, y
    tr = transformer(crs, analysis_crs())
    px, py = tr.transform(x, y, errcheck=False)
    px, py = np.asarray(px, dtype="float64"), np.asarray(py, dtype="float64")
    bad = np.flatnonzero(~(np.isfinite(px) & np.isfinite(py)))
    if bad.size:
        raise InputError(
            f"coordonnées x/y hors du domaine de {crs} (--crs)", file=str(p), row=int(bad[0]) + 2
        )
    return px, py


#: What a ``method`` block says of x/y columns given without ``--crs``.
CRS_AS_GIVEN = "non précisé : x, y pris tels que donnés (mètres, lus comme {crs})"


def crs_said(events: EventSet) -> str:
    """The CRS a ``method`` block states for ``events``: theirs, or "non précisé" for
    x/y columns read without ``--crs``."""
    if events.meta.get("crs_as_given"):
        return CRS_AS_GIVEN.format(crs=events.crs)
    return events.crs


def crs_caption(events: EventSet) -> str:
    """The last sentence of a map caption: the coordinate system of the map."""
    if events.meta.get("crs_as_given"):
        return "Système de coordonnées non précisé : x, y tels que donnés."
    return f"{crs_label(events.crs)}."


def _numeric(frame: pd.DataFrame, col: str, p: Path) -> np.ndarray:
    vals = pd.to_numeric(frame[col].astype(str).str.replace(",", "."), errors="coerce")
    bad = np.flatnonzero(vals.isna().to_numpy())
    if bad.size:
        raise InputError("nombre attendu", file=str(p), row=int(bad[0]) + 2, field=str(col))
    return vals.to_numpy(dtype="float64")


def resolve_categories(categories: Sequence[str] | None) -> list[str]:
    """Category codes from codes or labels (``stupefiants`` = every drug category)."""
    from gltd.taxonomy import get_taxonomy

    tax = get_taxonomy()
    out: list[str] = []
    for c in categories or []:
        for part in str(c).split(","):
            part = part.strip()
            if not part:
                continue
            if part.lower() in ("stupefiants", "stupéfiants", "stups", "drogues"):
                out.extend(tax.drug_codes)
                continue
            code = tax.resolve(part)
            if code is None:
                known = ", ".join(cat.code for cat in tax.categories)
                raise InputError(f"catégorie inconnue : « {part} » (codes connus : {known})")
            out.append(code)
    return list(dict.fromkeys(out))


def select_events(events: EventSet, period: Period | None, categories: Sequence[str]) -> EventSet:
    """The events of ``categories`` (all when empty) in ``period`` (all when None)."""
    ev = events.of_categories(categories)
    if period is not None:
        ev = ev.between(period.start, period.end)
    return ev


def check_events(ev: EventSet, what: str, method: str) -> None:
    """Refuse no event, coordinates in degrees, or a single event (``what`` says which)."""
    if ev.n == 0:
        raise InputError(
            f"aucun fait {what} : rien à cartographier (vérifiez période et catégories)"
        )
    check_projected_xy(ev.x, ev.y, ev.crs)
    if ev.n == 1:
        raise InputError(
            f"un seul fait {what} : une carte de concentration n'a pas de sens "
            "(élargissez la période ou les catégories)"
        )


def check_spread(counts: np.ndarray, cell: float, n: int, what: str) -> None:
    """Refuse events that all fall in one cell: no place can be compared with another."""
    if int((counts > 0).sum()) <= 1:
        raise InputError(
            f"les {n} faits {what} tombent tous dans une seule cellule de {cell:g} m : "
            "aucune comparaison entre lieux n'est possible ; réduisez --cell ou "
            "utilisez --method kde"
        )


def period_label(p: Period | None) -> str:
    """The period as a caption says it."""
    return p.label() if p is not None else "toute la période du fichier"


def period_dict(p: Period | None) -> dict[str, Any] | None:
    """The period as the ``method`` block says it (None: the whole file)."""
    if p is None:
        return None
    return {"start": p.start.isoformat(), "end": p.end.isoformat(), "label": p.label()}
