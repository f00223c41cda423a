"""The importers' hook: place rows that have an address and no coordinates.

Called by :func:`gltd.ingest.places.locate_rows` when the file maps an ``address``
field. Rows already located (lon/lat, x/y, geometry) are kept as they are; the others
are geocoded against the local index. A refused address, or one placed only at the
commune, is an invalid row like any other (its reason in the report; ``--skip-invalid``
writes it to the rejects). The precision (numéro / voie) and the score travel with the
point to the stored row.
"""

from __future__ import annotations

import numpy as np

from gltd.geocode.batch import geocode_rows
from gltd.geocode.index import indexed_sources, require_index
from gltd.geocode.match import Geocoder
from gltd.ingest.crs import WGS84, Located, locate
from gltd.ingest.pipeline import Context
from gltd.ingest.places import register_address_locator
from gltd.ingest.validate import blank

__all__ = ["geocode_unplaced", "register_geocoder"]

EXPECTED = "une adresse de la Base Adresse Nationale, dans la commune ou le code postal indiqué"


def _strings(ctx: Context, fname: str) -> np.ndarray:
    return ctx.raw(fname).astype("string").fillna("").str.strip().to_numpy(dtype=object)


def geocode_unplaced(ctx: Context, loc: Located) -> Located:
    """``loc`` with the unlocated rows that have an address geocoded (see module doc)."""
    address = _strings(ctx, "address")
    need = np.isnan(loc.x) & ~blank(ctx.raw("address").astype("string").fillna("")) & ~ctx.log.bad
    n = len(address)
    precision = np.full(n, None, dtype=object)
    score = np.full(n, np.nan)
    if not need.any():
        return Located(loc.lon, loc.lat, loc.x, loc.y, precision, score)
    sources = indexed_sources(ctx.engine)
    if not sources:
        explicit = "address" in ctx.options.columns or "address" in ctx.mapping.columns
        if explicit:
            require_index(ctx.engine)  # asked for: a clear message, nothing written
        ctx.warnings.append(
            f"colonne d'adresse « {ctx.col('address')} » reconnue, mais aucun index "
            "d'adresses : les lignes sans coordonnées ne sont pas géocodées (construisez "
            "l'index avec « gltd geocode build adresses-XX.csv.gz »)"
        )
        return Located(loc.lon, loc.lat, loc.x, loc.y, precision, score)
    idx = np.flatnonzero(need)
    pcs, cts, hns = (_strings(ctx, f) for f in ("postcode", "city", "housenumber"))
    with Geocoder(ctx.engine) as g:
        results = geocode_rows(
            g,
            address[idx].tolist(),
            postcode=pcs[idx].tolist(),
            city=cts[idx].tolist(),
            housenumber=hns[idx].tolist(),
        )
    lon = np.full(n, np.nan)
    lat = np.full(n, np.nan)
    col = ctx.col("address")
    shown = np.asarray(
        [
            " ; ".join(v for v in (a, h, p, c) if v)
            for a, h, p, c in zip(address, hns, pcs, cts, strict=True)
        ],
        dtype=object,
    )
    counts = {"numéro": 0, "voie": 0, "refusé": 0}
    for i, r in zip(idx, results, strict=True):
        if r.precision in ("numéro", "voie"):
            lon[i], lat[i] = r.lon, r.lat
            precision[i], score[i] = r.precision, r.score
            counts[r.precision] += 1
            continue
        counts["refusé"] += 1
        why = (
            "adresse localisée seulement à la commune (voie absente ou inconnue)"
            if r.precision == "commune"
            else f"adresse refusée par le géocodage : {r.note}"
        )
        ctx.log.add_row(int(i), col, shown[i], EXPECTED, why)
    placed = locate(lon, lat, WGS84, ctx.analysis_crs, ctx.log, (col, col), (shown, shown))
    got = ~np.isnan(placed.x)
    ctx.warnings.append(
        f"géocodage de {len(idx)} adresse(s) : {counts['numéro']} au numéro, "
        f"{counts['voie']} à la voie, {counts['refusé']} refusée(s) "
        f"({'; '.join(sorted({s.attribution for s in sources}))})"
    )
    return Located(
        np.where(got, placed.lon, loc.lon),
        np.where(got, placed.lat, loc.lat),
        np.where(got, placed.x, loc.x),
        np.where(got, placed.y, loc.y),
        np.where(got, precision, np.full(n, None, dtype=object)),
        np.where(got, score, np.nan),
    )


def register_geocoder() -> None:
    """Plug :func:`geocode_unplaced` into the importers (idempotent): the CLI, the web
    and the camera inventory call it before importing, beside the cctv loaders."""
    register_address_locator(geocode_unplaced)
