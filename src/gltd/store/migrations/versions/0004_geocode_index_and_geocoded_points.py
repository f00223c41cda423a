"""geocode: the local BAN address index; geocode precision and score on incidents and cameras

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 08:44:18.251803
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "geocode_source",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=500), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("layout", sa.String(length=10), nullable=False),
        sa.Column("file_date", sa.Date(), nullable=False),
        sa.Column("attribution", sa.String(length=200), nullable=False),
        sa.Column("departements", sa.String(length=300), nullable=False),
        sa.Column("n_addresses", sa.Integer(), nullable=False),
        sa.Column("n_streets", sa.Integer(), nullable=False),
        sa.Column("built_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_geocode_source")),
        sa.UniqueConstraint("sha256", name=op.f("uq_geocode_source_sha256")),
    )
    op.create_table(
        "geocode_commune",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("code_insee", sa.String(length=5), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("name_key", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["geocode_source.id"],
            name=op.f("fk_geocode_commune_source_id_geocode_source"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_geocode_commune")),
    )
    with op.batch_alter_table("geocode_commune", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_geocode_commune_code_insee"), ["code_insee"], unique=False
        )
        batch_op.create_index("ix_geocode_commune_key", ["name_key"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_geocode_commune_source_id"), ["source_id"], unique=False
        )

    op.create_table(
        "geocode_postcode",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("code_postal", sa.String(length=5), nullable=False),
        sa.Column("code_insee", sa.String(length=5), nullable=False),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["geocode_source.id"],
            name=op.f("fk_geocode_postcode_source_id_geocode_source"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_geocode_postcode")),
    )
    with op.batch_alter_table("geocode_postcode", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_geocode_postcode_code_postal"), ["code_postal"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_geocode_postcode_source_id"), ["source_id"], unique=False
        )

    op.create_table(
        "geocode_street",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("code_insee", sa.String(length=5), nullable=False),
        sa.Column("nom_commune", sa.String(length=200), nullable=False),
        sa.Column("nom_voie", sa.String(length=300), nullable=False),
        sa.Column("voie_key", sa.String(length=300), nullable=False),
        sa.Column("code_postal", sa.String(length=5), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["geocode_source.id"],
            name=op.f("fk_geocode_street_source_id_geocode_source"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_geocode_street")),
    )
    with op.batch_alter_table("geocode_street", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_geocode_street_code_insee"), ["code_insee"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_geocode_street_source_id"), ["source_id"], unique=False
        )

    op.create_table(
        "geocode_address",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("street_id", sa.Integer(), nullable=False),
        sa.Column("ban_id", sa.String(length=60), nullable=False),
        sa.Column("numero", sa.Integer(), nullable=False),
        sa.Column("rep", sa.String(length=20), nullable=False),
        sa.Column("code_postal", sa.String(length=5), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["street_id"],
            ["geocode_street.id"],
            name=op.f("fk_geocode_address_street_id_geocode_street"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_geocode_address")),
    )
    with op.batch_alter_table("geocode_address", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_geocode_address_street_id"), ["street_id"], unique=False
        )

    with op.batch_alter_table("camera", schema=None) as batch_op:
        batch_op.add_column(sa.Column("geocode_precision", sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column("geocode_score", sa.Float(), nullable=True))

    with op.batch_alter_table("incident", schema=None) as batch_op:
        batch_op.add_column(sa.Column("geocode_precision", sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column("geocode_score", sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("incident", schema=None) as batch_op:
        batch_op.drop_column("geocode_score")
        batch_op.drop_column("geocode_precision")

    with op.batch_alter_table("camera", schema=None) as batch_op:
        batch_op.drop_column("geocode_score")
        batch_op.drop_column("geocode_precision")

    with op.batch_alter_table("geocode_address", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_geocode_address_street_id"))

    op.drop_table("geocode_address")
    with op.batch_alter_table("geocode_street", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_geocode_street_source_id"))
        batch_op.drop_index(batch_op.f("ix_geocode_street_code_insee"))

    op.drop_table("geocode_street")
    with op.batch_alter_table("geocode_postcode", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_geocode_postcode_source_id"))
        batch_op.drop_index(batch_op.f("ix_geocode_postcode_code_postal"))

    op.drop_table("geocode_postcode")
    with op.batch_alter_table("geocode_commune", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_geocode_commune_source_id"))
        batch_op.drop_index("ix_geocode_commune_key")
        batch_op.drop_index(batch_op.f("ix_geocode_commune_code_insee"))

    op.drop_table("geocode_commune")
    op.drop_table("geocode_source")
