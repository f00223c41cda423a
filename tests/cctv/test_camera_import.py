"""The one camera importer: ``gltd import cameras`` = ``gltd cctv cameras import``.

Legal rules per row (CSI L252-5 retention, L252-4 authorisation, camera in the city),
update of stored cameras on re-import, and the pipeline's options, on SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from gltd.cli.main import app
from gltd.geo import to_metric
from gltd.model import AuditEvent, Camera, Zone
from gltd.store.engine import make_engine, session_scope

CITY = "POLYGON((1.87 47.82, 1.96 47.82, 1.96 47.93, 1.87 47.93, 1.87 47.82))"
HEADER = "code;latitude;longitude;orientation;angle;portee;hd;date_arrete;conservation;cout\n"
INVENTORY = (
    HEADER + "C01;47,902;1,901;90;60;60;oui;01/03/2017;15;1 200\n"
    "C02;47,914;1,933;;360;40;non;;10;950,50\n"
    "C03;47,833;1,934;180;90;80;oui;;30;1500\n"
)
runner = CliRunner()


def _invoke(*args: str) -> tuple[int, str]:
    res = runner.invoke(app, list(args))
    return res.exit_code, " ".join(res.output.split())


def _ok(*args: str) -> str:
    code, out = _invoke(*args)
    assert code == 0, out
    return out


@pytest.fixture
def city(db_url: str) -> str:
    with session_scope(make_engine(db_url)) as s:
        s.add(Zone(name="Ville", kind="commune", geometry_wkt=CITY))
    return db_url


def _cameras(url: str) -> dict[str, Camera]:
    with session_scope(make_engine(url)) as s:
        cams = {c.code: c for c in s.scalars(select(Camera))}
        s.expunge_all()
    return cams


def test_reimport_updates_changed_cameras_only(city: str, tmp_path: Path) -> None:
    f = tmp_path / "inventaire.csv"
    f.write_text(INVENTORY, encoding="utf-8")
    out = _ok("cctv", "cameras", "import", str(f), "--db", city)
    assert "3 ligne(s) écrite(s), 0 déjà présente(s)" in out
    first = _cameras(city)
    assert first["C01"].authorisation_expiry == date(2022, 3, 1)  # + 5 years, CSI L252-4
    # The same export again: nothing changes.
    out = _ok("import", "cameras", str(f), "--db", city)
    assert "0 ligne(s) écrite(s), 3 déjà présente(s)" in out and "mise(s) à jour" not in out
    # The CSU re-exports after a change: C01 keeps 7 days now and looks north-east; C02
    # moved; C03's retention cell is blank (the stored 30 days are kept).
    f.write_text(
        HEADER + "C01;47,902;1,901;45;60;60;oui;01/03/2017;7;1 200\n"
        "C02;47,915;1,932;;360;40;non;;10;950,50\n"
        "C03;47,833;1,934;180;90;80;oui;;;1500\n",
        encoding="utf-8",
    )
    out = _ok("cctv", "cameras", "import", str(f), "--db", city)
    assert "2 ligne(s) écrite(s), 1 déjà présente(s)" in out
    assert "2 caméra(s) déjà enregistrée(s) mise(s) à jour depuis le fichier (C01, C02)" in out
    now = _cameras(city)
    assert (now["C01"].retention_days, now["C01"].heading_deg) == (7, 45.0)
    assert now["C01"].id == first["C01"].id and now["C01"].x == first["C01"].x
    assert (now["C02"].lat, now["C02"].lon) == (47.915, 1.932)
    x, y = to_metric(1.932, 47.915)
    assert now["C02"].x == pytest.approx(x, abs=0.01) and now["C02"].y == pytest.approx(y, abs=0.01)
    assert now["C03"].retention_days == 30
    with session_scope(make_engine(city)) as s:
        details = s.scalars(
            select(AuditEvent.detail).where(
                AuditEvent.object_type == "camera", AuditEvent.action == "modification"
            )
        ).all()
    assert sorted(details) == [
        "import inventaire.csv (lot 3) : heading_deg, retention_days",
        "import inventaire.csv (lot 3) : lat, lon",
    ]


def test_columns_absent_from_the_file_keep_stored_values(city: str, tmp_path: Path) -> None:
    f = tmp_path / "inventaire.csv"
    f.write_text(INVENTORY, encoding="utf-8")
    _ok("import", "cameras", str(f), "--db", city)
    g = tmp_path / "couts.csv"
    g.write_text("code;lat;lon;cout_annuel\nC01;47.902;1.901;1300\n", encoding="utf-8")
    _ok("import", "cameras", str(g), "--db", city)
    c01 = _cameras(city)["C01"]
    assert c01.annual_cost_eur == 1300.0
    # Not in the second file: unchanged (not reset to the defaults of a new camera).
    assert (c01.heading_deg, c01.field_angle_deg, c01.range_m, c01.hd) == (90.0, 60.0, 60.0, True)
    assert (c01.retention_days, c01.authorisation_date) == (15, date(2017, 3, 1))


def test_rules_of_the_register_are_checked_per_row(city: str, tmp_path: Path) -> None:
    f = tmp_path / "cams.csv"
    f.write_text(
        "code;lat;lon;angle;orientation;conservation;date_autorisation;fin_autorisation\n"
        "K1;47.90;1.90;360;;45;;\n"  # retention over one month
        "K2;48.50;1.905;360;;15;;\n"  # 65 km north: outside the city
        "K3;47.90;1.90;90;;15;;\n"  # a limited field of view without a heading
        "K4;47.90;1.90;360;;15;29/02/2016;01/03/2021\n"  # beyond date + 5 years
        "K5;47.90;1.90;360;;15;29/02/2016;\n",  # valid: expiry 28/02/2021
        encoding="utf-8",
    )
    code, out = _invoke("import", "cameras", str(f), "--db", city)
    assert code == 2 and "Traceback" not in out and "4 ligne(s) invalide(s) sur 5" in out
    assert "ligne 2, colonne conservation, valeur 45" in out and "CSI art. L252-5" in out
    assert "ligne 3, colonne lon/lat, valeur 48.500000, 1.905000 : caméra hors de" in out
    assert "ligne 4, colonne orientation" in out and "doit avoir une orientation" in out
    assert "ligne 5, colonne fin_autorisation, valeur 01/03/2021" in out and "L252-4" in out
    assert _cameras(city) == {}
    code, out = _invoke("cctv", "cameras", "import", str(f), "--skip-invalid", "--db", city)
    assert code == 0, out
    assert "1 ligne(s) écrite(s)" in out and "rapport des rejets" in out
    assert _cameras(city)["K5"].authorisation_expiry == date(2021, 2, 28)
    report = (tmp_path / "cams.csv.rejets.csv").read_text(encoding="utf-8-sig")
    assert report.count("\n") == 5 and "L252-4" in report
    assert (tmp_path / "cams.csv.rejets.lignes.csv").exists()


def test_cctv_command_has_the_pipeline_options(city: str, tmp_path: Path) -> None:
    f = tmp_path / "export.csv"
    f.write_text("CAM;Y_GPS;X_GPS;JOURS\nC01;47.902;1.901;20\n", encoding="utf-8")
    out = _ok("cctv", "cameras", "import", str(f), "--map", "code=CAM,lat=Y_GPS,lon=X_GPS,"
              "retention_days=JOURS", "--dry-run", "--db", city)  # fmt: skip
    assert "Contrôle seul (--dry-run)" in out and "1 valide(s)" in out
    assert _cameras(city) == {}
    _ok("cctv", "cameras", "import", str(f), "--map", "code=CAM,lat=Y_GPS,lon=X_GPS,"
        "retention_days=JOURS", "--db", city)  # fmt: skip
    assert _cameras(city)["C01"].retention_days == 20
