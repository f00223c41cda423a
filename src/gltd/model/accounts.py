"""Agencies, user accounts and roles."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gltd.model.base import Base, UTCDateTime, utcnow

__all__ = ["Agency", "User", "AGENCY_KINDS", "ROLES"]

#: parquet, police (DDSP), préfecture, ville (élu, CSU), autre invité
AGENCY_KINDS = ("parquet", "police", "prefecture", "ville", "csu", "autre")
ROLES = ("admin", "coordinateur", "analyste", "operateur_csu", "lecteur")


class Agency(Base):
    """A member agency of the GLTD."""

    __tablename__ = "agency"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(20))


class User(Base):
    """An account (login name, agency, role). No civil identity is stored."""

    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    password_hash: Mapped[str] = mapped_column(String(300))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id", ondelete="RESTRICT"))
    role: Mapped[str] = mapped_column(String(20))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    agency: Mapped[Agency] = relationship()
