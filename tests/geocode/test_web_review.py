"""The geocoding review page: refused rows get candidates; choices give a corrected file."""

from __future__ import annotations

import html
import io
from pathlib import Path

import pandas as pd
from fastapi.testclient import TestClient

from gltd.geocode.index import build_index
from gltd.geocode.synthetic import SynthAddress
from gltd.store.engine import get_engine
from gltd.web.app import create_app
from web_support import login, page_token, seed, settings_for, web_settings


def test_review_refused_rows_and_download(
    sqlite_url: str, tmp_path: Path, ban_csv_gz: Path, orleans_rows: list[SynthAddress]
) -> None:
    seed(sqlite_url)
    build_index(get_engine(sqlite_url), [ban_csv_gz])
    a = next(r for r in orleans_rows if r.nom_voie == "Rue Bannier" and not r.rep)
    text = (
        "N;LIEU;CP;VILLE\n"
        f"1;{a.numero} R BANNIER;45000;ORLEANS\n"
        f"2;{a.numero} ROUTE BANNIER;45000;ORLEANS\n"  # wrong type: refused, Rue Bannier proposed
        "3;LIEU DIT LES GRANDS CHAMPS;45000;ORLEANS\n"  # not in the base: placed by hand
    )
    with TestClient(create_app(settings_for(sqlite_url), web=web_settings(tmp_path))) as c:
        login(c, "police.analyste")
        tok = page_token(c, "/geocodage")
        r = c.post(
            "/geocodage/verifier",
            data={"csrf_token": tok, "address": "LIEU", "postcode": "CP", "city": "VILLE"},
            files={"file": ("faits.csv", text.encode(), "text/csv")},
        )
        page = html.unescape(r.text)
        assert r.status_code == 200, page[-2000:]
        assert 'id="review"' in r.text and "À revoir (2)" in page
        assert f"{a.numero} Rue Bannier 45000 Orléans" in page  # the candidate of row 2
        token = r.text.split('name="token" value="')[1].split('"')[0]
        r = c.post(
            "/geocodage/corriger",
            data={
                "csrf_token": tok,
                "token": token,
                "choix_1": "0",
                "choix_2": "main",
                "lon_2": "1,9123",
                "lat_2": "47,9011",
            },  # fmt: skip
        )
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
        out = pd.read_csv(io.BytesIO(r.content), sep=";", dtype=str, keep_default_na=False,
                          encoding="utf-8-sig")  # fmt: skip
        assert list(out["geocode_precision"]) == ["numéro", "numéro", "manuel"]
        assert out.loc[1, "geocode_ban_id"] == a.ban_id
        assert float(out.loc[1, "lon"]) == a.lon
        assert (out.loc[2, "lon"], out.loc[2, "lat"]) == ("1.912300", "47.901100")
        assert "à la main par police.analyste" in out.loc[2, "geocode_note"]
        # The token is used up: a second download is refused.
        again = c.post("/geocodage/corriger", data={"csrf_token": tok, "token": token})
        assert again.status_code == 400


def test_review_is_refused_to_a_reader(sqlite_url: str, tmp_path: Path) -> None:
    seed(sqlite_url)
    with TestClient(create_app(settings_for(sqlite_url), web=web_settings(tmp_path))) as c:
        login(c, "ville.lecteur")
        assert c.get("/geocodage").status_code == 403
