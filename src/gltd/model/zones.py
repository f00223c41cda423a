"""Zones: quartiers, IRIS, sectors, intervention perimeters."""

from __future__ import annotations

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from gltd.model.base import Base

__all__ = ["Zone", "ZONE_KINDS"]

ZONE_KINDS = ("quartier", "iris", "secteur", "perimetre", "commune", "autre")


class Zone(Base):
    """A named polygon (WGS84 WKT) used to count and compare."""

    __tablename__ = "zone"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(40), default="quartier")
    code: Mapped[str | None] = mapped_column(String(40))
    #: Polygon or multipolygon in WGS84 (EPSG:4326), WKT.
    geometry_wkt: Mapped[str] = mapped_column(Text)
    illustrative: Mapped[bool] = mapped_column(default=False)
    source: Mapped[str | None] = mapped_column(String(200))
