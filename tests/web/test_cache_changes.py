"""Cached views follow the changes made by other processes (the CLI, another server).

The web cache keeps register pages, dashboard tiles and the camera and intervention
layers; they are keyed by the last change recorded in the audit log, re-read every
``version_check_s`` seconds, so that an edit made outside this process shows within that
delay instead of the cache's lifetime (five minutes).
"""

from __future__ import annotations

import time
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import text

from gltd.cctv import inventory as inv
from gltd.store.audit import last_change, record
from gltd.store.engine import make_engine
from gltd.web.app import create_app
from web_support import login, seed, settings_for, web_settings


def test_last_change_ignores_reads_and_uses_its_index(sqlite_url: str) -> None:
    seed(sqlite_url)
    engine = make_engine(sqlite_url)
    with engine.connect() as conn:
        before = last_change(conn)
    record(engine, actor="x", verb="lecture", object_type="requisitions")
    record(engine, actor="x", verb="export", object_type="requisitions")
    with engine.connect() as conn:
        assert last_change(conn) == before  # reads and exports change nothing
    record(engine, actor="x", verb="modification", object_type="requisitions", object_id=1)
    with engine.connect() as conn:
        changed = last_change(conn)
        assert changed is not None and (before is None or changed > before)
        plan = conn.execute(
            text("EXPLAIN QUERY PLAN SELECT max(id) FROM audit_event WHERE action = 'creation'")
        ).all()
    assert "ix_audit_action_id" in " ".join(str(r) for r in plan)


def test_a_camera_added_from_the_cli_reaches_the_map_and_the_register(
    db_url: str, tmp_path: Path
) -> None:
    seed(db_url)
    engine = make_engine(db_url)
    app = create_app(settings_for(db_url), web=web_settings(tmp_path))
    app.state.gltd.cache.version_check_s = 0.2
    layer = "/api/map/cameras?du=2018-03-24&au=2018-09-23"
    with TestClient(app) as c:
        login(c, "police.analyste")
        assert "C-CLI" not in c.get(layer).text
        assert "C-CLI" not in c.get("/cameras").text
        # Another process (the CLI) adds a camera: it is audited, not seen by this cache.
        inv.add_camera(engine, inv.CameraData(code="C-CLI", lat=47.902, lon=1.901))
        time.sleep(0.3)
        assert "C-CLI" in c.get(layer).text
        assert "C-CLI" in c.get("/cameras").text
