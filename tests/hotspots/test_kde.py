"""Binned KDE against direct Gaussian summation; grid aggregation and bad input."""

from __future__ import annotations

import numpy as np
import pytest

from gltd.analysis.events import EventSet
from gltd.analysis.grid import grid_counts, make_grid, zone_counts
from gltd.analysis.kde import bandwidth_rule, kde_direct, kde_events, kde_grid
from gltd.errors import InputError


def _points(seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = np.concatenate(
        [
            rng.normal(619_000, 800, 300),
            rng.normal(622_000, 300, 200),
            rng.uniform(617e3, 624e3, 50),
        ]
    )
    y = np.concatenate(
        [
            rng.normal(6_754_000, 800, 300),
            rng.normal(6_755_000, 300, 200),
            rng.uniform(6.753e6, 6.757e6, 50),
        ]
    )
    return x, y


@pytest.mark.parametrize(
    ("cell", "h"), [(250, 300), (100, 300), (250, 100), (50, 300), (250, 1000)]
)
def test_kde_matches_direct_summation(cell: float, h: float) -> None:
    x, y = _points()
    g = make_grid((x.min() - 3 * h, y.min() - 3 * h, x.max() + 3 * h, y.max() + 3 * h), cell)
    r = kde_grid(x, y, g, h)
    xc, yc = g.centres()
    direct = kde_direct(x, y, xc, yc, h).reshape(g.shape)
    assert np.abs(r.density - direct).max() <= 1e-3 * direct.max()
    # Mass: the density integrates to n (events per km² × km² per cell).
    assert r.density.sum() * (cell / 1000) ** 2 == pytest.approx(len(x), rel=2e-2)


def test_kde_direct_single_point_by_hand() -> None:
    # One event at the origin, h = 100 m: f(0) = 1/(2π·100²) per m² = 15.915… per km².
    v = kde_direct(
        np.array([0.0]), np.array([0.0]), np.array([0.0, 100.0]), np.array([0.0, 0.0]), 100
    )
    assert v[0] == pytest.approx(1e6 / (2 * np.pi * 1e4), rel=1e-12)
    assert v[1] == pytest.approx(v[0] * np.exp(-0.5), rel=1e-12)


def test_bandwidth_rule_by_hand() -> None:
    # Square of side 100: SD = √(2·50²) = 70.71, Dm = 70.71, √(1/ln2)·Dm = 84.93;
    # h = 0.9 × 70.71 × 4^-0.2 = 48.24.
    h = bandwidth_rule(np.array([0.0, 100, 0, 100]), np.array([0.0, 0, 100, 100]))
    assert h == pytest.approx(0.9 * np.sqrt(5000) * 4**-0.2, rel=1e-12)


def test_kde_events_method_block() -> None:
    x, y = _points()
    r = kde_events(EventSet.from_arrays(x, y), 250)
    assert r.method["bandwidth_rule"].startswith("Silverman spatial")
    assert r.method["unit"] == "faits par km²"
    assert r.n == len(x)


def test_grid_counts_and_snapping() -> None:
    ev = EventSet.from_arrays([610.0, 740.0, 1010.0, 1260.0], [10.0, 240.0, 260.0, 10.0])
    gc = grid_counts(ev, 250.0)
    assert (gc.grid.x0, gc.grid.y0) == (500.0, 0.0)
    assert gc.counts.tolist() == [[2, 0, 0, 1], [0, 0, 1, 0]]
    assert gc.n == 4
    other = grid_counts(ev, 250.0, grid=make_grid((0, 0, 800, 300), 250))
    assert other.n == 2 and other.n_outside == 2
    assert zone_counts(np.array([3, 3, 7, -1]), [7, 3, 9]).tolist() == [1, 2, 0]


def test_unprojected_coordinates_are_refused() -> None:
    ev = EventSet.from_arrays([1.90, 1.91, 1.93], [47.90, 47.91, 47.83])
    with pytest.raises(InputError, match="ressemblent à des degrés"):
        grid_counts(ev, 250)
    with pytest.raises(InputError, match="ressemblent à des degrés"):
        kde_events(ev, 250, 300)
    geo = EventSet.from_arrays([600000.0], [6700000.0], crs="EPSG:4326")
    with pytest.raises(InputError, match="en degrés"):
        grid_counts(geo, 250)


def test_grid_too_large_is_refused_with_numbers() -> None:
    with pytest.raises(InputError, match=r"grille trop grande : 400001 × 400001 .* Go"):
        make_grid((0, 0, 100_000_000, 100_000_000), 250)


def test_empty_and_single_event() -> None:
    empty = EventSet.from_arrays([], [])
    with pytest.raises(InputError, match="aucun fait"):
        grid_counts(empty, 250)
    with pytest.raises(InputError, match="aucun fait"):
        kde_events(empty, 250, 300)
    one = EventSet.from_arrays([619000.0], [6754000.0])
    with pytest.raises(InputError, match="un seul fait"):
        kde_events(one, 250)
    with pytest.raises(InputError, match="même endroit"):
        bandwidth_rule(np.array([5.0, 5.0]), np.array([1.0, 1.0]))
