"""``GET /api/{register}`` returns one slice of the page's filtered view, not the table.

Before, the JSON endpoints read every row of the register (915 requisitions on the demo,
as many on a register of 100,000) and ignored the page's search, filters and sort.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from gltd.model import Requisition
from gltd.store.engine import make_engine
from gltd.web.registers import REGISTERS
from gltd.web.registers.api import API_DEFAULT_LIMIT, API_MAX_LIMIT
from register_support import bulk_database, logged_in

ROW = re.compile(r'<tr data-id="(\d+)">')


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return bulk_database(tmp_path_factory.mktemp("api"))


@pytest.fixture(scope="module")
def client(url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    with logged_in(url, tmp_path_factory.mktemp("web")) as c:
        yield c


def _count(url: str, *where: object) -> int:
    with make_engine(url).connect() as conn:
        stmt = select(func.count()).select_from(Requisition).where(*where)  # type: ignore[arg-type]
        return int(conn.execute(stmt).scalar_one())


def test_a_slice_with_the_total_and_the_next_address(url: str, client: TestClient) -> None:
    n = _count(url)
    body = client.get("/api/requisitions?limit=10").json()
    assert body["total"] == n > 10
    assert (body["count"], body["offset"], body["limit"]) == (10, 0, 10)
    assert len(body["items"]) == 10
    # following « next » walks every requisition exactly once
    seen = [i["id"] for i in body["items"]]
    while body["next"]:
        body = client.get(body["next"]).json()
        seen += [i["id"] for i in body["items"]]
    assert sorted(seen) == sorted(set(seen)) and len(seen) == n
    default = client.get("/api/requisitions").json()
    assert default["limit"] == API_DEFAULT_LIMIT and default["count"] == min(n, API_DEFAULT_LIMIT)


def test_same_order_filters_and_search_as_the_page(url: str, client: TestClient) -> None:
    page2 = client.get("/requisitions?par_page=25&page=2&tri=deadline&sens=asc").text
    ids = [int(i) for i in ROW.findall(page2)]
    for q in ("offset=25&limit=25", "page=2&limit=25"):
        body = client.get(f"/api/requisitions?{q}&tri=deadline&sens=asc").json()
        assert [i["id"] for i in body["items"]] == ids
    recue = client.get("/api/requisitions?statut=recue&limit=1000").json()
    assert recue["total"] == _count(url, Requisition.status == "recue") > 0
    assert {i["status_label"] for i in recue["items"]} == {"reçue"}
    assert "statut=recue" in (client.get("/api/requisitions?statut=recue&limit=1").json()["next"])
    found = client.get("/api/requisitions?q=CAM-01").json()
    assert found["total"] >= 1 and all("CAM-01" in i["camera_codes"] for i in found["items"])


@pytest.mark.parametrize("slug", list(REGISTERS))
def test_every_register_is_sliced(slug: str, client: TestClient) -> None:
    body = client.get(f"/api/{slug}?limit=3").json()
    assert body["count"] == len(body["items"]) <= 3 and body["total"] >= body["count"]


def test_bad_slices_are_refused_in_french(client: TestClient) -> None:
    too_many = client.get(f"/api/requisitions?limit={API_MAX_LIMIT + 1}")
    assert too_many.status_code == 400
    assert f"au plus {API_MAX_LIMIT} lignes" in too_many.text
    assert "pas un nombre entier" in client.get("/api/requisitions?offset=-3").text
    assert "l'un ou l'autre" in client.get("/api/requisitions?offset=3&page=2").text


def test_the_openapi_description_names_the_parameters(client: TestClient) -> None:
    spec = client.get("/api/openapi.json").json()
    params = {p["name"]: p for p in spec["paths"]["/api/requisitions"]["get"]["parameters"]}
    assert {"limit", "offset", "page", "q", "tri", "sens", "statut", "echeance"} <= set(params)
    assert str(API_MAX_LIMIT) in params["limit"]["description"]
