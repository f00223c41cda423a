"""Gi* and LISA on zones (polygons): against PySAL esda/libpysal with the same weights, counts
against a brute-force point-in-polygon, the CLI on a real database and on files, bad input."""

from __future__ import annotations

import json
import warnings
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import shapely
import shapely.ops
from numpy.testing import assert_allclose, assert_array_equal
from pyproj import Transformer
from shapely.geometry import Point, box
from sqlalchemy import select
from typer.testing import CliRunner

from gltd.analysis.events import EventSet
from gltd.analysis.grid import locate_in_zones
from gltd.analysis.weights import contiguity, islands, parse_weights
from gltd.cli.main import app
from gltd.errors import InputError
from gltd.hotspots import run_hotspots_db
from gltd.hotspots.zones import run_hotspots_zones
from gltd.mapping.zones import read_zones_file
from gltd.model import AnalysisRun, Incident, Zone
from gltd.store.engine import make_engine, session_scope

esda = pytest.importorskip("esda")
libpysal = pytest.importorskip("libpysal")
gpd = pytest.importorskip("geopandas")

X0, Y0 = 617_000.0, 6_752_000.0  # Lambert-93, Orléans
SIDE = 500.0
TO_WGS = Transformer.from_crs("EPSG:2154", "EPSG:4326", always_xy=True)
runner = CliRunner()


# --- zones and events built in the test ------------------------------------------------


def lattice(n: int = 6) -> Any:
    """n × n square zones of 500 m, ids 1…n², row by row from the south-west."""
    geoms = [
        box(X0 + i * SIDE, Y0 + j * SIDE, X0 + (i + 1) * SIDE, Y0 + (j + 1) * SIDE)
        for j in range(n)
        for i in range(n)
    ]
    return gpd.GeoDataFrame(
        {
            "id": np.arange(1, n * n + 1),
            "name": [f"Z{k}" for k in range(1, n * n + 1)],
            "kind": "quartier",
            "code": None,
        },
        geometry=geoms,
        crs="EPSG:2154",
    )


def irregular(seed: int = 4) -> Any:
    """25 Voronoi cells clipped to a 3 km square, plus one far-away zone (an island for
    contiguity)."""
    rng = np.random.default_rng(seed)
    pts = shapely.MultiPoint(
        np.column_stack([rng.uniform(X0, X0 + 3000, 25), rng.uniform(Y0, Y0 + 3000, 25)])
    )
    frame = box(X0, Y0, X0 + 3000, Y0 + 3000)
    cells = [c.intersection(frame) for c in shapely.voronoi_polygons(pts, extend_to=frame).geoms]
    cells = [c for c in cells if c.area > 0]
    cells.append(box(X0 + 5000, Y0 + 5000, X0 + 5400, Y0 + 5300))
    n = len(cells)
    return gpd.GeoDataFrame(
        {"id": np.arange(101, 101 + n), "name": [f"V{k}" for k in range(n)], "kind": "iris"},
        geometry=cells,
        crs="EPSG:2154",
    ).assign(code=None)


def points(n: int = 600, seed: int = 0, span: float = 3000.0) -> tuple[np.ndarray, np.ndarray]:
    """A concentration around (1500, 1500) m from the corner, plus a uniform background."""
    rng = np.random.default_rng(seed)
    k = n // 3
    x = np.r_[rng.normal(X0 + 1500, 350, k), rng.uniform(X0, X0 + span, n - k)]
    y = np.r_[rng.normal(Y0 + 1500, 350, k), rng.uniform(Y0, Y0 + span, n - k)]
    return x, y


def brute_force_counts(x: np.ndarray, y: np.ndarray, geoms: list[Any]) -> np.ndarray:
    """For each point, every polygon touching it (boundary included); the smallest wins,
    then the first — the rule documented for gltd import and gltd hotspots."""
    counts = np.zeros(len(geoms), dtype=int)
    for px, py in zip(x, y, strict=True):
        p = Point(px, py)
        hits = [i for i, g in enumerate(geoms) if g.intersects(p)]
        if hits:
            counts[min(hits, key=lambda i: (geoms[i].area, i))] += 1
    return counts


def g_local(y: np.ndarray, w: Any) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return esda.G_Local(y, w, star=True, transform="B", permutations=0)


def pysal_weights(zones: Any, spec: str) -> Any:
    """The libpysal W the zone run should use, built independently with libpysal."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if spec in ("queen", "rook"):
            cls = libpysal.weights.Queen if spec == "queen" else libpysal.weights.Rook
            return cls.from_dataframe(zones, use_index=False)
        c = zones.geometry.centroid
        xy = np.column_stack([c.x, c.y])
        kind, _, val = spec.partition(":")
        if kind == "knn":
            return libpysal.weights.KNN.from_array(xy, k=int(val))
        return libpysal.weights.DistanceBand(xy, threshold=float(val), binary=True)


# --- known values ----------------------------------------------------------------------


def test_queen_contiguity_of_the_lattice_is_libpysals_lat2w() -> None:
    # libpysal.weights.lat2W(6, 6, rook=False): the queen lattice, ids row by row.
    w = contiguity(lattice().geometry)
    ref = libpysal.weights.lat2W(6, 6, rook=False).sparse.toarray()
    assert_array_equal(w.toarray(), ref)
    assert np.diff(w.indptr).tolist()[:7] == [3, 5, 5, 5, 5, 3, 5]  # corners 3, edges 5
    rook = contiguity(lattice().geometry, rook=True)
    assert_array_equal(rook.toarray(), libpysal.weights.lat2W(6, 6, rook=True).sparse.toarray())


def test_gistar_on_a_lattice_equals_esda_g_local() -> None:
    zones = lattice()
    x, y = points()
    out = run_hotspots_zones(EventSet.from_arrays(x, y), zones, method="gistar")
    rec = out.document["zones"]
    counts = np.array([r["count"] for r in rec], dtype=float)
    assert_array_equal(counts, brute_force_counts(x, y, list(zones.geometry)))
    ref = g_local(counts, pysal_weights(zones, "queen"))  # esda 2.x, analytic Zs
    assert_allclose([r["statistic"] for r in rec], ref.Zs, rtol=0, atol=1e-9)
    assert_allclose([r["p_raw"] for r in rec], 2 * ref.p_norm, rtol=0, atol=1e-9)
    best = int(np.argmax(ref.Zs))
    assert rec[best]["class"] > 0 and out.document["summary"]["n_hot"] >= 1
    assert set(rec[0]) >= {"id", "name", "x", "y", "count", "statistic", "p_value", "class"}
    assert (rec[0]["x"], rec[0]["y"]) == pytest.approx((X0 + 250, Y0 + 250), abs=1e-6)
    m = out.document["method"]
    assert m["units"] == "zones" and m["weights"]["type"] == "contiguïté queen"
    assert m["n"] == len(x) and m["n_in_zones"] == len(x) and m["n_locations"] == 36


@pytest.mark.parametrize("spec", ["queen", "rook", "knn:4", "distance:1200"])
def test_gistar_on_irregular_zones_equals_esda_with_the_same_weights(spec: str) -> None:
    zones = irregular()
    x, y = points(800, seed=2)
    out = run_hotspots_zones(EventSet.from_arrays(x, y), zones, method="gistar", weights=spec)
    rec = out.document["zones"]
    counts = np.array([r["count"] for r in rec], dtype=float)
    ref = g_local(counts, pysal_weights(zones, spec))
    assert_allclose([r["statistic"] for r in rec], ref.Zs, rtol=0, atol=1e-9)
    if spec in ("queen", "rook", "distance:1200"):
        # The far zone has no neighbour: reported, z as esda (the zone alone), never classed.
        far = rec[-1]
        assert far["island"] is True and far["class"] == 0 and far["n_neighbours"] == 0
        assert out.document["summary"]["islands"] == [{"id": far["id"], "name": far["name"]}]
        assert "sans voisin" in out.document["summary"]["warnings"][0]
    else:
        assert out.document["summary"]["islands"] == []


def test_rate_per_area_is_counts_divided_by_km2() -> None:
    zones = irregular()
    x, y = points(800, seed=3)
    out = run_hotspots_zones(EventSet.from_arrays(x, y), zones, method="gistar", rate="area")
    rec = out.document["zones"]
    area = zones.geometry.area.to_numpy() / 1e6
    counts = brute_force_counts(x, y, list(zones.geometry))
    assert_allclose([r["area_km2"] for r in rec], area, rtol=1e-12)
    assert_allclose([r["rate_km2"] for r in rec], counts / area, rtol=1e-12)
    ref = g_local(counts / area, pysal_weights(zones, "queen"))
    assert_allclose([r["statistic"] for r in rec], ref.Zs, rtol=0, atol=1e-9)
    assert out.document["method"]["value"].startswith("faits par km²")


def test_counts_equal_brute_force_point_in_polygon_with_boundaries_and_outside() -> None:
    zones = irregular(seed=9)
    geoms = list(zones.geometry)
    rng = np.random.default_rng(5)
    x = rng.uniform(X0 - 500, X0 + 3500, 400)
    y = rng.uniform(Y0 - 500, Y0 + 3500, 400)
    # Points exactly on shared Voronoi vertices and edges, and on the frame.
    verts = np.array(geoms[0].exterior.coords[:-1])
    x = np.r_[x, verts[:, 0], X0, X0 + 1000]
    y = np.r_[y, verts[:, 1], Y0 + 700, Y0]
    expected = brute_force_counts(x, y, geoms)
    idx = locate_in_zones(x, y, geoms)
    assert_array_equal(np.bincount(idx[idx >= 0], minlength=len(geoms)), expected)
    out = run_hotspots_zones(EventSet.from_arrays(x, y), zones, method="gistar")
    assert [r["count"] for r in out.document["zones"]] == expected.tolist()
    n_out = len(x) - int(expected.sum())
    assert n_out > 0 and out.document["method"]["n_outside_zones"] == n_out
    assert f"{n_out} fait(s) hors de toutes les zones" in " ".join(
        out.document["summary"]["warnings"]
    )


def test_lisa_on_zones_equals_esda_moran_local_with_the_same_seed() -> None:
    # esda's numba engine: same permutations, same p_sim (compiles once, ~20 s).
    zones = lattice()
    x, y = points(700, seed=6)
    out = run_hotspots_zones(
        EventSet.from_arrays(x, y), zones, method="lisa", seed=2024, lisa_engine="esda"
    )
    rec = out.document["zones"]
    counts = np.array([r["count"] for r in rec], dtype=float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = esda.Moran_Local(
            counts, pysal_weights(zones, "queen"), transformation="r", permutations=999, seed=2024
        )
    assert_allclose([r["statistic"] for r in rec], ref.Is, rtol=0, atol=1e-9)
    assert_allclose([r["p_value"] for r in rec], ref.p_sim, rtol=0, atol=0)
    expected = np.where(ref.p_sim <= 0.05, ref.q, 0)
    assert [r["class"] for r in rec] == expected.tolist()
    assert out.document["method"]["engine"] == "esda"


def test_lisa_keeps_islands_out_and_reports_them() -> None:
    zones = irregular()
    x, y = points(800, seed=2)
    out = run_hotspots_zones(EventSet.from_arrays(x, y), zones, method="lisa", seed=1)
    rec = out.document["zones"]
    assert rec[-1]["island"] is True
    assert rec[-1]["statistic"] is None and rec[-1]["class"] == 0
    keep = zones.iloc[:-1]
    counts = np.array([r["count"] for r in rec[:-1]], dtype=float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = esda.Moran_Local(
            counts, pysal_weights(keep, "queen"), transformation="r", permutations=0
        )
    assert_allclose([r["statistic"] for r in rec[:-1]], ref.Is, rtol=0, atol=1e-9)
    assert out.document["method"]["n"] == len(x) and out.document["method"]["n_locations"] == 26


def test_islands_and_weights_parsing() -> None:
    w = contiguity([box(0, 0, 1, 1), box(1, 0, 2, 1), box(5, 5, 6, 6)])
    assert islands(w).tolist() == [2]
    assert parse_weights("queen", polygons=True).label() == "queen"
    with pytest.raises(InputError, match="ne s'applique qu'aux zones"):
        parse_weights("queen")


# --- CLI on a real database and on files ----------------------------------------------


def _seed_db(url: str, *, with_iris: bool = False) -> tuple[Any, np.ndarray, np.ndarray]:
    zones = lattice()
    x, y = points(500, seed=8)
    lon, lat = TO_WGS.transform(x, y)
    start = datetime(2018, 4, 1, 12, tzinfo=UTC)
    with session_scope(make_engine(url)) as s:
        for _, z in zones.iterrows():
            wkt = shapely.ops.transform(TO_WGS.transform, z.geometry).wkt
            s.add(Zone(name=z["name"], kind="quartier", geometry_wkt=wkt))
        if with_iris:  # an IRIS overlapping four quartiers
            big = box(X0 + 200, Y0 + 200, X0 + 800, Y0 + 800)
            wkt = shapely.ops.transform(TO_WGS.transform, big).wkt
            s.add(Zone(name="IRIS 0101", kind="iris", geometry_wkt=wkt))
        s.flush()
        for k in range(len(x)):
            s.add(
                Incident(
                    occurred_at=start + timedelta(hours=7 * k),
                    category="trafic_stupefiants",
                    lon=float(lon[k]),
                    lat=float(lat[k]),
                    x=float(x[k]),
                    y=float(y[k]),
                    source="test",
                    source_ref=f"z{k}",
                )
            )
    return zones, x, y


def _run(*args: str) -> Any:
    return runner.invoke(app, ["hotspots", *args])


def test_cli_zones_on_the_database(db_url: str, tmp_path: Path) -> None:
    import pyogrio

    zones, x, y = _seed_db(db_url, with_iris=True)
    out = tmp_path / "zones.json"
    r = _run("--db", db_url, "--units", "zones", "--zone-kind", "quartier", "--method",
             "gistar", "--categories", "stupefiants", "--out", str(out))  # fmt: skip
    assert r.exit_code == 0, r.output
    assert "36 zones (500 faits dans les zones)" in " ".join(r.output.split())
    data = json.loads(out.read_text())
    rec = data["zones"]
    counts = np.array([z["count"] for z in rec], dtype=float)
    assert_array_equal(counts, brute_force_counts(x, y, list(zones.geometry)))
    ref = g_local(counts, pysal_weights(zones, "queen"))
    assert_allclose([z["statistic"] for z in rec], ref.Zs, rtol=0, atol=1e-9)
    assert data["method"]["zones"]["source"] == "zones enregistrées de type quartier"
    assert [z["name"] for z in rec] == list(zones["name"])
    with make_engine(db_url).connect() as conn:
        runs = conn.execute(select(AnalysisRun.kind, AnalysisRun.params_json)).all()
    assert [k for k, _ in runs] == ["hotspots"]
    assert json.loads(runs[0][1])["units"] == "zones"
    for fmt in ("geojson", "gpkg", "png"):
        f = tmp_path / f"zones.{fmt}"
        r = _run("--db", db_url, "--units", "zones", "--zone-kind", "quartier", "--out", str(f))
        assert r.exit_code == 0, r.output
    gj = json.loads((tmp_path / "zones.geojson").read_text())
    assert len(gj["features"]) == 36 and gj["features"][0]["geometry"]["type"] == "Polygon"
    props = gj["features"][0]["properties"]
    assert {"zone_id", "name", "count", "statistic", "p_value", "class", "island"} <= set(props)
    lon, lat = gj["features"][0]["geometry"]["coordinates"][0][0]
    assert 1.8 < lon < 2.0 and 47.8 < lat < 48.0
    assert pyogrio.read_info(tmp_path / "zones.gpkg", layer="hotspots_gistar")["features"] == 36
    assert (tmp_path / "zones.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # Without --zone-kind, the overlapping IRIS and quartiers are refused with the kinds.
    bad = tmp_path / "bad.json"
    r = _run("--db", db_url, "--units", "zones", "--out", str(bad))
    assert r.exit_code == 2 and "Traceback" not in r.output
    msg = " ".join(r.output.split())
    assert "se chevauchent" in msg and "iris (1), quartier (36)" in msg and "--zone-kind" in msg
    assert not bad.exists()


def test_zones_file_overrides_stored_zones_on_the_database(sqlite_url: str, tmp_path: Path) -> None:
    zones, x, y = _seed_db(sqlite_url)
    zf = tmp_path / "iris.gpkg"
    irregular().to_file(zf, driver="GPKG")
    out = run_hotspots_db(
        make_engine(sqlite_url), method="gistar", units="zones", zones_file=zf, store=False
    )
    expected = brute_force_counts(x, y, list(irregular().geometry))
    assert [z["count"] for z in out.document["zones"]] == expected.tolist()
    assert out.document["method"]["zones"]["source"] == "fichier iris.gpkg"


def test_cli_zones_from_files_reprojects_lonlat_polygons(tmp_path: Path) -> None:
    zones = irregular()
    x, y = points(600, seed=12)
    src = tmp_path / "faits.csv"
    pd.DataFrame({"x": x, "y": y, "date": "2018-05-02"}).to_csv(src, index=False)
    zf = tmp_path / "zones.geojson"  # written in WGS84 degrees (RFC 7946)
    zones.rename(columns={"name": "nom", "kind": "type"}).to_crs("EPSG:4326").to_file(
        zf, driver="GeoJSON"
    )
    out = tmp_path / "z.json"
    r = _run(str(src), "--units", "zones", "--zones-file", str(zf), "--weights", "knn:4",
             "--rate", "area", "--out", str(out))  # fmt: skip
    assert r.exit_code == 0, r.output
    data = json.loads(out.read_text())
    back = read_zones_file(zf)
    assert back.crs.to_epsg() == 2154
    expected = brute_force_counts(x, y, list(back.geometry))
    assert [z["count"] for z in data["zones"]] == expected.tolist()
    assert expected.sum() == len(x)
    assert [z["name"] for z in data["zones"]] == list(zones["name"])
    assert_allclose(
        [z["area_km2"] for z in data["zones"]], zones.geometry.area / 1e6, rtol=1e-6
    )  # reprojected back to Lambert-93: same areas
    assert data["method"]["weights"]["k"] == 4
    assert data["method"]["value"].startswith("faits par km²")
    # With --zone-kind on the file's "type" column.
    r = _run(str(src), "--units", "zones", "--zones-file", str(zf), "--zone-kind", "iris",
             "--method", "lisa", "--out", str(tmp_path / "l.png"))  # fmt: skip
    assert r.exit_code == 0, r.output
    assert "Attention" in r.output and "sans voisin" in r.output  # the far zone


# --- bad input ------------------------------------------------------------------------


def _bad(tmp_path: Path, *args: str) -> str:
    out = tmp_path / "out.json"
    r = _run(*args, "--out", str(out))
    assert r.exit_code == 2, r.output
    assert "Traceback" not in r.output
    assert not out.exists()
    assert list(tmp_path.glob(".out-*")) == []
    return " ".join(r.output.split())


def _csv(tmp_path: Path) -> str:
    x, y = points(200, seed=1)
    src = tmp_path / "faits.csv"
    pd.DataFrame({"x": x, "y": y}).to_csv(src, index=False)
    return str(src)


def test_units_zones_without_stored_zones(sqlite_url: str, tmp_path: Path) -> None:
    msg = _bad(tmp_path, "--db", sqlite_url, "--units", "zones")
    assert "aucune zone enregistrée dans la base" in msg and "--zones-file" in msg


def test_unknown_zone_kind_lists_the_stored_kinds(sqlite_url: str, tmp_path: Path) -> None:
    _seed_db(sqlite_url)
    msg = _bad(tmp_path, "--db", sqlite_url, "--units", "zones", "--zone-kind", "iris")
    assert "aucune zone de type « iris »" in msg and "quartier (36)" in msg


def test_fewer_than_three_zones(tmp_path: Path) -> None:
    zf = tmp_path / "deux.geojson"
    lattice().iloc[:2].to_file(zf, driver="GeoJSON")
    msg = _bad(tmp_path, _csv(tmp_path), "--units", "zones", "--zones-file", str(zf))
    assert "2 zone(s) seulement" in msg and "au moins 3" in msg


def test_zones_file_without_polygons_is_refused(tmp_path: Path) -> None:
    zf = tmp_path / "points.geojson"
    gpd.GeoDataFrame(
        {"name": ["a", "b", "c"]},
        geometry=[Point(X0, Y0), Point(X0 + 1, Y0), Point(X0 + 2, Y0)],
        crs="EPSG:2154",
    ).to_file(zf, driver="GeoJSON")
    msg = _bad(tmp_path, _csv(tmp_path), "--units", "zones", "--zones-file", str(zf))
    assert "doit contenir des polygones" in msg and "géométries trouvées : Point" in msg
    assert "points.geojson" in msg


def test_zones_file_without_crs_is_refused(tmp_path: Path) -> None:
    zf = tmp_path / "sans_scr.gpkg"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pyogrio warns that the file has no CRS: the point
        lattice().set_crs(None, allow_override=True).to_file(zf, driver="GPKG")
    msg = _bad(tmp_path, _csv(tmp_path), "--units", "zones", "--zones-file", str(zf))
    assert "système de coordonnées absent du fichier de zones" in msg


def test_inconsistent_unit_options_are_refused(tmp_path: Path) -> None:
    src = _csv(tmp_path)
    zf = tmp_path / "z.geojson"
    lattice().to_file(zf, driver="GeoJSON")
    assert "--zones-file FICHIER" in _bad(tmp_path, src, "--units", "zones")
    msg = _bad(tmp_path, src, "--units", "zones", "--zones-file", str(zf), "--method", "kde")
    assert "non disponible sur des zones" in msg
    msg = _bad(tmp_path, src, "--rate", "area")
    assert "réservé à l'analyse par zones" in msg
    assert "voisinage illisible" in _bad(tmp_path, src, "--weights", "queen")
    assert "--units : « hexagones » inconnu" in _bad(tmp_path, src, "--units", "hexagones")
    out = tmp_path / "z.tif"
    r = _run(src, "--units", "zones", "--zones-file", str(zf), "--out", str(out))
    assert r.exit_code == 2 and "un raster n'existe que pour la grille" in r.output
    assert not out.exists()


def test_events_outside_every_zone_are_refused(tmp_path: Path) -> None:
    zf = tmp_path / "loin.geojson"
    far = lattice()
    far.set_geometry(far.translate(50_000, 0)).to_file(zf, driver="GeoJSON")
    msg = _bad(tmp_path, _csv(tmp_path), "--units", "zones", "--zones-file", str(zf))
    assert "aucun des 200 faits" in msg and "ne tombe dans les 36 zones" in msg


def test_invalid_polygon_in_a_zones_file_is_repaired(tmp_path: Path) -> None:
    zones = lattice(3)
    # A self-intersecting "bow tie" over the first square: make_valid gives two triangles.
    bow = shapely.Polygon([(X0, Y0), (X0 + SIDE, Y0 + SIDE), (X0 + SIDE, Y0), (X0, Y0 + SIDE)])
    assert not bow.is_valid
    zones.loc[0, "geometry"] = bow
    zf = tmp_path / "noeud.gpkg"
    zones.to_file(zf, driver="GPKG")
    back = read_zones_file(zf)
    assert back.geometry.is_valid.all()
    assert back.geometry.iloc[0].area == pytest.approx(SIDE * SIDE / 2)
