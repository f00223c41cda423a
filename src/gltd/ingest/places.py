"""Where rows are: coordinates from columns or geometries, zones by name or by polygon.

Shared by the incident, operation and camera importers.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from gltd.errors import InputError
from gltd.ingest.crs import DEFAULT_XY_CRS, WGS84, Located, check_crs, locate
from gltd.ingest.mapping import FieldSpec
from gltd.ingest.pipeline import Context
from gltd.ingest.validate import parse_numbers
from gltd.store.zones import list_zones, zone_ids_by_point
from gltd.taxonomy import normalise_label

__all__ = [
    "ADDRESS_FIELDS",
    "AddressLocator",
    "register_address_locator",
    "locate_rows",
    "zone_ids_by_name",
    "assign_zones",
]

#: Address fields: rows with an address and no coordinates are geocoded against the
#: local Base Adresse Nationale index (:mod:`gltd.geocode`).
ADDRESS_FIELDS = (
    FieldSpec(
        "address",
        "adresse (numéro et voie, ou adresse complète)",
        ("adresse", "adresse_faits", "lieu_faits", "libelle_adresse", "adr"),
    ),
    FieldSpec("housenumber", "numéro dans la voie", ("num_voie", "numero_voie", "no_voie")),
    FieldSpec("postcode", "code postal", ("code_postal", "cp", "codepostal", "code_post")),
    FieldSpec("city", "commune", ("commune", "ville", "nom_commune", "localite")),
)


#: Places the rows that have an address and no coordinates (``Located`` in, ``Located``
#: out). The geocoder lives above this layer (:mod:`gltd.geocode`), which plugs it in
#: with :func:`register_address_locator`, as the video-protection registers plug in their
#: loaders with :func:`gltd.ingest.pipeline.register_kind`.
AddressLocator = Callable[[Context, Located], Located]
_LOCATORS: list[AddressLocator] = []


def register_address_locator(locator: AddressLocator) -> None:
    """Use ``locator`` for the rows that have an address (replaces any earlier one)."""
    _LOCATORS[:] = [locator]


def locate_rows(ctx: Context, *, required: bool = False) -> Located:
    """Coordinates of each row, from lon/lat, x/y (``--crs``), point geometries, or an
    address (geocoded where the row has no coordinates)."""
    has_address = "address" in ctx.columns
    loc = _coordinates(ctx, required=required and not has_address)
    if has_address:
        if not _LOCATORS:
            raise InputError(
                "ce fichier place ses lignes par leur adresse, mais le géocodage n'est pas "
                "disponible dans cet import",
                file=ctx.table.name,
                field=ctx.col("address"),
            )
        loc = _LOCATORS[0](ctx, loc)
    return loc


def _coordinates(ctx: Context, *, required: bool) -> Located:
    t = ctx.table
    n = len(t)
    if t.geometry is not None and not any(k in ctx.columns for k in ("lon", "lat", "x", "y")):
        import shapely

        geoms = np.asarray(t.geometry, dtype=object)
        kinds = shapely.get_type_id(geoms)
        nonpoint = (kinds != 0) & (kinds != -1) & ~shapely.is_empty(geoms)
        ctx.log.add_mask(
            nonpoint,
            "geometry",
            shapely.get_type_id(geoms).astype(str),
            "des points",
            "géométrie qui n'est pas un point",
        )
        pts = np.where(nonpoint, None, geoms)  # type: ignore[call-overload]
        a = np.asarray(shapely.get_x(pts), dtype="float64")
        b = np.asarray(shapely.get_y(pts), dtype="float64")
        crs = t.crs or ctx.crs
        if crs is None:
            raise InputError(
                "la couche n'indique pas son système de coordonnées : précisez --crs",
                file=t.name,
            )
        check_crs(crs)
        return locate(a, b, crs, ctx.analysis_crs, ctx.log, ("geometry_x", "geometry_y"), (a, b))
    has_ll = "lon" in ctx.columns or "lat" in ctx.columns
    has_xy = "x" in ctx.columns or "y" in ctx.columns
    if has_ll and has_xy and all(k in ctx.columns for k in ("lon", "lat")):
        # Both pairs (e.g. a gltd export): lon/lat (WGS84) are used, x/y ignored.
        ctx.warnings.append("colonnes lon/lat et x/y présentes : lon/lat (WGS84) utilisées")
        has_xy = False
    elif has_ll and has_xy:
        raise InputError(
            "le fichier a à la fois des colonnes lon/lat et x/y incomplètes : choisissez une "
            "paire avec --map",
            file=t.name,
        )
    if has_ll or has_xy:
        fa, fb = ("lon", "lat") if has_ll else ("x", "y")
        for f in (fa, fb):
            if f not in ctx.columns:
                raise InputError(
                    f"colonne « {f} » absente alors que « {fb if f == fa else fa} » est là "
                    f"(indiquez-la avec --map {f}=COLONNE)",
                    file=t.name,
                )
        ra, rb = ctx.raw(fa), ctx.raw(fb)
        a, bad_a = parse_numbers(ra)
        b, bad_b = parse_numbers(rb)
        ctx.log.add_mask(
            bad_a, ctx.col(fa), ra, "un nombre (virgule ou point décimal)", "coordonnée illisible"
        )
        ctx.log.add_mask(
            bad_b, ctx.col(fb), rb, "un nombre (virgule ou point décimal)", "coordonnée illisible"
        )
        if has_ll:
            crs = WGS84
            if ctx.crs and not check_crs(ctx.crs).is_geographic:
                raise InputError(
                    f"--crs {ctx.crs} est projeté (en mètres) mais les colonnes sont lon/lat : "
                    "nommez-les x/y (--map x=…,y=…) ou retirez --crs",
                    file=t.name,
                )
        else:
            crs = ctx.crs or DEFAULT_XY_CRS
            check_crs(crs)
        return locate(a, b, crs, ctx.analysis_crs, ctx.log, (ctx.col(fa), ctx.col(fb)), (ra, rb))
    if required:
        raise InputError(
            "aucune colonne de coordonnées : attendu lon/lat (WGS84) ou x/y (avec --crs, "
            "Lambert-93 par défaut)",
            file=t.name,
        )
    nan = np.full(n, np.nan)
    return Located(nan, nan.copy(), nan.copy(), nan.copy())


def zone_ids_by_name(ctx: Context, fname: str = "zone") -> np.ndarray:
    """Zone id per row from a zone-name column (-1 when blank); unknown names are problems."""
    raw = ctx.raw(fname).astype("string").fillna("").str.strip()
    n = len(raw)
    out = np.full(n, -1, dtype="int64")
    if fname not in ctx.columns:
        return out
    zones = list_zones(ctx.engine)
    lookup = {normalise_label(z.name): z.id for z in zones}
    uniques = pd.unique(raw.to_numpy(dtype=object))
    table = {u: lookup.get(normalise_label(u), -2) if u else -1 for u in uniques}
    out = raw.map(table).to_numpy(dtype="int64")
    known = (
        ", ".join(sorted(z.name for z in zones))
        or "aucune zone enregistrée : importez d'abord les zones"
    )
    ctx.log.add_mask(
        out == -2,
        ctx.col(fname),
        raw.to_numpy(dtype=object),
        f"le nom d'une zone enregistrée ({known})",
        "zone inconnue",
    )
    return np.where(out == -2, -1, out)


def assign_zones(ctx: Context, loc: Located, fname: str = "zone") -> np.ndarray:
    """Zone per row: the source's zone name when given, else the polygon containing the point."""
    by_name = zone_ids_by_name(ctx, fname)
    need = (by_name == -1) & ~np.isnan(loc.x)
    if need.any():
        by_point = zone_ids_by_point(ctx.engine, loc.x, loc.y, ctx.analysis_crs)
        by_name = np.where(need, by_point, by_name)
    return by_name
