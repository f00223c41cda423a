"""Analysis runs (:mod:`gltd.store.runs`): a web job writes one run, which alerts read."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
from fastapi.testclient import TestClient
from pyproj import Transformer

from gltd.model import Incident
from gltd.near_repeat import near_repeat_alerts
from gltd.store.engine import make_engine, session_scope
from gltd.store.runs import (
    create_run,
    fail_runs,
    finish_run,
    get_run,
    list_runs,
    record_run,
    start_run,
)
from gltd.web.app import create_app
from web_support import finished_job, login, page_token, seed, settings_for, web_settings

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2018, 6, 30, 12, 0, tzinfo=PARIS)
TO_WGS = Transformer.from_crs("EPSG:2154", "EPSG:4326", always_xy=True)
CAT = "cambriolages"


def _burglaries(url: str) -> None:
    """60 burglaries over 3 km in April–June 2018, 20 followed a day later by another 20 m
    away (a near-repeat signal), and 2 recent ones."""
    rng = np.random.default_rng(2018)
    start = datetime(2018, 4, 1, 9, 0, tzinfo=PARIS)
    rows = []

    def add(ref: str, x: float, y: float, when: datetime) -> None:
        lon, lat = TO_WGS.transform(x, y)
        rows.append(
            Incident(occurred_at=when, category=CAT, x=x, y=y, lon=lon, lat=lat,
                     date_only=False, source="test", source_ref=ref)
        )  # fmt: skip

    for k in range(60):
        x, y = 618000 + rng.uniform(0, 3000), 6752000 + rng.uniform(0, 3000)
        when = start + timedelta(days=float(rng.uniform(0, 75)))
        add(f"b{k}", x, y, when)
        if k < 20:
            add(f"r{k}", x + 20, y, when + timedelta(days=1))
    add("new1", 619000, 6753000, NOW - timedelta(days=2))
    add("new2", 619500, 6753500, NOW - timedelta(days=5))
    with session_scope(make_engine(url)) as s:
        s.add_all(rows)


def test_a_web_near_repeat_job_writes_one_run_that_alerts_read(db_url: str, tmp_path: Path) -> None:
    seed(db_url)
    _burglaries(db_url)
    engine = make_engine(db_url)
    with TestClient(create_app(settings_for(db_url), web=web_settings(tmp_path))) as c:
        login(c, "ville.analyste")
        r = c.post(
            "/analyses/near_repeat",
            data={
                "csrf_token": page_token(c, "/analyses"),
                "first": "2018-04-01",
                "last": "2018-06-20",
                "categories": [CAT],
                "permutations": "99",
            },
            follow_redirects=False,
        )
        assert r.status_code == 303, r.text[-2000:]
        job_id = int(r.headers["location"].rsplit("/", 1)[1])
        state = finished_job(c, job_id)
        assert state["status"] == "done", state
    runs = list_runs(engine, kind="near_repeat")
    assert [run.id for run in runs] == [job_id]  # one run: the job's
    run = runs[0]
    assert run.created_by == "ville.analyste" and run.output_path
    # The parameters the analysis used are stored with the form's.
    assert run.params["categories"] == [CAT] and run.params["first"] == "2018-04-01"
    assert run.params["distance_edges"][:3] == [0.0, 0.1, 100.0]
    assert run.params["permutations"] == 99 and run.params["seed"] == 0
    assert run.result["parameters"]["permutations"] == 99
    # « gltd near-repeat alerts » reads that run, and it only.
    report = near_repeat_alerts(engine, since=timedelta(days=7), now=NOW)
    assert report.recent_events == 2 and len(report.alerts) == 2
    assert {a.run_id for a in report.alerts} == {job_id}


def test_a_run_moves_from_queued_to_done_or_failed(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    a = create_run(engine, kind="hotspots", params={"cell": 100}, created_by="x")
    assert get_run(engine, a).status == "queued"  # type: ignore[union-attr]
    start_run(engine, a)
    finish_run(engine, a, result={"n": 3}, output_path="f.html", params={"cell": 150})
    b = create_run(engine, kind="hotspots", params={})
    fail_runs(engine, [a, b], "échec")  # a is done: only b fails
    c = record_run(engine, kind="siting", params={"k": 2}, result={"sites": []})
    done = get_run(engine, a)
    assert done is not None and (done.status, done.result, done.output_path) == (
        "done",
        {"n": 3},
        "f.html",
    )
    assert done.params == {"cell": 150} and done.error is None
    failed = get_run(engine, b)
    assert failed is not None and failed.status == "failed" and failed.error == "échec"
    assert [r.id for r in list_runs(engine)] == [c, b, a]
    assert [r.id for r in list_runs(engine, kind="hotspots", status="done")] == [a]
    light = list_runs(engine, kind="siting", with_result=False)
    assert [(r.id, r.result, r.params) for r in light] == [(c, None, {"k": 2})]
    assert get_run(engine, 999) is None
