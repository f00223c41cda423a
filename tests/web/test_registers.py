"""Register pages that scale: pages, sort, search, filters in the URL, counts, exports.

Every register gets a few dozen rows (``register_support.add_bulk``) on top of the web
fixture; the expected answers are computed from the database, not written by hand.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gltd.model import AuditEvent, Camera, Operation, Requisition, Seizure
from gltd.store.engine import make_engine
from gltd.web.app import create_app
from gltd.web.registers import REGISTERS
from register_support import add_bulk, bulk_database, logged_in
from web_support import login, seed, settings_for, web_settings

ROW = re.compile(r'<tr data-id="(\d+)">')
COUNT = re.compile(r'id="register-count"[^>]*>\s*(\d+)–(\d+) sur (\d+)')
TABLES = {
    "requisitions": "requisition",
    "visionnages": "viewing_log",
    "operations": "operation",
    "cameras": "camera",
    "actions": "action",
    "demandes": "camera_request",
}


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return bulk_database(tmp_path_factory.mktemp("registers"))


@pytest.fixture(scope="module")
def parquet(url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """The parquet reads every register (operations and viewings included)."""
    with logged_in(url, tmp_path_factory.mktemp("web")) as c:
        yield c


def ids_of(html: str) -> list[int]:
    return [int(i) for i in ROW.findall(html)]


def count_of(html: str) -> tuple[int, int, int]:
    m = COUNT.search(html)
    assert m, "no « a–b sur n » on the page"
    return int(m[1]), int(m[2]), int(m[3])


def n_rows(url: str, table: str) -> int:
    from sqlalchemy import table as sql_table

    with make_engine(url).connect() as conn:
        return int(conn.execute(select(func.count()).select_from(sql_table(table))).scalar_one())


@pytest.mark.parametrize("slug", list(REGISTERS))
def test_each_register_pages_through_every_row_once(
    slug: str, url: str, parquet: TestClient
) -> None:
    total = n_rows(url, TABLES[slug])
    assert total > 50
    first = parquet.get(f"/{slug}?par_page=25")
    assert first.status_code == 200
    assert count_of(first.text) == (1, 25, total)
    seen: list[int] = []
    page = 1
    while True:
        html = parquet.get(f"/{slug}?par_page=25&page={page}").text
        lo, hi, n = count_of(html)
        assert (lo, n) == (25 * (page - 1) + 1, total)
        seen += ids_of(html)
        assert len(seen) == hi
        if hi == total:
            assert 'rel="next"' not in html
            break
        assert f"page={page + 1}" in html and "par_page=25" in html
        page += 1
    assert len(seen) == len(set(seen)) == total


def test_sort_by_a_column_is_stable_and_reversible(url: str, parquet: TestClient) -> None:
    # Many requisitions share a status: the order is (status, id), the same on every page.
    with make_engine(url).connect() as conn:
        rows = conn.execute(select(Requisition.id, Requisition.status)).all()
    want = [r.id for r in sorted(rows, key=lambda r: (r.status, r.id))]
    got: list[int] = []
    for page in (1, 2, 3):
        html = parquet.get(f"/requisitions?tri=status_label&sens=asc&par_page=25&page={page}").text
        got += ids_of(html)
    assert got == want[: len(got)] and len(got) == min(75, len(want))
    html = parquet.get("/requisitions?tri=status_label&sens=desc&par_page=200").text
    desc = [r.id for r in sorted(rows, key=lambda r: (r.status, r.id), reverse=True)]
    assert ids_of(html) == desc
    assert 'aria-sort="descending"' in html
    # the header of the sorted column reverses it, the others sort ascending
    assert "tri=status_label&amp;sens=asc" in html and "tri=received_at&amp;sens=asc" in html


def test_cameras_sort_by_cost_in_sql(url: str, parquet: TestClient) -> None:
    with make_engine(url).connect() as conn:
        rows = conn.execute(select(Camera.id, Camera.annual_cost_eur)).all()
    want = [r.id for r in sorted(rows, key=lambda r: (-r.annual_cost_eur, -r.id))][:25]
    html = parquet.get("/cameras?tri=annual_cost_eur&sens=desc&par_page=25").text
    assert ids_of(html) == want


def test_requisition_search_looks_in_number_unit_and_camera(url: str, parquet: TestClient) -> None:
    with Session(make_engine(url)) as s:
        reqs = s.execute(select(Requisition)).scalars().all()
        units = {r.id: r.requesting_unit for r in reqs}
        cams = {r.id: {c.code for c in r.cameras} for r in reqs}
    bac = parquet.get("/requisitions?q=bac&par_page=200").text
    assert set(ids_of(bac)) == {i for i, u in units.items() if "bac" in u.lower()}
    # « % » and « _ » are searched as such, not as wildcards
    pct = parquet.get("/requisitions", params={"q": "50%_", "par_page": 200}).text
    assert set(ids_of(pct)) == {i for i, u in units.items() if "50%_" in u}
    cam = parquet.get("/requisitions?q=BULK-003&par_page=200").text
    assert set(ids_of(cam)) == {i for i, c in cams.items() if "BULK-003" in c}
    one = next(iter(units))
    assert ids_of(parquet.get(f"/requisitions?q=n° {one}").text)[0] == one
    nothing = parquet.get("/requisitions?q=introuvable-xyz").text
    assert "Aucun résultat" in nothing and "ne correspond" in nothing


def test_filters_live_in_the_url_and_the_links_keep_them(url: str, parquet: TestClient) -> None:
    with make_engine(url).connect() as conn:
        recue = conn.execute(
            select(func.count()).select_from(Requisition).where(Requisition.status == "recue")
        ).scalar_one()
    html = parquet.get("/requisitions?statut=recue&par_page=25").text
    assert count_of(html)[2] == recue
    assert '<option value="recue" selected>' in html
    # each number opens the requisition's page (deadline, workflow, history)
    first = ids_of(html)[0]
    assert f'<a href="/requisitions/{first}" title="page de la réquisition">{first}</a>' in html
    assert 'href="/requisitions.xlsx?statut=recue' in html
    # next page, sort headers and exports all carry the filter (61 rows in 2018)
    html = parquet.get("/requisitions?annee=2018&par_page=25").text
    assert count_of(html) == (1, 25, n_rows(url, "requisition"))
    assert '<option value="2018" selected>' in html
    assert re.search(r'href="/requisitions\?annee=2018[^"]*page=2" rel="next"', html)
    assert re.search(r'href="/requisitions\?annee=2018&amp;tri=id&amp;sens=asc', html)
    assert 'href="/requisitions.csv?annee=2018' in html
    page2 = parquet.get("/requisitions?annee=2018&par_page=25&page=2").text
    assert count_of(page2) == (26, 50, n_rows(url, "requisition"))
    # an unknown value is ignored, never an error page
    assert parquet.get("/requisitions?statut=nimporte&page=abc&par_page=7").status_code == 200


def test_deadline_filter_uses_the_reference_date(url: str, tmp_path: Path) -> None:
    app = create_app(settings_for(url), web=web_settings(tmp_path, reference_date=date(2018, 3, 1)))
    with TestClient(app) as c:
        login(c, "csu.lecteur")
        html = c.get("/requisitions?echeance=depasse&par_page=200").text
        cells = re.findall(r'<td class="lvl-(\w+)"', html)
        assert cells and set(cells) == {"depasse"}


def test_operation_filters_planned_zone_and_year(url: str, parquet: TestClient) -> None:
    with make_engine(url).connect() as conn:
        planned = (
            conn.execute(select(Operation.id).where(Operation.planned.is_(True))).scalars().all()
        )
    html = parquet.get("/operations?statut=planifiee&par_page=200").text
    assert set(ids_of(html)) == set(planned)
    y2030 = parquet.get("/operations?annee=2030").text
    assert len(ids_of(y2030)) == 1  # the fixture's planned raid of June 2030


def test_camera_filters_retired_and_search(url: str, parquet: TestClient, tmp_path: Path) -> None:
    html = parquet.get("/cameras?statut=retiree&par_page=200").text
    with make_engine(url).connect() as conn:
        retired = (
            conn.execute(select(Camera.id).where(Camera.removed_on.is_not(None))).scalars().all()
        )
    assert set(ids_of(html)) == set(retired) and "retirée" in html
    with make_engine(url).connect() as conn:
        cam02 = conn.execute(select(Camera.id).where(Camera.code == "CAM-02")).scalar_one()
    assert ids_of(parquet.get("/cameras?q=cam-02").text) == [cam02]


def _xlsx(resp: Any) -> list[list[Any]]:
    assert resp.status_code == 200, resp.text
    assert resp.headers["content-type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(resp.content)).active
    return [list(row) for row in ws.iter_rows()]


def test_xlsx_export_of_a_filtered_view_has_every_page_typed(url: str, parquet: TestClient) -> None:
    n_all = n_rows(url, "requisition")
    # page 2 of a view 25 rows a page: the export has every row of the view, not 25
    rows = _xlsx(parquet.get("/requisitions.xlsx?annee=2018&par_page=25&page=2"))
    assert len(rows) - 1 == n_all > 25
    head = [c.value for c in rows[0]]
    assert head[:3] == ["N° de réquisition", "Reçue le", "Service requérant"]
    with make_engine(url).connect() as conn:
        recue = (
            conn.execute(
                select(Requisition.id)
                .where(Requisition.status == "recue")
                .order_by(Requisition.received_at.desc(), Requisition.id.desc())
            )
            .scalars()
            .all()
        )
    filtered = _xlsx(parquet.get("/requisitions.xlsx?statut=recue"))
    assert [r[0].value for r in filtered[1:]] == recue
    first = rows[1]
    assert isinstance(first[0].value, int)
    assert isinstance(first[1].value, datetime) and first[1].number_format == "DD/MM/YYYY HH:MM"
    # formulas are neutralised: the unit typed as « =HYPERLINK(…) » stays text
    units = {r[2].value for r in rows[1:]}
    assert '\'=HYPERLINK("x")' in units and not any(str(u).startswith("=") for u in units)


def test_operation_export_has_one_column_per_arrest_role_and_seizure(
    url: str, parquet: TestClient
) -> None:
    rows = _xlsx(parquet.get("/operations.xlsx"))
    head = [c.value for c in rows[0]]
    for h in ("Interpellations : trafic", "Interpellations : usage", "Interpellations : autres"):
        assert h in head
    cannabis, coke = (
        head.index("Saisie : résine de cannabis (g)"),
        head.index("Saisie : cocaïne (g)"),
    )
    with Session(make_engine(url)) as s:
        total = s.execute(
            select(func.sum(Seizure.quantity)).where(Seizure.substance == "cocaïne")
        ).scalar_one()
    got = sum(r[coke].value or 0 for r in rows[1:])
    assert got == pytest.approx(total) and any(
        isinstance(r[cannabis].value, float) for r in rows[1:]
    )
    started = head.index("Début")
    assert isinstance(rows[1][started].value, datetime)
    trafic = head.index("Interpellations : trafic")
    assert all(isinstance(r[trafic].value, int) for r in rows[1:])


def test_camera_export_has_coordinates_and_removal_date(url: str, parquet: TestClient) -> None:
    rows = _xlsx(parquet.get("/cameras.xlsx?statut=retiree"))
    head = [c.value for c in rows[0]]
    lat, lon, removed = (
        head.index("Latitude (WGS84)"),
        head.index("Longitude (WGS84)"),
        head.index("Retirée le"),
    )
    assert len(rows) > 2
    for r in rows[1:]:
        assert isinstance(r[lat].value, float) and isinstance(r[lon].value, float)
        # a date cell (openpyxl reads dates back as datetimes at midnight)
        assert isinstance(r[removed].value, datetime) and r[removed].number_format == "DD/MM/YYYY"
        assert r[removed].value.date() == date(2017, 6, 30)


def test_csv_export_in_the_french_excel_convention(url: str, parquet: TestClient) -> None:
    resp = parquet.get("/cameras.csv?q=BULK-001")
    assert resp.status_code == 200
    raw = resp.content
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    head, (row,) = rows[0], rows[1:]
    assert head[0] == "Code" and "Coût annuel (€)" in head
    assert row[head.index("Code")] == "BULK-001"
    assert row[head.index("Coût annuel (€)")] == "1001,5"  # decimal comma
    assert row[head.index("Installée le")] == "02/01/2015"
    assert row[head.index("Haute définition")] == "non"
    req = parquet.get("/requisitions.csv?q=HYPERLINK").content.decode("utf-8-sig")
    assert "'=HYPERLINK" in req and ";=HYPERLINK" not in req and ';"=HYPERLINK' not in req


def test_exports_obey_the_page_rules_and_are_audited(url: str, tmp_path: Path) -> None:
    app = create_app(settings_for(url), web=web_settings(tmp_path))
    with TestClient(app) as c:
        login(c, "ville.analyste")
        for path in (
            "/operations.xlsx",
            "/requisitions.xlsx",
            "/visionnages.csv",
            "/api/operations.xlsx",
        ):
            assert c.get(path).status_code == 403, path
        assert c.get("/cameras.xlsx").status_code == 200
    with TestClient(app) as c:
        login(c, "police.coordinateur")
        assert c.get("/operations.xlsx?statut=planifiee").status_code == 200
    with Session(make_engine(url)) as s:
        events = s.execute(
            select(
                AuditEvent.username, AuditEvent.object_type, AuditEvent.action, AuditEvent.detail
            )
            .where(AuditEvent.username.in_(("ville.analyste", "police.coordinateur")))
            .order_by(AuditEvent.id)
        ).all()
    refused = {e.object_type for e in events if e.action == "refus"}
    assert refused >= {"operations", "requisitions", "viewing_log"}
    exports = [e for e in events if e.action == "export"]
    assert [(e.username, e.object_type) for e in exports] == [
        ("ville.analyste", "cameras"),
        ("police.coordinateur", "operations"),
    ]
    assert "(XLSX)" in exports[1].detail and "statut=planifiee" in exports[1].detail
    # the export of operations is also a sensitive read, logged as such
    assert any(
        e.action == "lecture" and e.object_type == "operations" and "statut=planifiee" in e.detail
        for e in events
    )


def test_paging_sorting_and_search_on_each_database(db_url: str, tmp_path: Path) -> None:
    """The same SQL on SQLite and PostgreSQL: case-insensitive search, nulls last, counts."""
    seed(db_url)
    add_bulk(db_url)
    with TestClient(create_app(settings_for(db_url), web=web_settings(tmp_path))) as c:
        login(c, "parquet.lecteur")
        with make_engine(db_url).connect() as conn:
            bac = (
                conn.execute(
                    select(Requisition.id).where(Requisition.requesting_unit.like("%BAC%"))
                )
                .scalars()
                .all()
            )
        # page 2 of 25 when there are fewer rows: the last page is shown
        html = c.get("/requisitions?q=bAc&par_page=25&page=2").text
        assert count_of(html) == (1, len(bac), len(bac)) and set(ids_of(html)) == set(bac)
        # undated removals sort last in both directions
        asc = ids_of(c.get("/cameras?tri=removed_on&sens=asc&par_page=200").text)
        desc = ids_of(c.get("/cameras?tri=removed_on&sens=desc&par_page=200").text)
        with Session(make_engine(db_url)) as s:
            removed = set(
                s.execute(select(Camera.id).where(Camera.removed_on.is_not(None))).scalars()
            )
        assert set(asc[: len(removed)]) == removed == set(desc[: len(removed)])
        rows = _xlsx(c.get("/actions.xlsx?statut=ouvertes"))
        assert {r[6].value for r in rows[1:]} == {"à faire", "en cours"}


def test_global_search_groups_by_kind_and_follows_the_rules(url: str, tmp_path: Path) -> None:
    app = create_app(settings_for(url), web=web_settings(tmp_path))
    with TestClient(app) as c:
        login(c, "police.analyste")
        html = c.get("/recherche?q=carmes").text
        # the zone, its registers, and the action named after it
        assert 'id="resultats-zones"' in html and "Les Carmes" in html
        assert "/operations?zone=" in html and "/cameras?zone=" in html
        assert 'id="resultats-actions"' in html
        assert "Élagage rue des Carmes" in c.get("/recherche?q=rue des carmes").text
        req = c.get("/recherche?q=BULK-003").text
        assert 'id="resultats-requisitions"' in req and 'id="resultats-cameras"' in req
        assert re.search(r'href="/requisitions/\d+"', req)
        assert 'href="/requisitions?q=BULK-003"' in req  # more than 10: « voir les … »
        assert 'name="q"' in c.get("/").text  # the box is in every page's header
    with TestClient(app) as c:
        login(c, "ville.analyste")  # neither requisitions nor operations for the city
        html = c.get("/recherche?q=BULK-003").text
        assert 'id="resultats-cameras"' in html and "resultats-requisitions" not in html
        assert "/operations?zone=" not in c.get("/recherche?q=carmes").text
    with Session(make_engine(url)) as s:
        reads = s.execute(
            select(AuditEvent.username, AuditEvent.detail).where(
                AuditEvent.action == "lecture", AuditEvent.detail.like("/recherche%")
            )
        ).all()
    # the police's search looked into requisitions (a sensitive read), the city's did not
    assert {r.username for r in reads} == {"police.analyste"}
    assert ("police.analyste", "/recherche?q=BULK-003") in {tuple(r) for r in reads}


def test_sheet_names_are_valid_and_cut_between_words(parquet: TestClient) -> None:
    from gltd.web.registers.export import sheet_name

    assert sheet_name("Registre des visionnages et extractions") == "Registre des visionnages"
    assert sheet_name("Réquisitions judiciaires d'images") == "Réquisitions judiciaires"
    assert sheet_name("a/b:c[d]*?") == "abcd"
    wb = load_workbook(io.BytesIO(parquet.get("/visionnages.xlsx").content))
    assert wb.sheetnames == ["Registre des visionnages"]
