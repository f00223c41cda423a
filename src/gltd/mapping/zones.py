"""Zone polygons from a file: GeoJSON, GeoPackage or Shapefile, reprojected to Lambert-93,
checked (polygons only, declared CRS, no empty or degenerate zone) and repaired
(``make_valid``); and detection of overlapping zones."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from gltd.errors import InputError
from gltd.geo import analysis_crs
from gltd.ingest.geofiles import read_geo_frame

__all__ = ["read_zones_file", "clean_zone_geometries", "overlapping_pairs", "OVERLAP_SHARE"]

_ID = ("id", "zone_id", "id_zone", "fid")
_CODE = ("code", "code_iris", "iris", "code_zone", "code_quartier", "insee")
_NAME = ("name", "nom", "libelle", "libellé", "nom_iris", "nom_quartier", "label", "quartier")
_KIND = ("kind", "type", "nature", "categorie", "catégorie")
_POLY = ("Polygon", "MultiPolygon")
#: Two zones overlap when their intersection exceeds this share of the smaller one.
OVERLAP_SHARE = 1e-6


def _pick(columns: Any, names: Sequence[str]) -> str | None:
    low = {str(c).lower().strip(): c for c in columns}
    return next((low[n] for n in names if n in low), None)


def read_zones_file(path: str | Path, kind: str | None = None) -> Any:
    """Zones from a GeoJSON, GeoPackage (first layer) or Shapefile of polygons.

    Any declared CRS is accepted and reprojected to Lambert-93 (a GeoJSON without
    ``crs`` member is WGS84 by RFC 7946). Columns recognised: an id (``id``,
    ``zone_id``…; integers, otherwise the row number), a name (``name``, ``nom``,
    ``libelle``…; otherwise the code or « zone N »), a code (``code``, ``code_iris``…) and
    a kind (``kind``, ``type``…), which ``kind`` filters.

    Returns
    -------
    GeoDataFrame
        Columns ``id``, ``name``, ``kind``, ``code`` and the geometry, in EPSG:2154.

    Raises
    ------
    InputError
        Missing or unreadable file, no CRS, geometries that are not polygons, an empty
        geometry, or a ``kind`` the file does not have.
    """
    import geopandas as gpd

    p = Path(path)
    if not p.exists():
        raise InputError("fichier de zones introuvable", file=str(p))
    if p.suffix.lower() not in (".geojson", ".json", ".gpkg", ".shp"):
        raise InputError(
            "format de zones non reconnu (attendu .geojson, .gpkg ou .shp)", file=str(p)
        )
    gdf = read_geo_frame(p)
    if len(gdf) == 0:
        raise InputError("le fichier de zones ne contient aucune entité", file=str(p))
    missing = np.flatnonzero(gdf.geometry.isna().to_numpy() | gdf.geometry.is_empty.to_numpy())
    if missing.size:
        raise InputError(
            "zone sans géométrie (attendu un polygone)", file=str(p), row=int(missing[0]) + 1
        )
    types = gdf.geometry.geom_type
    bad = np.flatnonzero(~types.isin(_POLY).to_numpy())
    if bad.size:
        found = ", ".join(sorted(set(types.iloc[bad])))
        raise InputError(
            f"le fichier de zones doit contenir des polygones (Polygon ou MultiPolygon) ; "
            f"géométries trouvées : {found}",
            file=str(p),
            row=int(bad[0]) + 1,
        )
    if gdf.crs is None:
        raise InputError(
            "système de coordonnées absent du fichier de zones (enregistrez-le avec son "
            "SCR, par ex. EPSG:2154 ou EPSG:4326)",
            file=str(p),
        )
    gdf = gdf.to_crs(analysis_crs())
    n = len(gdf)
    icol = _pick(gdf.columns, _ID)
    ids = np.arange(1, n + 1, dtype="int64")
    if icol is not None:
        raw = gdf[icol]
        num = np.asarray(
            [_as_int(v) for v in raw.tolist()],
            dtype=object,
        )
        if all(v is not None for v in num) and len(set(num.tolist())) == n:
            ids = num.astype("int64")
    ccol = _pick(gdf.columns, _CODE)
    codes = [None if _blank(v) else str(v) for v in gdf[ccol]] if ccol else [None] * n
    ncol = _pick(gdf.columns, _NAME)
    names = [
        str(nm) if ncol is not None and not _blank(nm) else (code or f"zone {i}")
        for nm, code, i in zip(
            gdf[ncol] if ncol is not None else [None] * n, codes, ids.tolist(), strict=True
        )
    ]
    kcol = _pick(gdf.columns, _KIND)
    kinds = [None if _blank(v) else str(v).strip().lower() for v in gdf[kcol]] if kcol else []
    out = gpd.GeoDataFrame(
        {"id": ids, "name": names, "kind": kinds or [None] * n, "code": codes},
        geometry=gdf.geometry.to_numpy(),
        crs=analysis_crs(),
    )
    if kind:
        if not kcol:
            raise InputError(
                f"--zone-kind {kind} : le fichier de zones n'a pas de colonne de type "
                f"(attendu {', '.join(_KIND[:3])})",
                file=str(p),
            )
        keep = out["kind"] == kind.strip().lower()
        if not keep.any():
            known = ", ".join(sorted({k for k in kinds if k}))
            raise InputError(
                f"aucune zone de type « {kind} » dans le fichier (types présents : {known})",
                file=str(p),
            )
        out = out[keep.to_numpy()].reset_index(drop=True)
    return clean_zone_geometries(out, str(p))


def _as_int(v: Any) -> int | None:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return int(f) if np.isfinite(f) and f == int(f) else None


def _blank(v: Any) -> bool:
    return v is None or (isinstance(v, float) and not np.isfinite(v)) or str(v).strip() == ""


def clean_zone_geometries(zones: Any, where: str) -> Any:
    """Repair invalid polygons (``make_valid``, polygon parts kept); refuse empty areas."""
    import shapely

    geoms = np.asarray(zones.geometry.to_numpy(), dtype=object)
    invalid = ~shapely.is_valid(geoms)
    if invalid.any():
        fixed = shapely.make_valid(geoms[invalid])
        geoms[invalid] = [_polygon_part(g) for g in fixed]
        zones = zones.set_geometry(list(geoms), crs=zones.crs)
    area = shapely.area(geoms)
    flat = np.flatnonzero(~(area > 0))
    if flat.size:
        raise InputError(
            f"zone « {zones['name'].iloc[int(flat[0])]} » de surface nulle (polygone dégénéré)",
            file=where,
        )
    return zones


def _polygon_part(g: Any) -> Any:
    import shapely

    if g.geom_type in _POLY:
        return g
    parts = [p for p in getattr(g, "geoms", []) if p.geom_type in _POLY]
    return shapely.union_all(parts) if parts else shapely.Polygon()


def overlapping_pairs(geoms: np.ndarray) -> list[tuple[int, int]]:
    """Pairs of zones whose intersection is more than a sliver (``OVERLAP_SHARE``)."""
    import shapely

    g = np.asarray(geoms, dtype=object)
    tree = shapely.STRtree(g)
    a, b = tree.query(g, predicate="intersects")
    keep = a < b
    a, b = a[keep], b[keep]
    if len(a) == 0:
        return []
    inter = shapely.area(shapely.intersection(g[a], g[b]))
    small = np.minimum(shapely.area(g[a]), shapely.area(g[b]))
    over = inter > OVERLAP_SHARE * small
    return list(zip(a[over].tolist(), b[over].tolist(), strict=True))
