"""Import incidents (faits constatés) from a police or city export.

Fields: ``date`` (required; with an optional separate ``time``), ``category``
(required; mapped to the taxonomy), a place (``lon``/``lat`` in WGS84, or ``x``/``y`` in
``--crs``, Lambert-93 by default, or point geometries, and/or a ``zone`` name), and
optionally ``id``, ``date_until``/``time_until`` (window of an unknown exact time) and
``precision``. Incidents without an ``id`` column get a reference derived from their
content (:func:`gltd.ingest.pipeline.content_refs`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection

from gltd.config import get_settings
from gltd.errors import InputError, ValidationFailed
from gltd.ingest.bulk import bulk_insert
from gltd.ingest.dates import expected_text, order_label
from gltd.ingest.mapping import FieldSpec, map_categories
from gltd.ingest.pipeline import Context, Prepared, existing_refs, source_refs
from gltd.ingest.places import ADDRESS_FIELDS, assign_zones, locate_rows
from gltd.ingest.validate import ParsedTimes, Problem, blank, parse_datetimes
from gltd.model import Incident

__all__ = ["FIELDS", "LABEL", "prepare", "write", "parse_when", "check_end_after_start"]

LABEL = "faits"

FIELDS = (
    FieldSpec(
        "id",
        "identifiant du fait dans le système source",
        (
            "identifiant",
            "id_fait",
            "num_fait",
            "numero_fait",
            "n_fait",
            "numero",
            "reference",
            "ref",
            "source_ref",
        ),
    ),
    FieldSpec(
        "date",
        "date (et heure) des faits",
        (
            "date_faits",
            "date_fait",
            "date_des_faits",
            "date_heure",
            "date_debut",
            "occurred_at",
            "datetime",
            "horodatage",
            "debut",
        ),
        required=True,
    ),
    FieldSpec(
        "time",
        "heure des faits (colonne séparée)",
        ("heure", "heure_faits", "heure_fait", "heure_debut"),
    ),
    FieldSpec(
        "date_until",
        "fin de la période des faits",
        ("date_fin", "date_fin_faits", "occurred_until", "fin"),
    ),
    FieldSpec("time_until", "heure de fin", ("heure_fin",)),
    FieldSpec(
        "category",
        "catégorie ou nature des faits",
        (
            "categorie",
            "nature",
            "nature_faits",
            "nature_des_faits",
            "infraction",
            "qualification",
            "index",
            "index_4001",
            "libelle",
            "type",
        ),
        required=True,
    ),
    FieldSpec("lon", "longitude WGS84", ("longitude", "lng", "long")),
    FieldSpec("lat", "latitude WGS84", ("latitude",)),
    FieldSpec(
        "x",
        "abscisse (mètres, système de coordonnées indiqué)",
        ("coord_x", "x_l93", "xl93", "x_lambert93", "x_lambert"),
    ),
    FieldSpec(
        "y",
        "ordonnée (mètres, système de coordonnées indiqué)",
        ("coord_y", "y_l93", "yl93", "y_lambert93", "y_lambert"),
    ),
    FieldSpec(
        "zone",
        "nom de la zone (quartier, secteur)",
        ("quartier", "secteur", "zone_name", "nom_quartier", "iris"),
    ),
    FieldSpec(
        "precision",
        "précision de la localisation",
        ("precision_geo", "geocodage", "qualite_geocodage"),
    ),
    *ADDRESS_FIELDS,
)

_REF_FIELDS = (
    "date",
    "time",
    "date_until",
    "time_until",
    "category",
    "lon",
    "lat",
    "x",
    "y",
    "zone",
    "precision",
)


def parse_when(ctx: Context, dfield: str, tfield: str, *, required: bool) -> ParsedTimes:
    """Parse a date column (plus an optional separate time column) and record problems.

    Dates are read in ``ctx.date_order``; a date that does not exist is reported as such;
    a column whose dates read only in the other order (month-first for day-first…) with
    nothing showing the chosen one refuses the whole file (:func:`refuse_other_order`).
    """
    raw = ctx.raw(dfield).astype("string").fillna("").str.strip()
    if tfield in ctx.columns:
        tm = ctx.raw(tfield).astype("string").fillna("").str.strip()
        tm = tm.str.replace(r"^(\d{1,2})[hH:](\d{2})$", r"\1:\2", regex=True)
        raw = raw.where(tm == "", raw + " " + tm)
    parsed = parse_datetimes(raw, tz=get_settings().timezone, order=ctx.date_order)
    col = ctx.col(dfield) + (f" + {ctx.col(tfield)}" if tfield in ctx.columns else "")
    values = raw.to_numpy(dtype=object)
    expected = expected_text(ctx.date_order)
    check = parsed.check
    if check.file_in_other_order:
        refuse_other_order(ctx, col, values, check.other_order)
    impossible = check.impossible != ""
    for message in sorted(set(check.impossible[impossible])):
        ctx.log.add_mask(
            check.impossible == message, col, values, "une date du calendrier", message
        )
    other = check.other_order
    ctx.log.add_mask(
        other,
        col,
        values,
        expected,
        f"date impossible en {order_label(ctx.date_order)} (ailleurs le fichier suit cet ordre)",
    )
    ctx.log.add_mask(parsed.bad & ~impossible & ~other, col, values, expected, "date illisible")
    if required:
        ctx.log.add_mask(blank(raw), col, values, expected, "date manquante")
    ctx.log.add_mask(
        parsed.nonexistent,
        col,
        values,
        "une heure qui existe à Paris (le jour du passage à l'heure d'été, 2 h devient 3 h)",
        "heure inexistante (changement d'heure)",
    )
    if parsed.ambiguous.any():
        rows = ctx.log.row_numbers[parsed.ambiguous][:10]
        ctx.warnings.append(
            f"{int(parsed.ambiguous.sum())} heure(s) ambiguë(s) (passage à l'heure d'hiver, "
            f"entre 2 h et 3 h) lues en heure d'été (UTC+2) : lignes {', '.join(map(str, rows))}"
            + ("…" if parsed.ambiguous.sum() > 10 else "")
        )
    return parsed


def check_end_after_start(
    ctx: Context, start: ParsedTimes, end: ParsedTimes, end_field: str, problem: str
) -> None:
    """Record the rows whose end (``end_field``) is before their start."""
    inverted = np.asarray(start.utc.notna() & end.utc.notna() & (end.utc < start.utc), dtype=bool)
    ctx.log.add_mask(
        inverted, ctx.col(end_field), ctx.raw(end_field), "une fin après le début", problem
    )


def refuse_other_order(ctx: Context, col: str, values: np.ndarray, other: np.ndarray) -> None:
    """Refuse the whole file (even with ``--skip-invalid``): its dates read in the other
    order, so its ambiguous dates (``3/4/2016``) would be read wrong without an error."""
    mine, theirs = ("dmy", "mdy") if ctx.date_order == "dmy" else ("mdy", "dmy")
    idx = np.flatnonzero(other)
    rows = ctx.log.row_numbers[idx]
    shown = ", ".join(f"ligne {r} « {values[i]} »" for r, i in zip(rows[:5], idx[:5], strict=True))
    more = f" et {len(idx) - 5} autre(s)" if len(idx) > 5 else ""
    option = "mois-jour" if theirs == "mdy" else "jour-mois"
    problems = [
        Problem(
            ctx.table.name,
            int(r),
            col,
            str(values[i]),
            expected_text(mine),
            f"date lisible seulement en {order_label(theirs)}",
        ).as_dict()
        for r, i in zip(rows[:1000], idx[:1000], strict=True)
    ]
    raise ValidationFailed(
        f"fichier {ctx.table.name}, colonne « {col} » : les dates sont au format "
        f"{order_label(theirs)}, pas {order_label(mine)} ({shown}{more}) ; lues en "
        f"{order_label(mine)}, les dates ambiguës comme 3/4/2016 seraient fausses sans "
        f"erreur. Rien n'a été importé. Relancez avec --date-format {option} (ou "
        f"« date_format »: « {option} » dans le fichier de correspondance).",
        problems,
    )


#: Columns of the stored rows' source reference (checked against other sources).
REF_COLUMNS = (Incident.source_ref, Incident.source)


def prepare(ctx: Context) -> Prepared:
    """Validate and transform an incident file (vectorised)."""
    n = len(ctx.table)
    log = ctx.log
    refs = source_refs(ctx, _REF_FIELDS)
    when = parse_when(ctx, "date", "time", required=True)
    until = parse_when(ctx, "date_until", "time_until", required=False)
    check_end_after_start(ctx, when, until, "date_until", "fin avant le début")
    cats = map_categories(
        ctx.raw("category"), ctx.taxonomy, ctx.mapping.categories, log, ctx.col("category")
    )
    has_geo = ctx.table.geometry is not None or any(
        k in ctx.columns for k in ("lon", "lat", "x", "y", "address")
    )
    if not has_geo and "zone" not in ctx.columns:
        raise InputError(
            "ni coordonnées ni zone : attendu des colonnes lon/lat (WGS84), x/y (avec --crs, "
            "Lambert-93 par défaut), une adresse (address=…, avec postcode=… ou city=…) ou un "
            "nom de zone (quartier) ; indiquez-les avec --map",
            file=ctx.table.name,
        )
    loc = locate_rows(ctx)
    zone = assign_zones(ctx, loc)
    nowhere = np.isnan(loc.x) & (zone == -1) & ~log.bad
    if nowhere.any():
        log.add_mask(
            nowhere,
            "/".join(
                ctx.col(f) for f in ("lon", "lat", "x", "y", "address", "zone") if f in ctx.columns
            )
            or "geometry",
            ctx.raw("zone") if "zone" in ctx.columns else None,
            "des coordonnées ou le nom d'une zone",
            "fait sans localisation",
        )
    precision = ctx.raw("precision").astype("string").fillna("").str.strip()
    frame = pd.DataFrame(
        {
            "occurred_at": when.utc.reset_index(drop=True),
            "occurred_until": until.utc.reset_index(drop=True),
            "date_only": when.date_only,
            "category": cats,
            "lon": loc.lon,
            "lat": loc.lat,
            "x": loc.x,
            "y": loc.y,
            "precision": precision.where(precision != "", None)
            .astype(object)
            .reset_index(drop=True),
            "geocode_precision": loc.geocode_precision,
            "geocode_score": loc.geocode_score,
            "zone_id": np.asarray([None if z < 0 else int(z) for z in zone], dtype=object),
            "source": ctx.source,
            "source_ref": refs.reset_index(drop=True),
        }
    )
    assert len(frame) == n
    return Prepared(frame)


def write(
    conn: Connection, prepared: Prepared, ctx: Context, batch_id: int, advance: Any
) -> tuple[int, int]:
    """Insert the new incidents; those already stored (same source and ref) are skipped."""
    frame = prepared.frame
    have = existing_refs(conn, ctx.source, Incident.source_ref, Incident.source)
    if have:
        old = frame["source_ref"].isin(have).to_numpy()
        frame = frame.loc[~old]
    else:
        old = np.zeros(len(frame), dtype=bool)
    frame = frame.assign(batch_id=batch_id)
    written = bulk_insert(conn, Incident.__table__, frame, progress=advance)  # type: ignore[arg-type]
    return written, int(old.sum())
