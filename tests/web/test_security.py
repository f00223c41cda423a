"""Security of the web app on real SQLite and PostgreSQL: sessions, CSRF, throttling,
headers, bad input (oversized or wrong uploads, out-of-range map requests), audit log."""

from __future__ import annotations

import dataclasses
import html
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, func, select, text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from gltd.accounts import hash_password
from gltd.config import Settings
from gltd.errors import GltdError
from gltd.model import Action, AuditEvent, ImportBatch, Incident, User
from gltd.store.engine import make_engine
from gltd.web.app import create_app
from gltd.web.auth import SESSION_COOKIE
from web_support import PASSWORD, login, page_token, seed, settings_for, web_settings

TEMPLATES = Path(__file__).resolve().parent.parent.parent / "src" / "gltd" / "web" / "templates"


def _app(url: str, tmp_path: Path, **web: object) -> object:
    return create_app(settings_for(url), web=web_settings(tmp_path, **web))


def _audit(url: str, action: str) -> list[AuditEvent]:
    with Session(make_engine(url)) as s:
        return list(s.execute(select(AuditEvent).where(AuditEvent.action == action)).scalars())


def _count(url: str, model: type) -> int:
    with make_engine(url).connect() as conn:
        return int(conn.execute(select(func.count()).select_from(model)).scalar_one())


def test_login_sets_a_protected_cookie_and_logs(db_url: str, tmp_path: Path) -> None:
    seed(db_url)
    with TestClient(_app(db_url, tmp_path)) as c:
        r = login(c, "police.analyste")
        assert r.status_code == 303
        cookie = r.headers["set-cookie"]
        assert cookie.startswith(SESSION_COOKIE + "=")
        assert "HttpOnly" in cookie and "SameSite=lax" in cookie
        assert "Secure" not in cookie  # plain HTTP in development
        assert c.get("/").status_code == 200
    ok = _audit(db_url, "connexion")
    assert [e.username for e in ok] == ["police.analyste"]
    assert ok[0].agency == "Agence police" and ok[0].ip


def test_cookie_is_secure_behind_https(sqlite_url: str, tmp_path: Path) -> None:
    seed(sqlite_url)
    with TestClient(_app(sqlite_url, tmp_path, https=True), base_url="https://testserver") as c:
        r = login(c, "police.analyste")
        assert "Secure" in r.headers["set-cookie"]
        assert "max-age=31536000" in c.get("/login").headers["strict-transport-security"]


def test_the_development_secret_is_refused_in_production(sqlite_url: str) -> None:
    prod = dataclasses.replace(Settings(), db_url=sqlite_url, environment="production")
    with pytest.raises(GltdError, match="GLTD_SECRET_KEY doit être défini"):
        create_app(prod)


def test_wrong_passwords_are_throttled_per_account(db_url: str, tmp_path: Path) -> None:
    seed(db_url)
    with TestClient(_app(db_url, tmp_path)) as c:
        for _ in range(5):
            r = login(c, "ville.lecteur", "mauvais-mot-de-passe")
            assert r.status_code == 401
            assert "Identifiant ou mot de passe incorrect" in r.text
        # Even the right password is refused while the account is blocked.
        r = login(c, "ville.lecteur", PASSWORD)
        assert r.status_code == 429
        assert "Trop de tentatives" in r.text
        assert SESSION_COOKIE not in c.cookies
        # Another account from the same address is still allowed (IP limit is higher).
        assert login(c, "ville.coordinateur").status_code == 303
    assert len(_audit(db_url, "connexion_refusee")) == 5
    assert len(_audit(db_url, "connexion_bloquee")) == 1


def test_wrong_passwords_are_throttled_per_address(sqlite_url: str, tmp_path: Path) -> None:
    seed(sqlite_url)
    app = create_app(
        settings_for(sqlite_url),
        web=web_settings(tmp_path, login_max_failures_ip=3, login_max_failures_account=10),
    )
    with TestClient(app) as c:
        for name in ("a", "b", "c"):
            assert login(c, name, "x").status_code == 401
        assert login(c, "police.admin").status_code == 429


def test_login_form_needs_its_csrf_token(sqlite_url: str, tmp_path: Path) -> None:
    seed(sqlite_url)
    with TestClient(_app(sqlite_url, tmp_path)) as c:
        c.get("/login")
        r = c.post(
            "/login",
            data={"username": "police.admin", "password": PASSWORD, "csrf_token": "0" * 64},
        )
        assert r.status_code == 403
        assert SESSION_COOKIE not in c.cookies
    assert len(_audit(sqlite_url, "refus_csrf")) == 1


def test_login_never_redirects_elsewhere(sqlite_url: str, tmp_path: Path) -> None:
    seed(sqlite_url)
    with TestClient(_app(sqlite_url, tmp_path)) as c:
        page = c.get("/login?next=//evil.example/x")
        token = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page.text).group(1)  # type: ignore[union-attr]
        r = c.post(
            "/login",
            data={
                "username": "police.admin",
                "password": PASSWORD,
                "csrf_token": token,
                "next": "https://evil.example/",
            },
            follow_redirects=False,
        )
        assert r.headers["location"] == "/"


def test_session_of_a_deleted_or_deactivated_user_is_refused(db_url: str, tmp_path: Path) -> None:
    seed(db_url)
    engine = make_engine(db_url)
    with TestClient(_app(db_url, tmp_path)) as c1, TestClient(_app(db_url, tmp_path)) as c2:
        assert login(c1, "csu.lecteur").status_code == 303
        assert login(c2, "csu.operateur_csu").status_code == 303
        assert c1.get("/api/me").status_code == 200
        with Session(engine) as s, s.begin():
            s.execute(delete(User).where(User.username == "csu.lecteur"))
            s.execute(update(User).where(User.username == "csu.operateur_csu").values(active=False))
        for c in (c1, c2):
            assert c.get("/api/me").status_code == 401
            r = c.get("/", follow_redirects=False)
            assert r.status_code == 303 and r.headers["location"].startswith("/login")
        # A deactivated account cannot log in again either.
        assert login(c2, "csu.operateur_csu").status_code == 401


def test_password_change_and_logout_end_sessions(sqlite_url: str, tmp_path: Path) -> None:
    seed(sqlite_url)
    engine = make_engine(sqlite_url)
    with TestClient(_app(sqlite_url, tmp_path)) as c:
        login(c, "police.lecteur")
        with Session(engine) as s, s.begin():
            s.execute(
                update(User)
                .where(User.username == "police.lecteur")
                .values(password_hash=hash_password("Nouveau-mot-2019"))
            )
        assert c.get("/api/me").status_code == 401
        assert login(c, "police.lecteur", "Nouveau-mot-2019").status_code == 303
        stolen = c.cookies[SESSION_COOKIE]
        token = page_token(c)
        assert (
            c.post("/logout", data={"csrf_token": token}, follow_redirects=False).status_code == 303
        )
        c.cookies.set(SESSION_COOKIE, stolen)
        assert c.get("/api/me").status_code == 401


def test_forged_csrf_tokens_are_refused_and_nothing_is_written(db_url: str, tmp_path: Path) -> None:
    seed(db_url)
    form = {"title": "Réunion", "status": "a_faire"}
    n0 = _count(db_url, Action)
    with TestClient(_app(db_url, tmp_path)) as c, TestClient(_app(db_url, tmp_path)) as other:
        login(c, "ville.coordinateur")
        login(other, "police.coordinateur")
        foreign = page_token(other)
        for token in (None, "", "0" * 64, foreign):
            data = dict(form) if token is None else {**form, "csrf_token": token}
            r = c.post("/actions/nouveau", data=data, follow_redirects=False)
            assert r.status_code == 403
            assert "jeton de sécurité (CSRF) absent ou invalide" in html.unescape(r.text)
        r = c.post("/api/actions", json=form)  # fetch without the header
        assert r.status_code == 403
        r = c.post("/api/actions", json=form, headers={"X-CSRF-Token": foreign})
        assert r.status_code == 403
        assert _count(db_url, Action) == n0
        # With the session's own token the same form is accepted.
        ok = c.post(
            "/actions/nouveau", data={**form, "csrf_token": page_token(c)}, follow_redirects=False
        )
        assert ok.status_code == 303
        assert (
            c.post("/api/actions", json=form, headers={"X-CSRF-Token": page_token(c)}).json()["id"]
            > 0
        )
    assert _count(db_url, Action) == n0 + 2
    assert len(_audit(db_url, "refus_csrf")) == 6


def test_security_headers_and_no_inline_script(sqlite_url: str, tmp_path: Path) -> None:
    seed(sqlite_url)
    with TestClient(_app(sqlite_url, tmp_path)) as c:
        login(c, "police.admin")
        for path in ("/", "/carte", "/login", "/api/dashboard", "/static/js/map.js"):
            h = c.get(path).headers
            csp = h["content-security-policy"]
            assert "script-src 'self';" in csp and "unsafe-inline" not in csp
            assert "frame-ancestors 'none'" in csp and "style-src 'self'" in csp
            assert h["x-frame-options"] == "DENY"
            assert h["x-content-type-options"] == "nosniff"
            assert h["referrer-policy"] == "same-origin"
        assert c.get("/").headers["cache-control"] == "no-store"
        page = c.get("/carte").text
        assert '<script src="/static/vendor/leaflet/leaflet.js"' in page
        assert "http://" not in page.replace("http://www.w3.org", "") and "https://" not in page
        assert c.get("/static/vendor/leaflet/leaflet.css").status_code == 200
    # No inline script, event handler or style attribute in any template.
    for tpl in TEMPLATES.glob("*.html"):
        src = tpl.read_text(encoding="utf-8")
        assert not re.search(r"<script(?![^>]*\bsrc=)", src), tpl.name
        assert not re.search(r"\son[a-z]+=", src), tpl.name
        assert not re.search(r"\sstyle=", src), tpl.name


def test_tile_url_is_allowed_for_images_only(sqlite_url: str, tmp_path: Path) -> None:
    seed(sqlite_url)
    s = dataclasses.replace(
        settings_for(sqlite_url), tile_url="https://tuiles.ville.local/{z}/{x}/{y}.png"
    )
    with TestClient(create_app(s, web=web_settings(tmp_path))) as c:
        csp = c.get("/login").headers["content-security-policy"]
    assert "img-src 'self' data: https://tuiles.ville.local;" in csp
    assert "script-src 'self';" in csp


def test_oversized_upload_is_refused_before_storage(db_url: str, tmp_path: Path) -> None:
    seed(db_url)
    with TestClient(_app(db_url, tmp_path, max_upload_bytes=2000)) as c:
        login(c, "police.analyste")
        token = page_token(c, "/imports")
        big = b"id;date;categorie;lon;lat\n" + b"1;2018-04-01 10:00;trafic;1.9;47.9\n" * 200
        r = c.post(
            "/imports/verifier",
            data={"csrf_token": token, "kind": "incidents"},
            files={"file": ("faits.csv", big, "text/csv")},
        )
        assert r.status_code == 413
        assert "fichier trop volumineux : au plus" in r.json()["detail"]
    assert _count(db_url, ImportBatch) == 0
    uploads = tmp_path / "results" / "uploads"
    assert not uploads.exists() or not any(uploads.iterdir())
    refused = _audit(db_url, "refus_envoi")
    assert len(refused) == 1 and refused[0].username == "police.analyste"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("faits.exe", b"MZ\x90\x00", "type de fichier refusé"),
        ("faits.csv", b"id;date\x00\x01\x02", "le contenu n'est pas du texte"),
        ("faits.xlsx", b"id;date;categorie\n", "le contenu ne correspond pas à l'extension .xlsx"),
    ],
)
def test_wrong_file_types_are_refused(
    sqlite_url: str, tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    seed(sqlite_url)
    n0 = _count(sqlite_url, Incident)
    with TestClient(_app(sqlite_url, tmp_path)) as c:
        login(c, "police.analyste")
        token = page_token(c, "/imports")
        r = c.post(
            "/imports/verifier",
            data={"csrf_token": token, "kind": "incidents"},
            files={"file": (name, content, "application/octet-stream")},
        )
        assert r.status_code == 415
        assert message in html.unescape(r.text)
    assert _count(sqlite_url, Incident) == n0
    assert _count(sqlite_url, ImportBatch) == 0
    assert len(_audit(sqlite_url, "refus_import")) == 1


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("cell=5", "taille de cellule hors limites : 5 m (attendu entre 50 et 5000 m)"),
        ("cell=1e9", "taille de cellule hors limites"),
        ("du=1500-01-01", "début hors limites"),
        ("du=2018-13-45", "début illisible"),
        ("du=1990-01-01&au=2018-01-01", "période trop longue"),
        ("du=2018-09-01&au=2018-03-01", "période vide ou inversée"),
        ("categorie=pas_une_categorie", "catégorie inconnue"),
        ("cell=abc", "Paramètres invalides"),
    ],
)
def test_out_of_range_map_requests_are_refused(
    sqlite_url: str, tmp_path: Path, query: str, message: str
) -> None:
    seed(sqlite_url)
    with TestClient(_app(sqlite_url, tmp_path)) as c:
        login(c, "ville.lecteur")
        r = c.get(f"/api/map/density?{query}")
        assert r.status_code in (400, 422)
        assert message in r.json()["detail"]
    if r.status_code == 400:
        logged = _audit(sqlite_url, "requete_refusee")
        assert len(logged) == 1 and message in (logged[0].detail or "")


def test_grid_too_fine_for_the_map_is_refused(sqlite_url: str, tmp_path: Path) -> None:
    seed(sqlite_url)
    engine = make_engine(sqlite_url)
    with Session(engine) as s, s.begin():  # one far-away incident stretches the extent
        s.add(
            Incident(
                occurred_at=datetime(2018, 5, 1, tzinfo=UTC),
                category="autre",
                x=100000.0,
                y=6000000.0,
                source="t",
                source_ref="far",
            )
        )
    with TestClient(_app(sqlite_url, tmp_path)) as c:
        login(c, "ville.lecteur")
        r = c.get("/api/map/density?cell=50")
        assert r.status_code == 400
        assert "grille" in r.json()["detail"]


def test_sensitive_reads_and_exports_are_audited(db_url: str, tmp_path: Path) -> None:
    ids = seed(db_url)
    with TestClient(_app(db_url, tmp_path)) as c:
        login(c, "parquet.lecteur")
        c.get("/requisitions")
        c.get("/api/operations")
        r = c.get("/requisitions.csv")
        assert r.status_code == 200 and r.text.startswith("\ufeffN° de réquisition;")
        assert str(ids["requisition"]) in r.text
    reads = _audit(db_url, "lecture")
    assert {(e.object_type, e.detail) for e in reads} >= {
        ("requisitions", "/requisitions"),
        ("operations", "/api/operations"),
    }
    exports = _audit(db_url, "export")
    assert [(e.object_type, e.username) for e in exports] == [("requisitions", "parquet.lecteur")]


def test_audit_log_cannot_be_edited(db_url: str, tmp_path: Path) -> None:
    seed(db_url)
    app = _app(db_url, tmp_path)
    with TestClient(app) as c:
        login(c, "parquet.admin")
        assert c.get("/admin/audit").status_code == 200
        csv_text = c.get("/admin/audit.csv").text
        assert csv_text.startswith(
            "\ufeffid;at;username;agency;action;object_type;object_id;detail;ip"
        )
        assert "connexion" in csv_text
        token = page_token(c)
        for method in ("POST", "PUT", "DELETE", "PATCH"):
            r = c.request(method, "/api/audit", headers={"X-CSRF-Token": token})
            assert r.status_code == 405
    engine = make_engine(db_url)
    with pytest.raises(DBAPIError), engine.begin() as conn:
        conn.execute(text("UPDATE audit_event SET username = 'x'"))
    with pytest.raises(DBAPIError), engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_event"))
