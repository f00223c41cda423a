"""Which points fall in which camera fields of view (vectorised).

A field of view is a circular sector: the camera at ``(cx, cy)`` sees the points at a
distance ``d ≤ r`` (its range) whose bearing ``θ`` (degrees clockwise from north,
``θ = atan2(dx, dy)``) lies within half the field angle ``α`` of its heading ``h``:

``|((θ − h + 180) mod 360) − 180| ≤ α / 2``.

A dome (``α ≥ 360`` or no heading) sees the whole disc. The point at the camera itself is
seen. Candidate pairs come from a k-d tree range query (SciPy ``cKDTree``), the angular
test is vectorised over all pairs: no Python loop over points or cameras.

The brute-force reference is Shapely's point-in-polygon on the sector polygons built by
:func:`gltd.cctv.fov.fov_polygon` (tested in ``tests/cctv/test_coverage.py``).

References
----------
Bentley, J. L. (1975). Multidimensional binary search trees used for associative
searching. *Communications of the ACM* 18(9), 509–517 (the k-d tree).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import sparse
from scipy.spatial import cKDTree

__all__ = ["Coverage", "coverage_matrix", "in_sector"]


@dataclass(frozen=True, eq=False)
class Coverage:
    """Incidence of points in fields of view.

    Attributes
    ----------
    matrix : scipy.sparse.csr_matrix of bool, shape (n_views, n_points)
        ``matrix[j, i]`` is true when point ``i`` lies in field of view ``j``.
    n_views, n_points : int
    params : dict
        The method and its conventions (for the ``method`` block of JSON outputs).
    """

    matrix: sparse.csr_matrix
    n_views: int
    n_points: int
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def covered(self) -> np.ndarray:
        """Boolean per point: inside at least one field of view."""
        return self.views_per_point > 0

    @property
    def views_per_point(self) -> np.ndarray:
        """Number of fields of view containing each point."""
        return np.asarray(self.matrix.sum(axis=0)).ravel().astype("int64")

    @property
    def points_per_view(self) -> np.ndarray:
        """Number of points in each field of view."""
        return np.diff(self.matrix.indptr).astype("int64")

    def weight_per_view(self, weights: np.ndarray) -> np.ndarray:
        """Sum of point weights inside each field of view."""
        w = np.asarray(weights, dtype="float64")
        return np.asarray(self.matrix.astype("float64") @ w).ravel()


def in_sector(
    px: np.ndarray,
    py: np.ndarray,
    cx: float | np.ndarray,
    cy: float | np.ndarray,
    heading_deg: float | np.ndarray | None,
    field_angle_deg: float | np.ndarray,
    range_m: float | np.ndarray,
) -> np.ndarray:
    """Element-wise test: is point ``(px, py)`` in the sector of camera ``(cx, cy)``?

    All arguments broadcast together. A ``None`` or NaN heading, or a field angle of at
    least 360°, means a dome (full disc).

    Examples
    --------
    >>> import numpy as np
    >>> in_sector(np.array([0.0, 10.0]), np.array([10.0, 0.0]), 0.0, 0.0, 0.0, 90.0, 20.0)
    array([ True, False])
    """
    dx = np.asarray(px, dtype="float64") - np.asarray(cx, dtype="float64")
    dy = np.asarray(py, dtype="float64") - np.asarray(cy, dtype="float64")
    r = np.asarray(range_m, dtype="float64")
    inside = dx * dx + dy * dy <= r * r
    angle = np.asarray(field_angle_deg, dtype="float64")
    heading = np.asarray(np.nan if heading_deg is None else heading_deg, dtype="float64")
    dome = (angle >= 360.0) | np.isnan(heading)
    bearing = np.degrees(np.arctan2(dx, dy))
    diff = np.abs(np.mod(bearing - np.nan_to_num(heading) + 180.0, 360.0) - 180.0)
    at_camera = (dx == 0.0) & (dy == 0.0)
    # A tiny tolerance keeps points exactly on a sector edge inside despite rounding.
    return inside & (dome | at_camera | (diff <= angle / 2.0 + 1e-9))


def coverage_matrix(
    points_x: np.ndarray,
    points_y: np.ndarray,
    view_x: np.ndarray,
    view_y: np.ndarray,
    *,
    range_m: float | np.ndarray,
    heading_deg: np.ndarray | None = None,
    field_angle_deg: float | np.ndarray = 360.0,
) -> Coverage:
    """Which points lie in which fields of view.

    Parameters
    ----------
    points_x, points_y : arrays of float, length n
        Points in a metric CRS (metres).
    view_x, view_y : arrays of float, length m
        Camera (or candidate site) positions in the same CRS.
    range_m : float or array of length m
        Range of each view in metres.
    heading_deg : array of length m, optional
        Heading in degrees clockwise from north; NaN (or None for all) means a dome.
    field_angle_deg : float or array of length m
        Field angle in degrees (360 for a dome).

    Returns
    -------
    Coverage
        Sparse (m × n) incidence matrix and counts.
    """
    px = np.asarray(points_x, dtype="float64")
    py = np.asarray(points_y, dtype="float64")
    vx = np.asarray(view_x, dtype="float64")
    vy = np.asarray(view_y, dtype="float64")
    n, m = len(px), len(vx)
    if len(py) != n or len(vy) != m:
        raise ValueError("coverage_matrix: x and y arrays must have the same length")
    ranges = np.broadcast_to(np.asarray(range_m, dtype="float64"), (m,)).copy()
    if np.any(ranges < 0) or not np.all(np.isfinite(ranges)):
        raise ValueError("coverage_matrix: ranges must be finite and non-negative")
    angles = np.broadcast_to(np.asarray(field_angle_deg, dtype="float64"), (m,))
    headings = (
        np.full(m, np.nan)
        if heading_deg is None
        else np.broadcast_to(np.asarray(heading_deg, dtype="float64"), (m,))
    )
    params = {
        "method": "secteur circulaire (distance ≤ portée et écart angulaire ≤ angle/2)",
        "index": "scipy.spatial.cKDTree",
        "heading": "degrés dans le sens horaire depuis le nord",
        "dome": "sans orientation ou angle ≥ 360° : disque entier de rayon la portée",
        "edges": "points sur l'arc ou sur un bord du secteur comptés dedans (tolérance 1e-9°)",
        "n_views": m,
        "n_points": n,
    }
    if n == 0 or m == 0:
        empty = sparse.csr_matrix((m, n), dtype=bool)
        return Coverage(empty, m, n, params)
    tree = cKDTree(np.column_stack([px, py]))
    # Slightly enlarged radius so that points exactly on the arc are not lost to
    # rounding; the exact test below decides.
    hits = tree.query_ball_point(np.column_stack([vx, vy]), r=ranges * (1 + 1e-12) + 1e-9)
    lengths = np.fromiter((len(h) for h in hits), dtype="int64", count=m)
    if lengths.sum() == 0:
        return Coverage(sparse.csr_matrix((m, n), dtype=bool), m, n, params)
    cols = np.concatenate([np.asarray(h, dtype="int64") for h in hits])
    rows = np.repeat(np.arange(m, dtype="int64"), lengths)
    keep = in_sector(
        px[cols], py[cols], vx[rows], vy[rows], headings[rows], angles[rows], ranges[rows]
    )
    rows, cols = rows[keep], cols[keep]
    mat = sparse.csr_matrix(
        (np.ones(len(rows), dtype=bool), (rows, cols)), shape=(m, n), dtype=bool
    )
    mat.sort_indices()
    return Coverage(mat, m, n, params)
