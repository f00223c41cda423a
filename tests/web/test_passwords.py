"""The administration form applies the password policy (gltd.accounts) to new accounts and
resets."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from gltd.model import User
from gltd.store.engine import make_engine
from gltd.web.app import create_app
from web_support import login, page_token, seed, settings_for, web_settings


def test_the_admin_form_refuses_common_and_derived_passwords(
    sqlite_url: str, tmp_path: Path
) -> None:
    ids = seed(sqlite_url)
    app = create_app(settings_for(sqlite_url), web=web_settings(tmp_path))
    with TestClient(app) as admin:
        assert login(admin, "police.admin").status_code == 303
        tok = page_token(admin, "/admin")
        for password, reason in (
            ("Password1234", "mot de passe courant (« Password »)"),
            ("Azerty123456", "mot de passe courant (« Azerty »)"),
            ("Bac-Nord-police-7", "reprendre le nom de l'agence"),
            ("Bac.Nuit-2026-Zz", "reprendre l'identifiant du compte"),
        ):
            r = admin.post(
                "/admin/utilisateurs",
                data={
                    "csrf_token": tok,
                    "username": "bac.nuit",
                    "agency_id": str(ids["agencies"]["police"]),
                    "role": "analyste",
                    "password": password,
                },
                follow_redirects=False,
            )
            assert reason in unquote(r.headers["location"]), (password, r.headers["location"])
        with Session(make_engine(sqlite_url)) as s:
            uid = s.execute(select(User.id).where(User.username == "police.lecteur")).scalar_one()
            assert s.execute(select(User).where(User.username == "bac.nuit")).first() is None
        # A reset by the administrator follows the same policy.
        r = admin.post(
            f"/admin/utilisateurs/{uid}",
            data={"csrf_token": tok, "password": "Azerty123456"},
            follow_redirects=False,
        )
        assert "mot de passe courant" in unquote(r.headers["location"])
