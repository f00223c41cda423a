"""Police operations with arrests by role and seizures, and interventions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gltd.model.base import Base, UTCDateTime

__all__ = [
    "Operation",
    "Seizure",
    "Intervention",
    "OPERATION_KINDS",
    "OPERATION_KIND_LABELS",
    "INTERVENTION_KINDS",
]

OPERATION_KINDS = (
    "occupation",
    "interpellations",
    "controle",
    "fermeture_administrative",
    "detection_cynophile",
    "perquisition",
    "autre",
)

#: What a person reads for each kind (codes are never shown).
OPERATION_KIND_LABELS = {
    "occupation": "occupation de la voie publique",
    "interpellations": "interpellations",
    "controle": "contrôles",
    "fermeture_administrative": "fermeture administrative",
    "detection_cynophile": "détection cynophile",
    "perquisition": "perquisition",
    "autre": "autre",
}

INTERVENTION_KINDS = ("camera", "fermeture", "operations", "amenagement", "autre")


class Operation(Base):
    """A police (or joint) operation. Planned ones are visible to police and parquet only."""

    __tablename__ = "operation"
    __table_args__ = (UniqueConstraint("source", "source_ref", name="uq_operation_source_ref"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    zone_id: Mapped[int | None] = mapped_column(ForeignKey("zone.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(40))
    agencies: Mapped[str | None] = mapped_column(String(300))
    dog_detection: Mapped[bool] = mapped_column(default=False)
    planned: Mapped[bool] = mapped_column(default=False)
    arrests_trafficker: Mapped[int] = mapped_column(Integer, default=0)
    arrests_consumer: Mapped[int] = mapped_column(Integer, default=0)
    arrests_other: Mapped[int] = mapped_column(Integer, default=0)
    cash_eur: Mapped[float] = mapped_column(Float, default=0.0)
    notes: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(100), default="saisie")
    source_ref: Mapped[str] = mapped_column(String(200))

    seizures: Mapped[list[Seizure]] = relationship(
        back_populates="operation", cascade="all, delete-orphan"
    )


class Seizure(Base):
    """A seizure during an operation (substance, quantity, unit)."""

    __tablename__ = "seizure"

    id: Mapped[int] = mapped_column(primary_key=True)
    operation_id: Mapped[int] = mapped_column(ForeignKey("operation.id", ondelete="CASCADE"))
    substance: Mapped[str] = mapped_column(String(80))
    quantity: Mapped[float] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(20))

    operation: Mapped[Operation] = relationship(back_populates="seizures")


class Intervention(Base):
    """What was done where and when: the unit of displacement analysis."""

    __tablename__ = "intervention"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(40))
    #: Target polygon in WGS84 WKT.
    geometry_wkt: Mapped[str] = mapped_column(Text)
    started_on: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_on: Mapped[datetime | None] = mapped_column(UTCDateTime)
    zone_id: Mapped[int | None] = mapped_column(ForeignKey("zone.id", ondelete="SET NULL"))
    camera_id: Mapped[int | None] = mapped_column(ForeignKey("camera.id", ondelete="SET NULL"))
    description: Mapped[str | None] = mapped_column(Text)
