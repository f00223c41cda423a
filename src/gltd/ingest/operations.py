"""Import police (or joint) operations with arrests by role and seizures.

Fields: ``date`` (required, optional ``time``), ``kind`` (required: occupation,
interpellations, contrôle, fermeture administrative, détection cynophile, perquisition,
autre), a ``zone`` name or coordinates, ``arrests_trafficker``, ``arrests_consumer``,
``arrests_other``, ``cash_eur``, ``seizures`` and flags. Seizures come either as one text
column (``résine de cannabis 1,2 kg ; cocaïne 15 g`` or ``1,2 kg de résine``) or as
columns named ``saisie_<substance>_<unité>`` (``saisie_cannabis_g``) holding quantities.
Free-text notes are not imported: they may name people (gltd stores places, not people).
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection, insert

from gltd.ingest.bulk import new_records
from gltd.ingest.incidents import parse_when
from gltd.ingest.mapping import FieldSpec
from gltd.ingest.pipeline import Context, Prepared, source_refs
from gltd.ingest.places import ADDRESS_FIELDS, assign_zones, locate_rows
from gltd.ingest.validate import parse_bools, parse_ints, parse_numbers
from gltd.model import OPERATION_KIND_LABELS, OPERATION_KINDS, Operation, Seizure
from gltd.taxonomy import normalise_label

__all__ = ["FIELDS", "LABEL", "prepare", "write", "parse_seizures"]

LABEL = "opérations"
#: Free-text fields checked for identities (gltd.privacy).
FREE_TEXT = ("agencies",)

FIELDS = (
    FieldSpec(
        "id",
        "identifiant de l'opération",
        ("identifiant", "id_operation", "numero", "reference", "ref", "source_ref"),
    ),
    FieldSpec(
        "date",
        "date (et heure) de début",
        ("date_debut", "debut", "date_operation", "started_at", "date_heure"),
        required=True,
    ),
    FieldSpec("time", "heure de début", ("heure", "heure_debut")),
    FieldSpec("date_end", "date de fin", ("date_fin", "fin", "ended_at")),
    FieldSpec("time_end", "heure de fin", ("heure_fin",)),
    FieldSpec(
        "kind", "type d'opération", ("type", "type_operation", "nature", "genre"), required=True
    ),
    FieldSpec("zone", "nom de la zone", ("quartier", "secteur", "lieu", "zone_name")),
    FieldSpec("lon", "longitude WGS84", ("longitude",)),
    FieldSpec("lat", "latitude WGS84", ("latitude",)),
    FieldSpec("x", "abscisse (mètres, système de coordonnées indiqué)", ("coord_x", "x_l93")),
    FieldSpec("y", "ordonnée (mètres, système de coordonnées indiqué)", ("coord_y", "y_l93")),
    FieldSpec("agencies", "services engagés", ("services", "agences", "unites", "participants")),
    FieldSpec(
        "dog_detection",
        "détection cynophile (oui/non)",
        ("cynophile", "chien", "detection_cynophile", "equipe_cynophile"),
    ),
    FieldSpec("planned", "opération planifiée (oui/non)", ("planifiee", "prevue", "programmee")),
    FieldSpec(
        "arrests_trafficker",
        "interpellations de trafiquants",
        (
            "interpellations_trafiquants",
            "interpellations_trafic",
            "trafiquants",
            "mis_en_cause_trafic",
            "gav_trafic",
        ),
    ),
    FieldSpec(
        "arrests_consumer",
        "interpellations de consommateurs",
        (
            "interpellations_consommateurs",
            "interpellations_usage",
            "consommateurs",
            "usagers",
            "mis_en_cause_usage",
        ),
    ),
    FieldSpec(
        "arrests_other",
        "autres interpellations",
        ("interpellations_autres", "autres_interpellations", "autres"),
    ),
    FieldSpec(
        "cash_eur",
        "numéraire saisi (euros)",
        ("numeraire", "especes", "argent", "saisie_numeraire", "cash", "avoirs"),
    ),
    FieldSpec("seizures", "saisies (texte)", ("saisies", "saisie", "produits_saisis")),
    *ADDRESS_FIELDS,
)

_KIND_ALIASES = {
    "interpellation": "interpellations",
    "controles": "controle",
    "controle d identite": "controle",
    "controles d identite": "controle",
    "fermeture": "fermeture_administrative",
    "fermeture administrative": "fermeture_administrative",
    "cynophile": "detection_cynophile",
    "detection cynophile": "detection_cynophile",
    "perquisitions": "perquisition",
    "occupation de la voie publique": "occupation",
    "occupation du terrain": "occupation",
    "operation de securisation": "occupation",
}
UNITS = {
    "kg": "kg",
    "g": "g",
    "gr": "g",
    "grammes": "g",
    "gramme": "g",
    "mg": "mg",
    "l": "l",
    "cl": "cl",
    "ml": "ml",
    "pieds": "pieds",
    "pied": "pieds",
    "plants": "pieds",
    "u": "unites",
    "unites": "unites",
    "unite": "unites",
    "doses": "doses",
    "comprimes": "comprimes",
    "cachets": "comprimes",
    "pochons": "pochons",
    "barrettes": "barrettes",
}
_NUM = r"(\d+(?:[.,]\d+)?)"
_SUB_FIRST = re.compile(rf"^(?P<sub>.+?)\s*[:=]?\s+{_NUM}\s*(?P<unit>[a-z]+)$")
_QTY_FIRST = re.compile(rf"^{_NUM}\s*(?P<unit>[a-z]+)\s+(?:de\s+|d\s*)?(?P<sub>.+)$")
_WIDE = re.compile(r"^saisies? (?P<sub>.+) (?P<unit>[a-z]+)$")


def parse_seizures(text: str) -> list[tuple[str, float, str]] | None:
    """``résine 1,2 kg ; cocaïne 15 g`` → [(substance, quantity, unit)], None if unreadable."""
    out: list[tuple[str, float, str]] = []
    for part in re.split(r"[;|+\n]", text):
        p = normalise_label(part)
        if not p:
            continue
        m = _SUB_FIRST.match(p)
        if m and m.group("unit") in UNITS:
            qty = float(m.group(2).replace(",", "."))
        else:
            m = _QTY_FIRST.match(p)
            if not (m and m.group("unit") in UNITS):
                return None
            qty = float(m.group(1).replace(",", "."))
        out.append((m.group("sub").strip(), qty, UNITS[m.group("unit")]))
    return out


def _kinds(ctx: Context) -> list[str]:
    raw = ctx.raw("kind").astype("string").fillna("").str.strip().to_numpy(dtype=object)
    out = []
    for i, k in enumerate(raw):
        n = normalise_label(k)
        code = _KIND_ALIASES.get(n, n.replace(" ", "_"))
        if code not in OPERATION_KINDS:
            ctx.log.add_row(
                i,
                ctx.col("kind"),
                k,
                "l'un des types : "
                + ", ".join(f"« {OPERATION_KIND_LABELS[c]} »" for c in OPERATION_KINDS),
                "type d'opération inconnu",
            )
        out.append(code)
    return out


#: Columns of the stored rows' source reference (checked against other sources).
REF_COLUMNS = (Operation.source_ref, Operation.source)


def prepare(ctx: Context) -> Prepared:
    """Validate operations and their seizures."""
    log = ctx.log
    n = len(ctx.table)
    refs = source_refs(ctx, tuple(f.name for f in FIELDS))
    start = parse_when(ctx, "date", "time", required=True)
    end = parse_when(ctx, "date_end", "time_end", required=False)
    kinds = _kinds(ctx)
    loc = locate_rows(ctx)
    zone = assign_zones(ctx, loc)
    cols: dict[str, Any] = {}
    for f in ("arrests_trafficker", "arrests_consumer", "arrests_other"):
        vals, bad = parse_ints(ctx.raw(f))
        log.add_mask(
            bad,
            ctx.col(f),
            ctx.raw(f),
            "un nombre entier ≥ 0",
            "nombre d'interpellations illisible",
        )
        cols[f] = vals
    cash_raw = (
        ctx.raw("cash_eur")
        .astype("string")
        .fillna("")
        .str.replace(r"(?i)\s*(€|eur|euros)$", "", regex=True)
    )
    cash, bad_cash = parse_numbers(cash_raw)
    log.add_mask(
        bad_cash | (np.nan_to_num(cash) < 0),
        ctx.col("cash_eur"),
        ctx.raw("cash_eur"),
        "un montant en euros",
        "montant illisible",
    )
    flags = {}
    for f in ("dog_detection", "planned"):
        vals_b, bad_b = parse_bools(ctx.raw(f))
        log.add_mask(bad_b, ctx.col(f), ctx.raw(f), "oui ou non", "valeur illisible")
        flags[f] = vals_b
    seizures: list[list[tuple[str, float, str]]] = [[] for _ in range(n)]
    if "seizures" in ctx.columns:
        for i, txt in enumerate(
            ctx.raw("seizures").astype("string").fillna("").to_numpy(dtype=object)
        ):
            parsed = parse_seizures(txt)
            if parsed is None:
                log.add_row(
                    i,
                    ctx.col("seizures"),
                    txt,
                    "« substance quantité unité ; … » (ex. résine 1,2 kg ; cocaïne 15 g)",
                    "saisies illisibles",
                )
            else:
                seizures[i].extend(parsed)
    used = set(ctx.columns.values())
    for col in ctx.table.frame.columns:
        m = _WIDE.match(normalise_label(col))
        if col in used or not m or m.group("unit") not in UNITS:
            continue
        q, bad_q = parse_numbers(ctx.table.frame[col])
        log.add_mask(bad_q, col, ctx.table.frame[col], "une quantité", "quantité saisie illisible")
        for k in np.flatnonzero(~np.isnan(q) & (q > 0)):
            seizures[int(k)].append((m.group("sub"), float(q[k]), UNITS[m.group("unit")]))
        ctx.columns[f"seizure:{col}"] = col
    agencies = ctx.raw("agencies").astype("string").fillna("").str.strip()
    frame = pd.DataFrame(
        {
            "started_at": start.utc.reset_index(drop=True),
            "ended_at": end.utc.reset_index(drop=True),
            "kind": kinds,
            "zone_id": [None if z < 0 else int(z) for z in zone],
            "agencies": agencies.where(agencies != "", None).astype(object).reset_index(drop=True),
            "dog_detection": flags["dog_detection"]
            | np.asarray([k == "detection_cynophile" for k in kinds]),
            "planned": flags["planned"],
            **cols,
            "cash_eur": np.nan_to_num(cash),
            "source": ctx.source,
            "source_ref": refs.reset_index(drop=True),
            "_seizures": seizures,
        }
    )
    return Prepared(frame)


def write(
    conn: Connection, prepared: Prepared, ctx: Context, batch_id: int, advance: Any
) -> tuple[int, int]:
    """Insert new operations and their seizures."""
    records, existing = new_records(
        conn, prepared.frame, ctx.source, REF_COLUMNS, ("started_at", "ended_at")
    )
    for rec in records:
        seiz = rec.pop("_seizures")
        op_id = conn.execute(insert(Operation).values(**rec).returning(Operation.id)).scalar_one()
        if seiz:
            conn.execute(
                insert(Seizure),
                [
                    {"operation_id": op_id, "substance": s, "quantity": q, "unit": u}
                    for s, q, u in seiz
                ],
            )
    return len(records), existing
