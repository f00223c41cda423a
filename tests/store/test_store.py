"""The store on real SQLite and PostgreSQL: migrations, models, append-only logs, EventSet."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from gltd.model import (
    Agency,
    AuditEvent,
    Camera,
    Incident,
    Operation,
    Requisition,
    Seizure,
    ViewingLogEntry,
    Zone,
)
from gltd.store.engine import make_engine, session_scope
from gltd.store.migrate import current_revision
from gltd.store.queries import load_events

PARIS = ZoneInfo("Europe/Paris")
SQUARE = "POLYGON((1.90 47.90, 1.91 47.90, 1.91 47.91, 1.90 47.91, 1.90 47.90))"


def test_migrations_create_every_table(db_url: str) -> None:
    engine = make_engine(db_url)
    tables = set(inspect(engine).get_table_names())
    expected = {
        "zone",
        "incident",
        "operation",
        "seizure",
        "camera",
        "requisition",
        "requisition_camera",
        "requisition_status_event",
        "viewing_log",
        "camera_request",
        "relevance_study",
        "intervention",
        "action",
        "agency",
        "user_account",
        "audit_event",
        "import_batch",
        "ssmsi_figure",
        "alembic_version",
    }
    assert expected <= tables
    from alembic.script import ScriptDirectory

    from gltd.store.migrate import alembic_config

    head = ScriptDirectory.from_config(alembic_config(db_url)).get_current_head()
    assert current_revision(engine) == head


def test_roundtrip_keeps_aware_times_and_relations(db_url: str) -> None:
    engine = make_engine(db_url)
    when = datetime(2018, 3, 25, 2, 30, tzinfo=UTC)  # the night DST starts in Paris
    with session_scope(engine) as s:
        z = Zone(name="Carmes", kind="quartier", geometry_wkt=SQUARE)
        s.add(z)
        s.flush()
        s.add(
            Incident(
                occurred_at=when,
                category="trafic_stupefiants",
                x=619000.0,
                y=6754000.0,
                lon=1.905,
                lat=47.905,
                zone_id=z.id,
                source="t",
                source_ref="1",
            )
        )
        op = Operation(
            started_at=datetime(2018, 4, 3, 9, tzinfo=PARIS),
            kind="occupation",
            arrests_trafficker=2,
            arrests_consumer=5,
            source_ref="op1",
            zone_id=z.id,
        )
        op.seizures.append(Seizure(substance="cannabis", quantity=120.5, unit="g"))
        s.add(op)
    with session_scope(engine) as s:
        inc = s.query(Incident).one()
        assert inc.occurred_at == when
        assert inc.occurred_at.tzinfo is not None
        op = s.query(Operation).one()
        assert op.started_at == datetime(2018, 4, 3, 7, tzinfo=UTC)
        assert [(x.substance, x.quantity) for x in op.seizures] == [("cannabis", 120.5)]


def test_source_ref_is_unique(db_url: str) -> None:
    engine = make_engine(db_url)
    when = datetime(2018, 1, 1, tzinfo=UTC)
    with pytest.raises(IntegrityError):
        with session_scope(engine) as s:
            for _ in range(2):
                s.add(Incident(occurred_at=when, category="autre", source="x", source_ref="dup"))
            s.flush()
    with session_scope(engine) as s:
        assert s.query(Incident).count() == 0


def test_naive_datetime_is_refused(db_url: str) -> None:
    engine = make_engine(db_url)
    with pytest.raises(Exception, match="naive datetime"):
        with session_scope(engine) as s:
            s.add(Incident(occurred_at=datetime(2018, 1, 1), category="autre", source_ref="n"))
            s.flush()


@pytest.mark.parametrize("table", ["audit_event", "viewing_log"])
def test_logs_are_append_only_in_the_database(db_url: str, table: str) -> None:
    engine = make_engine(db_url)
    with session_scope(engine) as s:
        s.add(Agency(name="Ville", kind="ville"))
        s.add(Camera(code="C1", lon=1.9, lat=47.9, x=619000.0, y=6754000.0))
        s.flush()
        s.add(AuditEvent(username="a", action="read"))
        s.add(ViewingLogEntry(agent="op1", action="visionnage", reason="réquisition"))
    for stmt in (f"UPDATE {table} SET id = id + 100", f"DELETE FROM {table}"):
        with pytest.raises(DBAPIError, match="append-only"):
            with engine.begin() as conn:
                conn.execute(text(stmt))
    with engine.connect() as conn:
        assert conn.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar() == 1


def test_sqlite_pragmas(sqlite_url: str) -> None:
    with make_engine(sqlite_url).connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


def test_load_events_filters_period_category_zone(db_url: str) -> None:
    engine = make_engine(db_url)
    base = datetime(2018, 6, 1, 12, tzinfo=PARIS)
    with session_scope(engine) as s:
        za = Zone(name="A", kind="quartier", geometry_wkt=SQUARE)
        zb = Zone(name="B", kind="quartier", geometry_wkt=SQUARE)
        s.add_all([za, zb])
        s.flush()
        for i in range(10):
            s.add(
                Incident(
                    occurred_at=base + timedelta(days=i),
                    category="usage_stupefiants" if i % 2 else "trafic_stupefiants",
                    x=1000.0 + i,
                    y=2000.0 + i,
                    zone_id=za.id if i < 6 else zb.id,
                    source="t",
                    source_ref=str(i),
                )
            )
        s.add(Incident(occurred_at=base, category="autre", source="t", source_ref="nocoord"))
    ev = load_events(engine)
    assert ev.n == 10
    ev = load_events(engine, start=base + timedelta(days=2), end=base + timedelta(days=5))
    np.testing.assert_array_equal(ev.x, [1002.0, 1003.0, 1004.0])
    assert ev.t[0] == np.datetime64("2018-06-03T10:00:00")  # 12:00 Paris = 10:00 UTC
    ev = load_events(engine, categories=["usage_stupefiants"], zones=["B"])
    np.testing.assert_array_equal(np.sort(ev.x), [1007.0, 1009.0])
    with pytest.raises(Exception, match="zone inconnue"):
        load_events(engine, zones=["Nowhere"])


def test_requisition_cameras(db_url: str) -> None:
    engine = make_engine(db_url)
    t0 = datetime(2018, 5, 1, tzinfo=PARIS)
    with session_scope(engine) as s:
        c = Camera(code="C7", lon=1.9, lat=47.9, x=1.0, y=2.0, retention_days=15)
        r = Requisition(
            received_at=t0,
            requesting_unit="SD 45",
            legal_basis="77-1-1",
            period_start=t0 - timedelta(days=2),
            period_end=t0 - timedelta(days=1),
            source_ref="R1",
            cameras=[c],
        )
        s.add(r)
    with session_scope(engine) as s:
        assert [c.code for c in s.query(Requisition).one().cameras] == ["C7"]


def test_analysis_does_not_import_orm_or_web() -> None:
    code = (
        "import sys, gltd.analysis, gltd.analysis.events;"
        "bad=[m for m in ('sqlalchemy','fastapi','typer') if m in sys.modules];"
        "print(','.join(bad)); sys.exit(1 if bad else 0)"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


def test_migrations_match_the_models(db_url: str) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from gltd.model import Base

    with make_engine(db_url).connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == [], f"models and migrations differ: write a migration for {diff}"


def test_single_migration_head() -> None:
    from alembic.script import ScriptDirectory

    from gltd.store.migrate import alembic_config

    assert len(ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads()) == 1


def test_arrow_and_sqlalchemy_readers_agree(db_url: str) -> None:
    from gltd.store.queries import _load_events_sqlalchemy

    engine = make_engine(db_url)
    base = datetime(2018, 10, 28, 0, 30, tzinfo=PARIS)  # DST ends that night
    with session_scope(engine) as s:
        for i in range(30):
            s.add(
                Incident(
                    occurred_at=base + timedelta(minutes=17 * i, microseconds=i),
                    category=f"c{i % 3}",
                    x=float(i),
                    y=float(-i),
                    source="t",
                    source_ref=str(i),
                    zone_id=None,
                )
            )
    start, end = base + timedelta(hours=1), base + timedelta(hours=6)
    fast = load_events(engine, start=start, end=end, categories=["c0", "c1"])
    slow = _load_events_sqlalchemy(engine, start, end, ["c0", "c1"], None)
    order_f, order_s = np.argsort(fast.x), np.argsort(slow.x)
    assert fast.n == slow.n > 0
    np.testing.assert_array_equal(fast.t[order_f], slow.t[order_s])
    np.testing.assert_array_equal(fast.category[order_f], slow.category[order_s])
    np.testing.assert_array_equal(fast.zone_id, -1)


def test_loading_events_leaves_sqlite_usable_in_the_same_process(sqlite_url: str) -> None:
    # One SQLite library per process: reading events must not break later connections
    # (two copies of SQLite on one WAL file lose each other's locks).
    engine = make_engine(sqlite_url)
    with session_scope(engine) as s:
        s.add(
            Incident(
                occurred_at=datetime(2018, 1, 1, tzinfo=UTC),
                category="autre",
                x=1.0,
                y=2.0,
                source="t",
                source_ref="a",
            )
        )
    assert load_events(engine).n == 1
    for _ in range(3):
        other = make_engine(sqlite_url)
        with session_scope(other) as s:
            s.add(
                Incident(
                    occurred_at=datetime(2018, 1, 2, tzinfo=UTC),
                    category="autre",
                    x=1.0,
                    y=2.0,
                    source="t",
                    source_ref=f"b{_}",
                )
            )
        other.dispose()
        assert load_events(engine).n == 2 + _
