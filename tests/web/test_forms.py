"""Forms: a new account is least-privileged by default, analysis forms come with defaults
and hints, operations record their seizures, a camera can be placed on a map."""

from __future__ import annotations

import html
import re
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from gltd.model import Operation
from gltd.store.engine import make_engine
from gltd.web.app import create_app
from web_support import login, page_token, seed, settings_for, web_settings


def _client(url: str, tmp_path: Path) -> TestClient:
    return TestClient(create_app(settings_for(url), web=web_settings(tmp_path)))


def _selected(page: str, select_name: str, start: str = "") -> list[str]:
    body = page.split(start, 1)[1] if start else page
    block = body.split(f'name="{select_name}"', 1)[1].split("</select>", 1)[0]
    return re.findall(r'<option value="([^"]*)" selected>', block)


def test_a_new_account_defaults_to_the_least_privileged_role(
    sqlite_url: str, tmp_path: Path
) -> None:
    seed(sqlite_url)
    with _client(sqlite_url, tmp_path) as c:
        login(c, "parquet.admin")
        page = c.get("/admin").text
        form = page.split("<h2>Nouveau compte</h2>", 1)[1].split("</form>", 1)[0]
        assert _selected(form, "role") == ["lecteur"]
        assert '<option value="admin" selected>' not in form


def test_analysis_forms_have_defaults_and_a_hint_under_each_field(
    sqlite_url: str, tmp_path: Path
) -> None:
    seed(sqlite_url)
    with _client(sqlite_url, tmp_path) as c:
        login(c, "police.analyste")
        page = html.unescape(c.get("/analyses").text)
    # The seed's latest incident: 17/06/2018 22:00 UTC, the 18th in Paris; six months to it.
    bilan = page.split('id="analysis-bilan"', 1)[1].split("</section>", 1)[0]
    assert 'name="first" type="date" required value="2017-12-19"' in bilan
    assert 'name="last" type="date" required value="2018-06-18"' in bilan
    assert _selected(bilan, "compare") == ["previous-year"]
    assert _selected(bilan, "format") == ["pdf"]
    knox = page.split('id="analysis-near_repeat"', 1)[1].split("</section>", 1)[0]
    assert "trafic_stupefiants" in _selected(knox, "categories")
    disp = page.split('id="analysis-displacement"', 1)[1].split("</section>", 1)[0]
    assert 'value="250"' in disp and _selected(disp, "before") == ["6M"]
    for section in page.split('<section class="card analysis"')[1:]:
        form = section.split("</form>", 1)[0]
        fields = len(re.findall(r"<(?:input|select) name=", form))
        assert fields and form.count('class="small hint"') == fields, form[:300]


def test_operation_form_records_seizures(sqlite_url: str, tmp_path: Path) -> None:
    seed(sqlite_url)
    with _client(sqlite_url, tmp_path) as c:
        login(c, "police.coordinateur")
        form = c.get("/operations/nouveau").text
        assert 'name="seize_resine_g"' in form and 'name="seize_other"' in form
        r = c.post(
            "/operations/nouveau",
            data={
                "csrf_token": page_token(c, "/operations"),
                "started_at": "2018-06-01T06:00",
                "kind": "perquisition",
                "seize_resine_g": "1200",
                "seize_cocaine_g": "15,5",
                "seize_other": "ecstasy 20 comprimes",
            },
            follow_redirects=False,
        )
        assert r.status_code == 303, html.unescape(r.text)[-1500:]
        with Session(make_engine(sqlite_url)) as s:
            op = (
                s.execute(
                    select(Operation)
                    .where(Operation.started_at.is_not(None))
                    .order_by(Operation.id.desc())
                )
                .scalars()
                .first()
            )
            assert op is not None
            got = sorted((z.substance, z.quantity, z.unit) for z in op.seizures)
        assert got == [
            ("cocaine", 15.5, "g"),
            ("ecstasy", 20.0, "comprimes"),
            ("resine de cannabis", 1200.0, "g"),
        ]
        edit = c.get(f"/operations/{op.id}/modifier").text
        assert 'name="seize_resine_g" id="field-seize_resine_g" type="number" value="1200"' in edit
        assert 'value="ecstasy 20 comprimes"' in edit
        r = c.post(
            "/operations/nouveau",
            data={
                "csrf_token": page_token(c, "/operations"),
                "started_at": "2018-06-02T06:00",
                "kind": "perquisition",
                "seize_other": "beaucoup de choses",
            },
        )
        assert r.status_code == 400 and "autres saisies illisibles" in html.unescape(r.text)


def test_camera_form_has_a_map_to_place_it_and_checkboxes_beside_labels(
    sqlite_url: str, tmp_path: Path
) -> None:
    seed(sqlite_url)
    with _client(sqlite_url, tmp_path) as c:
        login(c, "csu.coordinateur")
        form = c.get("/cameras/nouveau").text
        assert 'id="point-map"' in form and 'data-lat="field-lat"' in form
        assert 'src="/static/js/forms.js"' in form
        assert 'name="lat" id="field-lat"' in form
        # A camera request too is placed on a map; its choices read in French.
        req = html.unescape(c.get("/demandes/nouveau").text)
        assert 'id="point-map"' in req
        assert ">commerçants</option>" in req and ">à l'étude</option>" in req
        assert ">commercants</option>" not in req
        css = c.get("/static/css/gltd.css").text
        assert 'label:has(> input[type="checkbox"])' in css
