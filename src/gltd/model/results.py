"""Stored analysis runs: parameters and results of an analysis, for reuse and download."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from gltd.model.base import Base, UTCDateTime, utcnow

__all__ = ["AnalysisRun"]


class AnalysisRun(Base):
    """One run of an analysis (near-repeat, hotspots, displacement, study, siting, bilan)."""

    __tablename__ = "analysis_run"
    __table_args__ = (Index("ix_analysis_run_kind", "kind", "category", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    #: Category code the run is about, when it is about one (e.g. near-repeat per category).
    category: Mapped[str | None] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(20), default="done")
    params_json: Mapped[str] = mapped_column(Text, default="{}")
    result_json: Mapped[str | None] = mapped_column(Text)
    #: Optional file produced (PDF, GeoPackage...), path relative to the results folder.
    output_path: Mapped[str | None] = mapped_column(String(500))
    #: Last sign of life of the process running (or queuing) the run: a ``queued`` or
    #: ``running`` run whose process stopped is marked ``failed`` by the next server.
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: ``host:pid:token`` of that process.
    runner: Mapped[str | None] = mapped_column(String(120))
