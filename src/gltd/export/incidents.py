"""Export incidents from the store: CSV, GeoJSON, GeoPackage, Parquet.

Exports re-import as they are (their column names are the import fields) and open in
QGIS (GeoPackage, GeoJSON: WGS84 points) and Excel (``excel_fr``: ``;``, decimal
comma, ``dd/mm/yyyy hh:mm`` local times, UTF-8 with BOM). Each export is written to the
audit log (what, how many rows, which filters).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import Engine, and_, select

from gltd.errors import InputError
from gltd.model import Incident, Zone
from gltd.spreadsheet import safe_frame
from gltd.store import audit
from gltd.store.zones import resolve_zone_ids
from gltd.taxonomy import get_taxonomy
from gltd.timeutil import PARIS

__all__ = ["FORMATS", "ExportResult", "export_incidents", "incidents_frame"]

FORMATS = ("csv", "geojson", "gpkg", "parquet")


@dataclass(frozen=True)
class ExportResult:
    """What an export wrote."""

    path: Path
    rows: int
    fmt: str


def incidents_frame(
    engine: Engine,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    categories: Sequence[str] | None = None,
    zones: Sequence[str | int] | None = None,
) -> pd.DataFrame:
    """Incidents as a frame (times aware in UTC), filtered like :func:`load_events`."""
    t = Incident.__table__.c
    z = Zone.__table__.c
    conds = []
    if start is not None:
        conds.append(t.occurred_at >= start)
    if end is not None:
        conds.append(t.occurred_at < end)
    if categories:
        conds.append(t.category.in_(list(categories)))
    zone_ids = resolve_zone_ids(engine, zones)
    if zone_ids is not None:
        conds.append(t.zone_id.in_(zone_ids))
    stmt = (
        select(
            t.source,
            t.source_ref,
            t.occurred_at,
            t.occurred_until,
            t.date_only,
            t.category,
            z.name.label("zone"),
            t.lon,
            t.lat,
            t.x,
            t.y,
            t.precision,
        )
        .select_from(Incident.__table__.outerjoin(Zone.__table__, t.zone_id == z.id))
        .where(and_(True, *conds))
        .order_by(t.occurred_at, t.id)
    )
    with engine.connect() as conn:
        rows = conn.execute(stmt).all()
    cols = [
        "source",
        "source_ref",
        "occurred_at",
        "occurred_until",
        "date_only",
        "category",
        "zone",
        "lon",
        "lat",
        "x",
        "y",
        "precision",
    ]
    frame = pd.DataFrame(rows, columns=cols)
    for c in ("occurred_at", "occurred_until"):
        frame[c] = pd.to_datetime(frame[c], utc=True)
    frame["date_only"] = frame["date_only"].astype(bool)
    for c in ("lon", "lat", "x", "y"):
        frame[c] = pd.to_numeric(frame[c]).astype("float64")
    return frame


def _local_text(s: pd.Series, date_only: pd.Series, *, excel: bool) -> pd.Series:
    local = s.dt.tz_convert(PARIS)
    if excel:
        full = local.dt.strftime("%d/%m/%Y %H:%M")
        day = local.dt.strftime("%d/%m/%Y")
    else:
        full = local.map(lambda v: v.isoformat() if not pd.isna(v) else "")
        day = local.dt.strftime("%Y-%m-%d")
    out = full.where(~date_only.to_numpy(), day)
    return out.where(s.notna(), "").astype(object)


def export_incidents(
    engine: Engine,
    out: str | Path,
    fmt: str | None = None,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    categories: Sequence[str] | None = None,
    zones: Sequence[str | int] | None = None,
    excel_fr: bool = False,
    username: str | None = None,
) -> ExportResult:
    """Write the incidents matching the filters to ``out`` (format from ``fmt`` or suffix)."""
    path = Path(out)
    fmt = (fmt or path.suffix.lstrip(".")).lower()
    if fmt == "json":
        fmt = "geojson"
    if fmt not in FORMATS:
        raise InputError(f"format d'export inconnu : « {fmt} » (attendu : {', '.join(FORMATS)})")
    if excel_fr and fmt != "csv":
        raise InputError("--excel-fr ne s'applique qu'au format csv")
    if not path.parent.exists():
        raise InputError(f"dossier de sortie introuvable : {path.parent}")
    frame = incidents_frame(engine, start=start, end=end, categories=categories, zones=zones)
    tax = get_taxonomy()
    frame.insert(6, "category_label", [tax.label(c) for c in frame["category"]])
    if fmt == "parquet":
        frame.to_parquet(path, index=False)
    else:
        text = frame.copy()
        for c in ("occurred_at", "occurred_until"):
            text[c] = _local_text(frame[c], frame["date_only"], excel=excel_fr)
        if fmt == "csv":
            if excel_fr:
                text["date_only"] = np.where(frame["date_only"], "oui", "non")
                safe_frame(text).to_csv(
                    path, sep=";", decimal=",", index=False, encoding="utf-8-sig"
                )
            else:
                text.to_csv(path, sep=",", index=False, encoding="utf-8")
        else:
            import geopandas as gpd

            located = frame["lon"].notna() & frame["lat"].notna()
            geom = gpd.points_from_xy(frame["lon"], frame["lat"])
            geom = np.where(located.to_numpy(), np.asarray(geom, dtype=object), None)  # type: ignore[call-overload]
            gdf = gpd.GeoDataFrame(text, geometry=list(geom), crs="EPSG:4326")
            if path.exists():
                path.unlink()
            driver = "GPKG" if fmt == "gpkg" else "GeoJSON"
            gdf.to_file(path, driver=driver, layer="incidents" if fmt == "gpkg" else None)
    filters = {
        "debut": start.isoformat() if start else None,
        "fin": end.isoformat() if end else None,
        "categories": list(categories or []),
        "zones": [str(z) for z in zones or []],
        "format": fmt,
        "lignes": len(frame),
    }
    audit.record(
        engine,
        actor=username,
        verb="export",
        object_type="incident",
        detail=json.dumps(filters, ensure_ascii=False),
    )
    return ExportResult(path, len(frame), fmt)
