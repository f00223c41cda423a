"""Web imports of every kind: « importer les lignes valides », the rejected rows as a CSV
with their reason, and messages in French only (dates that do not exist, categories and
coordinate systems by their French names)."""

from __future__ import annotations

import csv
import html
import io
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from gltd.model import Camera, Incident, Requisition
from gltd.store.engine import make_engine
from gltd.web.app import create_app
from web_support import check_import, login, page_token, seed, settings_for, web_settings

CAMERAS = (
    "code;lat;lon;conservation;installee_le\n"
    "CAM-10;47.903;1.905;15;01/03/2017\n"
    "CAM-11;47.904;1.906;15;31/11/2026\n"
    "CAM-12;147.9;1.9;15;01/03/2017\n"
)
INCIDENTS = (
    "id;date;categorie;lon;lat\n"
    "V1;01/05/2018 10:00;Trafic de stupéfiants;1.90;47.902\n"
    "V2;02/05/2018 23:10;vol de licorne;1.93;47.914\n"
)
REQUISITIONS = (
    "date_reception;service;fondement;cameras;debut;fin;numero_procedure\n"
    "03/05/2018 10:00;BSU;60-1;CAM-01;01/05/2018 10:00;01/05/2018 12:00;P-1\n"
    "31/11/2026 10:00;BSU;60-1;CAM-01;01/05/2018 10:00;01/05/2018 12:00;P-2\n"
)


def _count(url: str, model: type) -> int:
    with make_engine(url).connect() as conn:
        return int(conn.execute(select(func.count()).select_from(model)).scalar_one())


def test_camera_import_writes_the_valid_rows_and_hands_back_the_rejected_ones(
    sqlite_url: str, tmp_path: Path
) -> None:
    seed(sqlite_url)
    n0 = _count(sqlite_url, Camera)
    with TestClient(create_app(settings_for(sqlite_url), web=web_settings(tmp_path))) as c:
        login(c, "csu.admin")
        tok = page_token(c, "/imports")
        code, page, token = check_import(c, tok, "cameras", "cameras.csv", CAMERAS)
        assert code == 200 and token
        assert "3 ligne(s) lue(s), 1 valide(s), 2 refusée(s)" in page
        assert "le 31 novembre n'existe pas" in page
        assert "Lambert-93, France métropolitaine et Corse" in page
        assert "onshore" not in page and "World" not in page
        assert 'id="import-valid"' in page and "Importer les lignes valides (1)" in page
        assert 'id="import-all"' not in page
        # The rejected rows, as they were, with their row number and reason in French.
        r = c.get(f"/imports/rejets/{token}")
        assert r.status_code == 200 and "lignes-refusees.csv" in r.headers["content-disposition"]
        rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig")), delimiter=";"))
        assert [(x["ligne"], x["code"]) for x in rows] == [("3", "CAM-11"), ("4", "CAM-12")]
        assert "31 novembre n'existe pas" in rows[0]["motif"]
        assert "hors de la zone de validité" in rows[1]["motif"]
        assert _count(sqlite_url, Camera) == n0  # nothing written by the check
        r = c.post("/imports/confirmer", data={"csrf_token": tok, "token": token, "valides": "1"})
        done = html.unescape(r.text)
        assert r.status_code == 200 and 'id="done"' in done
        assert "1 ligne(s) écrite(s)" in done and "2 refusée(s) non importée(s)" in done
        assert _count(sqlite_url, Camera) == n0 + 1
        # Confirmed: the upload and its reports are gone.
        assert c.get(f"/imports/rejets/{token}").status_code == 404
        # Another account cannot read someone's rejected rows.
        _, _, token = check_import(
            c, tok, "cameras", "cameras2.csv", CAMERAS.replace("CAM-1", "CAM-2")
        )
    with TestClient(create_app(settings_for(sqlite_url), web=web_settings(tmp_path))) as other:
        login(other, "ville.admin")
        assert other.get(f"/imports/rejets/{token}").status_code == 403


def test_category_and_date_messages_are_french_with_labels(sqlite_url: str, tmp_path: Path) -> None:
    seed(sqlite_url)
    n0 = _count(sqlite_url, Incident)
    with TestClient(create_app(settings_for(sqlite_url), web=web_settings(tmp_path))) as c:
        login(c, "police.admin")
        tok = page_token(c, "/imports")
        code, page, token = check_import(c, tok, "incidents", "faits.csv", INCIDENTS)
        assert code == 200 and "catégorie inconnue" in page
        assert "« Trafic de stupéfiants », « Usage-revente de stupéfiants »" in page
        assert "trafic_stupefiants" not in page and "--mapping" not in page
        c.post("/imports/confirmer", data={"csrf_token": tok, "token": token, "valides": "1"})
        assert _count(sqlite_url, Incident) == n0 + 1
        # Requisitions are imported from the web too, by the roles that may.
        n1 = _count(sqlite_url, Requisition)
        code, page, token = check_import(c, tok, "requisitions", "req.csv", REQUISITIONS)
        assert code == 200 and "date inexistante : le 31 novembre n'existe pas" in page
        c.post("/imports/confirmer", data={"csrf_token": tok, "token": token, "valides": "1"})
        assert _count(sqlite_url, Requisition) == n1 + 1
    with TestClient(create_app(settings_for(sqlite_url), web=web_settings(tmp_path))) as c:
        login(c, "police.analyste")  # may import incidents, not the CSU's registers
        page = c.get("/imports").text
        assert 'value="incidents"' in page
        assert 'value="cameras"' not in page and 'value="requisitions"' not in page
