"""What the bilan and the web map need (:func:`hotspot_map_data`): Gi* cells as GeoJSON
features in WGS84, the KDE raster, cells that appeared / vanished."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import numpy as np
from sqlalchemy import Engine

from gltd.analysis.gistar import CLASS_LABELS_FR
from gltd.hotspots.service import run_hotspots_db
from gltd.timeutil import Period

__all__ = ["hotspot_map_data"]


def hotspot_map_data(
    engine: Engine,
    period: Period,
    categories: Sequence[str] | None,
    cell: float = 250.0,
    *,
    weights: str | None = None,
    bandwidth: float | None = None,
    compare_to: Period | None = None,
) -> dict[str, Any]:
    """Data for the bilan and the web map (all geometry in WGS84).

    Returns a dict with ``cells`` (GeoJSON FeatureCollection of the cells holding events
    or significant, with ``count``, ``z``, ``p_fdr``, ``class``, ``label``), ``kde``
    (``values`` north-up rows in faits/km², ``bounds_wgs84``, ``bounds_l93``, ``cell``,
    ``bandwidth_m``), ``comparison`` (``appeared``/``vanished``/``persisted`` cell
    features and counts, or None without ``compare_to``) and the ``method`` blocks.
    Raises :class:`~gltd.errors.InputError` with the reason when a part cannot be made.
    """
    gi = run_hotspots_db(
        engine,
        method="gistar",
        period=period,
        categories=categories,
        cell=cell,
        weights=weights,
        store=False,
    )
    kd = run_hotspots_db(
        engine,
        method="kde",
        period=period,
        categories=categories,
        cell=cell,
        bandwidth=bandwidth,
        store=False,
    )
    f = gi.frame
    keep = (np.asarray(f["count"]) > 0) | (np.asarray(f["class"]) != 0)
    cells = f[keep].copy()
    cells["label"] = [CLASS_LABELS_FR[int(c)] for c in cells["class"]]
    cells = cells.rename(columns={"statistic": "z", "p_value": "p_fdr"})
    g = kd.grid
    from pyproj import Transformer

    tr = Transformer.from_crs(g.crs, "EPSG:4326", always_xy=True)
    x0, y0, x1, y1 = g.bounds
    lo0, la0 = tr.transform(x0, y0)
    lo1, la1 = tr.transform(x1, y1)
    data: dict[str, Any] = {
        "cells": json.loads(cells.to_crs("EPSG:4326").to_json(drop_id=True)),
        "gistar_method": gi.document["method"],
        "gistar_summary": gi.document["summary"],
        "kde": {
            "values": np.flipud(kd.raster).round(4).tolist(),
            "bounds_l93": [x0, y0, x1, y1],
            "bounds_wgs84": [lo0, la0, lo1, la1],
            "cell": g.cell,
            "bandwidth_m": kd.document["method"]["bandwidth_m"],
            "unit": "faits par km²",
        },
        "kde_method": kd.document["method"],
        "comparison": None,
    }
    if compare_to is not None:
        cp = run_hotspots_db(
            engine,
            method="compare",
            period=period,
            categories=categories,
            cell=cell,
            weights=weights,
            compare_to=compare_to,
            store=False,
        )
        cf = cp.frame.to_crs("EPSG:4326")
        data["comparison"] = {
            k: json.loads(cf[cf["class"] == k].to_json(drop_id=True))
            for k in ("apparu", "disparu", "persistant")
        } | {
            "summary": cp.document["summary"],
            "method": cp.document["method"],
        }
    return data
