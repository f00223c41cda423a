"""accounts security: demo accounts marked, login attempts counted before the check,
heartbeat of analysis runs

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 08:39:11.866078

Accounts made earlier by ``gltd serve --demo-accounts`` are recognised by their name
(``<agency kind>-<role>``, optionally ``-<agency id>``, in an agency of that kind with
that role) and marked ``demo``: outside development they can no longer log in.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _mark_demo_accounts() -> None:
    conn = op.get_bind()
    rows = conn.execute(
        sa.text(
            "SELECT u.id, u.username, u.role, a.id AS agency_id, a.kind "
            "FROM user_account u JOIN agency a ON a.id = u.agency_id"
        )
    ).all()
    demo_ids = []
    for r in rows:
        base = f"{r.kind}-{r.role}".replace("_", "-")
        if r.username in (base, f"{base}-{r.agency_id}"):
            demo_ids.append(r.id)
    for uid in demo_ids:
        conn.execute(
            sa.text("UPDATE user_account SET demo = :t WHERE id = :id"), {"t": True, "id": uid}
        )


def upgrade() -> None:
    op.create_table(
        "login_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("ip", sa.String(length=60), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_attempt")),
    )
    with op.batch_alter_table("login_attempt", schema=None) as batch_op:
        batch_op.create_index("ix_login_attempt_ip", ["ip", "at"], unique=False)
        batch_op.create_index("ix_login_attempt_username", ["username", "at"], unique=False)

    with op.batch_alter_table("analysis_run", schema=None) as batch_op:
        batch_op.add_column(sa.Column("heartbeat_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("runner", sa.String(length=120), nullable=True))

    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("demo", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    _mark_demo_accounts()


def downgrade() -> None:
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_column("demo")

    with op.batch_alter_table("analysis_run", schema=None) as batch_op:
        batch_op.drop_column("runner")
        batch_op.drop_column("heartbeat_at")

    with op.batch_alter_table("login_attempt", schema=None) as batch_op:
        batch_op.drop_index("ix_login_attempt_username")
        batch_op.drop_index("ix_login_attempt_ip")

    op.drop_table("login_attempt")
