"""Register lists, exports and filters show French labels, never the stored codes.

The camera requests (« Demandes de caméras ») stored their origin and status as codes
(``elu``, ``etude``) and the list, its XLSX and CSV exports and its filters showed them
as such; the requisitions' export showed the officer's capacity and the legal basis as
codes too (``OPJ`` is a label, ``juge_instruction`` is not).
"""

from __future__ import annotations

import csv
import html as htmllib
import io
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import update

from gltd.cctv.requisitions import CAPACITY_LABELS, LEGAL_BASIS_LABELS
from gltd.model import Requisition
from gltd.store.engine import make_engine
from gltd.web.registers.cctv import REQUEST_ORIGIN_LABELS, REQUEST_STATUS_LABELS
from register_support import bulk_database, logged_in

CELL = re.compile(r"<td>([^<]*)</td>")


def cells(page: str) -> list[str]:
    """The text of the plain cells of a list page."""
    return [htmllib.unescape(c) for c in CELL.findall(page)]


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    u = bulk_database(tmp_path_factory.mktemp("labels"))
    engine = make_engine(u)
    with engine.begin() as conn:  # one requisition by an investigating judge, found useful
        conn.execute(
            update(Requisition)
            .where(Requisition.id == 1)
            .values(officer_capacity="juge_instruction", outcome="non_utile")
        )
    engine.dispose()
    with logged_in(u, tmp_path_factory.mktemp("web")) as c:
        yield c


def _xlsx(resp: object) -> list[list[object]]:
    ws = load_workbook(io.BytesIO(resp.content)).active  # type: ignore[attr-defined]
    return [[c.value for c in row] for row in ws.iter_rows()]


def _csv(resp: object) -> list[list[str]]:
    text = resp.content.decode("utf-8-sig")  # type: ignore[attr-defined]
    return list(csv.reader(io.StringIO(text), delimiter=";"))


def test_camera_requests_list_shows_labels(client: TestClient) -> None:
    page = client.get("/demandes?par_page=200").text
    shown = set(cells(page))
    assert {"élu", "à l'étude", "en attente", "habitants"} <= shown
    assert not shown & {"elu", "etude", "attente"}
    # the filters offer the labels, and a label is what the search box finds
    options = dict(re.findall(r'<option value="(\w+)" >([^<]*)</option>', htmllib.unescape(page)))
    for code, label in (*REQUEST_STATUS_LABELS.items(), *REQUEST_ORIGIN_LABELS.items()):
        assert options[code] == label
    found = cells(client.get("/demandes?q=élu&par_page=200").text)
    assert "élu" in found and "habitants" not in found


def test_camera_request_exports_show_labels(client: TestClient) -> None:
    for rows in (_xlsx(client.get("/demandes.xlsx")), _csv(client.get("/demandes.csv"))):
        head = rows[0]
        origins = {r[head.index("Origine")] for r in rows[1:]}
        statuses = {r[head.index("Statut")] for r in rows[1:]}
        assert origins == {"habitants", "élu", "police"}
        assert statuses == {"en attente", "à l'étude"}
    etude = _csv(client.get("/demandes.csv?statut=etude"))
    assert len(etude) > 1 and {r[etude[0].index("Statut")] for r in etude[1:]} == {"à l'étude"}


def test_requisition_exports_show_capacity_basis_and_outcome_labels(client: TestClient) -> None:
    for rows in (_xlsx(client.get("/requisitions.xlsx")), _csv(client.get("/requisitions.csv"))):
        head = rows[0]
        by_id = {int(str(r[0])): r for r in rows[1:]}
        one = by_id[1]
        assert one[head.index("Qualité du requérant")] == CAPACITY_LABELS["juge_instruction"]
        assert one[head.index("Résultat")] == "non utile"
        bases = {r[head.index("Fondement (CPP)")] for r in rows[1:]}
        assert bases and bases <= set(LEGAL_BASIS_LABELS.values())
    shown = cells(client.get("/requisitions?par_page=200").text)
    assert LEGAL_BASIS_LABELS["77-1-1"] in shown and "77-1-1" not in shown
