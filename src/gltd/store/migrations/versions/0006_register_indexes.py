"""register indexes: the register pages sort and search in SQL on large data

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 12:05:00

The viewing log is listed newest first (``viewing_log.at``), requisitions are sorted and
filtered by deadline (``requisition.deadline``) and searched by camera code (the
requisitions of a camera: ``requisition_camera.camera_id``, the second column of its key).
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_viewing_log_at", "viewing_log", ["at"])
    op.create_index("ix_requisition_deadline", "requisition", ["deadline"])
    op.create_index("ix_requisition_camera_camera_id", "requisition_camera", ["camera_id"])


def downgrade() -> None:
    op.drop_index("ix_requisition_camera_camera_id", table_name="requisition_camera")
    op.drop_index("ix_requisition_deadline", table_name="requisition")
    op.drop_index("ix_viewing_log_at", table_name="viewing_log")
