"""Background analyses: one worker thread, runs recorded in the ``analysis_run`` table.

A form starts a job; the page polls ``/api/jobs/{id}`` for its progress (kept in memory
while it runs) and shows the result when the run is ``done`` (or the French message when
it ``failed``). Results and files stay in the database and the results folder.

A run belongs to the process that queued it (``runner``: host, process id and a random
token of the process) which refreshes its ``heartbeat_at`` every
:data:`HEARTBEAT_S` seconds. A server that starts, and every runner at each beat, marks
``failed`` the queued or running runs whose process is gone: same host and a process id
that no longer runs (or now runs another gltd), or no sign of life for :data:`STALE_S`
seconds. A run interrupted by a crash or a restart therefore never stays « en cours ».
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import socket
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from gltd.errors import GltdError
from gltd.model import AnalysisRun
from gltd.model.base import utcnow

__all__ = ["JobRunner", "Progress", "JobOutput", "HEARTBEAT_S", "STALE_S", "INTERRUPTED_FR"]

log = logging.getLogger("gltd.web.jobs")

#: A runner refreshes the heartbeat of its runs this often (seconds).
HEARTBEAT_S = 30.0
#: A queued or running run without heartbeat for this long is failed (seconds).
STALE_S = 120.0
INTERRUPTED_FR = "analyse interrompue : le serveur s'est arrêté pendant le calcul ; relancez-la"
_HOST = socket.gethostname()[:60]
#: Identity of this process (the random part tells a reused process id apart).
RUNNER_ID = f"{_HOST}:{os.getpid()}:{secrets.token_hex(6)}"


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
    with Session(engine) as s, s.begin():
        rows = s.execute(
            select(AnalysisRun.id, AnalysisRun.runner, AnalysisRun.heartbeat_at).where(
                AnalysisRun.status.in_(("queued", "running"))
            )
        ).all()
        ids = [
            r.id
            for r in rows
            if r.heartbeat_at is None or r.heartbeat_at < limit or _is_dead(r.runner)
        ]
        if ids:
            s.execute(
                update(AnalysisRun)
                .where(AnalysisRun.id.in_(ids), AnalysisRun.status.in_(("queued", "running")))
                .values(status="failed", result_json=json.dumps({"error": INTERRUPTED_FR}))
            )
    for run_id in ids:
        log.warning("analysis run %s was interrupted: marked failed", run_id)
    return ids


@dataclass
class Progress:
    """Progress of a running job (steps done of total, and a French message)."""

    done: int = 0
    total: int = 1
    message: str = "en attente"

    def __call__(self, done: int, total: int | None = None, message: str | None = None) -> None:
        """Update (the signature analyses use for their progress callbacks)."""
        self.done = int(done)
        if total is not None:
            self.total = max(int(total), 1)
        if message is not None:
            self.message = message


@dataclass(frozen=True)
class JobOutput:
    """What a job returns: a JSON-able result and an optional file in the results folder."""

    result: dict[str, Any]
    output_path: str | None = None
    summary: str | None = None


JobFunc = Callable[[Engine, dict[str, Any], Progress, Path], JobOutput]


class JobRunner:
    """Run analyses one at a time in a background thread."""

    def __init__(self, engine: Engine, results_dir: Path, workers: int = 1) -> None:
        self.engine = engine
        self.results_dir = results_dir
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="gltd-job")
        self._progress: dict[int, Progress] = {}
        self._active: set[int] = set()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._beat: threading.Thread | None = None

    def start(self) -> list[int]:
        """Fail the runs left by a stopped process, then keep our runs' heartbeat.

        Called at server start-up (idempotent); returns the ids marked failed.
        """
        failed = fail_interrupted_runs(self.engine)
        with self._lock:
            if self._beat is None:
                self._beat = threading.Thread(
                    target=self._heartbeat, daemon=True, name="gltd-job-heartbeat"
                )
                self._beat.start()
        return failed

    def _heartbeat(self) -> None:
        while not self._stop.wait(HEARTBEAT_S):
            try:
                with self._lock:
                    ids = sorted(self._active)
                if ids:
                    with Session(self.engine) as s, s.begin():
                        s.execute(
                            update(AnalysisRun)
                            .where(AnalysisRun.id.in_(ids))
                            .values(heartbeat_at=utcnow())
                        )
                fail_interrupted_runs(self.engine)
            except Exception:  # noqa: BLE001 - the heartbeat must survive a database hiccup
                log.exception("job heartbeat failed")

    def submit(
        self,
        kind: str,
        params: dict[str, Any],
        username: str,
        func: JobFunc,
        category: str | None = None,
    ) -> int:
        """Record a queued run and start it; returns the run id."""
        with Session(self.engine) as s, s.begin():
            run = AnalysisRun(
                kind=kind,
                category=category,
                created_by=username,
                status="queued",
                runner=RUNNER_ID,
                heartbeat_at=utcnow(),
                params_json=json.dumps(params, ensure_ascii=False, default=str),
            )
            s.add(run)
            s.flush()
            run_id = run.id
        self.start()
        with self._lock:
            self._progress[run_id] = Progress()
            self._active.add(run_id)
        self._pool.submit(self._run, run_id, params, func)
        return run_id

    def progress(self, run_id: int) -> Progress | None:
        """Live progress of a run of this process, if any."""
        with self._lock:
            return self._progress.get(run_id)

    def _set(self, run_id: int, **values: Any) -> None:
        with Session(self.engine) as s, s.begin():
            s.execute(update(AnalysisRun).where(AnalysisRun.id == run_id).values(**values))

    def _run(self, run_id: int, params: dict[str, Any], func: JobFunc) -> None:
        try:
            self._execute(run_id, params, func)
        finally:
            with self._lock:
                self._active.discard(run_id)

    def _execute(self, run_id: int, params: dict[str, Any], func: JobFunc) -> None:
        prog = self.progress(run_id) or Progress()
        prog(0, 1, "calcul en cours")
        self._set(run_id, status="running", heartbeat_at=utcnow())
        try:
            self.results_dir.mkdir(parents=True, exist_ok=True)
            out = func(self.engine, params, prog, self.results_dir)
            result = dict(out.result)
            if out.summary:
                result.setdefault("summary_fr", out.summary)
            self._set(
                run_id,
                status="done",
                result_json=json.dumps(result, ensure_ascii=False, default=str),
                output_path=out.output_path,
            )
            prog(prog.total, prog.total, "terminé")
        except GltdError as exc:
            self._set(run_id, status="failed", result_json=json.dumps({"error": str(exc)}))
            prog(prog.done, None, f"échec : {exc}")
        except Exception as exc:  # noqa: BLE001 - a failed job must never kill the worker
            log.exception("analysis run %s failed", run_id)
            self._set(
                run_id,
                status="failed",
                result_json=json.dumps({"error": f"erreur interne : {type(exc).__name__}"}),
            )
            prog(prog.done, None, "échec (erreur interne, voir le journal du serveur)")

    def shutdown(self) -> None:
        """Stop accepting jobs and wait for the running one."""
        self._stop.set()
        self._pool.shutdown(wait=True, cancel_futures=True)
        with self._lock:
            cancelled = sorted(self._active)
            self._active.clear()
        if cancelled:  # queued, never started: say so rather than leave them queued
            self._set_many(cancelled, INTERRUPTED_FR)

    def _set_many(self, ids: list[int], message: str) -> None:
        with Session(self.engine) as s, s.begin():
            s.execute(
                update(AnalysisRun)
                .where(AnalysisRun.id.in_(ids), AnalysisRun.status.in_(("queued", "running")))
                .values(status="failed", result_json=json.dumps({"error": message}))
            )
