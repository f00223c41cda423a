"""Web imports: uploads never linger on disk, geo files without geometry get a French
message, and an upload cannot read the live database."""

from __future__ import annotations

import html
import os
import time
from pathlib import Path

import pandas as pd
import pyogrio
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from gltd.model import AuditEvent, Incident, User, Zone
from gltd.store.engine import make_engine
from gltd.web.app import create_app
from web_support import check_import, login, page_token, seed, settings_for, web_settings

GOOD = (
    "id;date;categorie;lon;lat\n"
    "W1;01/05/2018 10:00;Trafic de stupéfiants;1.90;47.902\n"
    "W2;02/05/2018 23:10;usage;1.93;47.914\n"
)


def _client(url: str, tmp_path: Path) -> TestClient:
    return TestClient(create_app(settings_for(url), web=web_settings(tmp_path)))


def _pending(tmp_path: Path) -> list[Path]:
    folder = tmp_path / "results" / "uploads"
    return sorted(folder.iterdir()) if folder.exists() else []


def _count(url: str, model: type) -> int:
    with make_engine(url).connect() as conn:
        return int(conn.execute(select(func.count()).select_from(model)).scalar_one())


def test_an_upload_is_deleted_on_confirm_and_on_cancel(sqlite_url: str, tmp_path: Path) -> None:
    seed(sqlite_url)
    n0 = _count(sqlite_url, Incident)
    with _client(sqlite_url, tmp_path) as c:
        login(c, "police.analyste")
        tok = page_token(c, "/imports")
        code, text, token = check_import(c, tok, "incidents", "faits.csv", GOOD.encode())
        assert code == 200 and token, text[-2000:]
        (waiting,) = _pending(tmp_path)
        assert (waiting / "faits.csv").read_bytes() == GOOD.encode()
        r = c.post("/imports/confirmer", data={"csrf_token": tok, "token": token})
        assert r.status_code == 200 and 'id="done"' in r.text
        assert _pending(tmp_path) == []
        assert _count(sqlite_url, Incident) == n0 + 2
        # Checked, then cancelled: deleted, nothing written.
        code, text, token = check_import(
            c, tok, "incidents", "faits2.csv", GOOD.replace("W", "V").encode()
        )
        assert code == 200 and len(_pending(tmp_path)) == 1
        assert 'action="/imports/annuler"' in text
        r = c.post("/imports/annuler", data={"csrf_token": tok, "token": token})
        assert r.status_code == 200 and 'id="cancelled"' in r.text
        assert "le fichier envoyé a été supprimé du serveur" in html.unescape(r.text)
        assert _pending(tmp_path) == []
        assert _count(sqlite_url, Incident) == n0 + 2
        r = c.post("/imports/confirmer", data={"csrf_token": tok, "token": token})
        assert r.status_code == 400 and "import inconnu ou expiré" in html.unescape(r.text)
    with make_engine(sqlite_url).connect() as conn:
        actions = set(conn.execute(select(AuditEvent.action)).scalars())
    assert "import_annule" in actions


def test_only_its_owner_can_cancel_an_upload(sqlite_url: str, tmp_path: Path) -> None:
    seed(sqlite_url)
    with _client(sqlite_url, tmp_path) as owner, _client(sqlite_url, tmp_path) as other:
        login(owner, "police.analyste")
        tok = page_token(owner, "/imports")
        _, _, token = check_import(owner, tok, "incidents", "faits.csv", GOOD.encode())
        login(other, "police.coordinateur")
        r = other.post(
            "/imports/annuler", data={"csrf_token": page_token(other, "/imports"), "token": token}
        )
        assert r.status_code == 403
        assert len(_pending(tmp_path)) == 1


def test_a_failed_or_refused_upload_is_deleted(sqlite_url: str, tmp_path: Path) -> None:
    seed(sqlite_url)
    with _client(sqlite_url, tmp_path) as c:
        login(c, "police.analyste")
        tok = page_token(c, "/imports")
        bad = GOOD + "W3;31/02/2018 10:00;trafic;1.90;47.90\n"
        # Refused whole (no date column): nothing waits on disk.
        code, _, _ = check_import(c, tok, "incidents", "faits.csv", b"id;categorie\nW1;usage\n")
        assert code == 400 and _pending(tmp_path) == []
        # Checked fine, then the confirmation fails (the file changed underneath).
        code, _, token = check_import(c, tok, "incidents", "faits.csv", GOOD.encode())
        assert code == 200
        (waiting,) = _pending(tmp_path)
        (waiting / "faits.csv").write_bytes(bad.encode())
        r = c.post("/imports/confirmer", data={"csrf_token": tok, "token": token})
        assert r.status_code == 400 and _pending(tmp_path) == []


def test_an_unconfirmed_upload_expires(sqlite_url: str, tmp_path: Path) -> None:
    seed(sqlite_url)
    with _client(sqlite_url, tmp_path) as c:
        login(c, "police.analyste")
        tok = page_token(c, "/imports")
        _, _, token = check_import(c, tok, "incidents", "faits.csv", GOOD.encode())
        (waiting,) = _pending(tmp_path)
        hour_ago = time.time() - 3700
        os.utime(waiting, (hour_ago, hour_ago))
        assert c.get("/imports").status_code == 200
        assert _pending(tmp_path) == []
        r = c.post("/imports/confirmer", data={"csrf_token": tok, "token": token})
        assert r.status_code == 400 and "import inconnu ou expiré" in html.unescape(r.text)
    # Left by a stopped server: swept when the next one starts.
    stale = tmp_path / "results" / "uploads" / "ancien-jeton-0123456789"
    stale.mkdir(parents=True)
    (stale / "faits.csv").write_text(GOOD, encoding="utf-8")
    os.utime(stale, (hour_ago, hour_ago))
    fresh = tmp_path / "results" / "uploads" / "recent-jeton-0123456789"
    fresh.mkdir()
    with _client(sqlite_url, tmp_path):
        assert _pending(tmp_path) == [fresh]


def test_a_geo_file_without_geometry_gets_a_french_message(sqlite_url: str, tmp_path: Path) -> None:
    seed(sqlite_url)
    table = tmp_path / "zones.gpkg"
    pyogrio.write_dataframe(pd.DataFrame({"nom": ["Les Carmes"]}), table, layer="zones")
    n0 = _count(sqlite_url, Zone)
    with _client(sqlite_url, tmp_path) as c:
        login(c, "ville.analyste")
        tok = page_token(c, "/imports")
        code, text, _ = check_import(c, tok, "zones", "zones.gpkg", table.read_bytes())
        assert code == 400, text[-2000:]
        assert "couche sans géométrie (table attributaire seule)" in text
    assert _pending(tmp_path) == [] and _count(sqlite_url, Zone) == n0


def test_an_upload_cannot_read_the_live_database(sqlite_url: str, tmp_path: Path) -> None:
    seed(sqlite_url)
    live = make_engine(sqlite_url).url.database
    with make_engine(sqlite_url).connect() as conn:
        hashes = list(conn.execute(select(User.password_hash)).scalars())
    vrt = (
        '<OGRVRTDataSource><OGRVRTLayer name="user">'
        f"<SrcDataSource>{live}</SrcDataSource><SrcLayer>user</SrcLayer>"
        "</OGRVRTLayer></OGRVRTDataSource>"
    )
    with _client(sqlite_url, tmp_path) as c:
        login(c, "ville.analyste")
        tok = page_token(c, "/imports")
        for kind in ("zones", "incidents"):
            code, text, _ = check_import(c, tok, kind, "zones.geojson", vrt.encode())
            assert code == 400, text[-2000:]
            assert "le contenu ne correspond pas à l'extension .geojson" in text
            assert "password_hash" not in text and not any(h in text for h in hashes)
        # The server still persists writes afterwards (seen from a fresh connection).
        n0 = _count(sqlite_url, Incident)
        _, _, token = check_import(c, tok, "incidents", "faits.csv", GOOD.encode())
        r = c.post("/imports/confirmer", data={"csrf_token": tok, "token": token})
        assert r.status_code == 200 and 'id="done"' in r.text
    assert _count(sqlite_url, Incident) == n0 + 2


def test_a_decompression_bomb_sent_through_the_web_is_refused(
    sqlite_url: str, tmp_path: Path
) -> None:
    from ingest.test_bombs import _xlsx_with_far_cell

    seed(sqlite_url)
    bomb = tmp_path / "faits.xlsx"
    _xlsx_with_far_cell(bomb, 1_048_576, 16_384)
    with _client(sqlite_url, tmp_path) as c:
        login(c, "police.analyste")
        tok = page_token(c, "/imports")
        started = time.monotonic()
        code, text, _ = check_import(c, tok, "incidents", "faits.xlsx", bomb.read_bytes())
        assert time.monotonic() - started < 30
        assert code == 400, text[-2000:]
        assert "tableau trop grand : 1 048 576 lignes × 16 384 colonnes" in text
    assert _pending(tmp_path) == []
