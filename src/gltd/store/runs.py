"""Analysis runs: the one place an ``analysis_run`` row is made, moved and read.

A run is ``queued`` (a web job waiting for the worker), ``running``, then ``done`` or
``failed``. The CLI and the services record a finished run in one go
(:func:`record_run`); the web's job runner creates it queued (:func:`create_run`) and
moves it along (:func:`start_run`, :func:`finish_run`, :func:`fail_runs`). Every run
stores its parameters and its result as JSON.

A queued or running run belongs to the process that made it (``runner``: host, process
id and a random token of the process), which refreshes its ``heartbeat_at`` every
:data:`HEARTBEAT_S` seconds (:func:`beat`). :func:`fail_interrupted_runs` marks ``failed``
the queued or running runs whose process is gone: same host and a process id that no
longer runs (or now runs another gltd), or no sign of life for :data:`STALE_S` seconds.
A run interrupted by a crash or a restart therefore never stays « en cours ».
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import socket
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from gltd.model import AnalysisRun
from gltd.model.base import utcnow

__all__ = [
    "RunStatus",
    "RunRecord",
    "HEARTBEAT_S",
    "STALE_S",
    "INTERRUPTED_FR",
    "RUNNER_ID",
    "record_run",
    "create_run",
    "start_run",
    "finish_run",
    "fail_runs",
    "beat",
    "fail_interrupted_runs",
    "get_run",
    "list_runs",
]

log = logging.getLogger("gltd.store.runs")

RunStatus = Literal["queued", "running", "done", "failed"]
_OPEN = ("queued", "running")

#: A runner refreshes the heartbeat of its runs this often (seconds).
HEARTBEAT_S = 30.0
#: A queued or running run without heartbeat for this long is failed (seconds).
STALE_S = 120.0
INTERRUPTED_FR = "analyse interrompue : le serveur s'est arrêté pendant le calcul ; relancez-la"
_HOST = socket.gethostname()[:60]
#: Identity of this process (the random part tells a reused process id apart).
RUNNER_ID = f"{_HOST}:{os.getpid()}:{secrets.token_hex(6)}"


@dataclass(frozen=True)
class RunRecord:
    """A stored run, its parameters and result decoded."""

    id: int
    kind: str
    category: str | None
    created_at: datetime
    created_by: str | None
    status: str
    params: dict[str, Any]
    result: Any
    output_path: str | None

    @property
    def error(self) -> str | None:
        """The French message of a failed run."""
        if self.status == "failed" and isinstance(self.result, dict):
            err = self.result.get("error")
            return None if err is None else str(err)
        return None


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def _record(row: Any) -> RunRecord:
    return RunRecord(
        id=int(row.id),
        kind=row.kind,
        category=row.category,
        created_at=row.created_at,
        created_by=row.created_by,
        status=row.status,
        params=json.loads(row.params_json or "{}"),
        result=json.loads(row.result_json) if getattr(row, "result_json", None) else None,
        output_path=row.output_path,
    )


def create_run(
    engine: Engine,
    *,
    kind: str,
    params: Mapping[str, Any],
    created_by: str | None = None,
    category: str | None = None,
    status: RunStatus = "queued",
    result: Any = None,
    output_path: str | None = None,
) -> int:
    """Store a new run; its id. A queued or running run belongs to this process."""
    open_run = status in _OPEN
    with Session(engine) as s, s.begin():
        row = AnalysisRun(
            kind=kind,
            category=category,
            created_by=created_by,
            status=status,
            params_json=_dumps(dict(params)),
            result_json=None if result is None else _dumps(result),
            output_path=output_path,
            runner=RUNNER_ID if open_run else None,
            heartbeat_at=utcnow() if open_run else None,
        )
        s.add(row)
        s.flush()
        return int(row.id)


def record_run(
    engine: Engine,
    *,
    kind: str,
    params: Mapping[str, Any],
    result: Any,
    created_by: str | None = None,
    category: str | None = None,
    output_path: str | None = None,
) -> int:
    """Store a finished run (status ``done``); its id."""
    return create_run(
        engine,
        kind=kind,
        params=params,
        result=result,
        created_by=created_by,
        category=category,
        status="done",
        output_path=output_path,
    )


def _set(engine: Engine, run_ids: Iterable[int], *, only_open: bool, **values: Any) -> None:
    ids = list(run_ids)
    if not ids:
        return
    stmt = update(AnalysisRun).where(AnalysisRun.id.in_(ids))
    if only_open:
        stmt = stmt.where(AnalysisRun.status.in_(_OPEN))
    with Session(engine) as s, s.begin():
        s.execute(stmt.values(**values))


def start_run(engine: Engine, run_id: int) -> None:
    """A queued run starts."""
    _set(engine, [run_id], only_open=False, status="running", heartbeat_at=utcnow())


def finish_run(
    engine: Engine,
    run_id: int,
    *,
    result: Any,
    output_path: str | None = None,
    params: Mapping[str, Any] | None = None,
) -> None:
    """A run is done: its result, its file and (when given) the parameters it used."""
    values: dict[str, Any] = {
        "status": "done",
        "result_json": _dumps(result),
        "output_path": output_path,
    }
    if params is not None:
        values["params_json"] = _dumps(dict(params))
    _set(engine, [run_id], only_open=False, **values)


def fail_runs(engine: Engine, run_ids: Iterable[int], message: str) -> None:
    """Queued or running runs failed, with the French message the user reads."""
    _set(engine, run_ids, only_open=True, status="failed", result_json=_dumps({"error": message}))


def beat(engine: Engine, run_ids: Iterable[int]) -> None:
    """Sign of life of this process's runs."""
    _set(engine, run_ids, only_open=False, heartbeat_at=utcnow())


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return False
    return True


def _is_dead(runner: str | None) -> bool:
    """True when ``runner`` is a process of this host that is known to be gone."""
    if not runner:
        return False
    host, _, rest = runner.partition(":")
    pid_s, _, token = rest.partition(":")
    if host != _HOST or not pid_s.isdigit():
        return False
    if runner == RUNNER_ID:
        return False
    if int(pid_s) == os.getpid():
        return token != RUNNER_ID.rsplit(":", 1)[1]  # our pid, an earlier process
    return not _process_alive(int(pid_s))


def fail_interrupted_runs(engine: Engine, stale_s: float = STALE_S) -> list[int]:
    """Mark ``failed`` the queued or running runs whose process is gone; their ids."""
    limit = utcnow() - timedelta(seconds=stale_s)
    with Session(engine) as s:
        rows = s.execute(
            select(AnalysisRun.id, AnalysisRun.runner, AnalysisRun.heartbeat_at).where(
                AnalysisRun.status.in_(_OPEN)
            )
        ).all()
    ids = [
        int(r.id)
        for r in rows
        if r.heartbeat_at is None or r.heartbeat_at < limit or _is_dead(r.runner)
    ]
    fail_runs(engine, ids, INTERRUPTED_FR)
    for run_id in ids:
        log.warning("analysis run %s was interrupted: marked failed", run_id)
    return ids


def get_run(engine: Engine, run_id: int) -> RunRecord | None:
    """One run, or None."""
    with Session(engine) as s:
        row = s.get(AnalysisRun, run_id)
        return None if row is None else _record(row)


def list_runs(
    engine: Engine,
    *,
    kind: str | None = None,
    status: RunStatus | None = None,
    limit: int | None = None,
    with_result: bool = True,
) -> list[RunRecord]:
    """Runs, latest first (creation time, then id); without their result when
    ``with_result`` is false (a list of runs, lighter to read)."""
    t = AnalysisRun.__table__.c
    cols = [c for c in t if with_result or c.name != "result_json"]
    stmt = select(*cols).order_by(t.created_at.desc(), t.id.desc())
    if kind is not None:
        stmt = stmt.where(t.kind == kind)
    if status is not None:
        stmt = stmt.where(t.status == status)
    if limit is not None:
        stmt = stmt.limit(limit)
    with engine.connect() as conn:
        return [_record(row) for row in conn.execute(stmt)]
