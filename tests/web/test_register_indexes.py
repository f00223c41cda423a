"""The requisition register's status and deadline filters read an index, not the table.

Without an index on ``requisition.status`` the « Statut » and « Échéance » filters and
the dashboard's deadlines scanned every requisition (benchmarks/bench_requisition_status.py:
on 100,000 requisitions « échéance dépassée » went from 228 ms to 5 ms).
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import Select, inspect

from gltd.store.engine import make_engine
from gltd.store.migrate import upgrade
from gltd.web.registers.listing import filtered, parse_query
from gltd.web.registers.lists_cctv import REQUISITIONS

NOW = datetime(2018, 9, 24, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> str:
    u = f"sqlite:///{tmp_path_factory.mktemp('indexes') / 'gltd.db'}"
    upgrade(u)
    return u


def _plan(url: str, stmt: Select[object]) -> str:
    engine = make_engine(url)
    compiled = stmt.compile(engine, compile_kwargs={"literal_binds": True})
    with engine.connect() as conn:
        rows = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}").all()
    engine.dispose()
    return " | ".join(str(r[-1]) for r in rows)


def test_the_migration_indexes_status_then_deadline(url: str) -> None:
    indexes = {
        i["name"]: i["column_names"] for i in inspect(make_engine(url)).get_indexes("requisition")
    }
    assert indexes.get("ix_requisition_status_deadline") == ["status", "deadline"]


@pytest.mark.parametrize(
    "params", [{"statut": "recue"}, {"echeance": "depasse"}, {"echeance": "urgent"}]
)
def test_status_and_deadline_filters_search_the_index(url: str, params: dict[str, str]) -> None:
    stmt = filtered(REQUISITIONS, parse_query(REQUISITIONS, params), NOW)
    plan = _plan(url, stmt.with_only_columns(REQUISITIONS.key))
    assert "USING COVERING INDEX ix_requisition_status_deadline (status=?" in plan, plan
