"""Password policy: length, letter cases and digits, no common or user-derived password."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from gltd.model import User
from gltd.store.engine import make_engine
from gltd.web.app import create_app
from gltd.web.auth import check_password_strength
from web_support import login, page_token, seed, settings_for, web_settings


@pytest.mark.parametrize(
    ("password", "common"),
    [
        ("Password1234", "Password"),
        ("Azerty123456", "Azerty"),
        ("P@ssw0rd1234", "P@ssw0rd"),
        ("Soleil123456", "Soleil"),
        ("Bonjour2024!!", "Bonjour"),
        ("Motdepasse2024", "Motdepasse"),
    ],
)
def test_common_passwords_are_refused(password: str, common: str) -> None:
    reason = check_password_strength(password)
    assert reason == (
        f"le mot de passe repose sur un mot de passe courant (« {common} ») : choisissez une "
        "phrase de plusieurs mots peu courants, avec chiffres et signes"
    )


@pytest.mark.parametrize("password", ["Aaaaaaaaaaaa1", "Abcdefghijk123", "Qsdfghjklm12"])
def test_easy_to_guess_passwords_are_refused(password: str) -> None:
    assert check_password_strength(password) == (
        "le mot de passe est trop facile à deviner (mots courants, suites de touches, dates "
        "ou répétitions) : allongez-le avec des mots peu courants"
    )


def test_user_derived_passwords_are_refused() -> None:
    assert check_password_strength("Police-Analyste-77x", username="police.analyste") == (
        "le mot de passe ne doit pas reprendre l'identifiant du compte"
    )
    assert check_password_strength("Xk2-Orleans-tram-9", agency="Ville d'Orléans") == (
        "le mot de passe ne doit pas reprendre le nom de l'agence"
    )
    assert check_password_strength("Xk2-Orleans-tram-9", agency="Parquet") is None


def test_older_rules_stay_and_good_passwords_pass() -> None:
    assert check_password_strength("Ab1-court") == (
        "le mot de passe doit compter au moins 12 caractères"
    )
    assert "majuscules et minuscules" in str(check_password_strength("vx7-tram-loire-92"))
    assert "chiffre" in str(check_password_strength("Vx-tram-Loire-xx"))
    for good in ("Vx7-tram-Loire-92", "Tres-Long-2018", "Chouquette-Rue-88"):
        assert check_password_strength(good, username="ville.admin", agency="Ville") is None


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
