"""Erase a database before the demo is rebuilt (``gltd demo --reset``)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import MetaData, text
from sqlalchemy.engine import make_url

from gltd.store.engine import get_engine, make_engine, normalise_url

__all__ = ["reset_database", "describe_url"]


def describe_url(url: str) -> str:
    """The URL without its password, and the absolute file path for SQLite."""
    parsed = make_url(normalise_url(url))
    if parsed.get_backend_name() == "sqlite" and parsed.database:
        return f"{url} (fichier {Path(parsed.database).resolve()})"
    return parsed.render_as_string(hide_password=True)


def reset_database(url: str) -> None:
    """Drop every table (and the append-only trigger functions) of the database at ``url``.

    A SQLite file is simply deleted (with its WAL files); on PostgreSQL the tables found
    by reflection are dropped, then the functions created by the migrations.
    """
    parsed = make_url(normalise_url(url))
    get_engine.cache_clear()
    if parsed.get_backend_name() == "sqlite":
        db = parsed.database
        if db and db != ":memory:":
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(db + suffix).unlink(missing_ok=True)
        return
    engine = make_engine(url)
    try:
        meta = MetaData()
        meta.reflect(engine)
        with engine.begin() as conn:
            meta.drop_all(conn)
            names = conn.execute(
                text(
                    "SELECT p.proname FROM pg_proc p JOIN pg_namespace n "
                    "ON n.oid = p.pronamespace WHERE n.nspname = current_schema() "
                    "AND p.proname LIKE '%\\_append\\_only'"
                )
            ).scalars()
            for name in list(names):
                conn.execute(text(f'DROP FUNCTION IF EXISTS "{name}"() CASCADE'))
    finally:
        engine.dispose()
