"""audit action index: the last change of each kind, for the web cache

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 15:00:00

The web server keeps register pages, dashboard tiles and map layers in memory and
compares, every few seconds, the id of the last change recorded in the audit log (any
process: another server, the CLI). An index on ``(action, id)`` makes that one lookup
per kind of change, however many reads the log holds.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_audit_action_id", "audit_event", ["action", "id"])


def downgrade() -> None:
    op.drop_index("ix_audit_action_id", table_name="audit_event")
