"""The web map's print and export job: checked parameters with French refusals, the
job's file, its run listed with a French name, and the audit of each print."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from gltd.model import AuditEvent
from gltd.store.engine import make_engine
from gltd.web.app import create_app
from web_support import finished_job, login, page_token, seed, settings_for, web_settings


def test_print_job_checks_its_parameters_and_gives_the_file(
    sqlite_url: str, tmp_path: Path
) -> None:
    seed(sqlite_url)
    with TestClient(create_app(settings_for(sqlite_url), web=web_settings(tmp_path))) as c:
        login(c, "prefecture.lecteur")
        head = {"x-csrf-token": page_token(c, "/carte")}
        body = {"du": "2018-03-24", "au": "2018-09-23", "layers": ["zones", "density"]}
        for bad, words in (
            ({"paper": "A5"}, "papier inconnu : « A5 » (attendu : A4, A3)"),
            ({"format": "docx"}, "format inconnu : « docx »"),
            ({"layers": ["densite"]}, "couche inconnue : densite"),
            ({"cell": 10}, "taille de cellule hors limites"),
        ):
            r = c.post("/api/map/print", json={**body, **bad}, headers=head)
            assert r.status_code == 400, r.text
            assert words in r.json()["detail"], r.json()
        assert c.post("/api/map/print", json=body).status_code == 403  # no CSRF header
        files = {}
        for fmt in ("gpkg", "geojson"):
            r = c.post("/api/map/print", json={**body, "format": fmt}, headers=head)
            assert r.status_code == 200, r.text
            run = r.json()
            state = finished_job(c, run["id"])
            assert state["status"] == "done", state
            files[fmt] = c.get(run["file"])
        f = files["gpkg"]
        assert f.status_code == 200 and f.content[:16] == b"SQLite format 3\x00"
        g = files["geojson"]
        assert g.headers["content-type"].startswith("application/geo+json")
        assert set(g.json()["method"]) == {"density"}
        page = c.get(f"/analyses/runs/{run['id']}")
        assert "Carte imprimable ou export des couches" in page.text
    with Session(make_engine(sqlite_url)) as s:
        kinds = s.execute(select(AuditEvent.object_type).where(AuditEvent.action == "export"))
        assert "carte" in set(kinds.scalars())
