"""Import the inventory of video-protection cameras — the one camera importer.

``gltd import cameras`` and ``gltd cctv cameras import`` both run this loader through the
import pipeline (encodings, formats, column mapping, per-row report, one transaction,
``--dry-run``, ``--skip-invalid``).

Fields: ``code`` (required, unique), a position (lon/lat, x/y or point geometry,
required), ``retention_days``, the prefectoral authorisation (number, date, expiry),
heading, field angle, range, HD, installation and removal dates, annual cost, zone, notes.

Every row is checked by :func:`gltd.cctv.inventory.validate_camera`, the rules of a
camera added by hand, and a refused row is reported with its column:

- retention between 1 and ``GLTD_MAX_RETENTION_DAYS`` days (CSI L252-5: one month at most);
- without an expiry, the authorisation expires on its date + ``GLTD_AUTHORISATION_YEARS``
  years (CSI L252-4); a later expiry is refused;
- the camera must lie in the city, the union of the stored zones (not checked while no
  zone is stored);
- a camera with a field angle below 360° needs a heading; removal after installation.

Re-import (the CSU re-exports its inventory after each change): a camera whose code is
already stored is **updated** from the file. The columns present in the file are
authoritative, blank cells included (no removal date, no authorisation, a dome…), except a
blank retention, which keeps the stored value; fields without a column in the file keep
their stored values. Cameras not in the file are left alone (never deleted). Unchanged
cameras count as already present; each updated one gets an audit event naming the
changed fields.
"""

from __future__ import annotations

import dataclasses
import math
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection, insert, select, update
from sqlalchemy.orm import Session

from gltd.cctv.inventory import (
    CAMERA_FIELDS,
    CameraData,
    CameraRuleError,
    camera_data,
    validate_camera,
)
from gltd.config import get_settings
from gltd.ingest.incidents import parse_when
from gltd.ingest.mapping import FieldSpec
from gltd.ingest.pipeline import Context, Prepared, check_duplicate_ids
from gltd.ingest.places import ADDRESS_FIELDS, assign_zones, locate_rows
from gltd.ingest.validate import blank, parse_bools, parse_ints, parse_numbers
from gltd.model import Camera
from gltd.store import audit
from gltd.store.zones import city_extent
from gltd.timeutil import PARIS

__all__ = ["FIELDS", "LABEL", "prepare", "write"]

LABEL = "caméras"
#: Free-text fields checked for identities (gltd.privacy).
FREE_TEXT = ("notes",)

FIELDS = (
    FieldSpec(
        "code",
        "code de la caméra",
        ("code_camera", "identifiant", "id", "numero", "camera", "nom"),
        required=True,
    ),
    FieldSpec("lon", "longitude WGS84", ("longitude", "lng", "x_wgs84")),
    FieldSpec("lat", "latitude WGS84", ("latitude", "y_wgs84")),
    FieldSpec("x", "abscisse (mètres, système de coordonnées indiqué)", ("coord_x", "x_l93")),
    FieldSpec("y", "ordonnée (mètres, système de coordonnées indiqué)", ("coord_y", "y_l93")),
    FieldSpec(
        "heading_deg",
        "orientation en degrés depuis le nord (vide : dôme 360°)",
        ("orientation", "direction", "azimut", "cap", "heading"),
    ),
    FieldSpec(
        "field_angle_deg",
        "angle de champ en degrés",
        ("angle", "angle_champ", "champ", "ouverture", "field_angle"),
    ),
    FieldSpec(
        "range_m", "portée utile en mètres", ("portee", "portee_m", "distance", "rayon", "range")
    ),
    FieldSpec("hd", "haute définition (oui/non)", ("haute_definition",)),
    FieldSpec(
        "installed_on",
        "date d'installation",
        ("date_installation", "installation", "mise_en_service", "installee_le"),
    ),
    FieldSpec(
        "removed_on", "date de retrait", ("date_retrait", "retrait", "depose", "date_depose")
    ),
    FieldSpec(
        "annual_cost_eur",
        "coût annuel (euros)",
        ("cout_annuel", "cout", "cout_annuel_eur", "cost"),
    ),
    FieldSpec(
        "authorisation_number",
        "numéro de l'arrêté préfectoral",
        ("numero_autorisation", "n_autorisation", "arrete", "autorisation"),
    ),
    FieldSpec("authorisation_date", "date de l'autorisation", ("date_autorisation", "date_arrete")),
    FieldSpec(
        "authorisation_expiry",
        "fin de l'autorisation",
        (
            "expiration",
            "fin_autorisation",
            "date_expiration",
            "echeance_autorisation",
            "echeance",
        ),
    ),
    FieldSpec(
        "retention_days",
        "durée de conservation des images (jours)",
        (
            "duree_conservation",
            "conservation",
            "retention",
            "jours_conservation",
            "conservation_jours",
        ),
    ),
    FieldSpec("zone", "nom de la zone", ("quartier", "secteur")),
    FieldSpec("notes", "remarques sur la caméra", ("remarques", "commentaire")),
    *ADDRESS_FIELDS,
)

#: Fields of :class:`CameraData` read from their own column (position and retention aside).
_DIRECT = tuple(f for f in CAMERA_FIELDS if f not in ("code", "lat", "lon", "retention_days"))


def _dates(ctx: Context, fname: str) -> list[date | None]:
    parsed = parse_when(ctx, fname, "", required=False)
    local = parsed.utc.dt.tz_convert(PARIS)
    return [None if pd.isna(v) else v.date() for v in local]


def _texts(ctx: Context, fname: str) -> list[str | None]:
    s = ctx.raw(fname).astype("string").fillna("").str.strip().to_numpy(dtype=object)
    return [v or None for v in s]


def _stored(ctx: Context) -> dict[str, CameraData]:
    with Session(ctx.engine) as session:
        return {c.code: camera_data(c) for c in session.scalars(select(Camera))}


def _position_column(ctx: Context) -> str:
    return "/".join(ctx.col(f) for f in ("lon", "lat", "x", "y") if f in ctx.columns) or "geometry"


def prepare(ctx: Context) -> Prepared:
    """Parse and check the cameras, merge them with the stored ones, locate them."""
    log = ctx.log
    settings = get_settings()
    n = len(ctx.table)
    codes = ctx.raw("code").astype("string").fillna("").str.strip()
    log.add_mask(blank(codes), ctx.col("code"), codes, "un code", "code de caméra vide")
    check_duplicate_ids(ctx, codes.astype(object), "code")
    loc = locate_rows(ctx, required=True)
    log.add_mask(
        np.isnan(loc.x) & ~log.bad,
        _position_column(ctx),
        None,
        "une position",
        "caméra sans position",
    )
    zone = assign_zones(ctx, loc)
    ret_raw = ctx.raw("retention_days")
    ret, bad = parse_ints(ret_raw)
    ret_blank = blank(ret_raw)
    maxd = settings.max_retention_days
    log.add_mask(
        bad,
        ctx.col("retention_days"),
        ret_raw,
        f"un nombre de jours entre 1 et {maxd}",
        "durée de conservation illisible",
    )
    log.add_mask(
        ~bad & ~ret_blank & ((ret < 1) | (ret > maxd)),
        ctx.col("retention_days"),
        ret_raw,
        f"entre 1 et {maxd} jours (CSI art. L252-5 : un mois au plus)",
        "durée de conservation hors des limites légales",
    )
    values: dict[str, list[Any]] = {}
    for f, lo, hi in (
        ("heading_deg", 0.0, 360.0),
        ("field_angle_deg", 1.0, 360.0),
        ("range_m", 1.0, 1000.0),
        ("annual_cost_eur", 0.0, 1e7),
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
        values[f] = [None if np.isnan(x) else float(x) for x in v]
    hd, bad_hd = parse_bools(ctx.raw("hd"))
    log.add_mask(bad_hd, ctx.col("hd"), ctx.raw("hd"), "oui ou non", "valeur illisible")
    values["hd"] = [bool(h) for h in hd]
    for f in ("installed_on", "removed_on", "authorisation_date", "authorisation_expiry"):
        values[f] = _dates(ctx, f)
    for f in ("authorisation_number", "notes"):
        values[f] = _texts(ctx, f)

    stored = _stored(ctx)
    extent = city_extent(ctx.engine)
    blank_default = CameraData(code="", lat=0.0, lon=0.0)
    present = [f for f in _DIRECT if f in ctx.columns]
    # The expiry follows the authorisation date unless the file gives it.
    reset_expiry = "authorisation_date" in ctx.columns and "authorisation_expiry" not in ctx.columns
    datas: list[CameraData | None] = [None] * n
    new_without_retention = 0
    for i in range(n):
        if log.bad[i]:
            continue
        code = str(codes.iloc[i])
        base = stored.get(code)
        changes: dict[str, Any] = {"code": code, "lat": loc.lat[i], "lon": loc.lon[i]}
        for f in present:
            v = values[f][i]
            changes[f] = getattr(blank_default, f) if v is None else v
        if not ret_blank[i]:
            changes["retention_days"] = int(ret[i])
        elif base is None:
            new_without_retention += 1
        if reset_expiry:
            changes["authorisation_expiry"] = None
        data = dataclasses.replace(base or blank_default, **changes)
        try:
            datas[i] = validate_camera(data, extent=extent)
        except CameraRuleError as exc:
            fld = exc.field or "code"
            if fld in ("lat", "lon"):
                col, val = _position_column(ctx), f"{data.lat:.6f}, {data.lon:.6f}"
            else:
                col, val = ctx.col(fld), ctx.raw(fld).iloc[i]
            log.add_row(i, col, val, exc.expected, exc.reason)
    if new_without_retention:
        ctx.warnings.append(
            f"{new_without_retention} nouvelle(s) caméra(s) sans durée de conservation : "
            f"{blank_default.retention_days} jours retenus (à vérifier : elle fixe le délai des "
            "réquisitions)"
        )
    frame = pd.DataFrame(
        {
            "code": codes.astype(object).reset_index(drop=True),
            "_data": pd.Series(datas, dtype=object),
            "x": loc.x,
            "y": loc.y,
            "zone_id": [None if z < 0 else int(z) for z in zone],
            "geocode": [
                (None, None) if loc.geocode_precision is None or p is None else (p, float(sc))
                for p, sc in zip(
                    loc.geocode_precision if loc.geocode_precision is not None else [None] * n,
                    loc.geocode_score if loc.geocode_score is not None else [None] * n,
                    strict=True,
                )
            ],
        }
    )
    return Prepared(frame)


def _differs(old: Any, new: Any) -> bool:
    if isinstance(old, float) and isinstance(new, float):
        return not math.isclose(old, new, rel_tol=0.0, abs_tol=1e-9)
    return bool(old != new)


def write(
    conn: Connection, prepared: Prepared, ctx: Context, batch_id: int, advance: Any
) -> tuple[int, int]:
    """Insert new cameras, update the stored ones that changed.

    Returns (cameras inserted or updated, cameras already stored unchanged).
    """
    stored = {r.code: r for r in conn.execute(select(Camera.__table__)).mappings()}
    inserts: list[dict[str, Any]] = []
    updated: list[str] = []
    unchanged = 0
    for code, data, x, y, zone_id, (gprec, gscore) in prepared.frame[
        ["code", "_data", "x", "y", "zone_id", "geocode"]
    ].itertuples(index=False, name=None):
        row = {f: getattr(data, f) for f in CAMERA_FIELDS}
        row["zone_id"] = None if zone_id is None or pd.isna(zone_id) else int(zone_id)
        old = stored.get(code)
        placed = {"x": float(x), "y": float(y), "geocode_precision": gprec, "geocode_score": gscore}
        if old is None:
            inserts.append({**row, **placed})
            continue
        changed = [f for f in row if _differs(old[f], row[f])]
        if not changed:
            unchanged += 1
            continue
        if "lon" in changed or "lat" in changed:
            row |= placed
        conn.execute(update(Camera).where(Camera.id == old["id"]).values(**row))
        audit.record(
            conn,
            actor=ctx.options.imported_by,
            verb="modification",
            object_type="camera",
            object_id=old["id"],
            detail=f"import {ctx.table.name} (lot {batch_id}) : {', '.join(changed)}",
        )
        updated.append(code)
    if inserts:
        conn.execute(insert(Camera), inserts)
    if updated:
        shown = ", ".join(updated[:10]) + (" …" if len(updated) > 10 else "")
        ctx.warnings.append(
            f"{len(updated)} caméra(s) déjà enregistrée(s) mise(s) à jour depuis le fichier "
            f"({shown})"
        )
    advance(len(prepared.frame))
    return len(inserts) + len(updated), unchanged
