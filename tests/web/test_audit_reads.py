"""Sensitive reads outside the register lists are audited too.

The dashboard's requisition deadlines (service requesting, dates), the edit forms of
sensitive registers (an operation's notes, a requisition) and analysis runs (page, JSON,
file) are each written to the audit log with the account, like the register pages.
"""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from gltd.model import AuditEvent
from gltd.store.engine import make_engine
from gltd.web.app import create_app
from web_support import login, seed, settings_for, web_settings


def _events(url: str, user: str) -> list[tuple[str, str | None, str | None, str | None]]:
    with Session(make_engine(url)) as s:
        rows = s.execute(
            select(
                AuditEvent.action, AuditEvent.object_type, AuditEvent.object_id, AuditEvent.detail
            )
            .where(AuditEvent.username == user)
            .order_by(AuditEvent.id)
        ).all()
    return [tuple(r) for r in rows]  # type: ignore[misc]


def _deadline_reads(url: str, user: str) -> list[str | None]:
    return [
        d
        for a, o, _i, d in _events(url, user)
        if a == "lecture" and o == "requisitions" and d and "échéances" in d
    ]


def test_dashboard_deadlines_are_audited(db_url: str, tmp_path: Path) -> None:
    seed(db_url)
    app = create_app(settings_for(db_url), web=web_settings(tmp_path))
    with TestClient(app) as c:
        login(c, "police.lecteur")
        page = c.get("/")
        assert page.status_code == 200 and "Commissariat central" in page.text
        api = c.get("/api/dashboard").json()
        assert [r["unit"] for r in api["deadlines"]["requisitions"]] == ["Commissariat central"]
        c.get("/")  # served from the cache this time: still audited
    reads = _deadline_reads(db_url, "police.lecteur")
    assert reads == [
        "/ : échéances des réquisitions (1)",
        "/api/dashboard : échéances des réquisitions (1)",
        "/ : échéances des réquisitions (1)",
    ]
    with TestClient(app) as city:
        login(city, "ville.lecteur")
        assert "Commissariat central" not in city.get("/").text
    assert _deadline_reads(db_url, "ville.lecteur") == []  # nothing shown, nothing read


def test_edit_forms_of_sensitive_registers_are_audited(sqlite_url: str, tmp_path: Path) -> None:
    ids = seed(sqlite_url)
    app = create_app(settings_for(sqlite_url), web=web_settings(tmp_path))
    with TestClient(app) as c:
        login(c, "police.analyste")
        r = c.get(f"/operations/{ids['operation']}/modifier")
        assert r.status_code == 200
    with TestClient(app) as csu:
        login(csu, "csu.operateur_csu")
        assert csu.get(f"/requisitions/{ids['requisition']}/modifier").status_code == 200
        assert csu.get("/cameras/1/modifier").status_code == 200
    ops = [
        (a, o, i)
        for a, o, i, d in _events(sqlite_url, "police.analyste")
        if d and "formulaire de modification" in d
    ]
    assert ops == [("lecture", "operations", str(ids["operation"]))]
    csu_reads = [
        (a, o, i)
        for a, o, i, d in _events(sqlite_url, "csu.operateur_csu")
        if d and "formulaire de modification" in d
    ]
    # Cameras are public to every agency: their form is not a sensitive read.
    assert csu_reads == [("lecture", "requisitions", str(ids["requisition"]))]
