"""Password policy: length, letter cases and digits, no common or user-derived password."""

from __future__ import annotations

import pytest

from gltd.accounts import check_password_strength


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
