"""The store: engine and sessions, Alembic migrations, and queries returning EventSets."""

from gltd.store.engine import make_engine, session_scope
from gltd.store.migrate import upgrade

__all__ = ["make_engine", "session_scope", "upgrade"]
