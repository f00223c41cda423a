"""Geographic inputs: Shapefile and GeoPackage layers in other CRSs, WKT in CSV."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from shapely.geometry import Point, box
from sqlalchemy import select
from typer.testing import CliRunner

from gltd.cli.main import app
from gltd.model import Camera, Zone
from gltd.store.engine import make_engine, session_scope


def run(*args: str) -> tuple[int, str]:
    r = CliRunner().invoke(app, list(args))
    return r.exit_code, " ".join(r.output.split())


def test_zones_from_a_lambert93_shapefile(db_url: str, tmp_path: Path) -> None:
    gdf = gpd.GeoDataFrame(
        {"NOM_IRIS": ["Carmes 1", "Carmes 2"], "CODE_IRIS": ["452340101", "452340102"]},
        geometry=[box(617000, 6755500, 618000, 6756500), box(618000, 6755500, 619000, 6756500)],
        crs="EPSG:2154",
    )
    gdf["TYPE"] = "iris"
    shp = tmp_path / "iris.shp"
    gdf.to_file(shp)
    code, out = run("import", "zones", str(shp), "--db", db_url)
    assert code == 0, out
    with session_scope(make_engine(db_url)) as s:
        zones = {z.name: z for z in s.scalars(select(Zone))}
    assert set(zones) == {"Carmes 1", "Carmes 2"}
    z = zones["Carmes 1"]
    assert (z.kind, z.code) == ("iris", "452340101")
    back = gpd.GeoSeries([shapely.from_wkt(z.geometry_wkt)], crs="EPSG:4326").to_crs(2154)
    assert back.iloc[0].bounds == pytest.approx((617000, 6755500, 618000, 6756500), abs=0.05)


def test_zones_from_csv_wkt_with_repair_and_refusals(db_url: str, tmp_path: Path) -> None:
    f = tmp_path / "zones.csv"
    f.write_text(
        "nom;type;wkt\n"
        '"Nœud";quartier;"POLYGON((1.90 47.90, 1.91 47.91, 1.91 47.90, 1.90 47.91, 1.90 47.90))"\n'
        '"Carré";secteur;"POLYGON((1.92 47.90, 1.93 47.90, 1.93 47.91, 1.92 47.91, 1.92 47.90))"\n',
        encoding="utf-8",
    )
    code, out = run("import", "zones", str(f), "--db", db_url)
    assert code == 0, out
    assert "1 polygone(s) invalide(s) réparé(s) (make_valid) : lignes 2" in out
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "nom;type;wkt\n"
        "Point;quartier;POINT(1.9 47.9)\n"
        "Rien;quartier;POLYGON((1.9 47.9, oops))\n"
        'Mer;lagune;"POLYGON((-30 40, -29 40, -29 41, -30 40))"\n',
        encoding="utf-8",
    )
    code, out = run("import", "zones", str(bad), "--db", db_url)
    assert code == 2
    assert "ligne 2, colonne geometry" in out and "géométrie absente ou non surfacique" in out
    assert "ligne 3, colonne wkt" in out and "géométrie WKT illisible" in out
    assert "ligne 4, colonne type, valeur lagune : type de zone inconnu" in out
    assert "ligne 4" in out and "hors de la zone de validité" in out
    with session_scope(make_engine(db_url)) as s:
        assert sorted(z.name for z in s.scalars(select(Zone))) == ["Carré", "Nœud"]


def test_cameras_from_a_geopackage_in_web_mercator(db_url: str, tmp_path: Path) -> None:
    pts = gpd.GeoSeries([Point(1.9012, 47.9021), Point(1.933, 47.914)], crs="EPSG:4326")
    gdf = gpd.GeoDataFrame(
        {"code_camera": ["C1", "C2"], "conservation": [15, 30]},
        geometry=pts.to_crs(3857).values,
        crs="EPSG:3857",
    )
    gpkg = tmp_path / "cameras.gpkg"
    gdf.to_file(gpkg, layer="cameras")
    code, out = run("import", "cameras", str(gpkg), "--db", db_url)
    assert code == 0, out
    with session_scope(make_engine(db_url)) as s:
        cams = {c.code: c for c in s.scalars(select(Camera))}
    assert cams["C1"].lon == pytest.approx(1.9012, abs=1e-9)
    assert cams["C1"].lat == pytest.approx(47.9021, abs=1e-9)
    assert cams["C2"].retention_days == 30
