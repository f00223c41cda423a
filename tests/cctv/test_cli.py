"""``gltd cctv …`` end to end with CliRunner on real files and a real SQLite database."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

from cli_support import gltd_output
from gltd.cli.main import app
from gltd.model import Incident, Zone
from gltd.store.engine import make_engine, session_scope

PARIS = ZoneInfo("Europe/Paris")
CITY = "POLYGON((1.87 47.82, 1.96 47.82, 1.96 47.93, 1.87 47.93, 1.87 47.82))"
runner = CliRunner()


def _pdf_text(path: Path) -> str:
    import subprocess

    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


@pytest.fixture
def city_db(sqlite_url: str, tmp_path: Path) -> str:
    from datetime import datetime, timedelta

    from gltd.geo import to_metric

    engine = make_engine(sqlite_url)
    with session_scope(engine) as s:
        s.add(Zone(name="Ville", kind="commune", geometry_wkt=CITY))
        # a cluster of facts at two places, one already filmed
        for i in range(30):
            for j, (lat, lon) in enumerate(((47.902, 1.901), (47.914, 1.933))):
                x, y = to_metric(lon + (i % 5) * 1e-5, lat)
                s.add(Incident(occurred_at=datetime(2018, 6, 1, tzinfo=PARIS) + timedelta(hours=i),
                               category="trafic_stupefiants", x=x, y=y, lon=lon, lat=lat,
                               source="t", source_ref=f"{i}-{j}"))  # fmt: skip
    return sqlite_url


def test_cameras_requisitions_log_flow(city_db: str, tmp_path: Path) -> None:
    cams = tmp_path / "cameras.csv"
    cams.write_text(
        "code;latitude;longitude;orientation;angle;portée;HD;conservation\n"
        "C01;47,902;1,901;;360;60;oui;15\n"
        "C02;47,833;1,934;90;90;80;non;7\n",
        encoding="utf-8",
    )
    out = " ".join(gltd_output("cctv", "cameras", "import", str(cams), "--db", city_db).split())
    assert "2 ligne(s) écrite(s), 0 déjà présente(s)" in out
    res = runner.invoke(
        app, ["cctv", "cameras", "add", "--code", "C9", "--at", "47.90,1.90", "--retention", "45",
              "--db", city_db],
    )  # fmt: skip
    assert res.exit_code == 2 and "L252-5" in res.output and "Traceback" not in res.output
    res = runner.invoke(app, ["cctv", "cameras", "add", "--code", "C9", "--at", "1.90,47.90",
                              "--db", city_db])  # fmt: skip
    assert res.exit_code == 2 and "hors de la commune" in res.output
    gltd_output("cctv", "cameras", "add", "--code", "C03", "--at", "47.903,1.909", "--auth-date",
         "2018-01-15", "--db", city_db)  # fmt: skip
    listing = json.loads(
        gltd_output("cctv", "cameras", "list", "--format", "json", "--db", city_db)
    )
    assert [c["code"] for c in listing] == ["C01", "C02", "C03"]
    assert listing[2]["authorisation_expiry"] == "2023-01-15"
    geo = tmp_path / "fov.geojson"
    gltd_output("cctv", "cameras", "coverage", "--out", str(geo), "--db", city_db)
    assert len(json.loads(geo.read_text())["features"]) == 3
    summ = json.loads(gltd_output("cctv", "cameras", "summary", "--on", "2018-09-24", "--format", "json",
                           "--db", city_db))  # fmt: skip
    assert summ["n_cameras"] == 3
    assert summ["coverage_by_category"]["trafic_stupefiants"] == {
        "n": 60,
        "covered": 30,
        "share": 0.5,
    }

    out = gltd_output(
        "cctv", "requisitions", "add", "--received", "2018-09-20 09:00", "--unit", "SD 45",
        "--basis", "77-1-1", "--capacity", "OPJ", "--procedure", "2018/4567",
        "--cameras", "C01,C02", "--from", "2018-09-18 22:00", "--to", "2018-09-19 02:00",
        "--db", city_db,
    )  # fmt: skip
    assert "25/09/2018 22:00" in out  # C02 keeps 7 days
    out = gltd_output("cctv", "requisitions", "add", "--received", "2018-09-20 09:00", "--unit", "SD",
               "--basis", "60-1", "--procedure", "X1", "--cameras", "C02",
               "--from", "2018-08-01 10:00", "--to", "2018-08-01 11:00", "--db", city_db)  # fmt: skip
    assert "hors délai" in out and "déjà écrasées" in out
    rows = json.loads(
        gltd_output("cctv", "requisitions", "list", "--format", "json", "--db", city_db)
    )
    assert {r["status"] for r in rows} == {"recue", "hors_delai"}
    assert all("4567" not in json.dumps(r) for r in rows)
    first = min(r["id"] for r in rows)
    res = runner.invoke(app, ["cctv", "requisitions", "status", str(first), "remise", "--at",
                              "2018-09-20 10:00", "--db", city_db])  # fmt: skip
    assert res.exit_code == 2 and "refusé" in res.output
    gltd_output("cctv", "requisitions", "status", str(first), "en_cours", "--at", "2018-09-20 10:00",
         "--db", city_db)  # fmt: skip
    res = runner.invoke(app, ["cctv", "requisitions", "status", str(first), "remise", "--at",
                              "2018-09-20 09:30", "--db", city_db])  # fmt: skip
    assert res.exit_code == 2 and "antérieur au précédent" in res.output
    gltd_output("cctv", "requisitions", "status", str(first), "remise", "--at", "2018-09-21 10:00",
         "--outcome", "utile", "--db", city_db)  # fmt: skip
    alerts = json.loads(gltd_output("cctv", "requisitions", "alerts", "--within", "3d", "--format",
                             "json", "--db", city_db))  # fmt: skip
    assert alerts == []  # the open one is out of time, the other delivered
    stats = json.loads(
        gltd_output("cctv", "requisitions", "stats", "--format", "json", "--db", city_db)
    )
    y2018 = [y for y in stats["years"] if y["year"] == 2018][0]
    assert y2018["count"] == 2 and y2018["on_time_rate"] == 0.5

    gltd_output("cctv", "log", "add", "--agent", "op1", "--action", "extraction", "--reason",
         "réquisition", "--recipient", "SD 45", "--camera", "C01", "--from", "2018-09-18 23:00",
         "--to", "2018-09-18 23:20", "--requisition", str(first), "--at", "2018-09-20 11:00",
         "--db", city_db)  # fmt: skip
    csv_out = tmp_path / "journal.csv"
    gltd_output("cctv", "log", "export", "--out", str(csv_out), "--db", city_db)
    with csv_out.open(encoding="utf-8-sig") as fh:
        got = list(csv.DictReader(fh, delimiter=";"))
    assert len(got) == 1 and got[0]["action"] == "extraction"


def test_study_and_siting_commands(city_db: str, tmp_path: Path) -> None:
    gltd_output("cctv", "cameras", "add", "--code", "C01", "--at", "47.902,1.901", "--range", "60",
         "--db", city_db)  # fmt: skip
    pdf = tmp_path / "etude.pdf"
    out = gltd_output("cctv", "study", "--at", "47.914,1.933", "--radius", "100", "--as-of",
               "2018-09-24", "--format", "pdf", "--out", str(pdf), "--db", city_db)  # fmt: skip
    assert pdf.read_bytes()[:5] == b"%PDF-" and "Avis" in out
    js = tmp_path / "etude.json"
    gltd_output("cctv", "study", "--at", "47.914,1.933", "--radius", "100", "--as-of", "2018-09-24",
         "--format", "json", "--out", str(js), "--db", city_db)  # fmt: skip
    assert json.loads(js.read_text(encoding="utf-8"))["incidents"]["total"] == 30
    res = runner.invoke(app, ["cctv", "study", "--out", str(js), "--db", city_db])
    assert res.exit_code == 2 and "--at" in res.output

    cand = tmp_path / "candidats.csv"
    cand.write_text("id,lat,lon\nA,47.902,1.901\nB,47.914,1.933\nC,47.85,1.90\n", encoding="utf-8")
    sit = tmp_path / "sites.json"
    out = gltd_output("cctv", "siting", "--candidates", str(cand), "--k", "2", "--radius", "50",
               "--from", "2018-01-01", "--to", "2018-12-31", "--exact", "--format", "json",
               "--out", str(sit), "--db", city_db)  # fmt: skip
    res = json.loads(sit.read_text(encoding="utf-8"))
    # A is already filmed by C01: B covers the 30 new facts, then nothing is left.
    assert [s["candidate"] for s in res["sites"]] == ["B"]
    assert res["covered_weight"] == 30 and res["existing_weight"] == 30
    assert res["optimum"] == 30 and res["gap"] == 0.0
    pdf = tmp_path / "implantation.pdf"
    gltd_output("cctv", "siting", "--candidates", str(cand), "--k", "2", "--radius", "50",
         "--from", "2018-01-01", "--to", "2018-12-31", "--exact", "--format", "pdf",
         "--out", str(pdf), "--db", city_db)  # fmt: skip
    text = " ".join(_pdf_text(pdf).split())
    assert "Implantation de nouvelles caméras" in text
    # Site B, first, with its 30 newly covered facts: all the facts not yet filmed.
    assert "1 B 47,91400 1,93300 30 100,0 % 30 (100,0 %)" in text
    assert "30 fait(s) nouvellement couvert(s) sur 30 non encore filmé(s)" in text
    assert "du 1 janvier 2018 au 31 décembre 2018" in text.replace("1er", "1")
    assert "optimum 30 fait(s)" in text and "écart 0,00 %" in text
    res_bad = runner.invoke(
        app, ["cctv", "siting", "--candidates", str(cand), "--format", "pdf",
              "--out", str(tmp_path / "x.json"), "--db", city_db],
    )  # fmt: skip
    assert res_bad.exit_code != 0 and "extension" in res_bad.output
    geo = tmp_path / "sites.geojson"
    gltd_output("cctv", "siting", "--grid", "200", "--zones", "Ville", "--k", "3", "--radius", "150",
         "--budget", "20000", "--cost", "9000", "--from", "2018-01-01", "--to", "2018-12-31",
         "--format", "geojson", "--out", str(geo), "--db", city_db)  # fmt: skip
    fc = json.loads(geo.read_text(encoding="utf-8"))
    assert len(fc["features"]) == 1 and fc["properties"]["k"] == 2
    res2 = runner.invoke(
        app,
        ["cctv", "siting", "--k", "2", "--format", "geojson", "--out", str(geo), "--db", city_db],
    )
    assert res2.exit_code == 2 and "--candidates" in res2.output
