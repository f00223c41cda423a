"""Server-side sessions and persistent login throttling, on real SQLite and PostgreSQL.

A "restart" is a fresh application instance (new engine, no shared memory) on the same
database; two instances side by side stand for two uvicorn workers.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from gltd.model import AuditEvent, User, WebSession
from gltd.model.base import utcnow
from gltd.store.engine import make_engine
from gltd.web.app import create_app
from gltd.web.auth import SESSION_COOKIE
from web_support import (
    PASSWORD,
    SECRET,
    csrf_from,
    login,
    page_token,
    seed,
    settings_for,
    web_settings,
)


def _app(url: str, tmp_path: Path, **web: Any) -> FastAPI:
    return create_app(settings_for(url), web=web_settings(tmp_path, **web))


def _sessions(url: str, username: str) -> list[WebSession]:
    with Session(make_engine(url)) as s:
        return list(
            s.execute(
                select(WebSession)
                .join(User, User.id == WebSession.user_id)
                .where(User.username == username)
                .order_by(WebSession.id)
            ).scalars()
        )


def _user_id(url: str, username: str) -> int:
    with make_engine(url).connect() as conn:
        return int(conn.execute(select(User.id).where(User.username == username)).scalar_one())


def _audit(url: str, action: str) -> list[AuditEvent]:
    with Session(make_engine(url)) as s:
        return list(s.execute(select(AuditEvent).where(AuditEvent.action == action)).scalars())


def _with_cookie(client: TestClient, cookie: str) -> TestClient:
    client.cookies.set(SESSION_COOKIE, cookie)
    return client


def _logout(client: TestClient) -> None:
    r = client.post("/logout", data={"csrf_token": page_token(client)}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login"


def test_a_logged_out_cookie_stays_refused_after_a_restart(db_url: str, tmp_path: Path) -> None:
    seed(db_url)
    with TestClient(_app(db_url, tmp_path)) as c:
        assert login(c, "police.lecteur").status_code == 303
        stolen = c.cookies[SESSION_COOKIE]
        _logout(c)
    # The server restarts: a new process knows nothing but the database.
    with TestClient(_app(db_url, tmp_path)) as fresh:
        assert _with_cookie(fresh, stolen).get("/api/me").status_code == 401
        r = fresh.get("/", follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/login")
    (row,) = _sessions(db_url, "police.lecteur")
    assert row.revoked_at is not None and row.revoked_reason == "déconnexion"
    assert [e.object_id for e in _audit(db_url, "deconnexion")] == [str(row.id)]


def test_a_live_session_survives_a_restart(db_url: str, tmp_path: Path) -> None:
    seed(db_url)
    with TestClient(_app(db_url, tmp_path)) as c:
        login(c, "ville.lecteur")
        cookie = c.cookies[SESSION_COOKIE]
    with TestClient(_app(db_url, tmp_path)) as fresh:
        me = _with_cookie(fresh, cookie).get("/api/me")
        assert me.status_code == 200 and me.json()["username"] == "ville.lecteur"


def test_two_app_instances_share_sessions_and_revocation(db_url: str, tmp_path: Path) -> None:
    seed(db_url)
    with (
        TestClient(_app(db_url, tmp_path)) as worker1,
        TestClient(_app(db_url, tmp_path)) as worker2,
    ):
        login(worker1, "csu.operateur_csu")
        _with_cookie(worker2, worker1.cookies[SESSION_COOKIE])
        assert worker2.get("/api/me").status_code == 200
        # The CSRF token is bound to the session, not to the process that rendered it.
        token = page_token(worker1)
        assert page_token(worker2) == token
        _logout(worker1)
        assert worker2.get("/api/me").status_code == 401
        r = worker2.post("/logout", data={"csrf_token": token}, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/login?next=")


def test_the_session_token_is_not_stored_in_clear(db_url: str, tmp_path: Path) -> None:
    seed(db_url)
    with TestClient(_app(db_url, tmp_path)) as c:
        login(c, "parquet.lecteur")
        cookie = c.cookies[SESSION_COOKIE]
        assert c.get("/api/me").status_code == 200
    token = URLSafeTimedSerializer(SECRET, salt="gltd-session").loads(cookie)
    assert len(token) == 43  # token_urlsafe(32): 256 random bits
    (row,) = _sessions(db_url, "parquet.lecteur")
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    engine = make_engine(db_url)
    with engine.connect() as conn:
        stored = [str(v) for r in conn.execute(select(WebSession.__table__)) for v in r]
        stored += [str(v) for r in conn.execute(select(AuditEvent.__table__)) for v in r]
    assert not any(token in v or cookie in v for v in stored)
    # A cookie holding a valid token but signed with another secret is refused.
    forged = URLSafeTimedSerializer("not-the-secret", salt="gltd-session").dumps(token)
    with TestClient(_app(db_url, tmp_path)) as other:
        assert _with_cookie(other, forged).get("/api/me").status_code == 401
        # Rightly signed, but an unknown token: refused too.
        unknown = URLSafeTimedSerializer(SECRET, salt="gltd-session").dumps("x" * 43)
        assert _with_cookie(other, unknown).get("/api/me").status_code == 401


def test_expired_and_idle_sessions_are_refused(db_url: str, tmp_path: Path) -> None:
    seed(db_url)
    engine = make_engine(db_url)
    app = _app(db_url, tmp_path, session_hours=12.0, session_idle_minutes=60.0)
    with TestClient(app) as a, TestClient(app) as b:
        login(a, "police.analyste")
        login(b, "police.coordinateur")
        (sa,) = _sessions(db_url, "police.analyste")
        (sb,) = _sessions(db_url, "police.coordinateur")
        assert sa.expires_at - sa.created_at == timedelta(hours=12)
        now = utcnow()
        with engine.begin() as conn:
            # a: past its absolute expiry although just used.
            conn.execute(
                update(WebSession)
                .where(WebSession.id == sa.id)
                .values(expires_at=now - timedelta(seconds=1), last_seen_at=now)
            )
            # b: 59 minutes idle is still within the idle timeout...
            conn.execute(
                update(WebSession)
                .where(WebSession.id == sb.id)
                .values(last_seen_at=now - timedelta(minutes=59))
            )
        assert a.get("/api/me").status_code == 401
        assert b.get("/api/me").status_code == 200
        # ...and using it moved its last activity forward.
        (sb,) = _sessions(db_url, "police.coordinateur")
        assert sb.last_seen_at >= now
        with engine.begin() as conn:
            conn.execute(
                update(WebSession)
                .where(WebSession.id == sb.id)
                .values(last_seen_at=utcnow() - timedelta(minutes=61))
            )
        assert b.get("/api/me").status_code == 401
    # The administrator sees why they ended.
    with TestClient(app) as admin:
        login(admin, "police.admin")
        items = admin.get(f"/api/users/{_user_id(db_url, 'police.analyste')}/sessions").json()
        assert [i["state"] for i in items["items"]] == ["expiree"]
        items = admin.get(f"/api/users/{_user_id(db_url, 'police.coordinateur')}/sessions")
        assert [i["state"] for i in items.json()["items"]] == ["inactive"]


def test_an_admin_lists_and_revokes_sessions(db_url: str, tmp_path: Path) -> None:
    seed(db_url)
    uid = _user_id(db_url, "ville.coordinateur")
    with (
        TestClient(_app(db_url, tmp_path)) as admin,
        TestClient(
            _app(db_url, tmp_path), headers={"user-agent": "Navigateur-1 " + "x" * 300}
        ) as u1,
        TestClient(_app(db_url, tmp_path)) as u2,
        TestClient(_app(db_url, tmp_path)) as u3,
    ):
        for c in (u1, u2, u3):
            assert login(c, "ville.coordinateur").status_code == 303
        login(admin, "ville.admin")
        listing = admin.get(f"/api/users/{uid}/sessions").json()
        assert listing["user"] == {"id": uid, "username": "ville.coordinateur"}
        items = listing["items"]
        assert [i["state"] for i in items] == ["active"] * 3
        assert items[-1]["user_agent"] == ("Navigateur-1 " + "x" * 300)[:200]
        assert all(i["ip"] == "testclient" for i in items)
        assert not any("token" in k for i in items for k in i)
        page = admin.get("/admin")
        assert f'href="/admin/utilisateurs/{uid}/sessions">3 active(s)' in page.text
        page = admin.get(f"/admin/utilisateurs/{uid}/sessions")
        assert page.status_code == 200 and page.text.count(">Fermer</button>") == 3
        # One session ended from the page: only that browser is logged out.
        first = items[-1]["id"]
        r = admin.post(
            f"/admin/sessions/{first}/revoquer",
            data={"csrf_token": csrf_from(page.text)},
            follow_redirects=False,
        )
        assert r.status_code == 303
        assert r.headers["location"].startswith(f"/admin/utilisateurs/{uid}/sessions?ok=")
        assert u1.get("/api/me").status_code == 401
        assert u2.get("/api/me").status_code == 200
        token = page_token(admin)
        again = admin.post(f"/api/sessions/{first}/revoke", headers={"X-CSRF-Token": token})
        assert again.json() == {"id": first, "user_id": uid, "revoked": False}
        missing = admin.post("/api/sessions/999999/revoke", headers={"X-CSRF-Token": token})
        assert missing.status_code == 404
        # All the others through the API.
        r = admin.post(f"/api/users/{uid}/sessions/revoke", headers={"X-CSRF-Token": token})
        assert r.json() == {"user_id": uid, "revoked": 2}
        assert u2.get("/api/me").status_code == 401 and u3.get("/api/me").status_code == 401
        # An admin ending their own account's sessions keeps the current one.
        login(u1, "ville.admin")
        me = _user_id(db_url, "ville.admin")
        r = admin.post(f"/api/users/{me}/sessions/revoke", headers={"X-CSRF-Token": token})
        assert r.json()["revoked"] == 1
        assert admin.get("/api/me").status_code == 200 and u1.get("/api/me").status_code == 401
        # Nobody but an administrator may see or end sessions.
        login(u1, "ville.coordinateur")
        assert u1.get(f"/api/users/{uid}/sessions").status_code == 403
        t1 = page_token(u1)
        assert (
            u1.post(f"/api/users/{uid}/sessions/revoke", headers={"X-CSRF-Token": t1}).status_code
            == 403
        )
        # Revoking needs the CSRF token.
        assert admin.post(f"/api/users/{uid}/sessions/revoke").status_code == 403
    reasons = [s.revoked_reason for s in _sessions(db_url, "ville.coordinateur")]
    assert reasons == ["fermée par un administrateur"] * 3 + [None]
    revocations = _audit(db_url, "revocation")
    assert [(e.object_type, e.username) for e in revocations] == [
        ("session", "ville.admin"),
        ("session", "ville.admin"),
        ("user", "ville.admin"),
        ("user", "ville.admin"),
    ]
    assert revocations[2].detail == "ville.coordinateur : 2 session(s) fermée(s)"
    reads = [e for e in _audit(db_url, "lecture") if e.object_type == "sessions"]
    assert len(reads) == 2 and {e.object_id for e in reads} == {str(uid)}


def test_deactivation_password_reset_and_deletion_end_sessions(db_url: str, tmp_path: Path) -> None:
    seed(db_url)
    engine = make_engine(db_url)
    with (
        TestClient(_app(db_url, tmp_path)) as admin,
        TestClient(_app(db_url, tmp_path)) as a,
        TestClient(_app(db_url, tmp_path)) as b,
        TestClient(_app(db_url, tmp_path)) as c,
    ):
        login(admin, "csu.admin")
        login(a, "csu.lecteur")
        login(b, "csu.analyste")
        login(c, "csu.coordinateur")
        token = page_token(admin, "/admin")
        r = admin.post(
            f"/admin/utilisateurs/{_user_id(db_url, 'csu.lecteur')}",
            data={"csrf_token": token, "active": "0"},
            follow_redirects=False,
        )
        assert "d%C3%A9sactiv%C3%A9%3B%201%20session%28s%29" in r.headers["location"]
        admin.post(
            f"/admin/utilisateurs/{_user_id(db_url, 'csu.analyste')}",
            data={"csrf_token": token, "password": "Autre-mot-2019"},
        )
        assert a.get("/api/me").status_code == 401 and b.get("/api/me").status_code == 401
        assert [s.revoked_reason for s in _sessions(db_url, "csu.lecteur")] == ["compte désactivé"]
        assert [s.revoked_reason for s in _sessions(db_url, "csu.analyste")] == [
            "mot de passe réinitialisé"
        ]
        # A password changed outside the web app (command line, SQL) ends sessions too.
        login(b, "csu.analyste", "Autre-mot-2019")
        with engine.begin() as conn:
            conn.execute(
                update(User).where(User.username == "csu.analyste").values(password_hash="x")
            )
        assert b.get("/api/me").status_code == 401
        assert _sessions(db_url, "csu.analyste")[-1].revoked_reason == "mot de passe changé"
        # Deleting an account deletes its sessions (ON DELETE CASCADE).
        uid = _user_id(db_url, "csu.coordinateur")
        with engine.begin() as conn:
            conn.execute(delete(User).where(User.id == uid))
        assert c.get("/api/me").status_code == 401
        with engine.connect() as conn:
            left = conn.execute(select(WebSession.id).where(WebSession.user_id == uid)).all()
        assert left == []


def test_a_new_login_replaces_the_browser_session(sqlite_url: str, tmp_path: Path) -> None:
    seed(sqlite_url)
    with TestClient(_app(sqlite_url, tmp_path)) as c:
        login(c, "police.lecteur")
        first = c.cookies[SESSION_COOKIE]
        login(c, "police.analyste")
        assert c.get("/api/me").json()["username"] == "police.analyste"
        with TestClient(_app(sqlite_url, tmp_path)) as other:
            assert _with_cookie(other, first).get("/api/me").status_code == 401
    (old,) = _sessions(sqlite_url, "police.lecteur")
    assert old.revoked_reason == "nouvelle connexion"


def test_logout_needs_the_csrf_token(sqlite_url: str, tmp_path: Path) -> None:
    seed(sqlite_url)
    with TestClient(_app(sqlite_url, tmp_path)) as c:
        login(c, "police.lecteur")
        assert c.post("/logout", data={"csrf_token": "0" * 64}).status_code == 403
        assert c.get("/api/me").status_code == 200
    (row,) = _sessions(sqlite_url, "police.lecteur")
    assert row.revoked_at is None


def test_login_throttling_survives_a_restart(db_url: str, tmp_path: Path) -> None:
    seed(db_url)
    with TestClient(_app(db_url, tmp_path)) as c:
        for _ in range(5):
            assert login(c, "prefecture.lecteur", "mauvais-mot-de-passe").status_code == 401
    with TestClient(_app(db_url, tmp_path)) as fresh:
        r = login(fresh, "PREFECTURE.lecteur", PASSWORD)  # the count ignores letter case
        assert r.status_code == 429
        assert login(fresh, "prefecture.lecteur", PASSWORD).status_code == 429
        assert SESSION_COOKIE not in fresh.cookies
        assert login(fresh, "prefecture.coordinateur").status_code == 303
    assert len(_audit(db_url, "connexion_bloquee")) == 2
    # Failures older than the window no longer count (the audit log is append-only, so
    # the window is shortened instead of ageing the events).
    with TestClient(_app(db_url, tmp_path, login_window_s=0.0)) as later:
        assert login(later, "prefecture.lecteur").status_code == 303


def test_address_throttling_is_shared_by_workers(db_url: str, tmp_path: Path) -> None:
    seed(db_url)
    web = {"login_max_failures_ip": 4, "login_max_failures_account": 10}
    with (
        TestClient(_app(db_url, tmp_path, **web)) as w1,
        TestClient(_app(db_url, tmp_path, **web)) as w2,
    ):
        for name in ("a", "b"):
            assert login(w1, name, "x").status_code == 401
            assert login(w2, name, "x").status_code == 401
        assert login(w1, "police.admin").status_code == 429
        assert login(w2, "police.admin").status_code == 429


def test_a_success_forgets_the_account_failures(sqlite_url: str, tmp_path: Path) -> None:
    seed(sqlite_url)
    with TestClient(_app(sqlite_url, tmp_path)) as c:
        for _ in range(4):
            assert login(c, "ville.analyste", "faux").status_code == 401
        assert login(c, "ville.analyste").status_code == 303
        for _ in range(4):
            assert login(c, "ville.analyste", "faux").status_code == 401
        # 8 failures in the window, but only 4 since the last success: not blocked.
        assert login(c, "ville.analyste").status_code == 303


def test_check_reads_and_leaves_the_write_to_the_caller(db_url: str, tmp_path: Path) -> None:
    """The web server reads a session on its event loop and runs the write the read calls
    for (last use, revocation) in a worker thread: ``check`` must not write itself."""
    seed(db_url)
    engine = make_engine(db_url)
    app = _app(db_url, tmp_path, session_idle_minutes=60.0)
    store = app.state.gltd.sessions
    with TestClient(app) as a:
        login(a, "police.analyste")
        cookie = a.cookies[SESSION_COOKIE]
    (s,) = _sessions(db_url, "police.analyste")
    old = utcnow() - timedelta(minutes=30)
    with engine.begin() as conn:
        conn.execute(update(WebSession).where(WebSession.id == s.id).values(last_seen_at=old))
    user, write = store.check(cookie)
    assert user is not None and user.username == "police.analyste" and write is not None
    assert _sessions(db_url, "police.analyste")[0].last_seen_at == old  # nothing written
    write()
    assert _sessions(db_url, "police.analyste")[0].last_seen_at > old
    assert store.check(cookie)[1] is None  # just used: nothing to write
    with engine.begin() as conn:
        conn.execute(update(User).where(User.id == s.user_id).values(active=False))
    user, write = store.check(cookie)
    assert user is None and write is not None
    assert _sessions(db_url, "police.analyste")[0].revoked_at is None  # not yet
    write()
    (ended,) = _sessions(db_url, "police.analyste")
    assert ended.revoked_at is not None and ended.revoked_reason == "compte désactivé"
