"""Video-protection: cameras, requisitions of footage, viewing log, camera requests."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Column,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gltd.model.base import Base, UTCDateTime, utcnow

__all__ = [
    "Camera",
    "Requisition",
    "RequisitionStatusEvent",
    "ViewingLogEntry",
    "CameraRequest",
    "RelevanceStudy",
    "requisition_camera",
    "REQUISITION_STATUSES",
    "LEGAL_BASES",
]

#: reçue → en cours → remise | hors délai | sans objet
REQUISITION_STATUSES = ("recue", "en_cours", "remise", "hors_delai", "sans_objet")
#: CPP articles for judicial requisitions of footage.
LEGAL_BASES = ("60-1", "77-1-1", "99-3")

requisition_camera = Table(
    "requisition_camera",
    Base.metadata,
    Column("requisition_id", ForeignKey("requisition.id", ondelete="CASCADE"), primary_key=True),
    Column("camera_id", ForeignKey("camera.id", ondelete="CASCADE"), primary_key=True),
    # the requisitions of a camera (search by camera code) without a scan
    Index("ix_requisition_camera_camera_id", "camera_id"),
)


class Camera(Base):
    """A camera of the public video-protection network."""

    __tablename__ = "camera"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    x: Mapped[float] = mapped_column(Float)
    y: Mapped[float] = mapped_column(Float)
    #: When the point came from an address: numéro / voie / commune, and the 0–1 score.
    geocode_precision: Mapped[str | None] = mapped_column(String(10))
    geocode_score: Mapped[float | None] = mapped_column(Float)
    #: Direction of view in degrees clockwise from north; None for a 360° dome.
    heading_deg: Mapped[float | None] = mapped_column(Float)
    field_angle_deg: Mapped[float] = mapped_column(Float, default=360.0)
    range_m: Mapped[float] = mapped_column(Float, default=50.0)
    hd: Mapped[bool] = mapped_column(default=False)
    installed_on: Mapped[date | None] = mapped_column(Date)
    removed_on: Mapped[date | None] = mapped_column(Date)
    annual_cost_eur: Mapped[float] = mapped_column(Float, default=0.0)
    authorisation_number: Mapped[str | None] = mapped_column(String(60))
    authorisation_date: Mapped[date | None] = mapped_column(Date)
    authorisation_expiry: Mapped[date | None] = mapped_column(Date)
    #: Days of footage kept (CSI L252-5: at most 30).
    retention_days: Mapped[int] = mapped_column(Integer, default=15)
    zone_id: Mapped[int | None] = mapped_column(ForeignKey("zone.id", ondelete="SET NULL"))
    notes: Mapped[str | None] = mapped_column(Text)


class Requisition(Base):
    """A judicial requisition of camera footage (CPP 60-1, 77-1-1, 99-3)."""

    __tablename__ = "requisition"
    __table_args__ = (
        UniqueConstraint("source", "source_ref", name="uq_requisition_source_ref"),
        # the register's « statut » and « échéance » filters and the dashboard's deadlines:
        # one status (or the open ones) and a deadline range, read from the index
        Index("ix_requisition_status_deadline", "status", "deadline"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    requesting_unit: Mapped[str] = mapped_column(String(200))
    officer_capacity: Mapped[str | None] = mapped_column(String(40))
    legal_basis: Mapped[str | None] = mapped_column(String(20))
    #: Pseudonymised procedure reference (a hash, never the real number).
    procedure_ref: Mapped[str | None] = mapped_column(String(100))
    period_start: Mapped[datetime] = mapped_column(UTCDateTime)
    period_end: Mapped[datetime] = mapped_column(UTCDateTime)
    #: When the first requested footage is overwritten (period start + shortest retention).
    deadline: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    status: Mapped[str] = mapped_column(String(20), default="recue")
    status_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    medium: Mapped[str | None] = mapped_column(String(60))
    #: utile | non_utile | inconnu
    outcome: Mapped[str | None] = mapped_column(String(20))
    source: Mapped[str] = mapped_column(String(100), default="saisie")
    source_ref: Mapped[str] = mapped_column(String(200))

    cameras: Mapped[list[Camera]] = relationship(secondary=requisition_camera)
    events: Mapped[list[RequisitionStatusEvent]] = relationship(
        back_populates="requisition",
        cascade="all, delete-orphan",
        order_by="RequisitionStatusEvent.at",
    )


class RequisitionStatusEvent(Base):
    """One step of a requisition's status workflow, with its timestamp."""

    __tablename__ = "requisition_status_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    requisition_id: Mapped[int] = mapped_column(ForeignKey("requisition.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    by: Mapped[str | None] = mapped_column(String(100))

    requisition: Mapped[Requisition] = relationship(back_populates="events")


class ViewingLogEntry(Base):
    """Append-only log of every viewing or extraction of footage (kept ≥ 3 years)."""

    __tablename__ = "viewing_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    #: Account name of the authorised agent (an account, not a civil identity).
    agent: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(20))  # visionnage | extraction
    reason: Mapped[str] = mapped_column(String(300))
    recipient: Mapped[str | None] = mapped_column(String(200))
    camera_id: Mapped[int | None] = mapped_column(ForeignKey("camera.id", ondelete="RESTRICT"))
    clip_start: Mapped[datetime | None] = mapped_column(UTCDateTime)
    clip_end: Mapped[datetime | None] = mapped_column(UTCDateTime)
    requisition_id: Mapped[int | None] = mapped_column(
        ForeignKey("requisition.id", ondelete="RESTRICT")
    )


class CameraRequest(Base):
    """A request for a new camera (residents, an elected official, the police)."""

    __tablename__ = "camera_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    received_on: Mapped[date] = mapped_column(Date)
    origin: Mapped[str] = mapped_column(String(60))
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    x: Mapped[float] = mapped_column(Float)
    y: Mapped[float] = mapped_column(Float)
    radius_m: Mapped[float] = mapped_column(Float, default=100.0)
    description: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(30), default="attente")


class RelevanceStudy(Base):
    """The result of an étude de pertinence, kept with its parameters."""

    __tablename__ = "relevance_study"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    camera_request_id: Mapped[int | None] = mapped_column(
        ForeignKey("camera_request.id", ondelete="SET NULL")
    )
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    radius_m: Mapped[float] = mapped_column(Float)
    conclusion: Mapped[str] = mapped_column(String(20))
    result_json: Mapped[str] = mapped_column(Text)
