"""The web import geocodes address-only files in its check step, before anything is written."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select

from gltd.geocode.index import build_index
from gltd.geocode.synthetic import SynthAddress
from gltd.model import Incident
from gltd.store.engine import get_engine
from gltd.web.app import create_app
from web_support import check_import, login, page_token, seed, settings_for, web_settings


def test_web_check_shows_the_geocoding_summary(
    sqlite_url: str, tmp_path: Path, ban_csv_gz: Path, orleans_rows: list[SynthAddress]
) -> None:
    seed(sqlite_url)
    engine = get_engine(sqlite_url)
    build_index(engine, [ban_csv_gz])
    a = next(r for r in orleans_rows if r.nom_voie == "Rue Bannier" and not r.rep)
    good = (
        "id;date;categorie;adresse;cp;commune\n"
        f"G1;01/05/2018 10:00;Trafic de stupéfiants;{a.numero} R BANNIER;45000;ORLEANS\n"
        "G2;02/05/2018 23:10;usage;RUE DES CARMES;45000;ORLEANS\n"
    )
    bad = good + "G3;03/05/2018 11:00;usage;3 RUE DU PONT COTELLE;45000;ORLEANS\n"
    with TestClient(create_app(settings_for(sqlite_url), web=web_settings(tmp_path))) as c:
        login(c, "police.analyste")
        tok = page_token(c, "/imports")
        code, text, _ = check_import(c, tok, "incidents", "faits.csv", bad)
        # The refused address is a rejected row with its reason; only valid rows may go in.
        assert code == 200 and "voie introuvable dans Orléans" in text
        assert 'id="import-valid"' in text and 'id="import-all"' not in text
        code, text, token = check_import(c, tok, "incidents", "faits.csv", good)
        assert code == 200, text[-2000:]
        assert "géocodage de 2 adresse(s) : 1 au numéro, 1 à la voie, 0 refusée(s)" in text
        assert "Base Adresse Nationale, " in text
        with engine.connect() as conn:
            assert conn.execute(select(Incident).where(Incident.source_ref == "G1")).first() is None
        r = c.post("/imports/confirmer", data={"csrf_token": tok, "token": token})
        assert r.status_code == 200
    with engine.connect() as conn:
        rows = conn.execute(
            select(Incident.source_ref, Incident.geocode_precision, Incident.lon)
            .where(Incident.source_ref.in_(["G1", "G2"]))
            .order_by(Incident.source_ref)
        ).all()
    assert [(r[0], r[1]) for r in rows] == [("G1", "numéro"), ("G2", "voie")]
    assert rows[0][2] == a.lon
