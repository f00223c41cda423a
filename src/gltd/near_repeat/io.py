"""Near-repeat files: CSV input like the Near Repeat Calculator's, CSV/JSON/HTML output."""

from __future__ import annotations

import csv
import io
import math
import unicodedata
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from gltd.analysis.events import EventSet, check_metric_crs
from gltd.analysis.knox import DEFAULT_ALPHA, NearRepeatResult
from gltd.documents.fmt import fr_datetime_short, fr_dec
from gltd.documents.render import json_text, render_html
from gltd.errors import InputError
from gltd.geo import WGS84, analysis_crs, transformer
from gltd.ingest.dates import DEFAULT_ORDER, date_order, expected_text, order_label
from gltd.ingest.validate import parse_datetimes
from gltd.spreadsheet import safe_frame
from gltd.timeutil import PARIS

__all__ = [
    "XY_AS_GIVEN",
    "read_events",
    "read_events_csv",
    "render",
    "near_repeat_context",
    "knox_table_context",
    "knox_table_html",
    "TEMPLATE",
    "TABLE_TEMPLATE",
]

TEMPLATE = "near_repeat.html"
#: The coloured Knox table alone (included by :data:`TEMPLATE`, shown on the run page).
TABLE_TEMPLATE = "near_repeat_table.html"

_X = {"x", "coord_x", "x_l93", "xl93", "easting"}
_Y = {"y", "coord_y", "y_l93", "yl93", "northing"}
_LON = {"lon", "long", "lng", "longitude"}
_LAT = {"lat", "latitude"}
_DATE = {"date", "datetime", "date_heure", "dateheure", "time", "t", "jour", "date_faits"}
_TIME = {"heure", "hour"}


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


def read_events_csv(
    path: str | Path, *, date_format: str | None = None, nrc: bool = False, crs: str | None = None
) -> EventSet:
    """The events of :func:`read_events` (without the description of their coordinates)."""
    return read_events(path, date_format=date_format, nrc=nrc, crs=crs)[0]


#: How x/y columns without ``--crs`` are described in the method block.
XY_AS_GIVEN = "x/y tels que donnés (mètres, système non précisé)"


def read_events(
    path: str | Path, *, date_format: str | None = None, nrc: bool = False, crs: str | None = None
) -> tuple[EventSet, str]:
    """Events of a CSV file and the description of their coordinates: x/y in metres (in
    ``crs`` when given, else « as given »: distances only need metres) or lon/lat (WGS84,
    projected to Lambert-93), and a date or date-time (naive values are Europe/Paris).

    Without a header the columns are x, y, date (the Near Repeat Calculator's order), or
    record number, x, y, date (a leading number column, as NRC files may have). Dates are
    read in ``date_format`` (``jour-mois``, ``mois-jour`` or ``iso``;
    :func:`gltd.ingest.dates.date_order`), month-first by default with ``nrc`` (the NRC's
    files: ``1/13/2016``), day-first otherwise. Delimiters ``,`` ``;`` or tab; decimal
    comma accepted with ``;``.
    """
    order = date_order(date_format) if date_format else ("mdy" if nrc else DEFAULT_ORDER)
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
    elif len(first) >= 4 and _number(first[2]) is not None:  # record number, x, y, date
        cols = ["_record", "x", "y", "date"] + [f"_{i}" for i in range(4, len(first))]
        body, offset = rows, 1
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
            "date ; ou sans en-tête x, y, date, éventuellement précédées d'un numéro)",
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
    when, date_only = _parse_dates(dates, name, cols[idate], offset, order)
    if geographic:
        if crs:
            raise InputError(
                f"--crs {crs} s'applique à des colonnes x/y ; ce fichier a des colonnes "
                f"{fa}/{fb} (degrés WGS84, projetés en Lambert-93) : retirez --crs",
                file=name,
            )
        x, y = _project_lonlat(a, b, name, fa, fb, offset)
        return (
            EventSet.from_arrays(x, y, when, crs=analysis_crs(), date_only=date_only),
            f"{analysis_crs()} (projeté depuis {fa}/{fb} WGS84)",
        )
    _refuse_degrees(a, b, name)
    if crs:
        try:
            check_metric_crs(crs)
        except InputError as exc:
            raise InputError(str(exc), file=name) from None
        except Exception:  # noqa: BLE001 - pyproj: unknown code
            raise InputError(
                f"--crs : système de coordonnées « {crs} » inconnu (attendu un code EPSG "
                "projeté en mètres, ex. EPSG:2154 ou EPSG:32631)",
                file=name,
            ) from None
    return (
        EventSet.from_arrays(a, b, when, crs=crs or analysis_crs(), date_only=date_only),
        crs or XY_AS_GIVEN,
    )


def _parse_dates(
    values: list[str], file: str, field_name: str, offset: int, order: str
) -> tuple[Any, bool]:
    """Local (Europe/Paris) times of the date column, as the importer reads them."""
    for k, v in enumerate(values):
        if not v:
            raise InputError("date manquante", file=file, row=k + offset, field=field_name)
    parsed = parse_datetimes(pd.Series(values, dtype=object), tz="Europe/Paris", order=order)
    check = parsed.check
    if check.file_in_other_order:
        other = "mois-jour" if order == "dmy" else "jour-mois"
        k = int(np.argmax(check.other_order))
        raise InputError(
            f"date « {values[k]} » lisible seulement au format {other} : les dates du fichier "
            f"ne sont pas en {order_label(order)} (les dates ambiguës comme 3/4/2016 seraient "
            f"lues à tort) ; relancez avec --date-format {other}",
            file=file,
            row=k + offset,
            field=field_name,
        )
    impossible = check.impossible != ""
    if impossible.any():
        k = int(np.argmax(impossible))
        msg = f"{check.impossible[k]} (« {values[k]} »)"
        raise InputError(msg, file=file, row=k + offset, field=field_name)
    if parsed.bad.any():
        k = int(np.argmax(parsed.bad))
        raise InputError(
            f"date illisible « {values[k]} » (attendu {expected_text(order)})",
            file=file,
            row=k + offset,
            field=field_name,
        )
    if parsed.nonexistent.any():
        k = int(np.argmax(parsed.nonexistent))
        raise InputError(
            f"heure inexistante à Paris (passage à l'heure d'été) « {values[k]} »",
            file=file,
            row=k + offset,
            field=field_name,
        )
    if parsed.date_only.any() and not parsed.date_only.all():
        k = int(np.argmax(~parsed.date_only if parsed.date_only[0] else parsed.date_only))
        raise InputError(
            f"« {values[k]} » : dates avec et sans heure mêlées (toutes les dates d'un fichier "
            "doivent avoir une heure, ou aucune)",
            file=file,
            row=k + offset,
            field=field_name,
        )
    return parsed.utc.dt.tz_convert(PARIS), bool(parsed.date_only.all())


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
    x, y = transformer(WGS84, analysis_crs()).transform(lon, lat)
    return np.asarray(x, dtype=float), np.asarray(y, dtype=float)


# ---------------------------------------------------------------- outputs


def render(result: NearRepeatResult, fmt: str, *, source: str = "") -> str:
    """The result as ``csv``, ``json`` or ``html`` text."""
    if fmt == "csv":
        buf = io.StringIO()
        safe_frame(result.to_frame()).to_csv(buf, index=False, lineterminator="\n")
        return buf.getvalue()
    if fmt == "json":
        return json_text({**result.to_dict(), "source": source})
    if fmt == "html":
        return render_html(TEMPLATE, near_repeat_context(result, source))
    raise InputError(f"format « {fmt} » inconnu (attendu csv, json ou html)")


def _cell_class(p: float | None, significant: bool) -> str:
    if not significant or p is None:
        return "ns"
    return "p001" if p <= 0.001 + 1e-12 else "p01" if p <= 0.01 + 1e-12 else "p05"


def knox_table_context(data: dict[str, Any]) -> dict[str, Any]:
    """What ``near_repeat_table.html`` (the coloured Knox table) shows, from a result's
    :meth:`~gltd.analysis.knox.NearRepeatResult.to_dict` (as stored with a run)."""
    params = data.get("parameters", {})
    times = list(data.get("time_labels", []))
    k = max(len(times), 1)
    cells = list(data.get("cells", []))
    rows = []
    for d, label in enumerate(data.get("distance_labels", [])):
        row = [
            {**c, "css": _cell_class(c.get("p_value"), bool(c.get("significant")))}
            for c in cells[d * k : (d + 1) * k]
        ]
        rows.append({"label": label, "cells": row})
    return {
        "k": {
            "time_labels": times,
            "alpha": params.get("alpha", DEFAULT_ALPHA),
            "permutations": int(params.get("permutations") or 0),
            "nrc": bool(params.get("nrc")),
        },
        "rows": rows,
    }


def knox_table_html(data: dict[str, Any]) -> str:
    """The coloured Knox table of a stored result, as an HTML fragment (the HTML export's)."""
    return render_html(TABLE_TEMPLATE, knox_table_context(data))


def near_repeat_context(result: NearRepeatResult, source: str = "") -> dict[str, Any]:
    """What ``near_repeat.html`` shows: the Knox table by rows, parameters, band edges."""
    return {
        "r": result,
        **knox_table_context(result.to_dict()),
        "source": source,
        "params": result.to_dict()["parameters"],
        "d_edges": ", ".join(fr_dec(e) for e in result.distance_edges),
        "t_edges": ", ".join(fr_dec(e) for e in result.time_edges),
        "generated": fr_datetime_short(datetime.now(PARIS)),
    }
