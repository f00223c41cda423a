"""Engines: the connection pool sized to the threads that share it."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from gltd.store.engine import make_engine


def test_a_shared_engine_keeps_a_connection_per_thread(tmp_path: Path) -> None:
    """With ``concurrency`` the pool keeps that many connections open (SQLAlchemy's
    default of 5 made a busy web server open and close a connection, and replay its
    pragmas, for each request beyond the fifth)."""
    engine = make_engine(f"sqlite:///{tmp_path / 'a.db'}", concurrency=12)
    conns = [engine.connect() for _ in range(12)]
    for c in conns:
        assert c.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        c.close()
    assert engine.pool.size() == 12  # type: ignore[attr-defined]
    assert engine.pool.checkedin() == 12  # type: ignore[attr-defined]  # all kept open
    assert make_engine(f"sqlite:///{tmp_path / 'b.db'}").pool.size() == 5  # type: ignore[attr-defined]


def test_an_in_memory_base_ignores_the_pool_size() -> None:
    engine = make_engine("sqlite://", concurrency=12)
    with engine.connect() as c:
        assert c.execute(text("SELECT 1")).scalar() == 1
