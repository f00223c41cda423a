"""Sensitive reads outside the register lists are audited too.

The dashboard's requisition deadlines (service requesting, dates), the edit forms of
sensitive registers (an operation's notes, a requisition) and analysis runs (page, JSON,
file) are each written to the audit log with the account, like the register pages.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import Depends, Request
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from gltd.model import AuditEvent
from gltd.store.engine import make_engine
from gltd.web.app import create_app
from gltd.web.auth import CurrentUser
from gltd.web.deps import require
from gltd.web.render import render
from web_support import login, seed, settings_for, web_settings

#: A route that asks to record its sensitive read itself (and, in the test, forgets).
Forgetful = Annotated[CurrentUser, Depends(require("requisitions", audit_in_route=True))]


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


def test_register_pages_record_their_read_once_with_the_page(
    sqlite_url: str, tmp_path: Path
) -> None:
    """The list pages record their read in the same worker-thread trip as the page: once
    per page, list view and calendar alike."""
    seed(sqlite_url)
    app = create_app(settings_for(sqlite_url), web=web_settings(tmp_path))
    with TestClient(app) as c:
        login(c, "police.analyste")
        assert c.get("/requisitions?page=2&tri=id").status_code == 200
        assert c.get("/operations?vue=calendrier").status_code == 200
    reads = [(a, o, d) for a, o, _i, d in _events(sqlite_url, "police.analyste") if a == "lecture"]
    assert ("lecture", "requisitions", "/requisitions?page=2&tri=id") in reads
    assert ("lecture", "operations", "/operations?vue=calendrier") in reads
    assert len(reads) == len(set(reads))  # each read once


def test_a_page_left_with_its_read_unrecorded_is_refused(sqlite_url: str, tmp_path: Path) -> None:
    """A route that asks to record its read itself and forgets cannot show the data."""
    seed(sqlite_url)
    app = create_app(settings_for(sqlite_url), web=web_settings(tmp_path))

    @app.get("/oubli")
    async def oubli(request: Request, user: Forgetful) -> object:
        return render(request, "error.html", {"status": 200, "error": "données"})

    with TestClient(app, raise_server_exceptions=True) as c:
        login(c, "police.analyste")
        try:
            r = c.get("/oubli")
        except RuntimeError as exc:
            assert "before it was audited" in str(exc)
        else:
            raise AssertionError(f"rendered without its audit: {r.status_code} {r.text[:300]}")
