"""requisition status index: the register's status and deadline filters, the dashboard

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 14:30:00

The requisition register filters on one status (« Statut : reçue ») or on the open ones
and a deadline range (« Échéance dépassée », « moins de 48 h »…), and the dashboard lists
the open requisitions due within 7 days: one index on ``(status, deadline)`` serves them
all (measured in docs/benchmarks.md, « Index du statut des réquisitions »).
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_requisition_status_deadline", "requisition", ["status", "deadline"])


def downgrade() -> None:
    op.drop_index("ix_requisition_status_deadline", table_name="requisition")
