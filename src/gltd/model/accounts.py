"""Agencies, user accounts and roles."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gltd.model.base import Base, UTCDateTime, utcnow

__all__ = ["Agency", "User", "AGENCY_KINDS", "ROLES", "DEFAULT_ROLE"]

#: parquet, police (DDSP), préfecture, ville (élu, CSU), autre invité
AGENCY_KINDS = ("parquet", "police", "prefecture", "ville", "csu", "autre")
ROLES = ("admin", "coordinateur", "analyste", "operateur_csu", "lecteur")
#: The role a new account form offers first: the least privileged (reading only).
DEFAULT_ROLE = "lecteur"


class Agency(Base):
    """A member agency of the GLTD."""

    __tablename__ = "agency"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(20))


class User(Base):
    """An account (login name, agency, role). No civil identity is stored.

    ``demo`` marks the accounts made by ``gltd serve --demo-accounts``: their passwords
    are derived from the server secret, so they may log in only with
    ``GLTD_ENV=development`` (``gltd db remove-demo-accounts`` deletes them).
    """

    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    password_hash: Mapped[str] = mapped_column(String(300))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id", ondelete="RESTRICT"))
    role: Mapped[str] = mapped_column(String(20))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    demo: Mapped[bool] = mapped_column(default=False, server_default=false())

    agency: Mapped[Agency] = relationship()
