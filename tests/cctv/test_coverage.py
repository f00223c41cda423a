"""Coverage of points by fields of view: vectorised test vs Shapely point-in-polygon."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from shapely.geometry import Point

from gltd.analysis.coverage import coverage_matrix, in_sector
from gltd.cctv.fov import coverage_union, fov_polygon


def test_hand_computed_sector() -> None:
    # Camera at the origin looking east (90°), 90° opening, 10 m range.
    px = np.array([5.0, 0.0, -5.0, 7.0, 7.0, 0.0, 11.0])
    py = np.array([0.0, 5.0, 0.0, 7.0, -7.0, 0.0, 0.0])
    got = in_sector(px, py, 0.0, 0.0, 90.0, 90.0, 10.0)
    # (5,0) ahead; (0,5) north: 90° off, outside; (-5,0) behind; (7,7) on the 45° edge,
    # distance 9.9; (7,-7) other edge; the camera point; (11,0) beyond range.
    assert got.tolist() == [True, False, False, True, True, True, False]


def test_heading_wraps_around_north() -> None:
    # Looking north-north-west (350°) with 40°: sees bearings 330..10.
    ang = np.radians([335.0, 5.0, 15.0, 325.0])
    got = in_sector(10 * np.sin(ang), 10 * np.cos(ang), 0.0, 0.0, 350.0, 40.0, 20.0)
    assert got.tolist() == [True, True, False, False]


def test_dome_sees_the_disc() -> None:
    got = in_sector(np.array([3.0, -3.0, 0.0]), np.array([0.0, 0.0, 4.0]), 0, 0, None, 360, 3.5)
    assert got.tolist() == [True, True, False]


def test_coverage_counts_equal_brute_force_point_in_polygon() -> None:
    rng = np.random.default_rng(7)
    n, m = 4000, 40
    px, py = rng.uniform(0, 1000, n), rng.uniform(0, 1000, n)
    cx, cy = rng.uniform(100, 900, m), rng.uniform(100, 900, m)
    heading = rng.uniform(0, 360, m)
    heading[::5] = np.nan  # domes
    angle = rng.choice([45.0, 60.0, 90.0, 120.0, 360.0], m)
    rng_m = rng.uniform(40, 150, m)
    cov = coverage_matrix(px, py, cx, cy, range_m=rng_m, heading_deg=heading, field_angle_deg=angle)

    polys = [
        fov_polygon(cx[j], cy[j], None if np.isnan(heading[j]) else heading[j], angle[j], rng_m[j])
        for j in range(m)
    ]
    dense = cov.matrix.toarray()
    brute = np.zeros((m, n), dtype=bool)
    near_edge = np.zeros(n, dtype=bool)
    for j, poly in enumerate(polys):
        brute[j] = shapely.contains_xy(poly, px, py)
        # The polygon follows chords between arc vertices (≤ 8 mm inside the arc at
        # 150 m): points that close to an edge are decided by the rounding, not the method.
        near_edge |= shapely.distance(poly.boundary, shapely.points(px, py)) < 0.01
    assert near_edge.sum() < 5
    keep = ~near_edge
    assert np.array_equal(dense[:, keep], brute[:, keep])
    assert np.array_equal(cov.points_per_view, dense.sum(axis=1))
    assert cov.covered.sum() > 100  # the test is not vacuous
    union = coverage_union(polys)
    assert np.array_equal(cov.covered[keep], shapely.contains_xy(union, px, py)[keep])


def test_empty_inputs() -> None:
    cov = coverage_matrix(np.array([]), np.array([]), np.array([0.0]), np.array([0.0]), range_m=5)
    assert cov.matrix.shape == (1, 0) and cov.covered.size == 0
    cov = coverage_matrix(np.array([1.0]), np.array([1.0]), np.array([]), np.array([]), range_m=5)
    assert cov.covered.tolist() == [False]


def test_weights_per_view() -> None:
    cov = coverage_matrix(
        np.array([0.0, 1.0, 50.0]), np.array([0.0, 0.0, 0.0]), np.array([0.0, 50.0]),
        np.array([0.0, 0.0]), range_m=5.0,
    )  # fmt: skip
    assert cov.weight_per_view(np.array([1.0, 2.0, 4.0])).tolist() == [3.0, 4.0]
    assert cov.views_per_point.tolist() == [1, 1, 1]


def test_fov_polygon_area_close_to_sector() -> None:
    p = fov_polygon(0, 0, 30.0, 60.0, 100.0)
    assert p.area == pytest.approx(np.pi * 100**2 / 6, rel=1e-3)
    assert p.contains(Point(0.1 * np.sin(np.radians(30)), 0.1 * np.cos(np.radians(30))))
