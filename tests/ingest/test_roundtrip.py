"""Round trips: a French police CSV → store → GeoPackage / CSV / Parquet → the same points."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import Transformer
from sqlalchemy import select
from typer.testing import CliRunner

from cli_support import gltd
from gltd.cli.main import app
from gltd.model import AuditEvent, Incident
from gltd.store.engine import make_engine, session_scope

DATA = Path(__file__).parent.parent / "data" / "ingest"


def test_police_csv_to_geopackage_for_qgis(db_url: str, tmp_path: Path) -> None:
    gltd("import", "zones", str(DATA / "zones_orleans.geojson"), "--db", db_url)
    gltd("import", "incidents", str(DATA / "faits_police_fr.csv"), "--db", db_url)
    out = tmp_path / "faits.gpkg"
    msg = gltd("export", "incidents", "--format", "gpkg", "--out", str(out), "--db", db_url)
    assert "5 fait(s) exporté(s) au format gpkg" in msg
    gdf = gpd.read_file(out, layer="incidents")
    assert gdf.crs.to_epsg() == 4326
    gdf = gdf.sort_values("source_ref").reset_index(drop=True)
    located = gdf[~gdf.geometry.isna()]
    # The source file's Lambert-93 x/y, projected independently to WGS84 with pyproj.
    src = pd.read_csv(DATA / "faits_police_fr.csv", sep=";", encoding="cp1252", decimal=",")
    src = src.dropna(subset=["X"]).sort_values("N° FAIT")
    lon, lat = Transformer.from_crs(2154, 4326, always_xy=True).transform(src["X"], src["Y"])
    np.testing.assert_allclose(located.geometry.x, lon, atol=1e-9)
    np.testing.assert_allclose(located.geometry.y, lat, atol=1e-9)
    np.testing.assert_array_equal(located["x"], src["X"])
    assert list(gdf["occurred_at"]) == [
        "2018-03-24T14:30:00+01:00",
        "2018-03-25T03:15:00+02:00",
        "2018-04-02T22:05:00+02:00",
        "2018-04-03",
        "2018-10-28T16:45:00+01:00",
    ]
    assert list(gdf["zone"]) == ["Les Carmes", "L'Argonne", "La Source", "La Source", "Les Carmes"]
    assert gdf.geometry.isna().sum() == 1  # the date-only fact located by zone name only
    # The GeoPackage re-imports into a fresh store as the same facts.
    with session_scope(make_engine(db_url)) as s:
        before = {
            i.source_ref: (i.occurred_at, i.category, i.x, i.date_only)
            for i in s.scalars(select(Incident))
        }
        audit = s.scalars(select(AuditEvent).where(AuditEvent.action == "export")).one()
        assert json.loads(audit.detail or "{}")["lignes"] == 5
    gltd("import", "incidents", str(out), "--source", "retour", "--db", db_url)
    with session_scope(make_engine(db_url)) as s:
        after = {
            i.source_ref: (i.occurred_at, i.category, i.x, i.date_only)
            for i in s.scalars(select(Incident).where(Incident.source == "retour"))
        }
    assert after.keys() == before.keys()
    for k, (t, c, x, d) in before.items():
        t2, c2, x2, d2 = after[k]
        assert (t2, c2, d2) == (t, c, d)
        assert (x is None and x2 is None) or abs(x - x2) < 1e-3


def test_excel_fr_csv_and_filters(sqlite_url: str, tmp_path: Path) -> None:
    gltd("import", "zones", str(DATA / "zones_orleans.geojson"), "--db", sqlite_url)
    gltd("import", "incidents", str(DATA / "faits_police_fr.csv"), "--db", sqlite_url)
    out = tmp_path / "faits.csv"
    msg = gltd(
        "export",
        "incidents",
        "--out",
        str(out),
        "--excel-fr",
        "--from",
        "24/03/2018",
        "--to",
        "2018-04-02",
        "--categories",
        "trafic_stupefiants,usage_stupefiants",
        "--zones",
        "Les Carmes,La Source",
        "--db",
        sqlite_url,
    )
    assert "2 fait(s) exporté(s)" in msg
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    lines = raw.decode("utf-8-sig").splitlines()
    assert lines[0].split(";")[:4] == ["source", "source_ref", "occurred_at", "occurred_until"]
    assert lines[1].split(";")[1:3] == ["DDSP45-2018-0001", "24/03/2018 14:30"]
    assert ";1,900999" in lines[1] and ";617888,12;" in lines[1]
    assert lines[2].split(";")[1:3] == ["DDSP45-2018-0003", "02/04/2018 22:05"]
    pq = tmp_path / "faits.parquet"
    gltd("export", "incidents", "--out", str(pq), "--db", sqlite_url)
    back = pd.read_parquet(pq)
    assert len(back) == 5 and str(back["occurred_at"].dt.tz) == "UTC"


def test_export_refuses_unknown_format_and_zone(sqlite_url: str, tmp_path: Path) -> None:
    for args, msg in (
        (["--format", "shp"], "format d'export inconnu : « shp »"),
        (["--zones", "Atlantide"], "zone inconnue : « Atlantide »"),
        (["--format", "gpkg", "--excel-fr"], "--excel-fr ne s'applique qu'au format csv"),
    ):
        out = tmp_path / ("x.gpkg" if "gpkg" in args else "x.csv")  # --out matches --format
        r = CliRunner().invoke(
            app, ["export", "incidents", "--out", str(out), *args, "--db", sqlite_url]
        )
        assert r.exit_code == 2 and msg in " ".join(r.output.split()), r.output
