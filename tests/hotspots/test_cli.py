"""`gltd hotspots` on real files: outputs, method block, and bad input without traceback."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from typer.testing import CliRunner

from gltd.analysis.gistar import gi_star_grid
from gltd.analysis.grid import make_grid
from gltd.cli.main import app

runner = CliRunner()


def _write_points(path: Path, n: int = 300, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    k = n // 3
    x = np.r_[rng.normal(619_500, 150, k), rng.uniform(617_000, 622_000, n - k)]
    y = np.r_[rng.normal(6_754_000, 150, k), rng.uniform(6_752_000, 6_756_000, n - k)]
    days = pd.date_range("2018-01-01", "2018-09-23", periods=n).strftime("%Y-%m-%d %H:%M")
    frame = pd.DataFrame({"x": x, "y": y, "date": days, "categorie": "trafic_stupefiants"})
    frame.to_csv(path, index=False)
    return frame


def _run(*args: str) -> object:
    return runner.invoke(app, ["hotspots", *args])


def test_gistar_json_has_method_block_and_every_cell(tmp_path: Path) -> None:
    src = tmp_path / "faits.csv"
    frame = _write_points(src)
    out = tmp_path / "gi.json"
    r = _run(str(src), "--method", "gistar", "--cell", "250", "--weights", "distance:500",
             "--out", str(out))  # fmt: skip
    assert r.exit_code == 0, r.output
    data = json.loads(out.read_text())
    m = data["method"]
    assert m["cell_m"] == 250 and m["n"] == len(frame)
    # Nothing said the x/y columns were Lambert-93: the block does not pretend it.
    assert m["crs"].startswith("non précisé") and "tels que donnés" in m["crs"]
    assert "source_crs" not in m
    assert m["correction"] == "fdr_bh"
    assert m["weights"]["distance_m"] == 500
    grid = make_grid((frame.x.min(), frame.y.min(), frame.x.max(), frame.y.max()), 250)
    assert len(data["cells"]) == grid.n_cells
    cell = data["cells"][0]
    assert set(cell) >= {"id", "x", "y", "count", "statistic", "p_value", "class"}
    counts = np.array([c["count"] for c in data["cells"]]).reshape(grid.shape)
    assert counts.sum() == len(frame)
    ref = gi_star_grid(counts, 250, distance=500)
    assert_allclose([c["statistic"] for c in data["cells"]], ref.z.ravel(), atol=1e-12)
    assert [c["class"] for c in data["cells"]] == ref.hot_cold_class.ravel().tolist()
    assert data["summary"]["n_hot"] > 0


def test_kde_outputs_tif_png_geojson_gpkg(tmp_path: Path) -> None:
    import pyogrio
    import rasterio

    src = tmp_path / "faits.csv"
    _write_points(src)
    for fmt in ("tif", "png", "geojson", "gpkg", "json"):
        out = tmp_path / f"kde.{fmt}"
        r = _run(str(src), "--method", "kde", "--bandwidth", "300", "--out", str(out))
        assert r.exit_code == 0, r.output
        assert out.stat().st_size > 0
    with rasterio.open(tmp_path / "kde.tif") as ds:
        assert ds.crs.to_epsg() == 2154
        band = ds.read(1)
    data = json.loads((tmp_path / "kde.json").read_text())
    assert data["method"]["bandwidth_m"] == 300
    assert data["method"]["bandwidth_rule"] == "donnée"
    dens = np.array([c["statistic"] for c in data["cells"]])
    assert band.max() == pytest.approx(dens.max(), rel=1e-6)
    assert (tmp_path / "kde.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    gj = json.loads((tmp_path / "kde.geojson").read_text())
    lon, lat = gj["features"][0]["geometry"]["coordinates"][0][0]
    assert 1.0 < lon < 3.0 and 47.0 < lat < 48.5  # WGS84 around Orléans
    info = pyogrio.read_info(tmp_path / "kde.gpkg", layer="hotspots_kde")
    assert info["features"] == len(data["cells"])


@pytest.mark.parametrize("method", ["lisa", "emerging", "compare"])
def test_other_methods_run_on_a_file(tmp_path: Path, method: str) -> None:
    src = tmp_path / "faits.csv"
    _write_points(src, n=400)
    out = tmp_path / f"{method}.json"
    r = _run(str(src), "--method", method, "--period", "2018-05-01..2018-09-23",
             "--compare-to", "2018-01-01..2018-04-30", "--step", "week", "--out", str(out))  # fmt: skip
    assert r.exit_code == 0, r.output
    data = json.loads(out.read_text())
    assert data["method"]["name"] == method
    assert data["method"]["period"]["label"] == "du 01/05/2018 au 23/09/2018"
    if method == "compare":
        assert data["method"]["compare_to"]["label"] == "du 01/01/2018 au 30/04/2018"
        assert data["summary"]["centre_shifts"][0]["zone"] == "ensemble"
        assert 0 <= data["summary"]["sppt"]["cells"]["s_index"] <= 1
    if method == "emerging":
        assert len(data["method"]["steps"]) == 20  # 20 full weeks counted back from the end


def test_lonlat_columns_are_projected(tmp_path: Path) -> None:
    src = tmp_path / "lonlat.csv"
    rng = np.random.default_rng(1)
    pd.DataFrame(
        {"lon": 1.90 + rng.normal(0, 0.01, 80), "lat": 47.90 + rng.normal(0, 0.01, 80)}
    ).to_csv(src, index=False)
    out = tmp_path / "d.json"
    r = _run(str(src), "--method", "kde", "--out", str(out))
    assert r.exit_code == 0, r.output
    m = json.loads(out.read_text())["method"]
    assert 600_000 < m["grid"]["bounds"][0] < 625_000  # Lambert-93 x of Orléans


def _bad(tmp_path: Path, frame: pd.DataFrame, *args: str) -> str:
    src = tmp_path / "bad.csv"
    frame.to_csv(src, index=False)
    out = tmp_path / "out.json"
    r = _run(str(src), *args, "--out", str(out))
    assert r.exit_code == 2, r.output
    assert "Traceback" not in r.output
    assert not out.exists()  # never half a result
    assert list(tmp_path.glob(".out-*")) == []
    return " ".join(r.output.split())


def test_degrees_in_xy_columns_are_refused(tmp_path: Path) -> None:
    msg = _bad(tmp_path, pd.DataFrame({"x": [1.90, 1.91, 1.93], "y": [47.9, 47.91, 47.83]}))
    assert "ressemblent à des degrés" in msg and "lon et lat" in msg


def test_empty_period_is_refused(tmp_path: Path) -> None:
    frame = pd.DataFrame({"x": [619e3, 620e3], "y": [6754e3, 6755e3], "date": ["2018-01-02"] * 2})
    msg = _bad(tmp_path, frame, "--period", "2019-01-01..2019-02-01")
    assert "aucun fait sur la période du 01/01/2019 au 01/02/2019" in msg


def test_single_event_is_refused(tmp_path: Path) -> None:
    msg = _bad(tmp_path, pd.DataFrame({"x": [619e3], "y": [6754e3]}), "--method", "kde")
    assert "un seul fait" in msg


def test_all_events_in_one_cell_are_refused(tmp_path: Path) -> None:
    frame = pd.DataFrame({"x": [619_010.0, 619_020, 619_030], "y": [6_754_010.0] * 3})
    msg = _bad(tmp_path, frame, "--method", "gistar")
    assert "tombent tous dans une seule cellule de 250 m" in msg


def test_grid_too_large_is_refused_with_numbers(tmp_path: Path) -> None:
    frame = pd.DataFrame({"x": [100_000.0, 1_200_000], "y": [6_100_000.0, 7_100_000]})
    msg = _bad(tmp_path, frame, "--method", "gistar", "--cell", "1")
    assert "grille trop grande : 1100001 × 1000001" in msg and "Go" in msg


def test_bad_options_are_refused(tmp_path: Path) -> None:
    frame = pd.DataFrame({"x": [619e3, 620e3, 621e3], "y": [6754e3, 6755e3, 6756e3]})
    assert "voisinage illisible" in _bad(tmp_path, frame, "--weights", "queen")
    assert "méthode inconnue" in _bad(tmp_path, frame, "--method", "hexbin")
    assert "période illisible" in _bad(tmp_path, frame, "--period", "2018")


def test_xy_in_utm_with_crs_are_projected_and_said(tmp_path: Path) -> None:
    from pyproj import Transformer

    l93 = tmp_path / "l93.csv"
    frame = _write_points(l93)
    utm = tmp_path / "utm.csv"
    ux, uy = Transformer.from_crs("EPSG:2154", "EPSG:32631", always_xy=True).transform(
        frame.x.to_numpy(), frame.y.to_numpy()
    )
    frame.assign(x=ux, y=uy).to_csv(utm, index=False)
    out_utm, out_l93 = tmp_path / "utm.json", tmp_path / "l93.json"
    r = _run(str(utm), "--crs", "EPSG:32631", "--method", "gistar", "--out", str(out_utm))
    assert r.exit_code == 0, r.output
    r = _run(str(l93), "--crs", "EPSG:2154", "--method", "gistar", "--out", str(out_l93))
    assert r.exit_code == 0, r.output
    a, b = json.loads(out_utm.read_text()), json.loads(out_l93.read_text())
    assert a["method"]["crs"] == b["method"]["crs"] == "EPSG:2154"
    assert a["method"]["source_crs"].startswith("EPSG:32631 (--crs)")
    assert a["method"]["grid"]["bounds"] == b["method"]["grid"]["bounds"]
    assert [c["count"] for c in a["cells"]] == [c["count"] for c in b["cells"]]


def test_crs_is_refused_where_it_means_nothing(tmp_path: Path) -> None:
    ll = pd.DataFrame({"lon": [1.90, 1.91, 1.92], "lat": [47.90, 47.91, 47.92]})
    assert "réservé aux colonnes x/y" in _bad(tmp_path, ll, "--crs", "EPSG:2154")
    xy = pd.DataFrame({"x": [619e3, 620e3, 621e3], "y": [6754e3, 6755e3, 6756e3]})
    msg = _bad(tmp_path, xy, "--crs", "EPSG:999999")
    assert "système de coordonnées inconnu : « EPSG:999999 »" in msg
    r = _run("--db", "sqlite:///nulle-part.db", "--crs", "EPSG:2154", "--out", "x.json")
    assert r.exit_code == 2 and "réservé aux colonnes x/y" in r.output
