"""The printable map (``gltd map``): one landscape page with title, period, layers,
legend, scale and date (read back with pdftotext, rendered with pdftoppm), and the grid
layers exported as GeoJSON and GeoPackage with their method block (read back with
geopandas / pyogrio)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from gltd.cli.main import app
from gltd.mapsheet import LAYERS, MapData, map_from_store, write_map
from gltd.model import Incident
from gltd.store.engine import make_engine
from gltd.store.migrate import upgrade
from gltd.timeutil import make_period
from web_support import CARMES_XY, seed

ENV = {"COLUMNS": "200", "NO_COLOR": "1"}
PERIOD = make_period(date(2018, 3, 24), date(2018, 9, 23))
TODAY = date(2018, 10, 2)


@pytest.fixture(scope="module")
def db_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The web fixture base and a dense cluster in Les Carmes (a Gi* hot spot)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('mapsheet') / 'gltd.db'}"
    upgrade(url)
    seed(url)
    with Session(make_engine(url)) as s, s.begin():
        for k in range(200):
            far = k % 5 == 0
            s.add(
                Incident(
                    occurred_at=datetime(2018, 4, 1, 12, tzinfo=UTC) + timedelta(hours=20 * k),
                    category="trafic_stupefiants",
                    x=CARMES_XY[0] + (1500 * ((k // 5) % 5 - 2) if far else (k % 4) * 40),
                    y=CARMES_XY[1] + (1500 * ((k // 25) % 5 - 2) if far else (k // 4 % 4) * 40),
                    lon=None,
                    lat=None,
                    source="test",
                    source_ref=f"m{k}",
                )
            )
    return url


@pytest.fixture(scope="module")
def data(db_url: str) -> MapData:
    return map_from_store(make_engine(db_url), period=PERIOD, categories=[], cell=250.0,
                          layers=LAYERS)  # fmt: skip


def _text(pdf: Path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext is not installed")
    out = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                         text=True, check=True)  # fmt: skip
    return re.sub(r"[ \u00a0\u202f]+", " ", out.stdout)


def _info(pdf: Path) -> str:
    return subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True,
                          check=True).stdout  # fmt: skip


def test_a3_page_says_title_period_layers_legend_scale_and_date(
    data: MapData, tmp_path: Path, artifacts_dir: Path
) -> None:
    pdf = write_map(data, tmp_path / "carte.pdf", "pdf", paper="A3", today=TODAY).path
    info = _info(pdf)
    assert re.search(r"Pages:\s+1\n", info), info  # one page
    assert re.search(r"Page size:\s+1190\.55 x 841\.89\d* pts", info), info  # A3 landscape
    text = _text(pdf)
    for needle in (
        "Carte du GLTD",
        "Période : du 24/03/2018 au 23/09/2018",
        "Couches : densité des faits, points chauds (Gi*), points chauds émergents, zones, "
        "interventions, caméras et champs de vision",
        "Légende",
        "point chaud 99 %",
        "point chaud 95 %",
        "point chaud 90 %",
        "faits par cellule de 250 m",
        "2 zones",
        "champ de vision",
        "Carte éditée le 2 octobre 2018",
        "Sources : faits enregistrés dans gltd (215 faits localisés sur la période)",
    ):
        assert needle in text, needle
    m = re.search(r"Échelle 1:([\d ]+) \(barre de (\d+) (m|km) sur la carte\)", text)
    assert m, text
    subprocess.run(["pdftoppm", "-r", "50", "-png", "-singlefile", str(pdf),
                    str(artifacts_dir / "map-sheet-a3")], check=True)  # fmt: skip
    # The same map on A4 is drawn at a smaller scale (a larger denominator).
    a4 = _text(write_map(data, tmp_path / "a4.pdf", "pdf", paper="A4", today=TODAY).path)
    m4 = re.search(r"Échelle 1:([\d ]+) ", a4)
    assert m4 and int(m4.group(1).replace(" ", "")) > int(m.group(1).replace(" ", ""))
    assert re.search(r"Page size:\s+841\.89 x 595\.27\d* pts", _info(tmp_path / "a4.pdf"))


def test_png_is_the_whole_page(data: MapData, tmp_path: Path, artifacts_dir: Path) -> None:
    from PIL import Image

    png = write_map(data, artifacts_dir / "map-sheet-a4.png", "png", today=TODAY).path
    with Image.open(png) as im:
        w, h = im.size
        colours = im.convert("RGB").getcolors(maxcolors=1_000_000) or []
    assert abs(w - 1754) <= 1 and abs(h - 1240) <= 1  # A4 landscape at 150 dpi
    assert len(colours) > 50  # a drawn map, not a blank page


def test_geojson_has_the_layers_and_their_method_block(data: MapData, tmp_path: Path) -> None:
    import geopandas as gpd

    out = write_map(data, tmp_path / "couches.geojson", "geojson").path
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert set(doc["method"]) == {"density", "hotspots", "emerging"}
    assert doc["method"]["hotspots"]["grid"]["cell_m"] == 250.0
    assert "Benjamini" in doc["method"]["hotspots"]["reference"]
    assert doc["period"]["first_day"] == "2018-03-24"
    frame = gpd.read_file(out)
    assert frame.crs.to_epsg() == 4326
    assert set(frame["layer"]) <= {"density", "hotspots", "emerging"}
    dens = frame[frame["layer"] == "density"]
    assert int(dens["n"].sum()) == data.n_events == 215
    hot = frame[frame["layer"] == "hotspots"]
    assert len(hot) == int((data.hotspots.classes != 0).sum()) > 0
    assert (hot["class"] == 3).any()
    b = frame.total_bounds
    assert 1.8 < b[0] < b[2] < 2.0 and 47.8 < b[1] < b[3] < 48.0  # Orléans, WGS84


def test_gpkg_has_one_layer_each_and_the_method_table(data: MapData, tmp_path: Path) -> None:
    import geopandas as gpd
    import pyogrio

    out = write_map(data, tmp_path / "couches.gpkg", "gpkg").path
    names = {row[0] for row in pyogrio.list_layers(out)}
    assert {"density", "hotspots", "gltd_method"} <= names
    hot = gpd.read_file(out, layer="hotspots")
    assert hot.crs.to_epsg() == 2154
    assert len(hot) == int((data.hotspots.classes != 0).sum())
    table = pyogrio.read_dataframe(out, layer="gltd_method")
    methods = {r.layer: json.loads(r.method) for r in table.itertuples()}
    assert methods["hotspots"]["grid"]["cell_m"] == 250.0
    meta = pyogrio.read_info(out, layer="hotspots")["layer_metadata"]
    assert json.loads(meta["method"]) == methods["hotspots"]


def test_cli_writes_the_map_and_refuses_bad_layers(db_url: str, tmp_path: Path) -> None:
    out = tmp_path / "carte.geojson"
    args = ["map", "--db", db_url, "--from", "2018-03-24", "--to", "23/09/2018"]
    res = CliRunner().invoke(app, [*args, "--layers", "density,hotspots", "--out", str(out)],
                             env=ENV)  # fmt: skip
    assert res.exit_code == 0, res.output
    assert "215 faits localisés" in res.output
    assert set(json.loads(out.read_text(encoding="utf-8"))["method"]) == {"density", "hotspots"}
    bad = CliRunner().invoke(app, [*args, "--layers", "densite", "--out", str(out)], env=ENV)
    assert bad.exit_code != 0
    assert "--layers : couche inconnue : densite" in bad.output
    assert "Traceback" not in bad.output
    none = CliRunner().invoke(app, [*args, "--layers", "zones", "--out", str(tmp_path / "z.gpkg")],
                              env=ENV)  # fmt: skip
    assert none.exit_code != 0 and "rien à exporter" in none.output


def test_basemap_is_drawn_under_the_map_with_its_attribution(
    data: MapData, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, artifacts_dir: Path
) -> None:
    import numpy as np
    from PIL import Image

    from basemap_support import ATTRIBUTION, write_mbtiles
    from gltd.config import get_settings

    monkeypatch.delenv("GLTD_BASEMAP", raising=False)
    monkeypatch.setenv("GLTD_BASEMAP_DIR", str(tmp_path / "aucun"))
    get_settings.cache_clear()
    try:
        plain = write_map(data, tmp_path / "sans.png", "png", today=TODAY).path
        assert "Fond de carte" not in _text(write_map(data, tmp_path / "s.pdf", "pdf").path)
        fond = tmp_path / "fond.mbtiles"
        write_mbtiles(fond, zooms=(13, 14))
        monkeypatch.setenv("GLTD_BASEMAP", str(fond))
        get_settings.cache_clear()
        with_bm = write_map(data, artifacts_dir / "map-sheet-basemap.png", "png", today=TODAY)
        text = _text(write_map(data, tmp_path / "a.pdf", "pdf", paper="A3").path)
    finally:
        get_settings.cache_clear()
    assert f"Fond de carte : {ATTRIBUTION}" in text
    a = np.asarray(Image.open(plain).convert("RGB"), dtype="int64")
    b = np.asarray(Image.open(with_bm.path).convert("RGB"), dtype="int64")
    assert a.shape == b.shape
    assert (np.abs(a - b).sum(axis=2) > 30).mean() > 0.05  # the basemap's pixels


def test_zone_outlines_never_join_a_ring_to_the_next() -> None:
    import numpy as np
    import shapely

    from gltd.mapsheet.draw import outline_rings

    donut = shapely.box(0, 0, 100, 100).difference(shapely.box(40, 40, 60, 60))
    pair = shapely.MultiPolygon([shapely.box(200, 0, 210, 10), shapely.box(300, 0, 310, 10)])
    rings = outline_rings([donut, pair])
    assert len(rings) == 4  # outer ring and hole, then the two parts
    for r in rings:
        assert np.array_equal(r[0], r[-1])  # each ring closed on itself
        assert np.ptp(r[:, 0]) <= 100  # no segment from one ring to another
