"""Every route under every role of every agency kind: allowed ones answer, others are refused.

The expected answer of each (route, account) comes from the ONE permission matrix
(:data:`gltd.web.permissions.MATRIX`); the test also checks a few rules of the matrix by
hand (planned operations only police + parquet, requisitions only CSU, police, parquet,
audit only administrators) so that a change of the matrix that breaks them fails here.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from gltd.model import (
    AGENCY_KINDS,
    ROLES,
    Action,
    Agency,
    AuditEvent,
    Camera,
    Operation,
    User,
    WebSession,
)
from gltd.store.engine import make_engine
from gltd.web.app import create_app
from gltd.web.permissions import MATRIX, allowed, matrix_rows
from gltd.web.registers import REGISTERS
from web_support import login, page_token, seed, settings_for, username, web_settings


def test_the_matrix_keeps_the_legal_rules() -> None:
    # Planned operations stay within police and parquet (DESIGN.md, principle 6).
    for kind in AGENCY_KINDS:
        for role in ROLES:
            assert allowed(kind, role, "operations") == (kind in ("police", "parquet"))
            assert allowed(kind, role, "requisitions") == (kind in ("csu", "police", "parquet"))
            assert allowed(kind, role, "audit") == (role == "admin")
            # Nobody may edit the audit log, not even an administrator.
            assert not allowed(kind, role, "audit", "write")
            # Agencies are created by the parquet's administrators only.
            assert allowed(kind, role, "agencies", "write") == (
                (kind, role) == ("parquet", "admin")
            )
            # A reader never changes anything.
            if role == "lecteur":
                assert not any(allowed(kind, role, r, "write") for r in MATRIX)
    assert not allowed("police", "admin", "no-such-resource")
    assert not allowed("police", "admin", "dashboard", "delete")  # type: ignore[arg-type]


def test_the_admin_documentation_shows_the_same_matrix() -> None:
    doc = (Path(__file__).resolve().parent.parent.parent / "docs" / "admin.md").read_text(
        encoding="utf-8"
    )
    for row in matrix_rows():
        line = f"| {row['label']} | {row['read']} | {row['write']} |"
        assert line in doc, f"docs/admin.md does not show: {line}"


def _routes(ids: dict[str, object]) -> list[tuple[str, str, str, str, int]]:
    """(method, path, resource, action, status when allowed)."""
    item = {
        "operations": ids["operation"],
        "cameras": ids["cameras"]["CAM-01"],  # type: ignore[index]
        "requisitions": ids["requisition"],
        "demandes": 1,
        "actions": ids["action"],
    }
    r: list[tuple[str, str, str, str, int]] = [
        ("GET", "/", "dashboard", "read", 200),
        ("GET", "/api/dashboard", "dashboard", "read", 200),
        ("GET", "/api/me", "dashboard", "read", 200),
        ("GET", "/recherche?q=CAM", "dashboard", "read", 200),
        ("GET", "/carte", "map", "read", 200),
        ("GET", "/api/map/zones", "map", "read", 200),
        ("GET", "/api/map/density?du=2018-03-24&au=2018-09-23", "map", "read", 200),
        ("GET", "/api/map/hotspots?du=2018-03-24&au=2018-09-23", "map", "read", 200),
        ("GET", "/api/map/emerging", "map", "read", 200),
        ("GET", "/api/map/interventions", "map", "read", 200),
        ("GET", "/api/map/cameras", "cameras", "read", 200),
        (
            "GET",
            "/api/requisitions-echeance?debut=2018-05-01T10:00&camera=CAM-01",
            "requisitions",
            "read",
            200,
        ),
        ("GET", "/analyses", "analyses", "read", 200),
        ("GET", "/imports", "imports", "write", 200),
        ("GET", "/admin", "admin", "read", 200),
        ("GET", "/admin/droits", "admin", "read", 200),
        ("GET", "/api/users", "admin", "read", 200),
        ("GET", "/admin/audit", "audit", "read", 200),
        ("GET", "/admin/audit.csv", "audit", "read", 200),
        ("GET", "/api/audit", "audit", "read", 200),
        ("GET", "/api/audit.csv", "audit", "read", 200),
        ("POST", "/admin/agences", "agencies", "write", 303),
        ("POST", "/admin/utilisateurs", "admin", "write", 303),
        # Sessions of one account (parquet.lecteur, logged in before the walk).
        ("GET", f"/admin/utilisateurs/{ids['session_user']}/sessions", "sessions", "read", 200),
        ("GET", f"/api/users/{ids['session_user']}/sessions", "sessions", "read", 200),
        ("POST", f"/admin/sessions/{ids['session']}/revoquer", "sessions", "write", 303),
        (
            "POST",
            f"/admin/utilisateurs/{ids['session_user']}/sessions/revoquer",
            "sessions",
            "write",
            303,
        ),
        ("APIPOST", f"/api/sessions/{ids['session']}/revoke", "sessions", "write", 200),
        ("APIPOST", f"/api/users/{ids['session_user']}/sessions/revoke", "sessions", "write", 200),
        ("POST", "/analyses/displacement", "analyses", "write", 400),
        ("POST", "/analyses/bilan", "bilan", "write", 400),
        ("POST", "/imports/verifier", "imports", "write", 400),
        ("POST", "/imports/confirmer", "imports", "write", 400),
        ("POST", "/imports/annuler", "imports", "write", 400),
        ("GET", "/imports/rejets/inconnu-0123456789", "imports", "write", 404),
        ("GET", f"/requisitions/{ids['requisition']}", "requisitions", "read", 200),
        ("POST", f"/requisitions/{ids['requisition']}/statut", "requisitions", "write", 400),
        ("POST", f"/requisitions/{ids['requisition']}/resultat", "requisitions", "write", 400),
        ("GET", "/api/requisitions/cameras?q=CAM", "requisitions", "write", 200),
        ("GET", "/geocodage", "imports", "write", 200),
        ("POST", "/geocodage/verifier", "imports", "write", 400),
        ("POST", "/geocodage/corriger", "imports", "write", 400),
    ]
    for slug, reg in REGISTERS.items():
        res = reg.resource
        r += [
            ("GET", f"/{slug}", res, "read", 200),
            ("GET", f"/{slug}.csv", res, "read", 200),
            ("GET", f"/{slug}.xlsx?statut=x&q=1", res, "read", 200),
            ("GET", f"/api/{slug}.xlsx", res, "read", 200),
            ("GET", f"/api/{slug}", res, "read", 200),
            ("GET", f"/{slug}?q=a&page=2&par_page=25&tri=id&sens=desc", res, "read", 200),
            ("APIPOST", f"/api/{slug}", res, "write", 400),
        ]
        if reg.creatable:
            r += [
                ("GET", f"/{slug}/nouveau", res, "write", 200),
                ("POST", f"/{slug}/nouveau", res, "write", 400),
            ]
        if reg.editable:
            r += [
                ("GET", f"/{slug}/{item[slug]}/modifier", res, "write", 200),
                ("POST", f"/{slug}/{item[slug]}/modifier", res, "write", 400),
            ]
    r.append(("GET", "/operations?vue=calendrier", "operations", "read", 200))
    return r


def _owner_kinds(method: str, path: str, ids: dict[str, object]) -> set[str] | None:
    """The agency kinds that own the object of a route, when ownership applies.

    The sessions listed and ended belong to parquet.lecteur: beyond the matrix, only
    the parquet's administrators may see or end them (OWNERSHIP_FR["accounts"]). The
    seeded action is piloted by the city: its edit form is for the city and the parquet
    (OWNERSHIP_FR["actions"]; the empty POST is refused as invalid before that check).
    """
    owned = (
        f"/utilisateurs/{ids['session_user']}/",
        f"/users/{ids['session_user']}/",
        f"/sessions/{ids['session']}/",
    )
    if any(o in path for o in owned):
        return {"parquet"}
    if method == "GET" and path == f"/actions/{ids['action']}/modifier":
        return {"ville", "parquet"}
    return None


def test_every_route_under_every_role(sqlite_url: str, tmp_path: Path) -> None:
    ids = seed(sqlite_url)
    app = create_app(settings_for(sqlite_url), web=web_settings(tmp_path))
    engine = make_engine(sqlite_url)
    with TestClient(app) as client:  # a session for the session routes to list and end
        assert login(client, username("parquet", "lecteur")).status_code == 303
    with engine.connect() as conn:
        ids["session_user"], ids["session"] = conn.execute(
            select(User.id, WebSession.id)
            .join(WebSession, WebSession.user_id == User.id)
            .where(User.username == username("parquet", "lecteur"))
        ).one()
        before = {
            m.__name__: conn.execute(select(func.count()).select_from(m)).scalar()
            for m in (Action, Agency, Camera, Operation, User)
        }
    routes = _routes(ids)
    failures: list[str] = []
    n_refused = 0
    for kind in AGENCY_KINDS:
        for role in ROLES:
            with TestClient(app) as client:
                assert login(client, username(kind, role)).status_code == 303
                token = page_token(client)
                for method, path, res, action, ok_status in routes:
                    if method == "GET":
                        resp = client.get(path, follow_redirects=False)
                    elif method == "POST":
                        resp = client.post(path, data={"csrf_token": token}, follow_redirects=False)
                    else:
                        resp = client.post(path, json={}, headers={"X-CSRF-Token": token})
                    owners = _owner_kinds(method, path, ids)
                    ok = allowed(kind, role, res, action) and (owners is None or kind in owners)  # type: ignore[arg-type]
                    want = ok_status if ok else 403
                    n_refused += want == 403
                    if resp.status_code != want:
                        failures.append(
                            f"{kind}/{role} {method} {path}: {resp.status_code} != {want}"
                        )
                    if want == 403 and path.startswith("/api"):
                        assert resp.json()["detail"].startswith("Accès refusé")
                    elif want == 403:
                        assert "Accès refusé" in resp.text
    assert not failures, "\n".join(failures[:40])
    assert n_refused > 300
    # Nothing was written by all those requests (empty forms are refused)...
    with engine.connect() as conn:
        after = {
            m.__name__: conn.execute(select(func.count()).select_from(m)).scalar()
            for m in (Action, Agency, Camera, Operation, User)
        }
        refusals = conn.execute(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "refus")
        ).scalar()
    assert after == before
    # ...and every refusal is in the audit log.
    assert refusals == n_refused


@pytest.mark.parametrize("path", ["/", "/carte", "/operations", "/api/dashboard", "/api/map/zones"])
def test_anonymous_requests_are_sent_to_the_login(
    sqlite_url: str, tmp_path: Path, path: str
) -> None:
    seed(sqlite_url)
    app = create_app(settings_for(sqlite_url), web=web_settings(tmp_path))
    with TestClient(app) as client:
        resp = client.get(path, follow_redirects=False)
    if path.startswith("/api"):
        assert resp.status_code == 401
        assert resp.json() == {"detail": "authentification requise"}
    else:
        assert resp.status_code == 303
        assert resp.headers["location"].startswith("/login?next=")
