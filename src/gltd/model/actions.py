"""Decisions of the GLTD meetings and their follow-up."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from gltd.model.base import Base

__all__ = ["Action", "ACTION_STATUSES"]

ACTION_STATUSES = ("a_faire", "en_cours", "fait", "abandonne")


class Action(Base):
    """An action decided in a GLTD meeting, owned by an agency."""

    __tablename__ = "action"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    owner_agency_id: Mapped[int | None] = mapped_column(
        ForeignKey("agency.id", ondelete="SET NULL")
    )
    decided_on: Mapped[date | None] = mapped_column(Date)
    due_on: Mapped[date | None] = mapped_column(Date)
    done_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="a_faire")
    zone_id: Mapped[int | None] = mapped_column(ForeignKey("zone.id", ondelete="SET NULL"))
    notes: Mapped[str | None] = mapped_column(Text)
