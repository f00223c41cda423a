"""The French address normaliser: one key for the BAN side and the police side."""

from __future__ import annotations

import pytest

from gltd.geocode.normalise import (
    commune_key,
    fold,
    parse_address,
    parse_number,
    street_core,
    street_key,
)


def test_fold_removes_accents_case_and_punctuation() -> None:
    assert fold("Rue de l'Œuvre-Notre-Dame, Élysée") == "RUE DE L OEUVRE NOTRE DAME ELYSEE"
    assert fold(None) == ""


@pytest.mark.parametrize(
    ("police", "ban"),
    [
        ("R DES CARMES", "Rue des Carmes"),
        ("R. DES CARMES", "Rue des Carmes"),
        ("CARMES (RUE DES)", "Rue des Carmes"),
        ("CARMES RUE DES", "Rue des Carmes"),
        ("AV DU GAL DE GAULLE", "Avenue du Général de Gaulle"),
        ("BD ALEXANDRE MARTIN", "Boulevard Alexandre Martin"),
        ("PL DU MARTROI", "Place du Martroi"),
        ("IMP DES LILAS", "Impasse des Lilas"),
        ("CHE DE LA BARRIERE", "Chemin de la Barrière"),
        ("R STE CATHERINE", "Rue Sainte-Catherine"),
        ("R DU FBG ST JEAN", "Rue du Faubourg Saint-Jean"),
        ("R DU MAL FOCH", "Rue du Maréchal Foch"),
        ("RUE JEANNE D ARC", "Rue Jeanne d'Arc"),
        ("R DR LEBRUN", "Rue du Docteur Lebrun"),
    ],
)
def test_police_spellings_share_the_ban_key(police: str, ban: str) -> None:
    assert street_key(police) == street_key(ban)


def test_distinct_streets_keep_distinct_keys() -> None:
    assert street_key("Rue des Carmes") != street_key("Place des Carmes")
    assert street_key("Rue Saint-Jean") != street_key("Rue du Faubourg Saint-Jean")
    assert street_key("Boulevard Jean Jaurès") != street_key("Rue Jean Jaurès")
    assert street_core(street_key("Rue des Carmes")) == "CARMES"


def test_commune_keys() -> None:
    assert commune_key("ST JEAN DE BRAYE") == commune_key("Saint-Jean-de-Braye")
    assert commune_key("ORLEANS CEDEX 2") == commune_key("Orléans")
    assert commune_key("FLEURY LES AUBRAIS") == commune_key("Fleury-les-Aubrais")


@pytest.mark.parametrize(
    ("text", "number", "suffix"),
    [("12", 12, ""), ("12B", 12, "BIS"), ("12 bis", 12, "BIS"), ("3 TER", 3, "TER"),
     ("7a", 7, "A"), ("12-14", 12, ""), ("", None, ""), ("rue", None, "")],
)  # fmt: skip
def test_parse_number(text: str, number: int | None, suffix: str) -> None:
    assert parse_number(text) == (number, suffix)


def test_parse_address_full_police_line() -> None:
    a = parse_address("12B CARMES (RUE DES) BAT C APPT 12 45000 ORLEANS CEDEX 1")
    assert (a.number, a.suffix, a.street, a.postcode, a.city) == (
        12,
        "BIS",
        "RUE CARMES",
        "45000",
        "ORLEANS",
    )


def test_parse_address_columns_win_and_noise_goes() -> None:
    a = parse_address(
        "5, R. DE LA REPUBLIQUE 3EME ETAGE", postcode="45800", city="ST JEAN DE BRAYE"
    )
    assert (a.number, a.street, a.postcode, a.city) == (
        5,
        "RUE REPUBLIQUE",
        "45800",
        "ST JEAN DE BRAYE",
    )
    b = parse_address("RUE DES CARMES")
    assert (b.number, b.street, b.postcode, b.city) == (None, "RUE CARMES", None, None)


def test_street_starting_with_a_letter_is_not_a_suffix() -> None:
    a = parse_address("12 ALLEE DES LILAS")
    assert (a.number, a.suffix, a.street) == (12, "", "ALLEE LILAS")
    b = parse_address("4 B RUE BANNIER")
    assert (b.number, b.suffix, b.street) == (4, "BIS", "RUE BANNIER")
