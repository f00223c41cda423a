"""Per-agency ownership beyond the matrix: actions belong to their pilot agency, accounts
and their sessions to their agency, an agency's audit events to its administrators."""

from __future__ import annotations

import html
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from gltd.model import Action, Agency, AuditEvent, User
from gltd.store.engine import make_engine
from gltd.web.app import create_app
from gltd.web.permissions import OWNERSHIP_FR
from web_support import login, page_token, seed, settings_for, web_settings

NEW_PASSWORD = "Vx7-tram-Loire-92"


@pytest.fixture
def world(db_url: str, tmp_path: Path) -> Iterator[tuple[str, dict[str, Any], Any]]:
    ids = seed(db_url)
    app = create_app(settings_for(db_url), web=web_settings(tmp_path))
    yield db_url, ids, app


def _as(app: Any, name: str) -> tuple[TestClient, str]:
    c = TestClient(app)
    assert login(c, name).status_code == 303
    return c, page_token(c)


def _refusals(url: str) -> list[tuple[str | None, str | None]]:
    with Session(make_engine(url)) as s:
        rows = s.execute(
            select(AuditEvent.username, AuditEvent.detail).where(AuditEvent.action == "refus")
        ).all()
    return [(r.username, r.detail) for r in rows]


def _action(url: str, action_id: int) -> Action:
    with Session(make_engine(url)) as s:
        a = s.get(Action, action_id)
        assert a is not None
        s.expunge(a)
        return a


def test_a_city_coordinator_cannot_rewrite_a_police_action(world: Any) -> None:
    url, ids, app = world
    police_id, ville_id = ids["agencies"]["police"], ids["agencies"]["ville"]
    police, ptok = _as(app, "police.coordinateur")
    r = police.post(
        "/actions/nouveau",
        data={
            "csrf_token": ptok,
            "title": "Contrôles place du Martroi",
            "status": "a_faire",
            "owner_agency_id": str(police_id),
        },
        follow_redirects=False,
    )
    assert r.status_code == 303
    with Session(make_engine(url)) as s:
        act_id = s.execute(
            select(Action.id).where(Action.title == "Contrôles place du Martroi")
        ).scalar_one()
    ville, vtok = _as(app, "ville.coordinateur")
    r = ville.get(f"/actions/{act_id}/modifier")
    assert r.status_code == 403 and "pilotée par Agence police" in html.unescape(r.text)
    rewrite = {"csrf_token": vtok, "title": "Supprimée", "status": "abandonne"}
    r = ville.post(f"/actions/{act_id}/modifier", data=rewrite, follow_redirects=False)
    assert r.status_code == 403
    assert "pilotée par Agence police" in html.unescape(r.text)
    r = ville.post(
        f"/api/actions/{act_id}",
        json={"title": "Supprimée", "status": "abandonne"},
        headers={"X-CSRF-Token": vtok},
    )
    assert r.status_code == 403 and r.json()["detail"].startswith("Accès refusé")
    assert _action(url, act_id).title == "Contrôles place du Martroi"
    # Nor may the city hand work to the police, or its own action over to them.
    r = ville.post(
        "/actions/nouveau",
        data={**rewrite, "title": "Pour la police", "owner_agency_id": str(police_id)},
        follow_redirects=False,
    )
    assert r.status_code == 403
    own = {"csrf_token": vtok, "title": "Élagage rue des Carmes", "status": "en_cours"}
    r = ville.post(
        f"/actions/{ids['action']}/modifier",
        data={**own, "owner_agency_id": str(police_id)},
        follow_redirects=False,
    )
    assert r.status_code == 403
    # Its own action it changes freely.
    r = ville.post(
        f"/actions/{ids['action']}/modifier",
        data={**own, "owner_agency_id": str(ville_id)},
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert _action(url, ids["action"]).status == "en_cours"
    # The parquet, which chairs the GLTD, steers every agency's actions.
    parquet, qtok = _as(app, "parquet.coordinateur")
    r = parquet.post(
        f"/actions/{act_id}/modifier",
        data={
            "csrf_token": qtok,
            "title": "Contrôles place du Martroi",
            "status": "en_cours",
            "owner_agency_id": str(police_id),
        },
        follow_redirects=False,
    )
    assert r.status_code == 303 and _action(url, act_id).status == "en_cours"
    refused = _refusals(url)
    assert len(refused) == 5 and {u for u, _ in refused} == {"ville.coordinateur"}
    assert all("réservée à cette agence et au parquet" in str(d) for _, d in refused)


def _post_user(c: TestClient, tok: str, agency_id: int, name: str, role: str) -> Any:
    return c.post(
        "/admin/utilisateurs",
        data={
            "csrf_token": tok,
            "username": name,
            "agency_id": str(agency_id),
            "role": role,
            "password": NEW_PASSWORD,
        },
        follow_redirects=False,
    )


def _user_id(url: str, name: str) -> int | None:
    with make_engine(url).connect() as conn:
        return conn.execute(select(User.id).where(User.username == name)).scalar()


def test_an_admin_manages_only_the_accounts_of_its_agency(world: Any) -> None:
    url, ids, app = world
    police_id, ville_id = ids["agencies"]["police"], ids["agencies"]["ville"]
    ville, vtok = _as(app, "ville.admin")
    # The attack: a city administrator makes itself a police account.
    r = _post_user(ville, vtok, police_id, "faux.policier", "coordinateur")
    assert r.status_code == 403 and "créés par ses administrateurs" in html.unescape(r.text)
    assert _user_id(url, "faux.policier") is None
    target = _user_id(url, "police.lecteur")
    for data in ({"role": "admin"}, {"password": NEW_PASSWORD}, {"active": "0"}):
        r = ville.post(
            f"/admin/utilisateurs/{target}",
            data={"csrf_token": vtok, **data},
            follow_redirects=False,
        )
        assert r.status_code == 403
    for path in (f"/admin/utilisateurs/{target}/sessions", f"/api/users/{target}/sessions"):
        assert ville.get(path).status_code == 403
    r = ville.post(f"/api/users/{target}/sessions/revoke", headers={"X-CSRF-Token": vtok})
    assert r.status_code == 403
    with Session(make_engine(url)) as s:
        u = s.get(User, target)
        assert u is not None and u.role == "lecteur" and u.active
    # Its own agency's accounts it manages; the page lists no other agency's.
    assert _post_user(ville, vtok, ville_id, "ville.analyste2", "analyste").status_code == 303
    page = ville.get("/admin").text
    assert "ville.analyste2" in page and "police.lecteur" not in page
    users = {u["username"] for u in ville.get("/api/users").json()["users"]}
    assert users and all(n.startswith("ville.") for n in users)
    assert len(_refusals(url)) == 7


def test_agencies_and_their_first_admin_come_from_the_parquet(world: Any) -> None:
    url, ids, app = world
    ville, vtok = _as(app, "ville.admin")
    r = ville.post(
        "/admin/agences",
        data={"csrf_token": vtok, "name": "Bailleur social", "kind": "autre"},
        follow_redirects=False,
    )
    assert r.status_code == 403
    parquet, qtok = _as(app, "parquet.admin")
    r = parquet.post(
        "/admin/agences",
        data={"csrf_token": qtok, "name": "Bailleur social", "kind": "autre"},
        follow_redirects=False,
    )
    assert r.status_code == 303, unquote(r.headers.get("location", ""))
    with make_engine(url).connect() as conn:
        new_id = conn.execute(
            select(Agency.id).where(Agency.name == "Bailleur social")
        ).scalar_one()
    # The parquet gives the new agency its first administrator, and nothing more.
    assert _post_user(parquet, qtok, new_id, "bailleur.lecteur", "lecteur").status_code == 403
    assert _post_user(parquet, qtok, new_id, "bailleur.admin", "admin").status_code == 303
    assert _post_user(parquet, qtok, new_id, "bailleur.admin2", "admin").status_code == 403
    police_id = ids["agencies"]["police"]
    assert _post_user(parquet, qtok, police_id, "police.admin2", "admin").status_code == 403
    # That administrator then runs its agency.
    bailleur = TestClient(app)
    assert login(bailleur, "bailleur.admin", NEW_PASSWORD).status_code == 303
    btok = page_token(bailleur)
    assert _post_user(bailleur, btok, new_id, "bailleur.lecteur", "lecteur").status_code == 303


def test_an_agency_audit_log_is_read_by_its_administrators(world: Any) -> None:
    url, ids, app = world
    police, ptok = _as(app, "police.coordinateur")
    r = police.post(
        "/operations/nouveau",
        data={
            "csrf_token": ptok,
            "started_at": "2031-01-05T05:30",
            "kind": "perquisition",
            "planned": "1",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303
    anon = TestClient(app)
    assert login(anon, "police.lecteur", "mauvais-mot-de-passe").status_code == 401

    def seen(name: str) -> list[dict[str, Any]]:
        c, _ = _as(app, name)
        items: list[dict[str, Any]] = c.get("/api/audit?limit=1000").json()["items"]
        csv = c.get("/admin/audit.csv").text
        assert ("police.coordinateur" in csv) == any(
            e["username"] == "police.coordinateur" for e in items
        )
        return items

    ville = seen("ville.admin")
    assert ville and {e["agency"] for e in ville} <= {"Agence ville", None}
    assert not any(e["object_type"] == "operation" for e in ville)
    assert not any(e["username"] == "police.lecteur" for e in ville)
    police_view = seen("police.admin")
    assert any(e["object_type"] == "operation" and e["detail"] == "planifiée" for e in police_view)
    assert any(
        e["action"] == "connexion_refusee" and e["username"] == "police.lecteur"
        for e in police_view
    )
    assert not any(e["agency"] == "Agence ville" for e in police_view)
    parquet_view = seen("parquet.admin")
    assert {"Agence police", "Agence ville"} <= {e["agency"] for e in parquet_view}


def test_the_matrix_page_shows_the_ownership_rules(world: Any) -> None:
    _, _, app = world
    c, _ = _as(app, "ville.admin")
    page = html.unescape(c.get("/admin/droits").text)
    assert all(rule in page for rule in OWNERSHIP_FR.values())


def test_the_ownership_rules_are_documented() -> None:
    doc = (Path(__file__).resolve().parent.parent.parent / "docs" / "admin.md").read_text("utf-8")
    flat = " ".join(doc.split())
    for rule in OWNERSHIP_FR.values():
        assert rule in flat, rule
