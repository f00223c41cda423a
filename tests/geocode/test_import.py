"""Importers place rows that have an address and no coordinates (incidents, operations,
cameras), store the precision and score with the point, and reject refused addresses."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from gltd.cli.main import app
from gltd.geocode.synthetic import SynthAddress
from gltd.model import Camera, Incident, Operation, Zone
from gltd.store.engine import get_engine, session_scope

runner = CliRunner()


def _run(*args: str, code: int = 0) -> str:
    r = runner.invoke(app, list(args))
    out = " ".join(r.output.split())
    assert r.exit_code == code, out
    assert "Traceback" not in out
    return out


def _addr(rows: list[SynthAddress], insee: str, street: str) -> SynthAddress:
    return next(r for r in rows if r.code_insee == insee and r.nom_voie == street and not r.rep)


@pytest.fixture
def police_export(tmp_path: Path, orleans_rows: list[SynthAddress]) -> Path:
    a = _addr(orleans_rows, "45234", "Rue des Carmes")
    b = _addr(orleans_rows, "45232", "Rue des Carmes")  # the homonym in Olivet
    lines = [
        "N_FAIT;DATE_FAITS;NATURE;ADRESSE;CP;COMMUNE",
        f"F1;03/02/2025 14:30;trafic_stupefiants;{a.numero} CARMES (R DES) BAT B;45000;ORLEANS",
        f"F2;04/02/2025;usage_stupefiants;{b.numero} R. DES CARMES;45160;OLIVET",
        "F3;05/02/2025;usage_stupefiants;R BANNIER;45000;ORLEANS",
        "F4;06/02/2025;trafic_stupefiants;3 RUE DU PONT COTELLE;45000;ORLEANS",
        "F5;07/02/2025;trafic_stupefiants;;;ORLEANS",
    ]
    path = tmp_path / "faits_adresses.csv"
    path.write_text("\n".join(lines) + "\n", encoding="cp1252")
    return path


def test_incidents_by_address(
    db_url: str, ban_csv_gz: Path, police_export: Path, orleans_rows: list[SynthAddress]
) -> None:
    base = ["import", "incidents", str(police_export), "--db", db_url,
            "--map", "id=N_FAIT,date=DATE_FAITS,category=NATURE,address=ADRESSE,postcode=CP,city=COMMUNE"]  # fmt: skip
    out = _run(*base, code=2)
    assert "aucun index d'adresses" in out
    _run("geocode", "build", str(ban_csv_gz), "--db", db_url)
    out = _run(*base, code=2)
    # F4 names a street of Olivet in Orléans; F5 has no address: both rows are named.
    assert "ligne 5, colonne ADRESSE" in out and "voie introuvable dans Orléans" in out
    assert "ligne 6" in out and "fait sans localisation" in out
    with session_scope(get_engine(db_url)) as s:
        assert s.scalars(select(Incident)).all() == []
    out = _run(*base, "--skip-invalid")
    assert "3 ligne(s) écrite(s)" in out and "2 rejetée(s)" in out
    assert "géocodage de 4 adresse(s) : 2 au numéro, 1 à la voie, 1 refusée(s)" in out
    rejects = police_export.with_name("faits_adresses.csv.rejets.lignes.csv")
    assert "PONT COTELLE" in rejects.read_text(encoding="utf-8-sig")
    a = _addr(orleans_rows, "45234", "Rue des Carmes")
    b = _addr(orleans_rows, "45232", "Rue des Carmes")
    with session_scope(get_engine(db_url)) as s:
        got = {i.source_ref: i for i in s.scalars(select(Incident))}
    assert set(got) == {"F1", "F2", "F3"}
    assert (got["F1"].lon, got["F1"].lat) == pytest.approx((a.lon, a.lat), abs=1e-9)
    assert (got["F2"].lon, got["F2"].lat) == pytest.approx((b.lon, b.lat), abs=1e-9)
    assert [(got[k].geocode_precision, got[k].geocode_score) for k in ("F1", "F2", "F3")] == [
        ("numéro", 1.0),
        ("numéro", 1.0),
        ("voie", 0.9),
    ]
    assert got["F1"].x is not None and 600_000 < got["F1"].x < 640_000  # Lambert-93


def test_rows_with_coordinates_are_not_geocoded(
    sqlite_url: str, ban_csv_gz: Path, tmp_path: Path
) -> None:
    _run("geocode", "build", str(ban_csv_gz), "--db", sqlite_url)
    path = tmp_path / "mixte.csv"
    path.write_text(
        "id;date;nature;lon;lat;adresse;commune\n"
        "A;03/02/2025;cambriolages;1.9;47.9;12 RUE DES CARMES;ORLEANS\n"
        "B;03/02/2025;cambriolages;;;R BANNIER;ORLEANS\n",
        encoding="utf-8",
    )
    _run("import", "incidents", str(path), "--db", sqlite_url, "--map", "category=nature")
    with session_scope(get_engine(sqlite_url)) as s:
        got = {i.source_ref: i for i in s.scalars(select(Incident))}
    assert (got["A"].lon, got["A"].geocode_precision) == (1.9, None)
    assert got["B"].geocode_precision == "voie" and got["B"].lon != 1.9


def test_operations_and_cameras_by_address(
    sqlite_url: str, ban_csv_gz: Path, tmp_path: Path, orleans_rows: list[SynthAddress]
) -> None:
    _run("geocode", "build", str(ban_csv_gz), "--db", sqlite_url)
    a = _addr(orleans_rows, "45234", "Rue des Carmes")
    with session_scope(get_engine(sqlite_url)) as s:
        s.add(Zone(name="Les Carmes", kind="quartier", code="CAR", source="test",
                   geometry_wkt=f"POLYGON(({a.lon - 0.01} {a.lat - 0.01}, {a.lon + 0.01} {a.lat - 0.01}, "
                   f"{a.lon + 0.01} {a.lat + 0.01}, {a.lon - 0.01} {a.lat + 0.01}, {a.lon - 0.01} {a.lat - 0.01}))"))  # fmt: skip
    ops = tmp_path / "operations.csv"
    ops.write_text(
        f"identifiant;date;type;adresse;commune\nOP1;03/02/2025;controle;{a.numero} R DES CARMES;ORLEANS\n",
        encoding="utf-8",
    )
    _run("import", "operations", str(ops), "--db", sqlite_url, "--map", "kind=type")
    with session_scope(get_engine(sqlite_url)) as s:
        op = s.scalars(select(Operation)).one()
        zone = s.scalars(select(Zone)).one()
        assert op.zone_id == zone.id
    cams = tmp_path / "cameras.csv"
    cams.write_text(
        f"code;adresse;cp;duree_conservation\nCAM-1;{a.numero} RUE DES CARMES;45000;15\n",
        encoding="utf-8",
    )
    _run("import", "cameras", str(cams), "--db", sqlite_url)
    with session_scope(get_engine(sqlite_url)) as s:
        cam = s.scalars(select(Camera)).one()
    assert (cam.lon, cam.lat) == pytest.approx((a.lon, a.lat), abs=1e-9)
    assert (cam.geocode_precision, cam.geocode_score) == ("numéro", 1.0)


def test_recognised_address_column_without_index_only_warns(
    sqlite_url: str, tmp_path: Path
) -> None:
    """An ``adresse`` column found by its name (not asked for) does not stop an import
    when there is no index: rows without coordinates are rejected as before, with a hint."""
    path = tmp_path / "faits.csv"
    path.write_text(
        "id;date;nature;lon;lat;adresse\n"
        "A;03/02/2025;cambriolages;1.9;47.9;12 RUE DES CARMES\n"
        "B;03/02/2025;cambriolages;;;R BANNIER\n",
        encoding="utf-8",
    )
    out = _run("import", "incidents", str(path), "--db", sqlite_url, "--map", "category=nature",
               "--skip-invalid")  # fmt: skip
    assert "1 ligne(s) écrite(s)" in out and "fait sans localisation" not in out
    assert "aucun index d'adresses : les lignes sans coordonnées ne sont pas géocodées" in out
