"""Several server processes (``gltd serve --workers N``) behave as one server.

Sessions, rights, the audit log, the login throttle and the analyses' runs already live
in the database; the progress of a run is also written beside its results, so that the
page polling it through another process sees it move; the caches follow each other
through the audit log (tests/web/test_cache_changes.py).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

from gltd.store.engine import make_engine
from gltd.web.jobs import JobOutput, JobRunner, Progress
from web_support import PASSWORD, SECRET, free_port, seed

SRC = Path(__file__).resolve().parent.parent.parent / "src"


def test_a_run_shows_its_progress_to_the_other_processes(sqlite_url: str, tmp_path: Path) -> None:
    seed(sqlite_url)
    engine = make_engine(sqlite_url)
    mine, other = JobRunner(engine, tmp_path / "res"), JobRunner(engine, tmp_path / "res")
    halfway, release = threading.Event(), threading.Event()

    def job(_engine: object, _params: dict, prog: Progress, _folder: Path) -> JobOutput:
        prog(1, 3, "étape 1 sur 3 : lecture des faits")
        halfway.set()
        release.wait(10)
        return JobOutput({"ok": True})

    run_id = mine.submit("hotspots", {}, "police.analyste", job)
    assert halfway.wait(10)
    seen = other.progress(run_id)  # the other process: no job of its own
    assert seen is not None
    assert (seen.done, seen.total, seen.message) == (1, 3, "étape 1 sur 3 : lecture des faits")
    release.set()
    mine.shutdown()
    assert other.progress(run_id) is None  # finished: its status is read from the base


def test_two_server_processes_share_sessions(sqlite_url: str, tmp_path: Path) -> None:
    seed(sqlite_url)
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(SRC), "GLTD_SECRET_KEY": SECRET,
           "GLTD_ENV": "development", "GLTD_RESULTS_DIR": str(tmp_path / "res")}  # fmt: skip
    proc = subprocess.Popen(
        [sys.executable, "-c", "from gltd.cli.main import run; run()", "serve",
         "--db", sqlite_url, "--port", str(port),
         "--workers", "2", "--reference-date", "24/09/2018"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
            try:
                if httpx.get(base + "/login", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.2)
        with httpx.Client(base_url=base) as c:
            token = re.search(r'name="csrf_token" value="([0-9a-f]+)"', c.get("/login").text)
            assert token
            r = c.post("/login", data={"username": "police.analyste", "password": PASSWORD,
                                       "csrf_token": token.group(1), "next": "/"})  # fmt: skip
            assert r.status_code == 303
            cookies = dict(c.cookies)
        # Fresh connections land on either process: each knows the session and the date.
        for _ in range(12):
            with httpx.Client(base_url=base, cookies=cookies) as c:
                me = c.get("/api/me")
                assert me.status_code == 200 and me.json()["username"] == "police.analyste"
                assert "24/09/2018" in c.get("/requisitions").text
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=30)
    assert out.count("Started server process") == 2, out[-2000:]


def test_a_short_job_does_not_wait_behind_a_long_analysis(sqlite_url: str, tmp_path: Path) -> None:
    """A printed map (a few seconds) runs in its own lane, beside a long bilan."""
    seed(sqlite_url)
    runner = JobRunner(make_engine(sqlite_url), tmp_path / "res")
    long_started, release, short_done = threading.Event(), threading.Event(), threading.Event()

    def long_job(_e: object, _p: dict, _prog: Progress, _f: Path) -> JobOutput:
        long_started.set()
        release.wait(20)
        return JobOutput({"long": True})

    def short_job(_e: object, _p: dict, _prog: Progress, _f: Path) -> JobOutput:
        short_done.set()
        return JobOutput({"short": True})

    runner.submit("bilan", {}, "police.analyste", long_job)
    assert long_started.wait(10)
    runner.submit("carte", {}, "police.analyste", short_job, quick=True)
    try:
        assert short_done.wait(10), "the printed map waited behind the bilan"
    finally:
        release.set()
        runner.shutdown()
