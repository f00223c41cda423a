"""Incidents (faits constatés), SSMSI open-data figures and import batches."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from gltd.model.base import Base, UTCDateTime, utcnow

__all__ = ["Incident", "ImportBatch", "SsmsiFigure"]


class ImportBatch(Base):
    """One imported file: what, when, how many rows (for traceability and undo)."""

    __tablename__ = "import_batch"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    filename: Mapped[str] = mapped_column(String(500))
    sha256: Mapped[str] = mapped_column(String(64))
    rows_in: Mapped[int] = mapped_column(Integer, default=0)
    rows_written: Mapped[int] = mapped_column(Integer, default=0)
    rows_rejected: Mapped[int] = mapped_column(Integer, default=0)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    imported_by: Mapped[str | None] = mapped_column(String(100))


class Incident(Base):
    """A recorded fact at a place and time. No person is stored."""

    __tablename__ = "incident"
    __table_args__ = (
        UniqueConstraint("source", "source_ref", name="uq_incident_source_ref"),
        Index("ix_incident_time", "occurred_at"),
        Index("ix_incident_cat_time", "category", "occurred_at"),
        Index("ix_incident_zone", "zone_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: End of the window when the exact time is unknown (e.g. a burglary over a weekend).
    occurred_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    date_only: Mapped[bool] = mapped_column(default=False)
    category: Mapped[str] = mapped_column(String(80))
    lon: Mapped[float | None] = mapped_column(Float)
    lat: Mapped[float | None] = mapped_column(Float)
    #: Coordinates in the analysis CRS (metres), stored for fast loading.
    x: Mapped[float | None] = mapped_column(Float)
    y: Mapped[float | None] = mapped_column(Float)
    precision: Mapped[str | None] = mapped_column(String(40))
    #: When the point came from an address: numéro / voie / commune, and the 0–1 score.
    geocode_precision: Mapped[str | None] = mapped_column(String(10))
    geocode_score: Mapped[float | None] = mapped_column(Float)
    zone_id: Mapped[int | None] = mapped_column(ForeignKey("zone.id", ondelete="SET NULL"))
    source: Mapped[str] = mapped_column(String(100), default="import")
    source_ref: Mapped[str] = mapped_column(String(200))
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batch.id", ondelete="SET NULL"))


class SsmsiFigure(Base):
    """One published SSMSI commune figure (only rows with ``est_diffuse = diff``)."""

    __tablename__ = "ssmsi_figure"
    __table_args__ = (UniqueConstraint("codgeo", "annee", "indicateur", "unite_de_compte"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    codgeo: Mapped[str] = mapped_column(String(10))
    geo_year: Mapped[int] = mapped_column(Integer)
    annee: Mapped[int] = mapped_column(Integer)
    indicateur: Mapped[str] = mapped_column(String(200))
    unite_de_compte: Mapped[str] = mapped_column(String(100))
    nombre: Mapped[int] = mapped_column(Integer)
    taux_pour_mille: Mapped[float | None] = mapped_column(Float)
    insee_pop: Mapped[int | None] = mapped_column(Integer)
    insee_pop_millesime: Mapped[int | None] = mapped_column(Integer)
    insee_log: Mapped[int | None] = mapped_column(Integer)
    insee_log_millesime: Mapped[int | None] = mapped_column(Integer)
