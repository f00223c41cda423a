"""Background analyses: one worker thread, runs recorded in the ``analysis_run`` table.

A form starts a job; the page polls ``/api/jobs/{id}`` for its progress (kept in memory
while it runs) and shows the result when the run is ``done`` (or the French message when
it ``failed``). Results and files stay in the database and the results folder.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, update
from sqlalchemy.orm import Session

from gltd.errors import GltdError
from gltd.model import AnalysisRun

__all__ = ["JobRunner", "Progress", "JobOutput"]

log = logging.getLogger("gltd.web.jobs")


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
        self._lock = threading.Lock()

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
                params_json=json.dumps(params, ensure_ascii=False, default=str),
            )
            s.add(run)
            s.flush()
            run_id = run.id
        with self._lock:
            self._progress[run_id] = Progress()
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
        prog = self.progress(run_id) or Progress()
        prog(0, 1, "calcul en cours")
        self._set(run_id, status="running")
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
        self._pool.shutdown(wait=True, cancel_futures=True)
