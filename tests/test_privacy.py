"""Places, not people: what looks like a person's identity in free text is spotted."""

from __future__ import annotations

import html
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from gltd.cli.main import app
from gltd.model import Action, Operation
from gltd.privacy import MASK, column_warnings, field_warning, identity_hints, redact
from gltd.report.builder import build_bilan, resolve_compare
from gltd.report.render import render_json
from gltd.store.engine import make_engine
from gltd.timeutil import parse_period
from gltd.web.app import create_app
from web_support import login, page_token, seed, settings_for, web_settings

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


# --- where the warnings show ------------------------------------------------------------

PHONE_NAME = "témoin M. Dupont, 06 12 34 56 78"


def test_web_forms_warn_but_save(sqlite_url: str, tmp_path: Path) -> None:
    seed(sqlite_url)
    with TestClient(create_app(settings_for(sqlite_url), web=web_settings(tmp_path))) as c:
        login(c, "police.analyste")
        r = c.post(
            "/operations/nouveau",
            data={
                "csrf_token": page_token(c),
                "started_at": "2018-06-02T06:00",
                "kind": "controle",
                "agencies": "BAC nuit",
                "notes": PHONE_NAME,
            },
            follow_redirects=False,
        )
        assert r.status_code == 303, r.text[:300]
        page = html.unescape(c.get(r.headers["location"]).text)
        assert (
            "Attention : le champ « Notes (aucune identité) » semble contenir un numéro de "
            "téléphone et un nom de personne" in page
        )
        assert "Services engagés" not in page.split("Attention")[1][:300]  # only the bad one
        assert "06 12 34 56 78" not in r.headers["location"]  # the text is not echoed
        with Session(make_engine(sqlite_url)) as s:  # a warning, not a refusal
            assert s.scalar(select(Operation.notes).where(Operation.kind == "controle"))
        clean = c.post(
            "/operations/nouveau",
            data={"csrf_token": page_token(c), "started_at": "2018-06-03T06:00", "kind": "autre"},
            follow_redirects=False,
        )
        assert "attention" not in clean.headers["location"]
    with TestClient(create_app(settings_for(sqlite_url), web=web_settings(tmp_path))) as ville:
        login(ville, "ville.coordinateur")
        res = ville.post(
            "/api/demandes",
            json={
                "received_on": "2018-07-01",
                "origin": "habitants",
                "lat": 47.91,
                "lon": 1.93,
                "radius_m": 100,
                "description": "signalé par jean.martin@exemple.fr",
                "status": "attente",
            },
            headers={"X-CSRF-Token": page_token(ville)},
        )
        assert res.status_code == 200, res.text
        assert res.json()["avertissements"] == [
            "le champ « Description du lieu et du motif » semble contenir une adresse e-mail : "
            "gltd enregistre des lieux, pas des personnes ; retirez toute donnée personnelle"
        ]
    with TestClient(create_app(settings_for(sqlite_url), web=web_settings(tmp_path))) as adm:
        login(adm, "parquet.admin")  # only the parquet creates agencies
        r = adm.post(
            "/admin/agences",
            data={"csrf_token": page_token(adm, "/admin"), "name": "Mme Durand", "kind": "autre"},
            follow_redirects=False,
        )
        assert r.status_code == 303, r.status_code
        page = html.unescape(adm.get(r.headers["location"]).text)
        assert "le champ « Nom » semble contenir un nom de personne" in page


def test_cli_and_imports_warn(sqlite_url: str, tmp_path: Path) -> None:
    seed(sqlite_url)
    runner = CliRunner()
    now = datetime.now(UTC)
    res = runner.invoke(
        app,
        ["cctv", "log", "add", "--agent", "csu1", "--action", "extraction",
         "--reason", "enquête", "--recipient", "M. Martin, 06 11 22 33 44",
         "--camera", "CAM-01", "--from", (now - timedelta(hours=3)).strftime("%Y-%m-%d %H:%M"),
         "--to", (now - timedelta(hours=2)).strftime("%Y-%m-%d %H:%M"), "--db", sqlite_url],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    out = " ".join(res.output.split())
    assert (
        "Attention : le champ « --recipient (destinataire) » semble contenir un numéro de "
        "téléphone et un nom de personne" in out
    )
    assert "--reason" not in out
    ops = tmp_path / "operations.csv"
    ops.write_text(
        "identifiant;date;type;services\n"
        "OP-1;02/06/2018 06:00;controle;BAC nuit\n"
        "OP-2;03/06/2018 06:00;controle;BAC, Mme Durand\n"
        "OP-3;04/06/2018 06:00;controle;DDSP 45 (tél. 02 38 00 00 00)\n",
        encoding="utf-8",
    )
    res = runner.invoke(app, ["import", "operations", str(ops), "--db", sqlite_url])
    assert res.exit_code == 0, res.output
    out = " ".join(res.output.split())
    assert (
        "attention : colonne « services », ligne(s) 3, 4 : semble contenir un nom de personne "
        "et un numéro de téléphone" in out
    )


def test_bilan_redacts_identities_in_the_texts_it_shows(sqlite_url: str) -> None:
    seed(sqlite_url)
    engine = make_engine(sqlite_url)
    with Session(engine) as s, s.begin():
        s.add(
            Operation(
                started_at=datetime(2018, 6, 2, 6, 0, tzinfo=UTC),
                kind="controle",
                agencies="BAC nuit, M. Dupont 06 12 34 56 78",
                notes="NOTE-XJ45",
                source="test",
                source_ref="ops-redact",
            )
        )
        s.add(Action(title="Rencontrer Mme Durand (hall B)", status="a_faire"))
    period = parse_period("2018-03-24..2018-09-23")
    ref, kind = resolve_compare(period, "previous-year")
    text = render_json(build_bilan(engine, period, ref, compare_kind=kind))
    assert "Dupont" not in text and "06 12 34 56 78" not in text and "Durand" not in text
    assert "NOTE-XJ45" not in text
    assert "BAC nuit, [masqué]" in text and "Rencontrer [masqué] (hall B)" in text
