"""The requisition workflow on its status page, and the camera search of its form."""

from __future__ import annotations

import html
import re
from datetime import date
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from gltd.model import Camera
from gltd.store.engine import make_engine
from gltd.web.app import create_app
from web_support import CARMES_XY, login, page_token, seed, settings_for, web_settings


def _client(url: str, tmp_path: Path) -> TestClient:
    return TestClient(create_app(settings_for(url), web=web_settings(tmp_path)))


def _buttons(text: str) -> list[str]:
    return re.findall(r'id="step-([a-z_]+)"', text)


def _history(text: str) -> list[tuple[str, str]]:
    body = text.split('id="history"')[1].split("</table>")[0]
    rows = re.findall(r'<tr data-status="([a-z_]+)"><td>([^<]+)</td><td>([^<]+)</td>', body)
    return [(label, at) for _code, label, at in rows]


def test_status_page_offers_only_allowed_steps_and_keeps_the_history(
    sqlite_url: str, tmp_path: Path
) -> None:
    ids = seed(sqlite_url)
    rid = ids["requisition"]
    with _client(sqlite_url, tmp_path) as c:
        login(c, "csu.operateur_csu")
        page = html.unescape(c.get(f"/requisitions/{rid}").text)
        # Received 02/05/2018 11:00 (Paris), CAM-01 keeps 15 days from the period start.
        assert "Le 15/05/2018 11:00" in page and "échéance dépassée" in page
        assert _buttons(page) == ["en_cours", "hors_delai", "sans_objet"]
        assert "remise" not in _buttons(page)
        assert _history(page) == [("reçue", "02/05/2018 11:00")]
        assert "period_end" not in page and "recue" not in page.split("<main>")[1].replace(
            'value="recue"', ""
        ).replace('data-status="recue"', "").replace('class="lvl-', "")
        tok = page_token(c, f"/requisitions/{rid}")
        r = c.post(
            f"/requisitions/{rid}/statut",
            data={"csrf_token": tok, "status": "en_cours", "expected": "recue"},
            follow_redirects=False,
        )
        assert r.status_code == 303 and r.headers["location"].startswith(f"/requisitions/{rid}?")
        page = html.unescape(c.get(r.headers["location"]).text)
        assert "statut « en cours »" in page
        assert _buttons(page) == ["remise", "hors_delai", "sans_objet"]
        assert [s for s, _ in _history(page)] == ["reçue", "en cours"]
        # A step not allowed from the current status is refused by the domain's rules.
        r = c.post(
            f"/requisitions/{rid}/statut",
            data={"csrf_token": tok, "status": "recue", "expected": "en_cours"},
        )
        assert r.status_code == 400
        assert "passage de « en cours » à « reçue » refusé" in html.unescape(r.text)
        # A page opened before someone else's change: refused, nothing overwritten.
        r = c.post(
            f"/requisitions/{rid}/statut",
            data={"csrf_token": tok, "status": "sans_objet", "expected": "recue"},
        )
        assert r.status_code == 400 and "a changé entre-temps" in html.unescape(r.text)
        r = c.post(
            f"/requisitions/{rid}/statut",
            data={
                "csrf_token": tok,
                "status": "remise",
                "expected": "en_cours",
                "medium": "clé USB",
                "outcome": "non_utile",
            },
        )
        page = html.unescape(r.text)
        assert _buttons(page) == [] and "Statut final" in page
        assert [s for s, _ in _history(page)] == ["reçue", "en cours", "remise"]
        assert "clé USB" in page and "<dd>non utile</dd>" in page and ">non_utile<" not in page
        # The investigators say later what the footage gave: the outcome is recorded.
        r = c.post(
            f"/requisitions/{rid}/resultat",
            data={"csrf_token": tok, "outcome": "utile"},
            follow_redirects=False,
        )
        assert r.status_code == 303
        page = html.unescape(c.get(r.headers["location"]).text)
        assert "résultat « utile »" in page and "<dd>utile</dd>" in page
        # A reader of another agency that may read requisitions sees no button.
        login(c, "parquet.lecteur")
        page = c.get(f"/requisitions/{rid}").text
        assert _buttons(page) == [] and 'action="/requisitions/' not in page
        r = c.post(f"/requisitions/{rid}/statut", data={"csrf_token": tok, "status": "sans_objet"})
        assert r.status_code == 403


def test_camera_search_offers_cameras_in_service_by_code_and_by_point(
    sqlite_url: str, tmp_path: Path
) -> None:
    seed(sqlite_url)
    with Session(make_engine(sqlite_url)) as s, s.begin():
        s.add(
            Camera(
                code="CAM-09",
                lon=1.9001,
                lat=47.9021,
                x=CARMES_XY[0] + 5,
                y=CARMES_XY[1] + 5,
                field_angle_deg=360.0,
                range_m=40.0,
                retention_days=15,
                installed_on=date(2010, 1, 1),
                removed_on=date(2017, 1, 1),
            )
        )
    app = create_app(settings_for(sqlite_url), web=web_settings(tmp_path))
    with TestClient(app) as c:
        assert c.get("/api/requisitions/cameras?q=CAM").status_code == 401
        login(c, "csu.operateur_csu")
        found = c.get("/api/requisitions/cameras?q=cam-0").json()
        # The retired CAM-09 is not offered.
        assert [m["code"] for m in found["items"]] == ["CAM-01", "CAM-02"]
        assert found["items"][0]["retention_days"] == 15
        assert c.get("/api/requisitions/cameras?q=02").json()["items"][0]["code"] == "CAM-02"
        assert c.get("/api/requisitions/cameras?q=zzz").json() == {"items": [], "count": 0}
        near = c.get("/api/requisitions/cameras?lon=1.934&lat=47.913&n=1").json()["items"]
        assert [m["code"] for m in near] == ["CAM-02"] and 140 < near[0]["distance_m"] < 160
        near = c.get("/api/requisitions/cameras?lon=1.9&lat=47.902").json()["items"]
        assert [m["code"] for m in near] == ["CAM-01", "CAM-02"]
        assert near[0]["distance_m"] < near[1]["distance_m"]
        r = c.get("/api/requisitions/cameras?lon=1.9")
        assert r.status_code == 400 and "longitude et la latitude" in r.json()["detail"]
        form = html.unescape(c.get("/requisitions/nouveau").text)
        assert 'id="camera-search"' in form and 'src="/static/js/forms.js"' in form
        assert '<datalist id="list-requesting_unit"><option value="Commissariat central">' in form
        assert "juge d'instruction" in form and "juge_instruction</option>" not in form
    for user in ("police.analyste", "ville.lecteur", "parquet.coordinateur"):
        with TestClient(app) as c:
            login(c, user)
            assert c.get("/api/requisitions/cameras?q=CAM").status_code == 403, user


def test_the_deadline_is_told_at_the_application_date(sqlite_url: str, tmp_path: Path) -> None:
    ids = seed(sqlite_url)
    web = web_settings(tmp_path, reference_date=date(2018, 5, 10))
    with TestClient(create_app(settings_for(sqlite_url), web=web)) as c:
        login(c, "csu.operateur_csu")
        page = html.unescape(c.get(f"/requisitions/{ids['requisition']}").text)
        # Deadline 15/05/2018 11:00: five days and some hours after 10/05 (any time of day).
        assert re.search(r"Le 15/05/2018 11:00 \(dans [45] j \d+ h\)", page), page[:3000]
        assert 'class="deadline-box lvl-proche"' in page
        prev = c.get("/api/requisitions-echeance?debut=2018-05-09T08:00&camera=CAM-01").json()
        assert prev["deadline_local"] == "24/05/2018 08:00" and prev["level"] == "ok"
        assert 0 < prev["hours_left"] < 15 * 24
