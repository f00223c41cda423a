"""The local address index built from the Base Adresse Nationale (BAN).

One :class:`GeocodeSource` per BAN file (its name, digest, date and attribution); the
communes (with their former and postal names), the postcodes of each commune, the
streets (with their normalised key) and the addresses (with their BAN id and point).
Re-building with a newer file of the same communes replaces their rows.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from gltd.model.base import Base, UTCDateTime, utcnow

__all__ = [
    "GeocodeSource",
    "GeocodeCommune",
    "GeocodePostcode",
    "GeocodeStreet",
    "GeocodeAddress",
    "GEOCODE_PRECISIONS",
]

#: Precision of a geocoded point, from best to refused.
GEOCODE_PRECISIONS = ("numéro", "voie", "commune", "refusé")


class GeocodeSource(Base):
    """One BAN file in the index."""

    __tablename__ = "geocode_source"

    id: Mapped[int] = mapped_column(primary_key=True)
    filename: Mapped[str] = mapped_column(String(500))
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    layout: Mapped[str] = mapped_column(String(10))
    file_date: Mapped[date] = mapped_column(Date)
    attribution: Mapped[str] = mapped_column(String(200))
    departements: Mapped[str] = mapped_column(String(300))
    n_addresses: Mapped[int] = mapped_column(Integer, default=0)
    n_streets: Mapped[int] = mapped_column(Integer, default=0)
    built_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class GeocodeCommune(Base):
    """A name of a commune: official, former (merged commune) or postal."""

    __tablename__ = "geocode_commune"
    __table_args__ = (Index("ix_geocode_commune_key", "name_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(
        ForeignKey("geocode_source.id", ondelete="CASCADE"), index=True
    )
    code_insee: Mapped[str] = mapped_column(String(5), index=True)
    name: Mapped[str] = mapped_column(String(200))
    name_key: Mapped[str] = mapped_column(String(200))
    #: ``commune`` (official name), ``ancienne`` (former commune), ``acheminement`` (postal).
    kind: Mapped[str] = mapped_column(String(12))


class GeocodePostcode(Base):
    """A postcode used by addresses of a commune."""

    __tablename__ = "geocode_postcode"

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(
        ForeignKey("geocode_source.id", ondelete="CASCADE"), index=True
    )
    code_postal: Mapped[str] = mapped_column(String(5), index=True)
    code_insee: Mapped[str] = mapped_column(String(5))


class GeocodeStreet(Base):
    """A street (voie or lieu-dit) of a commune, with its normalised key and centre."""

    __tablename__ = "geocode_street"

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(
        ForeignKey("geocode_source.id", ondelete="CASCADE"), index=True
    )
    code_insee: Mapped[str] = mapped_column(String(5), index=True)
    nom_commune: Mapped[str] = mapped_column(String(200))
    nom_voie: Mapped[str] = mapped_column(String(300))
    voie_key: Mapped[str] = mapped_column(String(300))
    code_postal: Mapped[str] = mapped_column(String(5))
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)


class GeocodeAddress(Base):
    """An address point of the BAN."""

    __tablename__ = "geocode_address"

    id: Mapped[int] = mapped_column(primary_key=True)
    street_id: Mapped[int] = mapped_column(
        ForeignKey("geocode_street.id", ondelete="CASCADE"), index=True
    )
    ban_id: Mapped[str] = mapped_column(String(60))
    numero: Mapped[int] = mapped_column(Integer)
    #: Suffix, canonical upper case (``BIS``, ``TER``, ``A``…), empty when none.
    rep: Mapped[str] = mapped_column(String(20), default="")
    code_postal: Mapped[str] = mapped_column(String(5))
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
