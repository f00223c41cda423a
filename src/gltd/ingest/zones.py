"""Import zones (quartiers, IRIS, secteurs, périmètres) with their polygons.

From GeoJSON, GeoPackage, Shapefile or GeoParquet (the layer's CRS is used, ``--crs`` when
the layer has none), or from CSV/XLSX with a WKT column (``--crs``, WGS84 by default).
Polygons are stored in WGS84. A zone whose name is already stored is left as it is
(re-importing the same file creates no duplicate).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import shapely
from shapely.ops import transform
from sqlalchemy import Connection, insert, select

from gltd.errors import InputError
from gltd.geo import transformer
from gltd.ingest.crs import WGS84, check_crs, locate
from gltd.ingest.mapping import FieldSpec
from gltd.ingest.pipeline import Context, Prepared, check_duplicate_ids
from gltd.ingest.validate import blank, parse_bools
from gltd.model import ZONE_KINDS, Zone
from gltd.taxonomy import normalise_label

__all__ = ["FIELDS", "LABEL", "prepare", "write"]

LABEL = "zones"

FIELDS = (
    FieldSpec(
        "name",
        "nom de la zone",
        ("nom", "nom_zone", "libelle", "quartier", "nom_quartier", "nom_iris", "lib_iris", "label"),
        required=True,
    ),
    FieldSpec(
        "kind",
        "type de zone (quartier, iris, secteur, perimetre, commune, autre)",
        ("type", "nature", "genre"),
    ),
    FieldSpec(
        "code",
        "code (IRIS, QPV, INSEE…)",
        ("code_iris", "code_qpv", "code_quartier", "insee", "codgeo", "id"),
    ),
    FieldSpec(
        "wkt",
        "géométrie en WKT (fichiers sans géométrie)",
        ("geometry", "geometrie", "geom", "the_geom"),
    ),
    FieldSpec("illustrative", "contour illustratif (oui/non)", ("illustratif", "fictif")),
)

_KIND_ALIASES = {
    "qpv": "quartier",
    "quartier prioritaire": "quartier",
    "perimetre d intervention": "perimetre",
    "ville": "commune",
}


def _geometries(ctx: Context) -> tuple[np.ndarray, str]:
    t = ctx.table
    if t.geometry is not None:
        crs = t.crs or ctx.crs
        if crs is None:
            raise InputError(
                "la couche n'indique pas son système de coordonnées : précisez --crs", file=t.name
            )
        return np.asarray(t.geometry, dtype=object), crs
    if "wkt" not in ctx.columns:
        raise InputError(
            "aucune géométrie : attendu un fichier géographique (GeoJSON, GeoPackage, Shapefile) "
            "ou une colonne WKT (indiquez-la avec --map wkt=COLONNE)",
            file=t.name,
        )
    raw = ctx.raw("wkt").astype("string").fillna("").str.strip().to_numpy(dtype=object)
    geoms = np.empty(len(raw), dtype=object)
    for i, w in enumerate(raw):
        try:
            geoms[i] = shapely.from_wkt(w) if w else None
        except shapely.errors.GEOSException:
            ctx.log.add_row(
                i,
                ctx.col("wkt"),
                w,
                "un polygone en WKT (POLYGON((x y, …)))",
                "géométrie WKT illisible",
            )
    return geoms, ctx.crs or WGS84


def prepare(ctx: Context) -> Prepared:
    """Validate zone names, kinds and polygons; project to WGS84."""
    log = ctx.log
    names = ctx.raw("name").astype("string").fillna("").str.strip()
    log.add_mask(blank(names), ctx.col("name"), names, "un nom", "nom de zone vide")
    check_duplicate_ids(ctx, names.astype(object), "name")
    kinds_raw = ctx.raw("kind").astype("string").fillna("").str.strip()
    kinds = []
    for i, k in enumerate(kinds_raw.to_numpy(dtype=object)):
        nk = normalise_label(k).replace(" ", "_") if k else "quartier"
        nk = _KIND_ALIASES.get(normalise_label(k), nk)
        if nk not in ZONE_KINDS:
            log.add_row(i, ctx.col("kind"), k, ", ".join(ZONE_KINDS), "type de zone inconnu")
        kinds.append(nk)
    geoms, crs = _geometries(ctx)
    check_crs(crs)
    gtype = shapely.get_type_id(geoms)
    polygonal = np.isin(gtype, (3, 6))
    log.add_mask(
        ~polygonal,
        "geometry",
        gtype.astype(str),
        "un polygone ou multipolygone",
        "géométrie absente ou non surfacique",
    )
    ok_geoms = np.where(polygonal, geoms, None)  # type: ignore[call-overload]
    invalid = polygonal & ~shapely.is_valid(ok_geoms)
    if invalid.any():
        fixed = shapely.make_valid(ok_geoms[invalid])
        still = ~np.isin(shapely.get_type_id(fixed), (3, 6))
        ok_geoms[invalid] = np.where(still, None, fixed)
        rows = log.row_numbers[invalid][~still]
        if len(rows):
            ctx.warnings.append(
                f"{len(rows)} polygone(s) invalide(s) réparé(s) (make_valid) : lignes {', '.join(map(str, rows[:10]))}"
            )
        bad_idx = np.flatnonzero(invalid)[still]
        for i in bad_idx:
            log.add_row(
                int(i),
                "geometry",
                shapely.is_valid_reason(geoms[i]),
                "un polygone valide",
                "polygone invalide, non réparable",
            )
    cent = shapely.centroid(ok_geoms)
    cx = np.asarray(shapely.get_x(cent), dtype="float64")
    cy = np.asarray(shapely.get_y(cent), dtype="float64")
    locate(cx, cy, crs, ctx.analysis_crs, log, ("geometry", "centre"), (cx, cy))
    if not check_crs(crs).equals(check_crs(WGS84)):
        tr = transformer(crs, WGS84)
        ok_geoms = np.asarray(
            [None if g is None else transform(tr.transform, g) for g in ok_geoms], dtype=object
        )
    wkt = [None if g is None else shapely.to_wkt(g, rounding_precision=7) for g in ok_geoms]
    illus, bad_il = parse_bools(ctx.raw("illustrative"))
    log.add_mask(
        bad_il, ctx.col("illustrative"), ctx.raw("illustrative"), "oui ou non", "valeur illisible"
    )
    codes = ctx.raw("code").astype("string").fillna("").str.strip()
    frame = pd.DataFrame(
        {
            "name": names.astype(object).reset_index(drop=True),
            "kind": kinds,
            "code": codes.where(codes != "", None).astype(object).reset_index(drop=True),
            "geometry_wkt": wkt,
            "illustrative": illus,
            "source": ctx.source,
        }
    )
    return Prepared(frame)


def write(
    conn: Connection, prepared: Prepared, ctx: Context, batch_id: int, advance: Any
) -> tuple[int, int]:
    """Insert zones whose name is not stored yet."""
    have = {normalise_label(n) for (n,) in conn.execute(select(Zone.name))}
    frame = prepared.frame
    new = ~frame["name"].map(normalise_label).isin(have)
    rows = [{str(k): v for k, v in r.items()} for r in frame.loc[new].to_dict("records")]
    if rows:
        conn.execute(insert(Zone), rows)
    return len(rows), int((~new).sum())
