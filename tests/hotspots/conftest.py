"""Fixtures of the hotspot tests: libpysal's bundled Columbus data."""

from __future__ import annotations

import numpy as np
import pytest


@pytest.fixture(scope="module")
def columbus() -> tuple[np.ndarray, np.ndarray, object]:
    """libpysal's bundled Columbus data (49 neighbourhoods): CRIME, centroids, Queen W."""
    import geopandas as gpd

    libpysal = pytest.importorskip("libpysal")
    path = libpysal.examples.get_path("columbus.shp")  # bundled with libpysal, offline
    df = gpd.read_file(path)
    xy = np.column_stack([df.geometry.centroid.x, df.geometry.centroid.y])
    w = libpysal.weights.Queen.from_dataframe(df, use_index=False)
    return df["CRIME"].to_numpy(dtype=float), xy, w
