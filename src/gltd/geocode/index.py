"""The local address index in the gltd database: build, update, describe.

:func:`build_index` checks and writes every file in one transaction (a bad one leaves
the index untouched): it replaces the communes each file covers and records the file (name,
SHA-256, date, attribution « Base Adresse Nationale, <date> »). A file already in the
index (same SHA-256) is skipped, so a second build of the same file changes nothing.
Files are read one at a time (memory: about 1 kB per address of the largest file) in a
single transaction. The same tables serve SQLite and PostgreSQL; matching runs in memory per commune
(:mod:`gltd.geocode.match`), so neither FTS5 nor ``pg_trgm`` is needed.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
from sqlalchemy import Engine, delete, func, insert, select

from gltd.errors import InputError
from gltd.geocode.ban import BanData, read_ban_file
from gltd.geocode.normalise import commune_key, street_key
from gltd.ingest.bulk import bulk_insert
from gltd.ingest.pipeline import file_sha256
from gltd.model import (
    GeocodeAddress,
    GeocodeCommune,
    GeocodePostcode,
    GeocodeSource,
    GeocodeStreet,
)

__all__ = [
    "BuiltFile",
    "BuildResult",
    "IndexedSource",
    "build_index",
    "indexed_sources",
    "attribution",
    "require_index",
]

#: ``(stage, done, total)``: reading (bytes) then writing (rows).
BuildProgress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class BuiltFile:
    """What a build did with one file."""

    filename: str
    layout: str
    departements: tuple[str, ...]
    n_streets: int
    n_addresses: int
    #: The same file (same SHA-256) was already in the index: nothing changed.
    unchanged: bool
    attribution: str


@dataclass(frozen=True)
class BuildResult:
    """A build: each file, and the seconds it took."""

    files: tuple[BuiltFile, ...]
    seconds: float

    @property
    def n_addresses(self) -> int:
        """Addresses written by this build."""
        return sum(f.n_addresses for f in self.files if not f.unchanged)


@dataclass(frozen=True)
class IndexedSource:
    """A BAN file in the index."""

    filename: str
    layout: str
    file_date: date
    attribution: str
    departements: str
    n_streets: int
    n_addresses: int
    built_at: datetime


def attribution(file_date: date) -> str:
    """The licence attribution (Licence Ouverte 2.0) for a BAN file of that date."""
    return f"Base Adresse Nationale, {file_date:%d/%m/%Y}"


def _file_date(path: Path) -> date:
    return datetime.fromtimestamp(path.stat().st_mtime, tz=UTC).date()


def _next_id(engine_conn: object, column: object) -> int:
    value = engine_conn.execute(select(func.max(column))).scalar()  # type: ignore[attr-defined]
    return int(value or 0) + 1


def _write(conn: object, data: BanData, sha: str, progress: BuildProgress | None) -> BuiltFile:
    from sqlalchemy import Connection

    assert isinstance(conn, Connection)
    codes = sorted(data.streets["code_insee"].unique().tolist())
    # Replace what older files said about these communes.
    for i in range(0, len(codes), 500):
        part = codes[i : i + 500]
        old_streets = select(GeocodeStreet.id).where(GeocodeStreet.code_insee.in_(part))
        conn.execute(delete(GeocodeAddress).where(GeocodeAddress.street_id.in_(old_streets)))
        conn.execute(delete(GeocodeStreet).where(GeocodeStreet.code_insee.in_(part)))
        conn.execute(delete(GeocodeCommune).where(GeocodeCommune.code_insee.in_(part)))
        conn.execute(delete(GeocodePostcode).where(GeocodePostcode.code_insee.in_(part)))
    fdate = _file_date(data.path)
    deps = data.departements
    source_id = conn.execute(
        insert(GeocodeSource)
        .values(
            filename=data.path.name,
            sha256=sha,
            layout=data.layout,
            file_date=fdate,
            attribution=attribution(fdate),
            departements=", ".join(deps)[:300],
            n_addresses=len(data.addresses),
            n_streets=len(data.streets),
        )
        .returning(GeocodeSource.id)
    ).scalar_one()
    first_id = _next_id(conn, GeocodeStreet.id)
    streets = data.streets.copy()
    keys = {n: street_key(n) for n in streets["nom_voie"].unique()}
    streets["voie_key"] = streets["nom_voie"].map(keys)
    streets["id"] = np.arange(first_id, first_id + len(streets), dtype="int64")
    streets["source_id"] = source_id
    total = len(streets) + len(data.addresses)
    done = 0

    def advance(k: int) -> None:
        nonlocal done
        done += k
        if progress:
            progress("écriture", done, total)

    bulk_insert(conn, GeocodeStreet.__table__, streets, progress=advance)  # type: ignore[arg-type]
    addresses = data.addresses.assign(
        street_id=streets["id"].to_numpy()[data.addresses["street"].to_numpy()]
    ).drop(columns=["street"])
    bulk_insert(conn, GeocodeAddress.__table__, addresses, progress=advance)  # type: ignore[arg-type]
    communes = data.communes.assign(
        name_key=data.communes["name"].map(commune_key), source_id=source_id
    )
    bulk_insert(conn, GeocodeCommune.__table__, communes)  # type: ignore[arg-type]
    bulk_insert(conn, GeocodePostcode.__table__, data.postcodes.assign(source_id=source_id))  # type: ignore[arg-type]
    return BuiltFile(
        data.path.name,
        data.layout,
        tuple(deps),
        len(streets),
        len(data.addresses),
        False,
        attribution(fdate),
    )


def build_index(
    engine: Engine, paths: Sequence[str | Path], *, progress: BuildProgress | None = None
) -> BuildResult:
    """Build or update the address index from BAN files (see the module docstring)."""
    if not paths:
        raise InputError("aucun fichier BAN indiqué (ex. adresses-45.csv.gz)")
    t0 = time.perf_counter()
    with engine.connect() as conn:
        known = {
            sha: (name, layout, n_s, n_a, deps, attr)
            for sha, name, layout, n_s, n_a, deps, attr in conn.execute(
                select(
                    GeocodeSource.sha256,
                    GeocodeSource.filename,
                    GeocodeSource.layout,
                    GeocodeSource.n_streets,
                    GeocodeSource.n_addresses,
                    GeocodeSource.departements,
                    GeocodeSource.attribution,
                )
            )
        }
    files: list[BuiltFile] = []
    seen: set[str] = set()
    # One transaction for all files (a bad one rolls every file back), but one file in
    # memory at a time: a whole country is built département by département.
    with engine.begin() as conn:
        for path in paths:
            p = Path(path)
            if not p.is_file():
                raise InputError("fichier introuvable", file=str(p))
            sha = file_sha256(p)
            if sha in known or sha in seen:
                _name, layout, n_s, n_a, deps, attr = known.get(sha, (p.name, "", 0, 0, "", ""))
                files.append(
                    BuiltFile(p.name, layout, tuple(deps.split(", ")), n_s, n_a, True, attr)
                )
                continue
            seen.add(sha)

            def on_read(done: int, total: int, _name: str = p.name) -> None:
                if progress:
                    progress(f"lecture de {_name}", done, total)

            data = read_ban_file(p, progress=on_read)
            files.append(_write(conn, data, sha, progress))
            del data
        # Files whose communes were all replaced by newer ones leave the index.
        alive = select(GeocodeStreet.source_id).distinct()
        conn.execute(delete(GeocodeSource).where(GeocodeSource.id.not_in(alive)))
    return BuildResult(tuple(files), time.perf_counter() - t0)


def indexed_sources(engine: Engine) -> list[IndexedSource]:
    """The BAN files in the index, oldest first."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                GeocodeSource.filename,
                GeocodeSource.layout,
                GeocodeSource.file_date,
                GeocodeSource.attribution,
                GeocodeSource.departements,
                GeocodeSource.n_streets,
                GeocodeSource.n_addresses,
                GeocodeSource.built_at,
            ).order_by(GeocodeSource.id)
        ).all()
    return [IndexedSource(*r) for r in rows]


def require_index(engine: Engine) -> list[IndexedSource]:
    """The indexed files; a French message when there is none yet."""
    sources = indexed_sources(engine)
    if not sources:
        raise InputError(
            "aucun index d'adresses dans cette base : construisez-le d'abord avec "
            "« gltd geocode build adresses-XX.csv.gz » (fichiers de la Base Adresse Nationale)"
        )
    return sources
