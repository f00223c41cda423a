"""Import the register of judicial requisitions of camera footage.

Fields: ``received_at``, ``requesting_unit``, ``cameras`` (codes of stored cameras,
separated by ``,`` ``;`` ``|`` or spaces), ``period_start`` and ``period_end`` (all
required), and ``id``, ``officer_capacity``, ``legal_basis`` (CPP 60-1, 77-1-1, 99-3),
``procedure_ref``, ``status``, ``delivered_at``, ``medium``, ``outcome``.

The deadline is the start of the requested period plus the shortest retention of its
cameras: after it, the first requested images are overwritten (CSI L252-5). Procedure
numbers are never stored as such: ``procedure_ref`` keeps the keyed HMAC of
:func:`gltd.store.pseudonym.pseudonymise_reference` (``GLTD_SECRET_KEY``), the same value
as a requisition entered with ``gltd cctv requisitions add``, so the two can be matched.
The row reference (``source_ref``: the ``id`` column, or the row's content) is keyed the
same way (:func:`gltd.store.pseudonym.keyed_ref`): it may hold a procedure number too.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pandas as pd
from sqlalchemy import Connection, insert, select

from gltd.cctv.requisitions.register import LEGAL_BASIS_LABELS, STATUS_LABELS
from gltd.ingest.bulk import new_records
from gltd.ingest.incidents import check_end_after_start, parse_when
from gltd.ingest.mapping import FieldSpec
from gltd.ingest.pipeline import Context, Prepared, source_refs
from gltd.ingest.validate import blank
from gltd.model import (
    LEGAL_BASES,
    REQUISITION_STATUSES,
    Camera,
    Requisition,
    RequisitionStatusEvent,
    requisition_camera,
)
from gltd.store.pseudonym import pseudonymise_reference
from gltd.taxonomy import normalise_label

__all__ = ["FIELDS", "LABEL", "prepare", "write"]

LABEL = "réquisitions"
#: Free-text fields checked for identities (gltd.privacy).
FREE_TEXT = ("requesting_unit",)

FIELDS = (
    FieldSpec(
        "id",
        "numéro d'enregistrement de la réquisition",
        ("reference", "numero", "n_requisition", "numero_requisition", "identifiant", "source_ref"),
    ),
    FieldSpec(
        "received_at",
        "date de réception",
        ("date_reception", "recue_le", "reception", "date"),
        required=True,
    ),
    FieldSpec(
        "requesting_unit",
        "service requérant",
        ("service_requerant", "unite_requerante", "unite", "service", "requerant"),
        required=True,
    ),
    FieldSpec(
        "officer_capacity",
        "qualité du requérant (OPJ, APJ, procureur, juge)",
        ("qualite", "qualite_requerant"),
    ),
    FieldSpec(
        "legal_basis",
        "article du CPP (60-1, 77-1-1, 99-3)",
        ("article", "cadre", "fondement", "base_legale", "cadre_juridique"),
    ),
    FieldSpec(
        "procedure_ref",
        "référence de procédure (pseudonymisée)",
        ("procedure", "numero_procedure", "n_procedure", "pv"),
    ),
    FieldSpec(
        "cameras", "codes des caméras", ("codes_cameras", "camera", "code_camera"), required=True
    ),
    FieldSpec(
        "period_start",
        "début de la période demandée",
        ("debut_periode", "periode_debut", "du", "debut"),
        required=True,
    ),
    FieldSpec(
        "period_end",
        "fin de la période demandée",
        ("fin_periode", "periode_fin", "au", "fin"),
        required=True,
    ),
    FieldSpec("status", "statut", ("statut", "etat")),
    FieldSpec("delivered_at", "date de remise", ("date_remise", "remise_le", "livree_le")),
    FieldSpec("medium", "support de remise", ("support",)),
    FieldSpec(
        "outcome",
        "utilité des images (utile, non utile, inconnu)",
        ("resultat", "issue", "utilite"),
    ),
)

_STATUS = {
    "recue": "recue",
    "reçue": "recue",
    "en cours": "en_cours",
    "remise": "remise",
    "remis": "remise",
    "livree": "remise",
    "hors delai": "hors_delai",
    "sans objet": "sans_objet",
}
_OUTCOME = {
    "utile": "utile",
    "oui": "utile",
    "non utile": "non_utile",
    "inutile": "non_utile",
    "non": "non_utile",
    "inconnu": "inconnu",
    "": None,
}


def _legal(text: str) -> str | None:
    m = re.search(r"(60-1|77-1-1|99-3)", text.replace(" ", ""))
    return m.group(1) if m else None


#: Columns of the stored rows' source reference (checked against other sources).
REF_COLUMNS = (Requisition.source_ref, Requisition.source)


def prepare(ctx: Context) -> Prepared:
    """Validate requisitions; link cameras by code; compute deadlines."""
    log = ctx.log
    refs = source_refs(ctx, tuple(f.name for f in FIELDS), key_ids=True)
    received = parse_when(ctx, "received_at", "", required=True)
    start = parse_when(ctx, "period_start", "", required=True)
    end = parse_when(ctx, "period_end", "", required=True)
    delivered = parse_when(ctx, "delivered_at", "", required=False)
    check_end_after_start(ctx, start, end, "period_end", "période inversée")
    unit = ctx.raw("requesting_unit").astype("string").fillna("").str.strip()
    log.add_mask(
        blank(unit), ctx.col("requesting_unit"), unit, "le service requérant", "service vide"
    )
    with ctx.engine.connect() as conn:
        cams = {
            normalise_label(c): (i, r, c)
            for i, c, r in conn.execute(select(Camera.id, Camera.code, Camera.retention_days))
        }
    cam_ids: list[list[int]] = []
    deadlines: list[Any] = []
    raw_cams = ctx.raw("cameras").astype("string").fillna("").to_numpy(dtype=object)
    for i, txt in enumerate(raw_cams):
        codes = [c for c in re.split(r"[,;|\s]+", txt.strip()) if c]
        found = [cams.get(normalise_label(c)) for c in codes]
        missing = [c for c, f in zip(codes, found, strict=True) if f is None]
        if not codes:
            log.add_row(i, ctx.col("cameras"), txt, "au moins un code de caméra", "aucune caméra")
        elif missing:
            known = (
                ", ".join(sorted(v[2] for v in cams.values())[:30])
                or "aucune caméra enregistrée : importez d'abord les caméras"
            )
            log.add_row(
                i,
                ctx.col("cameras"),
                ", ".join(missing),
                f"des codes de caméras enregistrées ({known})",
                "caméra inconnue",
            )
        ok = [f for f in found if f is not None]
        cam_ids.append(sorted({f[0] for f in ok}))
        s = start.utc.iloc[i]
        deadlines.append(
            s + timedelta(days=min(f[1] for f in ok)) if ok and not pd.isna(s) else pd.NaT
        )
    statuses = []
    for i, st in enumerate(ctx.raw("status").astype("string").fillna("").to_numpy(dtype=object)):
        code = _STATUS.get(normalise_label(st).replace("_", " "), None) if st.strip() else None
        if st.strip() and code is None:
            log.add_row(
                i,
                ctx.col("status"),
                st,
                "l'un des statuts : "
                + ", ".join(f"« {STATUS_LABELS[s]} »" for s in REQUISITION_STATUSES),
                "statut inconnu",
            )
        if code is None:
            code = "remise" if not pd.isna(delivered.utc.iloc[i]) else "recue"
        statuses.append(code)
    legal = []
    for i, lb in enumerate(
        ctx.raw("legal_basis").astype("string").fillna("").to_numpy(dtype=object)
    ):
        code = _legal(lb) if lb.strip() else None
        if lb.strip() and code is None:
            log.add_row(
                i,
                ctx.col("legal_basis"),
                lb,
                "l'un des articles : " + ", ".join(LEGAL_BASIS_LABELS[b] for b in LEGAL_BASES),
                "article du CPP non reconnu",
            )
        legal.append(code)
    outcomes = []
    for i, o in enumerate(ctx.raw("outcome").astype("string").fillna("").to_numpy(dtype=object)):
        n = normalise_label(o)
        if n not in _OUTCOME:
            log.add_row(
                i, ctx.col("outcome"), o, "utile, non utile ou inconnu", "résultat non reconnu"
            )
        outcomes.append(_OUTCOME.get(n))

    def text(f: str) -> list[str | None]:
        s = ctx.raw(f).astype("string").fillna("").str.strip().to_numpy(dtype=object)
        return [v or None for v in s]

    frame = pd.DataFrame(
        {
            "received_at": received.utc.reset_index(drop=True),
            "requesting_unit": unit.astype(object).reset_index(drop=True),
            "officer_capacity": text("officer_capacity"),
            "legal_basis": legal,
            "procedure_ref": [
                pseudonymise_reference(v) if v else None for v in text("procedure_ref")
            ],
            "period_start": start.utc.reset_index(drop=True),
            "period_end": end.utc.reset_index(drop=True),
            "deadline": pd.Series(deadlines, dtype="datetime64[ns, UTC]"),
            "status": statuses,
            "delivered_at": delivered.utc.reset_index(drop=True),
            "medium": text("medium"),
            "outcome": outcomes,
            "source": ctx.source,
            "source_ref": refs.reset_index(drop=True),
            "_cameras": cam_ids,
        }
    )
    return Prepared(frame)


def write(
    conn: Connection, prepared: Prepared, ctx: Context, batch_id: int, advance: Any
) -> tuple[int, int]:
    """Insert new requisitions with their cameras and first status event."""
    stamps = ("received_at", "period_start", "period_end", "deadline", "delivered_at")
    records, existing = new_records(conn, prepared.frame, ctx.source, REF_COLUMNS, stamps)
    for rec in records:
        cams = rec.pop("_cameras")
        rec["status_changed_at"] = rec["delivered_at"] or rec["received_at"]
        rid = conn.execute(insert(Requisition).values(**rec).returning(Requisition.id)).scalar_one()
        conn.execute(
            insert(requisition_camera), [{"requisition_id": rid, "camera_id": c} for c in cams]
        )
        conn.execute(
            insert(RequisitionStatusEvent).values(
                requisition_id=rid, status=rec["status"], at=rec["status_changed_at"], by="import"
            )
        )
    return len(records), existing
