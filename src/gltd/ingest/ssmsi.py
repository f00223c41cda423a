"""Import the SSMSI communal base of recorded crime (data.gouv.fr, Licence Ouverte 2.0).

The file (``csv`` or ``csv.gz``) uses ``;``, the decimal comma and ``NA`` for missing
values. Its commune-code column is ``CODGEO_YYYY`` where ``YYYY`` is the year of the
geography (it changes with each release): it is detected, and the year stored as
``geo_year``. Rows with ``est_diffuse = ndiff`` are *not* commune figures (the commune
had too few facts to publish; ``complement_info_*`` then holds a departmental
substitute) and are never stored; they are counted in the import summary.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection, select

from gltd.errors import InputError
from gltd.ingest.bulk import bulk_insert
from gltd.ingest.mapping import FieldSpec
from gltd.ingest.pipeline import Context, Prepared
from gltd.ingest.validate import blank, parse_ints, parse_numbers
from gltd.model import SsmsiFigure

__all__ = ["FIELDS", "LABEL", "prepare", "write", "detect_codgeo"]

LABEL = "SSMSI"

FIELDS = (
    FieldSpec("annee", "année", ("year",), required=True),
    FieldSpec("indicateur", "indicateur", ("classe",), required=True),
    FieldSpec("unite_de_compte", "unité de compte", ("unite_compte", "unite"), required=True),
    FieldSpec("nombre", "nombre de faits", ("faits",), required=True),
    FieldSpec("taux_pour_mille", "taux pour mille", ("tauxpourmille", "taux")),
    FieldSpec("est_diffuse", "diff / ndiff", ("diffusion",), required=True),
    FieldSpec("insee_pop", "population INSEE", ("pop", "population")),
    FieldSpec("insee_pop_millesime", "millésime de la population", ("millpop",)),
    FieldSpec("insee_log", "logements INSEE", ("log", "logements")),
    FieldSpec("insee_log_millesime", "millésime des logements", ("millog",)),
)


def detect_codgeo(columns: list[str], file: str) -> tuple[str, int]:
    """The ``CODGEO_YYYY`` column and its geography year."""
    found = [
        (c, int(m.group(1)))
        for c in columns
        if (m := re.fullmatch(r"(?i)codgeo_(\d{4})", c.strip()))
    ]
    if not found:
        raise InputError(
            "colonne CODGEO_AAAA absente (code commune de la base communale SSMSI, ex. "
            f"CODGEO_2024) ; colonnes du fichier : {', '.join(columns)}",
            file=file,
        )
    if len(found) > 1:
        raise InputError(f"plusieurs colonnes CODGEO : {', '.join(c for c, _ in found)}", file=file)
    return found[0]


def prepare(ctx: Context) -> Prepared:
    """Validate the SSMSI rows; drop ``ndiff`` rows and rows of other communes."""
    log = ctx.log
    col, geo_year = detect_codgeo(list(ctx.table.frame.columns), ctx.table.name)
    ctx.columns["codgeo"] = col
    codgeo = ctx.table.frame[col].astype("string").fillna("").str.strip()
    log.add_mask(blank(codgeo), col, codgeo, "un code INSEE de commune", "code commune vide")
    diff = ctx.raw("est_diffuse").astype("string").fillna("").str.strip().str.lower()
    bad_diff = ~np.asarray(diff.isin(["diff", "ndiff"]), dtype=bool)
    log.add_mask(bad_diff, ctx.col("est_diffuse"), diff, "diff ou ndiff", "valeur inconnue")
    keep = np.array(diff == "diff", dtype=bool)
    ndiff = int(np.asarray(diff == "ndiff").sum())
    if ndiff:
        ctx.warnings.append(
            f"{ndiff} ligne(s) « ndiff » non enregistrées (chiffres communaux non diffusés ; "
            "complement_info_* est un substitut départemental)"
        )
    if ctx.options.communes:
        wanted = {c.strip() for c in ctx.options.communes}
        other = ~np.asarray(codgeo.isin(list(wanted)), dtype=bool)
        keep = keep & ~other
        ctx.warnings.append(f"{int((other).sum())} ligne(s) d'autres communes laissées de côté")
    annee, bad_a = parse_ints(ctx.raw("annee"))
    log.add_mask(
        bad_a | blank(ctx.raw("annee")),
        ctx.col("annee"),
        ctx.raw("annee"),
        "une année",
        "année illisible",
    )
    nombre, bad_n = parse_numbers(ctx.raw("nombre"))
    log.add_mask(
        keep & (bad_n | np.isnan(nombre)),
        ctx.col("nombre"),
        ctx.raw("nombre"),
        "un nombre de faits",
        "nombre absent ou illisible pour une ligne diffusée",
    )
    taux, bad_t = parse_numbers(ctx.raw("taux_pour_mille"))
    log.add_mask(
        keep & bad_t,
        ctx.col("taux_pour_mille"),
        ctx.raw("taux_pour_mille"),
        "un nombre (virgule décimale) ou NA",
        "taux illisible",
    )
    ints: dict[str, list[int | None]] = {}
    for f in ("insee_pop", "insee_pop_millesime", "insee_log", "insee_log_millesime"):
        v, b = parse_numbers(ctx.raw(f))
        log.add_mask(keep & b, ctx.col(f), ctx.raw(f), "un nombre ou NA", "valeur illisible")
        ints[f] = [None if np.isnan(x) else int(round(x)) for x in v]
    for f in ("indicateur", "unite_de_compte"):
        log.add_mask(blank(ctx.raw(f)), ctx.col(f), ctx.raw(f), "un libellé", "vide")
    frame = pd.DataFrame(
        {
            "codgeo": codgeo.astype(object).reset_index(drop=True),
            "geo_year": geo_year,
            "annee": annee,
            "indicateur": ctx.raw("indicateur")
            .astype("string")
            .str.strip()
            .astype(object)
            .reset_index(drop=True),
            "unite_de_compte": ctx.raw("unite_de_compte")
            .astype("string")
            .str.strip()
            .astype(object)
            .reset_index(drop=True),
            "nombre": [0 if np.isnan(x) else int(round(x)) for x in nombre],
            "taux_pour_mille": taux,
            **ints,
            "_keep": keep,
        }
    )
    key = frame[["codgeo", "annee", "indicateur", "unite_de_compte"]]
    dup = key.duplicated(keep="first").to_numpy() & keep
    log.add_mask(
        dup,
        col,
        codgeo,
        "une seule ligne par commune, année, indicateur et unité",
        "ligne en double",
    )
    return Prepared(frame)


def write(
    conn: Connection, prepared: Prepared, ctx: Context, batch_id: int, advance: Any
) -> tuple[int, int]:
    """Insert the published (``diff``) figures not stored yet."""
    frame = prepared.frame
    frame = frame.loc[frame["_keep"].to_numpy()].drop(columns="_keep")
    t = SsmsiFigure.__table__
    codes = set(frame["codgeo"])
    have: set[tuple[Any, ...]] = set()
    if codes:
        stmt = select(t.c.codgeo, t.c.annee, t.c.indicateur, t.c.unite_de_compte)
        if len(codes) < 500:
            stmt = stmt.where(t.c.codgeo.in_(sorted(codes)))
        have = {tuple(r) for r in conn.execute(stmt)}
    if have:
        keys = list(
            zip(
                frame["codgeo"],
                frame["annee"],
                frame["indicateur"],
                frame["unite_de_compte"],
                strict=True,
            )
        )
        old = np.asarray([k in have for k in keys], dtype=bool)
        frame = frame.loc[~old]
    else:
        old = np.zeros(0, dtype=bool)
    written = bulk_insert(conn, t, frame, progress=advance)  # type: ignore[arg-type]
    return written, int(old.sum())
