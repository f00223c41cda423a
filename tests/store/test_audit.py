"""The audit log (:mod:`gltd.store.audit`): one writer, one verb list, one event per act."""

from __future__ import annotations

import html
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from gltd.cli.main import app as cli
from gltd.model import AuditEvent, Camera
from gltd.store import audit
from gltd.store.engine import make_engine
from gltd.web.app import create_app
from web_support import login, page_token, seed, settings_for, web_settings

CAMERA = {
    "code": "CAM-03",
    "lat": "47.903",
    "lon": "1.902",
    "field_angle_deg": "360",
    "range_m": "50",
    "retention_days": "20",
    "authorisation_date": "2018-05-01",
}


def _events(url: str, object_type: str) -> list[tuple[str, str | None, str | None, str | None]]:
    with Session(make_engine(url)) as s:
        rows = s.execute(
            select(AuditEvent.action, AuditEvent.username, AuditEvent.agency, AuditEvent.ip)
            .where(AuditEvent.object_type == object_type)
            .order_by(AuditEvent.id)
        ).all()
    return [tuple(r) for r in rows]  # type: ignore[misc]


def test_a_camera_created_and_edited_in_the_web_logs_one_event_each(
    db_url: str, tmp_path: Path
) -> None:
    ids = seed(db_url)
    with TestClient(create_app(settings_for(db_url), web=web_settings(tmp_path))) as c:
        login(c, "csu.coordinateur")
        tok = page_token(c, "/cameras/nouveau")
        r = c.post("/cameras/nouveau", data={"csrf_token": tok, **CAMERA}, follow_redirects=False)
        assert r.status_code == 303, html.unescape(r.text)[-2000:]
        created = _events(db_url, "camera")
        assert [e[:3] for e in created] == [("creation", "csu.coordinateur", "Agence csu")]
        assert created[0][3]  # the address of the request
        with Session(make_engine(db_url)) as s:
            cam = s.execute(select(Camera.id).where(Camera.code == "CAM-03")).scalar_one()
        r = c.post(
            f"/cameras/{cam}/modifier",
            data={"csrf_token": tok, **CAMERA, "retention_days": "14"},
            follow_redirects=False,
        )
        assert r.status_code == 303, html.unescape(r.text)[-2000:]
        # The status of a requisition moves: one event too.
        r = c.post(
            f"/requisitions/{ids['requisition']}/modifier",
            data={"csrf_token": tok, "status": "en_cours", "expected": "recue"},
            follow_redirects=False,
        )
        assert r.status_code == 303, html.unescape(r.text)[-2000:]
    events = _events(db_url, "camera")
    assert [e[0] for e in events] == ["creation", "modification"]
    with Session(make_engine(db_url)) as s:
        detail = s.execute(
            select(AuditEvent.detail).where(
                AuditEvent.action == "modification", AuditEvent.object_type == "camera"
            )
        ).scalar_one()
    assert detail == "CAM-03 : retention_days"  # the fields whose value changed
    assert [e[:2] for e in _events(db_url, "requisition")] == [("modification", "csu.coordinateur")]


def test_the_cli_and_the_web_write_the_same_verbs(sqlite_url: str) -> None:
    seed(sqlite_url)
    res = CliRunner().invoke(
        cli,
        ["cctv", "cameras", "add", "--db", sqlite_url, "--code", "CAM-09", "--at",
         "47.903,1.902", "--retention", "10"],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    assert _events(sqlite_url, "camera") == [("creation", None, None, None)]


def test_one_verb_list_with_french_labels(sqlite_url: str) -> None:
    assert set(audit.VERB_LABELS) == set(audit.VERBS)
    assert audit.verb_label("connexion_refusee") == "connexion refusée"
    # Codes of earlier versions are shown, and found by the filter, as today's verb.
    assert audit.verb_label("create") == audit.verb_label("creation") == "création"
    assert set(audit.stored_codes("modification")) == {"modification", "update"}
    engine = make_engine(sqlite_url)
    with pytest.raises(ValueError, match="unknown audit verb"):
        audit.record(engine, actor="x", verb="effacement", object_type="camera")  # type: ignore[arg-type]
    actor = audit.Actor("ville.admin", "Mairie", "203.0.113.9")
    with Session(engine) as s, s.begin():
        audit.record(s, actor=actor, verb="export", object_type="incident", object_id=12)
    with engine.begin() as conn:
        audit.record(conn, actor="cli", verb="lecture", object_type="camera", detail="d" * 3000)
    with Session(engine) as s:
        rows = s.execute(select(AuditEvent).order_by(AuditEvent.id)).scalars().all()
        got = [(e.action, e.username, e.agency, e.ip, e.object_id) for e in rows]
        assert got == [
            ("export", "ville.admin", "Mairie", "203.0.113.9", "12"),
            ("lecture", "cli", None, None, None),
        ]
        assert rows[1].detail == "d" * 2000
