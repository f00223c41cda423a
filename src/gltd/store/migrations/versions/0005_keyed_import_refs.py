"""keyed import references: no stored value can be brute-forced to a procedure number

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 09:10:00

Row references computed from a row's content (``h:`` + unkeyed SHA-1) become their
keyed HMAC under ``GLTD_SECRET_KEY`` (``k1:…``, the value a re-import now computes, so
importing an old file again still creates no duplicate); the identifiers of requisitions
imported from files are keyed too, and the fingerprint of each imported file
(``import_batch.sha256``) is replaced by its keyed HMAC. Run it with the server's own
``GLTD_SECRET_KEY``. Not reversible (the unkeyed values are gone).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from gltd.store.pseudonym import REF_PREFIX, keyed_hmac, keyed_ref

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _content(ref: str) -> str:
    base, sep, rank = ref.partition("#")
    return keyed_ref(base) + sep + rank


def _update(conn: sa.Connection, table: str, column: str, values: list[dict[str, object]]) -> None:
    if values:
        conn.execute(sa.text(f"UPDATE {table} SET {column} = :v WHERE id = :i"), values)


def upgrade() -> None:
    conn = op.get_bind()
    for table in ("incident", "operation", "requisition"):
        rows = conn.execute(
            sa.text(f"SELECT id, source_ref FROM {table} WHERE source_ref LIKE 'h:%'")
        ).all()
        _update(conn, table, "source_ref", [{"i": i, "v": _content(r)} for i, r in rows])
    rows = conn.execute(
        sa.text(
            "SELECT id, source_ref FROM requisition WHERE source <> 'saisie' "
            "AND source_ref NOT LIKE :k"
        ),
        {"k": REF_PREFIX + "%"},
    ).all()
    _update(
        conn, "requisition", "source_ref", [{"i": i, "v": keyed_ref(f"id:{r}")} for i, r in rows]
    )
    batches = []
    for i, digest in conn.execute(sa.text("SELECT id, sha256 FROM import_batch")).all():
        h = keyed_hmac()
        h.update(str(digest).encode("utf-8"))
        batches.append({"i": i, "v": h.hexdigest()})
    _update(conn, "import_batch", "sha256", batches)


def downgrade() -> None:
    """Nothing to undo in the schema; the unkeyed values cannot be recomputed."""
