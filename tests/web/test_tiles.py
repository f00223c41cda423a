"""Tiles of the offline basemap served by gltd: bytes, content types, ETag and 304, 404,
behind the login; and the page that says what the map draws."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from basemap_support import ATTRIBUTION, write_mbtiles, write_pmtiles
from gltd.store.migrate import upgrade
from gltd.web.app import create_app
from web_support import login, seed, settings_for, web_settings


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> dict:
    tmp = tmp_path_factory.mktemp("tiles")
    url = f"sqlite:///{tmp / 'gltd.db'}"
    upgrade(url)
    seed(url)
    raster = write_mbtiles(tmp / "orleans.mbtiles")
    vector = write_pmtiles(tmp / "orleans.pmtiles")
    return {"tmp": tmp, "url": url, "raster": raster, "vector": vector}


def _client(world: dict, name: str | None) -> TestClient:
    settings = settings_for(world["url"])
    settings = replace(settings, basemap=str(world["tmp"] / name) if name else None,
                       basemap_dir=str(world["tmp"] / "aucun"))  # fmt: skip
    return TestClient(create_app(settings, web=web_settings(world["tmp"])))


@pytest.fixture(scope="module")
def raster(world: dict) -> Iterator[TestClient]:
    with _client(world, "orleans.mbtiles") as c:
        assert login(c, "ville.analyste").status_code == 303
        yield c


def _url(info: dict, z: int, x: int, y: int) -> str:
    return info["url"].replace("{z}", str(z)).replace("{x}", str(x)).replace("{y}", str(y))


def test_raster_tiles_bytes_headers_etag_and_404(raster: TestClient, world: dict) -> None:
    info = raster.get("/api/basemap").json()
    assert info["available"] is True and info["raster"] is True
    assert (info["format"], info["minzoom"], info["maxzoom"]) == ("png", 12, 14)
    assert info["attribution"] == ATTRIBUTION
    assert info["url"].endswith("/{z}/{x}/{y}.png")
    (z, x, y), data = next(iter(world["raster"].items()))
    r = raster.get(_url(info, z, x, y))
    assert r.status_code == 200
    assert r.content == data  # the stored bytes, XYZ row (the file stores TMS rows)
    assert r.headers["content-type"] == "image/png"
    assert r.headers["cache-control"] == "private, max-age=86400"
    etag = r.headers["etag"]
    assert etag.startswith('"') and len(etag) > 10
    again = raster.get(_url(info, z, x, y), headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    other = raster.get(_url(info, z, x, y), headers={"If-None-Match": '"autre"'})
    assert other.status_code == 200 and other.content == data
    # Each tile has its own ETag.
    (z2, x2, y2), _ = list(world["raster"].items())[1]
    assert raster.get(_url(info, z2, x2, y2)).headers["etag"] != etag
    # Missing: outside the area, outside the zooms, wrong extension, old key.
    assert raster.get(_url(info, z, x + 50, y)).status_code == 404
    assert raster.get(_url(info, 16, 4 * x, 4 * y)).status_code == 404
    assert raster.get(_url(info, z, x, y).replace(".png", ".pbf")).status_code == 404
    old = f"/tiles/000000000000/{z}/{x}/{y}.png"
    assert raster.get(old).status_code == 404


def test_tiles_need_a_login(world: dict) -> None:
    with _client(world, "orleans.mbtiles") as c:
        assert c.get("/api/basemap").status_code == 401
        (z, x, y), _ = next(iter(world["raster"].items()))
        r = c.get(f"/tiles/abc/{z}/{x}/{y}.png", follow_redirects=False)
        assert r.status_code in (303, 401) and r.content[:4] != b"\x89PNG"


def test_vector_pmtiles_served_gzip_encoded(world: dict) -> None:
    with _client(world, "orleans.pmtiles") as c:
        login(c, "ville.analyste")
        info = c.get("/api/basemap").json()
        assert info["available"] and info["raster"] is False and info["format"] == "pbf"
        assert info["url"].endswith(".pbf")
        (z, x, y), stored = next(iter(world["vector"].items()))
        r = c.get(_url(info, z, x, y))
        assert r.status_code == 200
        assert r.headers["content-type"] == "application/vnd.mapbox-vector-tile"
        assert r.headers["content-encoding"] == "gzip"
        assert r.content == gzip.decompress(stored)  # the client undoes the encoding
        assert (
            c.get(_url(info, z, x, y), headers={"If-None-Match": r.headers["etag"]}).status_code
            == 304
        )


def test_map_page_without_basemap_says_so(world: dict) -> None:
    with _client(world, None) as c:
        login(c, "ville.analyste")
        assert c.get("/api/basemap").json() == {"available": False, "message": ""}
        assert "Pas de fond de carte configuré" in c.get("/carte").text
    with _client(world, "orleans.mbtiles") as c:
        login(c, "ville.analyste")
        page = c.get("/carte").text
        assert "Pas de fond de carte configuré" not in page
        assert "/static/vendor/protomaps-leaflet/protomaps-leaflet.js" in page
        assert c.get("/static/vendor/protomaps-leaflet/protomaps-leaflet.js").status_code == 200


def test_an_unusable_basemap_is_a_message_not_a_500(world: dict) -> None:
    bad = world["tmp"] / "casse.mbtiles"
    bad.write_text("pas un MBTiles", encoding="utf-8")
    db = Path(world["url"].removeprefix("sqlite:///"))
    for name in ("casse.mbtiles", db.name):
        with _client(world, name) as c:
            login(c, "ville.analyste")
            info = c.get("/api/basemap").json()
            assert info["available"] is False
            assert "Fond de carte local inutilisable" in info["message"]
    assert "base de données de gltd" in info["message"]


def test_a_closed_session_loses_the_tiles_within_the_trust_delay(world: dict) -> None:
    import time

    from gltd.web.routes.tiles import AUTH_TTL_S
    from web_support import page_token

    with _client(world, "orleans.mbtiles") as c:
        login(c, "ville.analyste")
        info = c.get("/api/basemap").json()
        url = _url(info, *next(iter(world["raster"])))
        assert c.get(url).status_code == 200
        cookies = dict(c.cookies)
        r = c.post("/logout", headers={"X-CSRF-Token": page_token(c)}, follow_redirects=False)
        assert r.status_code in (302, 303)
        time.sleep(AUTH_TTL_S + 0.2)
        c.cookies.update(cookies)  # the old cookie, replayed
        assert c.get(url, follow_redirects=False).status_code in (303, 401)
