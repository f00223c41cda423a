"""Every ``method`` block of ``gltd hotspots`` says what the code did: each claim is checked
against an independent recomputation (one test per method, grid and zones)."""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy import sparse
from shapely.geometry import box

from gltd.analysis.events import EventSet
from gltd.analysis.fdr import bh_adjust
from gltd.analysis.gistar import classify, gi_star, gi_star_grid
from gltd.analysis.kde import bandwidth_rule
from gltd.analysis.lisa import local_moran_statistic
from gltd.analysis.weights import contiguity, distance_band, grid_disk
from gltd.hotspots import HotspotResult, run_hotspots
from gltd.hotspots.zones import run_hotspots_zones
from gltd.timeutil import make_period

X0, Y0 = 617_000.0, 6_752_000.0  # Lambert-93, Orléans
GI_SELF = "w_ii = 1"
NO_SELF = "w_ii = 0"


def _events(n: int = 500, seed: int = 3) -> EventSet:
    rng = np.random.default_rng(seed)
    k = n // 3
    x = np.r_[rng.normal(X0 + 2500, 150, k), rng.uniform(X0, X0 + 5000, n - k)]
    y = np.r_[rng.normal(Y0 + 2000, 150, k), rng.uniform(Y0, Y0 + 4000, n - k)]
    t = np.datetime64("2018-01-01T12:00", "ns") + (rng.uniform(0, 265, n) * 86400e9).astype(
        "timedelta64[ns]"
    )
    return EventSet.from_arrays(x, y, t)


def _cells(out: HotspotResult, field: str) -> np.ndarray:
    return np.array(
        [np.nan if c.get(field) is None else c[field] for c in out.document["cells"]], float
    )


def _common(out: HotspotResult, n: int) -> dict[str, Any]:
    m = out.document["method"]
    assert m["crs"] == "EPSG:2154" == out.grid.crs  # events built in Lambert-93
    assert m["n"] == n == out.n_events
    assert m["n_locations"] == len(out.document["cells"]) == out.grid.n_cells
    assert m["cell_m"] == out.grid.cell
    return m


def test_kde_block() -> None:
    ev = _events()
    out = run_hotspots(ev, method="kde", cell=100.0)
    m = _common(out, ev.n)
    assert "weights" not in m  # a kernel, no neighbourhood
    assert m["bandwidth_m"] == pytest.approx(bandwidth_rule(ev.x, ev.y), rel=1e-12)
    assert m["bandwidth_rule"].startswith("Silverman")
    assert m["unit"] == "faits par km²"
    # faits/km² × km² per cell = the events (the grid is padded: almost no mass lost).
    assert np.nansum(_cells(out, "statistic")) * (100.0 / 1000.0) ** 2 == pytest.approx(
        ev.n, rel=0.01
    )
    given = run_hotspots(ev, method="kde", cell=100.0, bandwidth=300.0).document["method"]
    assert given["bandwidth_m"] == 300.0 and given["bandwidth_rule"] == "donnée"


def test_gistar_block() -> None:
    ev = _events()
    out = run_hotspots(ev, method="gistar", cell=250.0, weights="distance:600")
    m = _common(out, ev.n)
    counts = _cells(out, "count")
    xy = out.grid.centres_flat()
    w = distance_band(xy, 600.0)  # no self-weight: gi_star adds w_ii = 1
    ref = gi_star(counts, w)
    assert m["weights"]["distance_m"] == 600.0 and GI_SELF in m["weights"]["self_weight"]
    assert_allclose(_cells(out, "statistic"), ref.z, atol=1e-9)
    # ... and not the statistic without the self-weight.
    assert m["kernel_cells"] == int(grid_disk(250.0, 600.0).sum())
    assert m["mean"] == pytest.approx(counts.mean()) and m["std"] == pytest.approx(counts.std())
    assert m["correction"] == "fdr_bh"
    p_raw = _cells(out, "p_raw")
    assert_allclose(_cells(out, "p_value"), bh_adjust(p_raw), atol=1e-12)
    assert_array_equal(_cells(out, "class"), classify(ref.z, bh_adjust(p_raw)))


def test_lisa_block_says_the_self_weight_is_left_out() -> None:
    ev = _events()
    out = run_hotspots(ev, method="lisa", cell=250.0, weights="distance:600", permutations=99)
    m = _common(out, ev.n)
    counts = _cells(out, "count")
    w = distance_band(out.grid.centres_flat(), 600.0)
    assert w.diagonal().sum() == 0
    local_i, _ = local_moran_statistic(counts, w)
    assert_allclose(_cells(out, "statistic"), local_i, atol=1e-9)
    with_self, _ = local_moran_statistic(counts, w + sparse.eye_array(w.shape[0]))
    assert not np.allclose(local_i, with_self)  # the claim matters
    assert NO_SELF in m["weights"]["self_weight"] and GI_SELF not in m["weights"]["self_weight"]
    assert m["weights_transform"] == "standardisation en ligne"
    assert m["permutations"] == 99 and m["correction"] == "aucune"
    cls, p = _cells(out, "class"), _cells(out, "p_value")
    assert_array_equal(cls != 0, p <= m["alpha"])


def test_emerging_block() -> None:
    ev = _events(n=900)
    period = make_period(date(2018, 1, 1), date(2018, 9, 22))
    out = run_hotspots(ev, method="emerging", cell=250.0, step="week", period=period)
    m = _common(out, ev.between(period.start, period.end).n)
    assert m["n_steps"] == len(m["steps"]) and m["step"] == "week"
    assert np.nansum(_cells(out, "count")) + m["n_excluded"] == m["n"]
    assert m["correction"] == "fdr_bh" and m["time_steps"] == 1
    # The space-time Gi* counts each cell among its neighbours (the disk's centre).
    disk = grid_disk(250.0, 500.0)
    assert disk[disk.shape[0] // 2, disk.shape[1] // 2] == 1
    assert GI_SELF in m["weights"]["self_weight"] and m["weights"]["distance_m"] == 500.0


def test_compare_block() -> None:
    ev = _events(n=900)
    period = make_period(date(2018, 5, 1), date(2018, 9, 22))
    ref = make_period(date(2018, 1, 1), date(2018, 4, 30))
    out = run_hotspots(ev, method="compare", cell=250.0, period=period, compare_to=ref)
    m = _common(out, ev.between(period.start, period.end).n)
    assert m["compare_to"]["label"] == ref.label()
    cells = out.document["cells"]
    assert m["n_after"] == sum(c["count"] for c in cells) == m["n"]
    assert m["n_before"] == sum(c["count_before"] for c in cells)
    assert m["hotspot_threshold"] == "classe Gi* ≥ 2 (95 %)"
    for c in cells:
        hot_b, hot_a = c["class_before"] >= 2, c["class_after"] >= 2
        want = {(True, True): "persistant", (False, True): "apparu", (True, False): "disparu"}
        assert c["class"] == want.get((hot_b, hot_a), "")
    counts = np.array([c["count"] for c in cells], float).reshape(out.grid.shape)
    gi = gi_star_grid(counts, 250.0, distance=500.0)
    assert_allclose(_cells(out, "statistic"), gi.z.ravel(), atol=1e-9)
    assert GI_SELF in m["gi_star"]["weights"]["self_weight"]


def _lattice() -> Any:
    import geopandas as gpd

    geoms = [
        box(X0 + i * 1000, Y0 + j * 1000, X0 + (i + 1) * 1000, Y0 + (j + 1) * 1000)
        for j in range(4)
        for i in range(5)
    ]
    return gpd.GeoDataFrame(
        {"id": np.arange(1, 21), "name": [f"Z{k}" for k in range(1, 21)], "kind": "quartier"},
        geometry=geoms,
        crs="EPSG:2154",
    )


@pytest.mark.parametrize("method", ["gistar", "lisa"])
def test_zones_block(method: str) -> None:
    ev, zones = _events(), _lattice()
    out = run_hotspots_zones(ev, zones, method=method, permutations=99)
    m = out.document["method"]
    assert m["units"] == "zones" and m["crs"] == "EPSG:2154"
    assert m["n"] == ev.n and m["n_in_zones"] + m["n_outside_zones"] == ev.n
    assert m["n_locations"] == m["zones"]["n_zones"] == 20
    counts = np.array([z["count"] for z in out.document["zones"]], float)
    assert counts.sum() == m["n_in_zones"]
    w = contiguity(list(zones.geometry))
    stat = np.array([z["statistic"] for z in out.document["zones"]], float)
    if method == "gistar":
        assert GI_SELF in m["weights"]["self_weight"] and m["self_weight"] == 1
        assert_allclose(stat, gi_star(counts, w).z, atol=1e-9)
    else:
        assert NO_SELF in m["weights"]["self_weight"]
        assert_allclose(stat, local_moran_statistic(counts, w)[0], atol=1e-9)


def test_block_and_caption_name_the_events_crs() -> None:
    from pyproj import Transformer

    ev = _events()
    ux, uy = Transformer.from_crs("EPSG:2154", "EPSG:32631", always_xy=True).transform(ev.x, ev.y)
    utm = EventSet.from_arrays(ux, uy, ev.t, crs="EPSG:32631")
    out = run_hotspots(utm, method="gistar")
    assert out.document["method"]["crs"] == "EPSG:32631" == out.grid.crs
    assert out.layers.caption.endswith("EPSG:32631.") and "Lambert" not in out.layers.caption
