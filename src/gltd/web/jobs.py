"""Background analyses: one worker thread (and one for short jobs such as a printed map),
runs recorded through :mod:`gltd.store.runs`.

A form starts a job; the page polls ``/api/jobs/{id}`` for its progress (kept in memory
while it runs, and in ``.progress/`` of the results folder for the other server processes) and shows the result when the run is ``done`` (or the French message when
it ``failed``). Results and files stay in the database and the results folder.

The run of a job is the only run the job writes: the analysis it calls stores nothing
itself (its service is called with ``store=False``) and may hand back the parameters it
used (:attr:`JobOutput.params`), which join the form's. The runner keeps the heartbeat of
its runs and, at start-up and at each beat, fails the runs of stopped processes
(:func:`gltd.store.runs.fail_interrupted_runs`).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from gltd.errors import GltdError
from gltd.fileio import write_atomic
from gltd.store import runs
from gltd.store.runs import HEARTBEAT_S, INTERRUPTED_FR, STALE_S, fail_interrupted_runs

__all__ = [
    "JobRunner",
    "Progress",
    "JobOutput",
    "HEARTBEAT_S",
    "STALE_S",
    "INTERRUPTED_FR",
    "fail_interrupted_runs",
]

log = logging.getLogger("gltd.web.jobs")
#: Seconds between two writes of a run's progress file (the page polls every second).
PROGRESS_WRITE_S = 0.5


@dataclass
class Progress:
    """Progress of a running job (steps done of total, and a French message).

    With ``path``, the state is also written there, so that the other server processes
    (``gltd serve --workers``) show the same progress: at once for a new stage (another
    number of steps) or when nothing was written for :data:`PROGRESS_WRITE_S` seconds,
    otherwise by :meth:`flush` (the runner's heartbeat thread, every
    :data:`PROGRESS_WRITE_S`): an analysis that reports each permutation does not write a
    file each time.
    """

    done: int = 0
    total: int = 1
    message: str = "en attente"
    path: Path | None = None
    _written_at: float = -1e18
    _written_total: int = 0
    _dirty: bool = False

    def __call__(self, done: int, total: int | None = None, message: str | None = None) -> None:
        """Update (the signature analyses use for their progress callbacks)."""
        self.done = int(done)
        if total is not None:
            self.total = max(int(total), 1)
        if message is not None:
            self.message = message
        if self.path is not None:
            self._dirty = True
            new_stage = self.total != self._written_total
            if new_stage or time.monotonic() - self._written_at >= PROGRESS_WRITE_S:
                self.flush()

    def flush(self) -> None:
        """Write the state if it changed since the last write."""
        if self.path is None or not self._dirty:
            return
        self._written_at, self._written_total, self._dirty = time.monotonic(), self.total, False
        state = {"done": self.done, "total": self.total, "message": self.message}
        try:
            write_atomic(self.path, json.dumps(state), parents=True)
        except OSError:  # progress is a courtesy: the run goes on
            log.warning("progress file %s not writable", self.path)

    @classmethod
    def read(cls, path: Path) -> Progress | None:
        """The progress another process wrote at ``path``, or None."""
        try:
            state = json.loads(path.read_text(encoding="utf-8"))
            return cls(int(state["done"]), int(state["total"]), str(state["message"]))
        except (OSError, ValueError, KeyError, TypeError):
            return None


@dataclass(frozen=True)
class JobOutput:
    """What a job returns: a JSON-able result, an optional file in the results folder, a
    French summary, and the parameters the analysis used (stored with the form's)."""

    result: dict[str, Any]
    output_path: str | None = None
    summary: str | None = None
    params: dict[str, Any] | None = None


JobFunc = Callable[[Engine, dict[str, Any], Progress, Path], JobOutput]


class JobRunner:
    """Run analyses one at a time in a background thread."""

    def __init__(self, engine: Engine, results_dir: Path, workers: int = 1) -> None:
        self.engine = engine
        self.results_dir = results_dir
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="gltd-job")
        #: Short jobs (a printed map: a few seconds) do not wait behind a long analysis.
        self._quick = ThreadPoolExecutor(max_workers=1, thread_name_prefix="gltd-job-court")
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
        last_beat = time.monotonic()
        while not self._stop.wait(PROGRESS_WRITE_S):
            with self._lock:
                active = [self._progress[i] for i in self._active if i in self._progress]
            for prog in active:
                prog.flush()
            if time.monotonic() - last_beat < HEARTBEAT_S:
                continue
            last_beat = time.monotonic()
            try:
                with self._lock:
                    ids = sorted(self._active)
                runs.beat(self.engine, ids)
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
        *,
        quick: bool = False,
    ) -> int:
        """Record a queued run and start it; returns the run id.

        ``quick``: a job of a few seconds (a printed map), run in its own lane so that it
        never waits behind a bilan or an analysis of several minutes.
        """
        run_id = runs.create_run(
            self.engine, kind=kind, params=params, created_by=username, category=category
        )
        self.start()
        with self._lock:
            self._progress[run_id] = Progress(path=self._progress_file(run_id))
            self._active.add(run_id)
        (self._quick if quick else self._pool).submit(self._run, run_id, params, func)
        return run_id

    def _progress_file(self, run_id: int) -> Path:
        return self.results_dir / ".progress" / f"{run_id}.json"

    def progress(self, run_id: int) -> Progress | None:
        """Live progress of a run, of this process or of another server process."""
        with self._lock:
            mine = self._progress.get(run_id)
        return mine if mine is not None else Progress.read(self._progress_file(run_id))

    def _run(self, run_id: int, params: dict[str, Any], func: JobFunc) -> None:
        try:
            self._execute(run_id, params, func)
        finally:
            with self._lock:
                self._active.discard(run_id)
                prog = self._progress.get(run_id)
                if prog is not None:
                    prog.path = None  # no later flush
            # The run's status is in the database now: every process reads it there.
            self._progress_file(run_id).unlink(missing_ok=True)

    def _execute(self, run_id: int, params: dict[str, Any], func: JobFunc) -> None:
        with self._lock:
            prog = self._progress.get(run_id) or Progress()
        prog(0, 1, "calcul en cours")
        runs.start_run(self.engine, run_id)
        try:
            self.results_dir.mkdir(parents=True, exist_ok=True)
            out = func(self.engine, params, prog, self.results_dir)
            result = dict(out.result)
            if out.summary:
                result.setdefault("summary_fr", out.summary)
            runs.finish_run(
                self.engine,
                run_id,
                result=result,
                output_path=out.output_path,
                params=None if out.params is None else {**params, **out.params},
            )
            prog(prog.total, prog.total, "terminé")
        except GltdError as exc:
            runs.fail_runs(self.engine, [run_id], str(exc))
            prog(prog.done, None, f"échec : {exc}")
        except Exception as exc:  # noqa: BLE001 - a failed job must never kill the worker
            log.exception("analysis run %s failed", run_id)
            runs.fail_runs(self.engine, [run_id], f"erreur interne : {type(exc).__name__}")
            prog(prog.done, None, "échec (erreur interne, voir le journal du serveur)")

    def shutdown(self) -> None:
        """Stop accepting jobs and wait for the running one."""
        self._stop.set()
        self._pool.shutdown(wait=True, cancel_futures=True)
        self._quick.shutdown(wait=True, cancel_futures=True)
        with self._lock:
            cancelled = sorted(self._active)
            self._active.clear()
        if cancelled:  # queued, never started: say so rather than leave them queued
            runs.fail_runs(self.engine, cancelled, INTERRUPTED_FR)
