"""What users do in the web app, on real SQLite and PostgreSQL databases."""

from __future__ import annotations

import html
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from gltd.model import AnalysisRun, AuditEvent, Incident, Operation, Requisition, User
from gltd.store.engine import make_engine
from gltd.web.app import create_app
from web_support import (
    STRONG_SECRET,
    check_import,
    finished_job,
    login,
    page_token,
    seed,
    settings_for,
    web_settings,
)


def _client(url: str, tmp_path: Path) -> TestClient:
    return TestClient(create_app(settings_for(url), web=web_settings(tmp_path)))


def test_dashboard_counts_and_exact_test(db_url: str, tmp_path: Path) -> None:
    seed(db_url)
    with _client(db_url, tmp_path) as c:
        login(c, "ville.lecteur")
        r = c.get("/api/dashboard?du=2018-03-24&au=2018-09-23&comparer=annee-precedente")
        assert r.status_code == 200
        k = r.json()["kpis"]
        zones = {z["zone"]: z for z in k["zones"]}
        carmes = zones["Les Carmes"]
        assert (carmes["count"], carmes["count_ref"]) == (12, 4)
        assert carmes["change_pct"] == pytest.approx(200.0)
        # Equal periods (184 days each): two-sided binomial test of 12 among 16 at p = 1/2,
        # by hand 2 × (C(16,12)+C(16,13)+C(16,14)+C(16,15)+C(16,16)) / 2^16 = 5034 / 65536.
        assert carmes["p_value"] == pytest.approx(5034 / 65536, rel=1e-9)
        assert carmes["label_fr"] == "effectifs trop faibles pour conclure"
        assert carmes["small_numbers"] is True
        assert (zones["L'Argonne"]["count"], zones["L'Argonne"]["count_ref"]) == (3, 3)
        assert (k["total"]["count"], k["total"]["count_ref"]) == (15, 7)
        assert k["reference"]["label"] == "du 24/03/2017 au 23/09/2017"
        page = html.unescape(c.get("/?du=2018-03-24&au=2018-09-23").text)
        assert "Les Carmes" in page and "+200" in page and "petits effectifs" in page
        # The requisition deadlines are not shown to the city (not its business).
        assert "Réquisitions : images bientôt écrasées" not in page
        assert "Élagage rue des Carmes" in page  # an overdue action
        assert "Caméra CAM-01" in page  # its authorisation expired on 10/01/2019


def test_map_layers(db_url: str, tmp_path: Path) -> None:
    seed(db_url)
    with _client(db_url, tmp_path) as c:
        login(c, "ville.lecteur")
        zones = c.get("/api/map/zones").json()
        assert {f["properties"]["name"] for f in zones["features"]} == {"Les Carmes", "L'Argonne"}
        d = c.get("/api/map/density?du=2018-03-24&au=2018-09-23&cell=250").json()
        assert d["n"] == 15 and sum(f["properties"]["n"] for f in d["features"]) == 15
        ring = d["features"][0]["geometry"]["coordinates"][0]
        assert len(ring) == 5 and 1.8 < ring[0][0] < 2.0 and 47.8 < ring[0][1] < 48.0
        one_week = c.get("/api/map/density?du=2018-04-01&au=2018-04-07&cell=250").json()
        assert one_week["n"] == 2  # Carmes and Argonne, 1 April 22:00 UTC (the weekly step)
        drug = c.get("/api/map/density?du=2018-03-24&au=2018-09-23&categorie=cambriolages").json()
        assert drug["n"] == 0
        hs = c.get("/api/map/hotspots?du=2018-03-24&au=2018-09-23").json()
        assert hs["available"] is True and "method" in hs
        assert all(f["properties"]["class"] != 0 for f in hs["features"])
        em = c.get("/api/map/emerging?du=2018-03-24&au=2018-09-23").json()
        assert em["available"] is True and em["method"]["n_steps"] == 26  # weekly steps
        assert all(f["properties"]["category"] != "no_pattern" for f in em["features"])
        cams = c.get("/api/map/cameras").json()["features"]
        assert sorted(
            f["properties"]["code"] for f in cams if f["properties"]["part"] == "camera"
        ) == [
            "CAM-01",
            "CAM-02",
        ]
        assert (
            c.get("/api/map/interventions").json()["features"][0]["properties"]["name"]
            == "Caméra Carmes"
        )


def test_register_a_requisition_and_see_its_deadline(db_url: str, tmp_path: Path) -> None:
    seed(db_url)
    with _client(db_url, tmp_path) as c:
        login(c, "csu.operateur_csu")
        form = c.get("/requisitions/nouveau")
        assert form.status_code == 200 and "deadline-preview" in form.text
        # The preview: CAM-01 keeps 15 days, CAM-02 10 days: the binding deadline is 10 days.
        prev = c.get(
            "/api/requisitions-echeance?debut=2018-06-10T08:00&camera=CAM-01&camera=CAM-02"
        ).json()
        assert prev["deadline_local"] == "20/06/2018 08:00"
        assert prev["level"] == "depasse"
        r = c.post(
            "/requisitions/nouveau",
            data={
                "csrf_token": page_token(c, "/requisitions/nouveau"),
                "received_at": "2018-06-12T09:30",
                "requesting_unit": "Brigade des stupéfiants",
                "officer_capacity": "OPJ",
                "legal_basis": "60-1",
                "procedure_number": "2018/00123",
                "cameras": ["CAM-01", "CAM-02"],
                "period_start": "2018-06-10T08:00",
                "period_end": "2018-06-10T12:00",
            },
            follow_redirects=False,
        )
        assert r.status_code == 303, r.text
        page = c.get(r.headers["location"]).text
        assert "20/06/2018 08:00" in page and "Brigade des stupéfiants" in page
        assert 'class="lvl-depasse"' in page
    with Session(make_engine(db_url)) as s:
        req = s.execute(
            select(Requisition).where(Requisition.requesting_unit == "Brigade des stupéfiants")
        ).scalar_one()
        assert req.deadline == datetime(2018, 6, 20, 6, 0, tzinfo=UTC)
        assert req.procedure_ref is not None and "2018" not in req.procedure_ref
        ev = s.execute(
            select(AuditEvent).where(
                AuditEvent.action == "creation", AuditEvent.object_type == "requisition"
            )
        ).scalar_one()
        assert ev.username == "csu.operateur_csu" and ev.ip


def test_bad_requisition_form_is_shown_again_with_messages(sqlite_url: str, tmp_path: Path) -> None:
    seed(sqlite_url)
    with _client(sqlite_url, tmp_path) as c:
        login(c, "csu.operateur_csu")
        r = c.post(
            "/requisitions/nouveau",
            data={
                "csrf_token": page_token(c, "/requisitions/nouveau"),
                "received_at": "hier",
                "requesting_unit": "BS",
                "legal_basis": "12",
                "procedure_number": "1",
                "period_start": "2018-06-10T08:00",
                "period_end": "2018-06-10T12:00",
            },
        )
        assert r.status_code == 400
        text = html.unescape(r.text)
        assert "date et heure attendues" in text and "valeur inconnue : « 12 »" in text
        assert "choisissez au moins une valeur" in text
    with make_engine(sqlite_url).connect() as conn:
        assert conn.execute(select(func.count()).select_from(Requisition)).scalar() == 1


def test_planned_operations_stay_with_police_and_parquet(db_url: str, tmp_path: Path) -> None:
    seed(db_url)
    with _client(db_url, tmp_path) as police, _client(db_url, tmp_path) as ville:
        login(police, "police.coordinateur")
        r = police.post(
            "/operations/nouveau",
            data={
                "csrf_token": page_token(police, "/operations"),
                "started_at": "2030-07-01T06:00",
                "kind": "perquisition",
                "planned": "1",
                "arrests_trafficker": "0",
            },
            follow_redirects=False,
        )
        assert r.status_code == 303
        cal = police.get("/operations?vue=calendrier&mois=2030-07").text
        assert "juillet 2030" in cal and "perquisition" in cal
        login(ville, "ville.admin")
        assert ville.get("/operations").status_code == 403
        assert ville.get("/api/operations").status_code == 403
        for path in ("/", "/carte", "/api/dashboard", "/api/map/interventions"):
            assert "perquisition" not in ville.get(path).text
    with make_engine(db_url).connect() as conn:
        assert (
            conn.execute(
                select(func.count()).select_from(Operation).where(Operation.planned)
            ).scalar()
            == 2
        )


def test_actions_cameras_requests_and_viewings(sqlite_url: str, tmp_path: Path) -> None:
    ids = seed(sqlite_url)
    with _client(sqlite_url, tmp_path) as c:
        login(c, "csu.coordinateur")
        tok = page_token(c)
        r = c.post(
            "/actions/nouveau",
            data={
                "csrf_token": tok,
                "title": "Éclairage passage Bourgogne",
                "status": "a_faire",
                "due_on": "2018-11-30",
            },
            follow_redirects=False,
        )
        assert r.status_code == 303
        r = c.post(
            f"/actions/{ids['action']}/modifier",
            data={"csrf_token": tok, "title": "Élagage rue des Carmes", "status": "fait"},
        )
        assert r.status_code == 400 and "date de réalisation" in html.unescape(r.text)
        camera = {"csrf_token": tok, "code": "CAM-03", "lat": "47.903", "lon": "1.902",
                  "field_angle_deg": "360", "range_m": "50"}  # fmt: skip
        r = c.post("/cameras/nouveau", data={**camera, "retention_days": "45"})
        assert r.status_code == 400 and "30" in r.text  # CSI L252-5: at most 30 days
        r = c.post(
            "/cameras/nouveau",
            data={**camera, "retention_days": "20", "authorisation_date": "2018-05-01"},
            follow_redirects=False,
        )
        assert r.status_code == 303, html.unescape(r.text)[-2000:]
        cams = c.get("/api/cameras").json()["items"]
        cam3 = next(x for x in cams if x["code"] == "CAM-03")
        assert cam3["authorisation_expiry"] == "2023-05-01"
        r = c.post(
            "/demandes/nouveau",
            data={
                "csrf_token": tok,
                "received_on": "2018-07-01",
                "origin": "elu",
                "lat": "47.91",
                "lon": "1.93",
                "radius_m": "150",
                "status": "attente",
            },
            follow_redirects=False,
        )
        assert r.status_code == 303
        r = c.post(
            "/visionnages/nouveau",
            data={
                "csrf_token": tok,
                "action": "extraction",
                "camera": "CAM-01",
                "reason": "réquisition",
                "recipient": "Brigade",
                "clip_start": "2018-05-01T10:00",
                "clip_end": "2018-05-01T10:30",
                "requisition_id": str(ids["requisition"]),
            },
            follow_redirects=False,
        )
        assert r.status_code == 303
        log = c.get("/api/visionnages").json()["items"]
        assert log[0]["agent"] == "csu.coordinateur" and log[0]["camera"] == "CAM-01"
        assert c.get("/visionnages/1/modifier").status_code in (404, 405)  # append-only


def test_admin_creates_and_deactivates_accounts(db_url: str, tmp_path: Path) -> None:
    ids = seed(db_url)
    with _client(db_url, tmp_path) as admin, _client(db_url, tmp_path) as new:
        login(admin, "police.admin")  # accounts of its own agency
        tok = page_token(admin, "/admin")

        def create(password: str) -> Any:
            form = {"csrf_token": tok, "username": "bs.analyste", "role": "analyste",
                    "agency_id": str(ids["agencies"]["police"]), "password": password}  # fmt: skip
            return admin.post("/admin/utilisateurs", data=form, follow_redirects=False)

        r = create("court")
        assert "12%20caract" in r.headers["location"] or "12 caract" in r.headers["location"]
        r = create("Tres-Long-2018")
        assert r.status_code == 303 and "ok=" in r.headers["location"]
        assert login(new, "bs.analyste", "Tres-Long-2018").status_code == 303
        assert new.get("/operations").status_code == 200
        with Session(make_engine(db_url)) as s:
            uid = s.execute(select(User.id).where(User.username == "bs.analyste")).scalar_one()
        admin.post(
            f"/admin/utilisateurs/{uid}",
            data={"csrf_token": tok, "role": "analyste", "active": "0"},
        )
        assert new.get("/operations", follow_redirects=False).status_code == 303
        matrix = admin.get("/admin/droits").text
        assert "Opérations (y compris planifiées)" in matrix
        audit = admin.get("/api/audit?action=creation").json()["items"]
        assert any(e["object_type"] == "user" and "bs.analyste" in e["detail"] for e in audit)


def test_import_shows_the_report_before_writing(db_url: str, tmp_path: Path) -> None:
    seed(db_url)
    good = "id;date;categorie;lon;lat\nW1;01/05/2018 10:00;Trafic de stupéfiants;1.90;47.902\nW2;02/05/2018 23:10;usage;1.93;47.914\n"
    bad = good + "W3;31/02/2018 10:00;trafic;1.90;47.90\n"
    engine = make_engine(db_url)

    def n_incidents() -> int:
        with engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(Incident)).scalar_one())

    n0 = n_incidents()
    with _client(db_url, tmp_path) as c:
        login(c, "police.analyste")
        tok = page_token(c, "/imports")
        code, page, bad_token = check_import(c, tok, "incidents", "faits.csv", bad)
        # Problems listed, nothing written; only the valid rows may be imported.
        assert code == 200 and 'id="problems"' in page
        assert 'id="import-valid"' in page and 'id="import-all"' not in page
        assert n_incidents() == n0 and bad_token
        r = c.post("/imports/confirmer", data={"csrf_token": tok, "token": bad_token})
        assert r.status_code == 400 and n_incidents() == n0  # the whole file: refused
        code, page, token = check_import(c, tok, "incidents", "faits.csv", good)
        assert code == 200, page[-3000:]
        assert "Confirmer l'import" in page
        assert n_incidents() == n0 and token  # nothing written before the confirmation
        r = c.post("/imports/confirmer", data={"csrf_token": tok, "token": token})
        assert r.status_code == 200 and 'id="done"' in r.text
        assert n_incidents() == n0 + 2
        # The dashboard sees the new incidents at once (cache invalidated).
        k = c.get("/api/dashboard?du=2018-03-24&au=2018-09-23").json()["kpis"]
        assert k["total"]["count"] == 17
        # The same token cannot be replayed.
        assert (
            c.post("/imports/confirmer", data={"csrf_token": tok, "token": token}).status_code
            == 400
        )


def test_an_analysis_runs_in_the_background(sqlite_url: str, tmp_path: Path) -> None:
    seed(sqlite_url)
    with _client(sqlite_url, tmp_path) as c:
        login(c, "ville.analyste")
        page = c.get("/analyses").text
        assert "Étude de pertinence" in page
        r = c.post(
            "/analyses/relevance",
            data={"csrf_token": page_token(c), "request_id": "1", "radius": "150"},
            follow_redirects=False,
        )
        assert r.status_code == 303
        run_id = int(r.headers["location"].rsplit("/", 1)[1])
        state = finished_job(c, run_id)
        assert state["status"] == "done", state
        res = c.get(f"/analyses/runs/{run_id}/resultat.json")
        assert res.status_code == 200 and isinstance(res.json(), dict)
        assert c.get(f"/analyses/runs/{run_id}").status_code == 200
        assert c.get(f"/analyses/runs/{run_id}/fichier").status_code == 200
        # A reader sees results but may not launch.
        with _client(sqlite_url, tmp_path) as reader:
            login(reader, "ville.lecteur")
            assert reader.get(f"/api/jobs/{run_id}").status_code == 200
            assert (
                reader.post(
                    "/analyses/relevance", data={"csrf_token": page_token(reader)}
                ).status_code
                == 403
            )
    with Session(make_engine(sqlite_url)) as s:
        run = s.get(AnalysisRun, run_id)
        assert run is not None and run.created_by == "ville.analyste"
        assert json.loads(run.params_json)["radius"] == 150.0


def test_demo_accounts_are_idempotent_and_refused_in_production(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from gltd.accounts import (
        check_password_strength,
        demo_password,
        ensure_demo_accounts,
        verify_password,
    )
    from gltd.cli.main import app
    from gltd.config import get_settings

    seed(sqlite_url)
    engine = make_engine(sqlite_url)
    first = ensure_demo_accounts(engine, "s3cret")
    again = ensure_demo_accounts(engine, "s3cret")
    assert first == again and len(first) == 18
    assert {a.username for a in first} >= {
        "parquet-admin",
        "police-analyste",
        "csu-operateur-csu",
        "ville-lecteur",
    }
    with Session(engine) as s:
        u = s.execute(select(User).where(User.username == "police-analyste")).scalar_one()
        assert verify_password(u.password_hash, demo_password("s3cret", "police-analyste"))
    assert all(check_password_strength(a.password) is None for a in first)
    monkeypatch.setenv("GLTD_ENV", "production")
    monkeypatch.setenv("GLTD_SECRET_KEY", STRONG_SECRET)
    get_settings.cache_clear()
    try:
        res = CliRunner().invoke(app, ["serve", "--db", sqlite_url, "--demo-accounts"])
    finally:
        get_settings.cache_clear()
    assert res.exit_code == 2
    assert "--demo-accounts est réservé au développement" in res.output
    monkeypatch.setenv("GLTD_SECRET_KEY", "dev-secret-change-me")
    get_settings.cache_clear()
    try:
        res = CliRunner().invoke(app, ["serve", "--db", sqlite_url])
    finally:
        get_settings.cache_clear()
    assert res.exit_code == 2 and "GLTD_SECRET_KEY doit être défini" in res.output
