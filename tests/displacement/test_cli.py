"""``gltd displacement`` and ``gltd interventions`` through the real CLI and files."""

from __future__ import annotations

import json
import math
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from pyproj import Transformer
from shapely.geometry import Point, box
from typer.testing import CliRunner

from gltd.cli.main import app
from gltd.geo import geometry_to_lonlat
from gltd.model import Camera, Incident, Zone
from gltd.store.engine import make_engine, session_scope

PARIS = ZoneInfo("Europe/Paris")
LAT, LON = 47.903, 1.909
X0, Y0 = Transformer.from_crs("EPSG:4326", "EPSG:2154", always_xy=True).transform(LON, LAT)
runner = CliRunner()


@pytest.fixture
def db(sqlite_url: str) -> str:
    engine = make_engine(sqlite_url)
    rows = []
    # target (50 m): 20 → 10 ; ring 100–300 m (at 200 m): 20 → 25 ; control (1 km): 100 → 100
    for r, nb, na in [(50.0, 20, 10), (200.0, 20, 25), (1000.0, 100, 100)]:
        for period, n, t0 in (
            ("b", nb, datetime(2018, 5, 2, 12, tzinfo=PARIS)),
            ("a", na, datetime(2018, 6, 1, 12, tzinfo=PARIS)),
        ):
            for i in range(n):
                ang = 2 * math.pi * (i + 0.5) / n
                rows.append(
                    Incident(
                        occurred_at=t0 + timedelta(days=i % 29),
                        category="trafic_stupefiants",
                        x=X0 + r * math.sin(ang),
                        y=Y0 + r * math.cos(ang),
                        source="t",
                        source_ref=f"{r}-{period}-{i}",
                    )
                )
    with session_scope(engine) as s:
        s.add_all(rows)
        city = geometry_to_lonlat(box(X0 - 2000, Y0 - 2000, X0 + 2000, Y0 + 2000))
        s.add(Zone(name="Ville test", kind="commune", geometry_wkt=city.wkt))
        s.add(
            Zone(
                name="Place", kind="perimetre",
                geometry_wkt=geometry_to_lonlat(Point(X0, Y0).buffer(100, quad_segs=32)).wkt,
            )
        )  # fmt: skip
        s.add(
            Camera(
                code="CAM-01", lon=LON, lat=LAT, x=X0, y=Y0, heading_deg=90.0,
                field_angle_deg=360.0, range_m=100.0,
            )
        )  # fmt: skip
    engine.dispose()
    return sqlite_url


ARGS = ["--start", "2018-06-01", "--before", "30d", "--buffer", "300"]


def _text(res: Any) -> str:
    """The output with Rich's line wrapping undone."""
    return " ".join(res.output.split())


def test_json_report(db: str, tmp_path: Path) -> None:
    out = tmp_path / "d.json"
    res = runner.invoke(
        app,
        ["displacement", "--around", f"{LAT},{LON}", "--radius", "100", *ARGS,
         "--format", "json", "--out", str(out), "--db", db],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    d = json.loads(out.read_text(encoding="utf-8"))
    assert d["counts"] == {
        "target": {"before": 20, "after": 10},
        "buffer": {"before": 20, "after": 25},
        "control": {"before": 100, "after": 100},
    }
    # SM = −0.1, BDM = 0.05, WDQ = −0.5, TNE = 10 − 5 = 5
    assert d["measures"]["wdq"] == pytest.approx(-0.5)
    assert d["measures"]["tne"] == pytest.approx(5.0)
    assert d["wdd"]["estimate"] == pytest.approx(-5.0)
    assert d["run_id"] >= 1
    assert "déplacement partiel" in _text(res)


def test_html_and_pdf_reports(db: str, tmp_path: Path) -> None:
    html = tmp_path / "d.html"
    res = runner.invoke(
        app,
        ["displacement", "--target", "Place", *ARGS[:4], "--rings", "100,200,300",
         "--format", "html", "--out", str(html), "--db", db],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    text = html.read_text(encoding="utf-8")
    assert "Analyse de déplacement\u00a0: zone «\u00a0Place\u00a0»" in text
    assert "data:image/png;base64," in text
    assert text.count("<tr><td>") >= 3 + 3  # counts + rings
    assert "Précautions de lecture" in text
    pdf = tmp_path / "d.pdf"
    res = runner.invoke(
        app,
        ["displacement", "--target", "Place", *ARGS, "--format", "pdf", "--out", str(pdf),
         "--db", db],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    assert pdf.read_bytes()[:5] == b"%PDF-"


def test_target_from_a_geojson_file(db: str, tmp_path: Path) -> None:
    gj = tmp_path / "cible.geojson"
    gj.write_text(
        json.dumps(
            {
                "type": "Feature",
                "geometry": geometry_to_lonlat(Point(X0, Y0).buffer(100)).__geo_interface__,
            }
        ),
        encoding="utf-8",
    )
    out = tmp_path / "d.json"
    res = runner.invoke(
        app,
        ["displacement", "--target", str(gj), *ARGS, "--format", "json", "--out", str(out),
         "--db", db],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    assert json.loads(out.read_text())["counts"]["target"] == {"before": 20, "after": 10}


def test_errors_are_messages_and_write_nothing(db: str, tmp_path: Path) -> None:
    out = tmp_path / "d.json"
    base = ["--format", "json", "--out", str(out), "--db", db]
    res = runner.invoke(
        app, ["displacement", "--around", "43.296,5.37", "--radius", "100", *ARGS, *base]
    )
    assert res.exit_code == 2
    assert "hors de l'étendue des données" in _text(res)
    future = (date.today() + timedelta(days=30)).isoformat()
    res = runner.invoke(
        app, ["displacement", "--target", "Place", "--start", future, "--buffer", "300", *base]
    )
    assert res.exit_code == 2 and "dans le futur" in _text(res)
    res = runner.invoke(
        app,
        ["displacement", "--target", "Place", *ARGS[:4], "--rings", "100,5000", *base],
    )
    assert res.exit_code == 2 and "recouvre entièrement la zone témoin" in _text(res)
    res = runner.invoke(app, ["displacement", "--target", "Nulle part", *ARGS, *base])
    assert res.exit_code == 2 and "zone inconnue : « Nulle part »" in _text(res)
    res = runner.invoke(app, ["displacement", "--around", "47.9", "--radius", "9", *ARGS, *base])
    assert res.exit_code == 2 and "--around : position illisible" in _text(res)
    res = runner.invoke(app, ["displacement", "--target", "Place", *ARGS, "--format", "doc",
                              "--out", str(out), "--db", db])  # fmt: skip
    assert res.exit_code == 2 and "format inconnu" in _text(res)
    assert not out.exists()


def test_interventions_add_list_show_and_analyse(db: str, tmp_path: Path) -> None:
    res = runner.invoke(
        app,
        ["interventions", "add", "--name", "Fermeture du bar", "--kind", "fermeture",
         "--start", "2018-06-01", "--around", f"{LAT},{LON}", "--radius", "100", "--db", db],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    assert "n° 1" in _text(res)
    res = runner.invoke(
        app,
        ["interventions", "add", "--name", "Caméra place", "--kind", "camera",
         "--start", "2018-05-20", "--camera", "CAM-01", "--db", db],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    wkt = geometry_to_lonlat(Point(X0 + 1000, Y0).buffer(50)).wkt
    res = runner.invoke(
        app,
        ["interventions", "add", "--name", "Opérations", "--kind", "operations",
         "--start", "2018-04-01", "--end", "2018-12-31", "--wkt", wkt, "--db", db],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["interventions", "list", "--db", db])
    assert res.exit_code == 0 and "Fermeture" in res.output
    res = runner.invoke(app, ["interventions", "list", "--json", "--db", db])
    listed = json.loads(res.output)
    assert [i["name"] for i in listed] == ["Opérations", "Caméra place", "Fermeture du bar"]
    assert listed[0]["ended_on"].startswith("2018-12-30T23:00")  # local midnight, UTC
    res = runner.invoke(app, ["interventions", "show", "2", "--db", db])
    assert res.exit_code == 0, res.output
    shown = json.loads(res.output)
    assert shown["camera_id"] == 1 and shown["kind"] == "camera"
    assert shown["area_m2"] == pytest.approx(math.pi * 100**2, rel=0.01)  # 360° dome
    res = runner.invoke(
        app,
        ["interventions", "add", "--name", "X", "--kind", "patrouille", "--start", "2018-01-01",
         "--zone", "Place", "--db", db],
    )  # fmt: skip
    assert res.exit_code == 2 and "type d'intervention inconnu" in _text(res)
    res = runner.invoke(app, ["interventions", "show", "99", "--db", db])
    assert res.exit_code == 2 and "intervention inconnue : 99" in _text(res)

    out = tmp_path / "i.json"
    res = runner.invoke(
        app,
        ["displacement", "--intervention", "1", "--before", "30d", "--buffer", "300",
         "--format", "json", "--out", str(out), "--db", db],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    d = json.loads(out.read_text())
    assert d["counts"]["target"] == {"before": 20, "after": 10}
    joined = " ".join(d["warnings"])
    assert "la cible recouvre aussi l'intervention « Caméra place »" in joined
    assert "la zone témoin contient l'intervention « Opérations »" in joined
