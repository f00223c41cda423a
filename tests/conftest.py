"""Shared fixtures: real SQLite and PostgreSQL databases, migrated.

PostgreSQL tests use ``GLTD_TEST_PG_URL`` (an account allowed to create databases).
Without it they skip on a laptop, but fail under ``CI=true``: CI must run them.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from ci_support import require

# pytest-xdist gives its workers COLUMNS=80; a Rich console created while COLUMNS is set
# keeps that width for good, so the width each test passes to CliRunner would be ignored
# and the CLI's tables cut at 80 columns depending on how tests are spread over workers.
os.environ.pop("COLUMNS", None)
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


@pytest.fixture(scope="session")
def pg_admin_url() -> str:
    """URL of a PostgreSQL server (maintenance database) for creating test databases."""
    url = os.environ.get("GLTD_TEST_PG_URL")
    require(bool(url), "GLTD_TEST_PG_URL is not set (no PostgreSQL server)")
    assert url is not None
    from gltd.store.engine import make_engine, normalise_url

    url = normalise_url(url)
    try:
        with make_engine(url).connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001
        require(False, f"PostgreSQL at GLTD_TEST_PG_URL is unreachable ({exc})")
    return url


def _create_pg_database(admin_url: str) -> tuple[str, str]:
    from gltd.store.engine import make_engine

    name = f"gltd_test_{uuid.uuid4().hex[:12]}"
    eng = make_engine(admin_url, isolation_level="AUTOCOMMIT")
    with eng.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    eng.dispose()
    return name, make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def _drop_pg_database(admin_url: str, name: str) -> None:
    from gltd.store.engine import get_engine, make_engine

    get_engine.cache_clear()
    eng = make_engine(admin_url, isolation_level="AUTOCOMMIT")
    with eng.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    eng.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, migrated database URL — once on SQLite, once on PostgreSQL."""
    from gltd.store.migrate import upgrade

    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'gltd.db'}"
        upgrade(url)
        yield url
        from gltd.store.engine import get_engine

        get_engine.cache_clear()
        return
    admin = request.getfixturevalue("pg_admin_url")
    name, url = _create_pg_database(admin)
    try:
        upgrade(url)
        yield url
    finally:
        _drop_pg_database(admin, name)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> Iterator[str]:
    """A fresh migrated SQLite database (for tests that need only the embedded store)."""
    from gltd.store.engine import get_engine
    from gltd.store.migrate import upgrade

    url = f"sqlite:///{tmp_path / 'gltd.db'}"
    upgrade(url)
    yield url
    get_engine.cache_clear()


@pytest.fixture
def camera_network(db_url: str) -> Engine:
    """The engine of ``db_url`` holding three cameras at one place: C-OLD (since 2015),
    C-GONE (2015 to 1 March 2018, removed that day), C-NEW (from 1 September 2018)."""
    from datetime import date

    from gltd.cctv import inventory as inv
    from gltd.store.engine import make_engine

    engine = make_engine(db_url)
    for code, installed, removed in (
        ("C-OLD", date(2015, 1, 1), None),
        ("C-GONE", date(2015, 1, 1), date(2018, 3, 1)),
        ("C-NEW", date(2018, 9, 1), None),
    ):
        inv.add_camera(
            engine,
            inv.CameraData(code=code, lat=47.902, lon=1.901, installed_on=installed,
                           removed_on=removed),
        )  # fmt: skip
    return engine


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """Debian's Chromium (never a downloaded browser)."""
    path = "/usr/bin/chromium"
    require(
        Path(path).exists() or shutil.which("chromium") is not None,
        "Debian's chromium is not installed",
    )
    return path


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    """Folder for screenshots and rendered pages kept after the run."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
