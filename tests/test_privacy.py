"""Places, not people: what looks like a person's identity in free text is spotted."""

from __future__ import annotations

import pytest

from gltd.privacy import MASK, column_warnings, field_warning, identity_hints, redact

PERSONAL = [
    ("né le 12/03/1990", "une date de naissance"),
    ("née le 3 mars 1985 à Orléans", "une date de naissance"),
    ("DDN : 01.02.2001", "une date de naissance"),
    ("rappeler au 06 12 34 56 78", "un numéro de téléphone"),
    ("tél. +33 6 12 34 56 78", "un numéro de téléphone"),
    ("0238000000", "un numéro de téléphone"),
    ("02.38.00.00.00", "un numéro de téléphone"),
    ("écrire à jean.dupont@exemple.fr", "une adresse e-mail"),
    ("vu M. Dupont devant le hall", "un nom de personne"),
    ("Mme X, gardienne", "un nom de personne"),
    ("monsieur dupont a signalé", "un nom de personne"),
    ("Me Martin, avocat", "un nom de personne"),
    ("nom : Durand", "un nom de personne"),
]
PLACES = [
    "Occupation du hall rue des Carmes le 12/03/2018",
    "Commissariat central, BAC nuit",
    "Élagage rue des Carmes",
    "CAM-01 orientée vers la place",
    "Autorisation 2014-001",
    "Monsieur le préfet a demandé un point",
    "il me dit que le point de deal s'est déplacé",
    "300 m au nord, 2018-06-01",
    "-12,5",
]


@pytest.mark.parametrize(("text", "kind"), PERSONAL)
def test_identities_are_spotted_and_redacted(text: str, kind: str) -> None:
    assert kind in identity_hints(text)
    red = redact(text)
    assert MASK in red and red != text
    assert identity_hints(red) == []


@pytest.mark.parametrize("text", PLACES)
def test_places_and_services_pass(text: str) -> None:
    assert identity_hints(text) == []
    assert redact(text) == text


def test_warnings_are_french_and_name_the_field() -> None:
    w = field_warning("Notes (aucune identité)", "M. Dupont, 06 12 34 56 78")
    assert w is not None
    assert "« Notes (aucune identité) »" in w
    assert "un numéro de téléphone et un nom de personne" in w
    assert "des lieux, pas des personnes" in w
    assert field_warning("Notes", "hall B") is None
    assert field_warning("Notes", None) is None
    col = column_warnings(["hall", "Mme X", "ok", "a@b.fr"], "services", [2, 3, 4, 5])
    assert len(col) == 1
    assert "colonne « services », ligne(s) 3, 5" in col[0]
    assert "un nom de personne et une adresse e-mail" in col[0]
    many = column_warnings(["M. A"] * 13, "notes", range(2, 15))
    assert "(et 3 autres)" in many[0]
    assert column_warnings(["hall", None, 3.5], "notes", [1, 2, 3]) == []
