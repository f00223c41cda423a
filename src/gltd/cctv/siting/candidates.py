"""Candidate sites of new cameras: points read from a file, or a regular grid inside zones."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from sqlalchemy import Engine

from gltd.errors import InputError
from gltd.geo import analysis_crs

__all__ = ["read_candidates", "grid_candidates"]


def read_candidates(path: str | Path) -> tuple[np.ndarray, list[str]]:
    """Candidate points from CSV (``lat``/``lon`` or ``x``/``y`` in Lambert-93) or GeoJSON.

    Returns the ``(n, 2)`` metric coordinates and a label per point (``id`` column, or the
    row number).
    """
    from gltd.geo import to_metric

    p = Path(path)
    if not p.exists():
        raise InputError("fichier de candidats introuvable", file=str(p))
    if p.suffix.lower() in (".geojson", ".json", ".gpkg", ".shp"):
        from gltd.ingest.geofiles import read_geo_frame

        gdf = read_geo_frame(p)
        if gdf.crs is None:
            raise InputError("système de coordonnées absent", file=p.name)
        if not (gdf.geometry.geom_type == "Point").all():
            raise InputError("seuls des points sont attendus", file=p.name)
        gdf = gdf.to_crs(analysis_crs())
        labels = [str(v) for v in (gdf["id"] if "id" in gdf else range(1, len(gdf) + 1))]
        return np.column_stack([gdf.geometry.x, gdf.geometry.y]), labels
    text = p.read_text(encoding="utf-8-sig")
    first = text.splitlines()[0] if text else ""
    reader = csv.DictReader(io.StringIO(text), delimiter=";" if ";" in first else ",")
    cols = {c.strip().lower(): c for c in reader.fieldnames or []}
    pts: list[tuple[float, float]] = []
    labels = []
    for i, row in enumerate(reader, start=2):

        def num(name: str, row: dict[str, str] = row, i: int = i) -> float:
            raw = (row.get(cols[name]) or "").strip().replace(",", ".")
            try:
                return float(raw)
            except ValueError:
                raise InputError(
                    f"nombre attendu, lu « {raw} »", file=p.name, row=i, field=name
                ) from None

        if "lat" in cols and "lon" in cols:
            pts.append(to_metric(num("lon"), num("lat"), analysis_crs()))
        elif "x" in cols and "y" in cols:
            pts.append((num("x"), num("y")))
        else:
            raise InputError(
                "colonnes lat et lon (WGS84) ou x et y (Lambert-93) attendues", file=p.name
            )
        labels.append(str(row.get(cols["id"], "")).strip() if "id" in cols else str(i - 1))
    if not pts:
        raise InputError("aucun point candidat", file=p.name)
    return np.asarray(pts, dtype="float64"), labels


def grid_candidates(
    engine: Engine, spacing: float, zones: Sequence[str] | None
) -> tuple[np.ndarray, list[str]]:
    """Points of a regular grid (``spacing`` metres) inside the chosen zones (all: city)."""
    import shapely

    from gltd.store.zones import load_zones, resolve_zone_ids

    if not spacing > 0:
        raise InputError(f"pas de grille {spacing} : un nombre de mètres > 0", field="grid")
    gdf = load_zones(engine)
    if len(gdf) == 0:
        raise InputError(
            "aucune zone enregistrée : importez les zones ou donnez un fichier de points candidats",
            field="candidates",
        )
    ids = resolve_zone_ids(engine, list(zones) if zones else None)
    if ids is not None:
        gdf = gdf[gdf["id"].isin(ids)]
    area = shapely.union_all(gdf.geometry.to_numpy())
    xmin, ymin, xmax, ymax = area.bounds
    n_est = ((xmax - xmin) / spacing) * ((ymax - ymin) / spacing)
    if n_est > 2_000_000:
        raise InputError(
            f"grille de {n_est:,.0f} points : pas de {spacing:g} m trop fin pour ces zones",
            field="grid",
        )
    gx, gy = np.meshgrid(
        np.arange(xmin + spacing / 2, xmax, spacing), np.arange(ymin + spacing / 2, ymax, spacing)
    )
    pts = np.column_stack([gx.ravel(), gy.ravel()])
    pts = pts[shapely.contains_xy(area, pts[:, 0], pts[:, 1])]
    if len(pts) == 0:
        raise InputError("aucun point de grille dans ces zones (pas trop grand ?)", field="grid")
    return pts, [f"g{i + 1}" for i in range(len(pts))]
