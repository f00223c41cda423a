"""Import the inventory of video-protection cameras.

Fields: ``code`` (required, unique), a position (lon/lat, x/y or point geometry,
required), ``retention_days`` (CSI L252-5: at most 30 days — ``GLTD_MAX_RETENTION_DAYS``),
the prefectoral authorisation (number, date, expiry; without an expiry the expiry is the
authorisation date + 5 years, CSI L252-4 — ``GLTD_AUTHORISATION_YEARS``), heading, field
angle, range, HD, installation and removal dates, annual cost, zone. A camera whose code
is already stored is left as it is.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection, insert, select

from gltd.config import get_settings
from gltd.ingest.incidents import parse_when
from gltd.ingest.mapping import FieldSpec
from gltd.ingest.pipeline import Context, Prepared, check_duplicate_ids
from gltd.ingest.places import assign_zones, locate_rows
from gltd.ingest.validate import blank, parse_bools, parse_ints, parse_numbers
from gltd.model import Camera
from gltd.timeutil import PARIS

__all__ = ["FIELDS", "LABEL", "prepare", "write"]

LABEL = "caméras"

FIELDS = (
    FieldSpec(
        "code",
        "code de la caméra",
        ("code_camera", "identifiant", "id", "numero", "camera", "nom"),
        required=True,
    ),
    FieldSpec("lon", "longitude WGS84", ("longitude",)),
    FieldSpec("lat", "latitude WGS84", ("latitude",)),
    FieldSpec("x", "abscisse (mètres, --crs)", ("coord_x", "x_l93")),
    FieldSpec("y", "ordonnée (mètres, --crs)", ("coord_y", "y_l93")),
    FieldSpec(
        "heading_deg",
        "orientation en degrés depuis le nord (vide : dôme 360°)",
        ("orientation", "direction", "azimut", "cap"),
    ),
    FieldSpec(
        "field_angle_deg",
        "angle de champ en degrés",
        ("angle", "angle_champ", "champ", "ouverture"),
    ),
    FieldSpec("range_m", "portée utile en mètres", ("portee", "distance", "rayon")),
    FieldSpec("hd", "haute définition (oui/non)", ("haute_definition",)),
    FieldSpec(
        "installed_on",
        "date d'installation",
        ("date_installation", "installation", "mise_en_service", "installee_le"),
    ),
    FieldSpec("removed_on", "date de retrait", ("date_retrait", "retrait", "depose")),
    FieldSpec("annual_cost_eur", "coût annuel (euros)", ("cout_annuel", "cout", "cout_annuel_eur")),
    FieldSpec(
        "authorisation_number",
        "numéro de l'arrêté préfectoral",
        ("numero_autorisation", "n_autorisation", "arrete", "autorisation"),
    ),
    FieldSpec("authorisation_date", "date de l'autorisation", ("date_autorisation", "date_arrete")),
    FieldSpec(
        "authorisation_expiry",
        "fin de l'autorisation",
        ("expiration", "fin_autorisation", "date_expiration", "echeance_autorisation"),
    ),
    FieldSpec(
        "retention_days",
        "durée de conservation des images (jours)",
        ("duree_conservation", "conservation", "retention", "jours_conservation"),
    ),
    FieldSpec("zone", "nom de la zone", ("quartier", "secteur")),
)


def _dates(ctx: Context, fname: str) -> list[date | None]:
    parsed = parse_when(ctx, fname, "", required=False)
    local = parsed.utc.dt.tz_convert(PARIS)
    return [None if pd.isna(v) else v.date() for v in local]


def _add_years(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


def prepare(ctx: Context) -> Prepared:
    """Validate cameras (legal retention, authorisation expiry) and locate them."""
    log = ctx.log
    settings = get_settings()
    codes = ctx.raw("code").astype("string").fillna("").str.strip()
    log.add_mask(blank(codes), ctx.col("code"), codes, "un code", "code de caméra vide")
    check_duplicate_ids(ctx, codes.astype(object), "code")
    loc = locate_rows(ctx, required=True)
    log.add_mask(
        np.isnan(loc.x) & ~log.bad,
        "/".join(ctx.col(f) for f in ("lon", "lat", "x", "y") if f in ctx.columns) or "geometry",
        None,
        "une position",
        "caméra sans position",
    )
    zone = assign_zones(ctx, loc)
    ret_raw = ctx.raw("retention_days")
    ret, bad = parse_ints(ret_raw)
    empty = blank(ret_raw)
    maxd = settings.max_retention_days
    log.add_mask(
        bad,
        ctx.col("retention_days"),
        ret_raw,
        f"un nombre de jours entre 1 et {maxd}",
        "durée de conservation illisible",
    )
    log.add_mask(
        ~bad & ~empty & ((ret < 1) | (ret > maxd)),
        ctx.col("retention_days"),
        ret_raw,
        f"entre 1 et {maxd} jours (CSI art. L252-5 : un mois au plus)",
        "durée de conservation hors des limites légales",
    )
    default_ret = int(Camera.__table__.c.retention_days.default.arg)  # type: ignore[union-attr]
    if empty.any():
        ctx.warnings.append(
            f"{int(empty.sum())} caméra(s) sans durée de conservation : {default_ret} jours retenus "
            "(à vérifier : elle fixe le délai des réquisitions)"
        )
    ret = np.where(empty, default_ret, ret)
    nums: dict[str, np.ndarray] = {}
    for f, lo, hi, default in (
        ("heading_deg", 0.0, 360.0, np.nan),
        ("field_angle_deg", 1.0, 360.0, 360.0),
        ("range_m", 1.0, 1000.0, 50.0),
        ("annual_cost_eur", 0.0, 1e7, 0.0),
    ):
        raw = (
            ctx.raw(f)
            .astype("string")
            .fillna("")
            .str.replace(r"(?i)\s*(€|eur|°|m)$", "", regex=True)
        )
        v, b = parse_numbers(raw)
        out = ~np.isnan(v) & ((v < lo) | (v > hi))
        log.add_mask(
            b | out,
            ctx.col(f),
            ctx.raw(f),
            f"un nombre entre {lo:g} et {hi:g}",
            "valeur illisible ou hors limites",
        )
        nums[f] = np.where(np.isnan(v), default, v)
    hd, bad_hd = parse_bools(ctx.raw("hd"))
    log.add_mask(bad_hd, ctx.col("hd"), ctx.raw("hd"), "oui ou non", "valeur illisible")
    auth_date = _dates(ctx, "authorisation_date")
    expiry = _dates(ctx, "authorisation_expiry")
    years = settings.authorisation_years
    expiry = [
        e if e is not None else (_add_years(a, years) if a else None)
        for a, e in zip(auth_date, expiry, strict=True)
    ]
    num = ctx.raw("authorisation_number").astype("string").fillna("").str.strip()
    frame = pd.DataFrame(
        {
            "code": codes.astype(object).reset_index(drop=True),
            "lon": loc.lon,
            "lat": loc.lat,
            "x": loc.x,
            "y": loc.y,
            "heading_deg": [None if np.isnan(h) else float(h) for h in nums["heading_deg"]],
            "field_angle_deg": nums["field_angle_deg"],
            "range_m": nums["range_m"],
            "hd": hd,
            "installed_on": _dates(ctx, "installed_on"),
            "removed_on": _dates(ctx, "removed_on"),
            "annual_cost_eur": nums["annual_cost_eur"],
            "authorisation_number": num.where(num != "", None)
            .astype(object)
            .reset_index(drop=True),
            "authorisation_date": auth_date,
            "authorisation_expiry": expiry,
            "retention_days": [int(r) for r in ret],
            "zone_id": [None if z < 0 else int(z) for z in zone],
        }
    )
    return Prepared(frame)


def write(
    conn: Connection, prepared: Prepared, ctx: Context, batch_id: int, advance: Any
) -> tuple[int, int]:
    """Insert cameras whose code is not stored yet."""
    have = {c for (c,) in conn.execute(select(Camera.code))}
    frame = prepared.frame
    new = ~frame["code"].isin(have)
    rows: list[dict[str, Any]] = []
    for rec in frame.loc[new].to_dict("records"):
        rows.append(
            {str(k): (None if isinstance(v, float) and np.isnan(v) else v) for k, v in rec.items()}
        )
    if rows:
        conn.execute(insert(Camera), rows)
    return len(rows), int((~new).sum())
