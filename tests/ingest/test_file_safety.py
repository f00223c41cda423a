"""Imported files read nothing else: no GDAL VRT, no /vsicurl/, no gltd database, safe zips."""

from __future__ import annotations

import http.server
import sqlite3
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import box
from sqlalchemy import func, select
from typer.testing import CliRunner

from gltd.cli.main import app
from gltd.model import Zone
from gltd.store.engine import make_engine
from gltd.store.migrate import upgrade

SECRET = "SECRET-MARQUEUR-7f3a"


def run(*args: str) -> tuple[int, str]:
    r = CliRunner().invoke(app, list(args))
    return r.exit_code, " ".join(r.output.split())


def _vrt(source: str, layer: str) -> str:
    return (
        f'<OGRVRTDataSource><OGRVRTLayer name="{layer}">'
        f"<SrcDataSource>{source}</SrcDataSource></OGRVRTLayer></OGRVRTDataSource>"
    )


@pytest.fixture
def secret_csv(tmp_path: Path) -> Path:
    """A file of the server the attacker wants to read (a CSV GDAL would open)."""
    folder = tmp_path / "serveur"
    folder.mkdir()
    f = folder / "secret.csv"
    f.write_text(f"nom,type\n{SECRET},quartier\n", encoding="utf-8")
    return f


def _files_containing(root: Path, text: str, skip: Path) -> list[Path]:
    return [
        p for p in root.rglob("*") if p.is_file() and p != skip and text.encode() in p.read_bytes()
    ]


def _n_zones(url: str) -> int:
    with make_engine(url).connect() as conn:
        return int(conn.execute(select(func.count()).select_from(Zone)).scalar_one())


def test_a_geojson_holding_a_vrt_reads_nothing(
    sqlite_url: str, tmp_path: Path, secret_csv: Path
) -> None:
    evil = tmp_path / "zones.geojson"
    evil.write_text(_vrt(str(secret_csv), "secret"), encoding="utf-8")
    code, out = run("import", "zones", str(evil), "--db", sqlite_url, "--skip-invalid")
    assert code == 2, out
    assert "le contenu ne correspond pas à l'extension .geojson" in out
    assert "du XML (un VRT de GDAL ?)" in out
    assert SECRET not in out
    assert _files_containing(tmp_path, SECRET, secret_csv) == []
    assert _n_zones(sqlite_url) == 0


def test_a_vrt_file_and_a_zip_holding_a_vrt_are_refused(
    sqlite_url: str, tmp_path: Path, secret_csv: Path
) -> None:
    vrt = tmp_path / "zones.vrt"
    vrt.write_text(_vrt(str(secret_csv), "secret"), encoding="utf-8")
    code, out = run("import", "zones", str(vrt), "--db", sqlite_url, "--skip-invalid")
    assert code == 2 and SECRET not in out, out
    archive = tmp_path / "zones.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("zones.vrt", _vrt(str(secret_csv), "secret"))
    code, out = run("import", "zones", str(archive), "--db", sqlite_url, "--skip-invalid")
    assert code == 2, out
    assert "archive zip : membre « zones.vrt » refusé" in out
    assert "attendu : les fichiers d'un Shapefile" in out
    assert SECRET not in out
    assert _files_containing(tmp_path, SECRET, secret_csv) == []


def _shapefile_zip(tmp_path: Path, prefix: str = "") -> Path:
    gdf = gpd.GeoDataFrame(
        {"nom": ["Carmes"]}, geometry=[box(617000, 6755500, 618000, 6756500)], crs="EPSG:2154"
    )
    shp = tmp_path / "shp" / "iris.shp"
    shp.parent.mkdir()
    gdf.to_file(shp)
    archive = tmp_path / "iris.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for part in shp.parent.iterdir():
            info = zipfile.ZipInfo("x")
            info.filename = prefix + part.name  # set after: ZipInfo() strips a leading /
            zf.writestr(info, part.read_bytes(), zipfile.ZIP_DEFLATED)
    return archive


def test_a_zipped_shapefile_still_imports(sqlite_url: str, tmp_path: Path) -> None:
    code, out = run("import", "zones", str(_shapefile_zip(tmp_path, "iris/")), "--db", sqlite_url)
    assert code == 0, out
    assert _n_zones(sqlite_url) == 1


@pytest.mark.parametrize(
    ("prefix", "why"), [("../", "chemin remontant hors de l'archive"), ("/", "chemin absolu")]
)
def test_zip_members_leaving_the_archive_are_refused(
    sqlite_url: str, tmp_path: Path, prefix: str, why: str
) -> None:
    code, out = run("import", "zones", str(_shapefile_zip(tmp_path, prefix)), "--db", sqlite_url)
    assert code == 2, out
    assert f"membre « {prefix}iris." in out and why in out
    assert not (tmp_path.parent / "iris.shp").exists()
    assert _n_zones(sqlite_url) == 0


def test_a_zip_holding_a_symbolic_link_is_refused(sqlite_url: str, tmp_path: Path) -> None:
    archive = _shapefile_zip(tmp_path)
    link = zipfile.ZipInfo("lien.cpg")
    link.external_attr = (0o120777 << 16) | 0x20
    with zipfile.ZipFile(archive, "a") as zf:
        zf.writestr(link, "/etc/passwd")
    code, out = run("import", "zones", str(archive), "--db", sqlite_url)
    assert code == 2 and "membre « lien.cpg » refusé (lien symbolique)" in out, out


def test_the_live_database_is_never_read_as_a_geopackage(tmp_path: Path) -> None:
    live = tmp_path / "gltd.gpkg"
    url = f"sqlite:///{live}"
    upgrade(url)
    code, out = run("import", "zones", str(live), "--db", url)
    assert code == 2, out
    assert "c'est la base de données de gltd elle-même" in out
    # Through another name (a hard link) too: the check is on the file, not its name.
    other = tmp_path / "copie.gpkg"
    other.hardlink_to(live)
    code, out = run("import", "zones", str(other), "--db", url)
    assert code == 2 and "base de données de gltd" in out, out
    # The base still accepts writes afterwards.
    zones = tmp_path / "z.geojson"
    gpd.GeoDataFrame(
        {"nom": ["Carmes"]}, geometry=[box(1.89, 47.89, 1.91, 47.91)], crs="EPSG:4326"
    ).to_file(zones)
    code, out = run("import", "zones", str(zones), "--db", url)
    assert code == 0, out
    assert _n_zones(url) == 1


def test_a_sqlite_file_named_gpkg_and_a_gpkg_with_a_foreign_virtual_table_are_refused(
    sqlite_url: str, tmp_path: Path
) -> None:
    plain = tmp_path / "autre.gpkg"
    conn = sqlite3.connect(plain)
    conn.execute("CREATE TABLE user (name TEXT, password_hash TEXT)")
    conn.execute("INSERT INTO user VALUES ('admin', ?)", (SECRET,))
    conn.commit()
    conn.close()
    code, out = run("import", "zones", str(plain), "--db", sqlite_url)
    assert code == 2 and "attendu un GeoPackage (base SQLite d'identifiant GPKG)" in out, out
    assert SECRET not in out
    gpkg = tmp_path / "zones.gpkg"
    gpd.GeoDataFrame(
        {"nom": ["Carmes"]}, geometry=[box(1.89, 47.89, 1.91, 47.91)], crs="EPSG:4326"
    ).to_file(gpkg)
    conn = sqlite3.connect(gpkg)
    conn.execute("PRAGMA writable_schema = ON")
    conn.execute(
        "INSERT INTO sqlite_master(type, name, tbl_name, rootpage, sql) VALUES "
        "('table', 'vv', 'vv', 0, 'CREATE VIRTUAL TABLE vv USING VirtualOGR(''/etc/passwd'')')"
    )
    conn.commit()
    conn.close()
    code, out = run("import", "zones", str(gpkg), "--db", sqlite_url)
    assert code == 2 and "GeoPackage refusé : table virtuelle « vv »" in out, out
    assert _n_zones(sqlite_url) == 0


@pytest.fixture
def http_log() -> Iterator[tuple[str, list[str]]]:
    """A local HTTP server recording the paths it is asked for."""
    seen: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            seen.append(self.path)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(f"nom,type\n{SECRET},quartier\n".encode())

        do_HEAD = do_GET  # noqa: N815

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", seen
    finally:
        server.shutdown()


def test_an_import_sends_no_http_request(
    sqlite_url: str, tmp_path: Path, http_log: tuple[str, list[str]]
) -> None:
    base, seen = http_log
    evil = tmp_path / "zones.geojson"
    evil.write_text(_vrt(f"/vsicurl/{base}/secret.csv", "secret"), encoding="utf-8")
    code, out = run("import", "zones", str(evil), "--db", sqlite_url, "--skip-invalid")
    assert code == 2 and SECRET not in out, out
    assert seen == []
    code, out = run("import", "zones", f"/vsicurl/{base}/z.geojson", "--db", sqlite_url)
    assert code == 2 and seen == [], out


def _collection(crs: str) -> str:
    return (
        '{"type": "FeatureCollection", "crs": ' + crs + ', "features": [{"type": "Feature", '
        '"properties": {"nom": "Les Carmes"}, "geometry": {"type": "Polygon", "coordinates": '
        "[[[1.89, 47.89], [1.91, 47.89], [1.91, 47.91], [1.89, 47.91], [1.89, 47.89]]]}}]}"
    )


def test_a_geojson_crs_link_is_never_downloaded(
    sqlite_url: str, tmp_path: Path, http_log: tuple[str, list[str]]
) -> None:
    base, seen = http_log
    for i, kind in enumerate(('"link"', '"LINK"', '"\\u006cink"')):
        evil = tmp_path / f"zones{i}.geojson"
        crs = '{"type": ' + kind + ', "properties": {"href": "' + base + '/crs", "type": "ogcwkt"}}'
        evil.write_text(_collection(crs), encoding="utf-8")
        code, out = run("import", "zones", str(evil), "--db", sqlite_url)
        assert code == 2 and "GeoJSON refusé" in out, out
    assert seen == []
    assert _n_zones(sqlite_url) == 0


def test_a_geojson_with_escaped_accents_and_a_named_crs_imports(
    sqlite_url: str, tmp_path: Path
) -> None:
    ok = tmp_path / "zones.geojson"
    named = '{"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}}'
    ok.write_text(_collection(named).replace("Les Carmes", "Les Carm\\u00e9s"), encoding="utf-8")
    code, out = run("import", "zones", str(ok), "--db", sqlite_url)
    assert code == 0, out
    with make_engine(sqlite_url).connect() as conn:
        assert list(conn.execute(select(Zone.name)).scalars()) == ["Les Carmés"]
