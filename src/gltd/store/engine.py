"""Engines and sessions for SQLite (default) and PostgreSQL (psycopg 3)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session, sessionmaker

from gltd.errors import GltdError

__all__ = [
    "make_engine",
    "session_scope",
    "normalise_url",
    "get_engine",
    "database_exists",
    "display_url",
]


def normalise_url(url: str) -> str:
    """Accept ``postgresql://`` and ``postgres://`` and use the psycopg 3 driver."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.close()


def make_engine(url: str, *, concurrency: int | None = None, **kwargs: Any) -> Engine:
    """Create an engine; SQLite gets WAL, foreign keys and a busy timeout.

    ``concurrency``: how many threads may use the engine at once (the web server's
    thread pool). The connection pool then keeps that many connections open instead of
    SQLAlchemy's default 5, so that a busy server does not open and close a connection
    (and replay its set-up) for each request beyond the fifth.
    """
    url = normalise_url(url)
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise GltdError(f"adresse de base de données invalide : {url!r}") from exc
    in_memory = parsed.database in (None, "", ":memory:") or "mode=memory" in url
    if concurrency is not None and not (parsed.get_backend_name() == "sqlite" and in_memory):
        kwargs.setdefault("pool_size", concurrency)
        kwargs.setdefault("max_overflow", max(concurrency // 2, 2))
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if parsed.get_backend_name() == "postgresql":
        return create_engine(url, pool_pre_ping=True, **kwargs)
    raise GltdError(
        f"base de données non prise en charge : {parsed.get_backend_name()} "
        "(SQLite ou PostgreSQL attendus)"
    )


@lru_cache(maxsize=8)
def get_engine(url: str) -> Engine:
    """A cached engine per URL (one pool per process)."""
    return make_engine(url)


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session in one transaction: commit on success, roll back on any error."""
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def display_url(url: str) -> str:
    """The URL as shown to a person: the password hidden, a SQLite file by its path."""
    parsed = make_url(normalise_url(url))
    if parsed.get_backend_name() == "sqlite":
        return parsed.database or "(base en mémoire)"
    return parsed.render_as_string(hide_password=True)


def database_exists(url: str) -> bool:
    """True when the database of ``url`` exists; never creates it.

    SQLite: the file exists (an in-memory database always does). PostgreSQL: the server
    answers and holds that database.
    """
    from pathlib import Path

    from sqlalchemy.exc import OperationalError

    parsed = make_url(normalise_url(url))
    if parsed.get_backend_name() == "sqlite":
        name = parsed.database
        return not name or name == ":memory:" or Path(name).is_file()
    engine = make_engine(parsed.render_as_string(hide_password=False))
    try:
        with engine.connect():
            return True
    except OperationalError as exc:
        if "does not exist" in str(exc):
            return False
        raise GltdError(
            f"base injoignable : {display_url(url)} ne répond pas ({exc.orig})"
        ) from exc
    finally:
        engine.dispose()
