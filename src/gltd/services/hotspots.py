"""Hotspot cartography on the database or on a file of points.

- :func:`read_points_file`: a minimal reader for a CSV (x/y in metres, or lon/lat) or a
  GeoJSON of points (full importers live in :mod:`gltd.ingest`).
- :func:`run_hotspots`: one method (``kde``, ``gistar``, ``lisa``, ``emerging``,
  ``compare``) on an EventSet → :class:`HotspotOutput` (JSON payload with its ``method``
  block and every cell, a vector layer, a raster, map layers).
- :func:`run_hotspots_db`: the same on the store, stored as ``AnalysisRun(kind="hotspots")``;
  with ``units="zones"``, Gi* / LISA on the stored zones or a polygon file
  (:mod:`gltd.services.hotspots_zones`).
- :func:`hotspot_map_data`: what the bilan and the web map need (Gi* cells as GeoJSON
  features in WGS84, the KDE raster, cells that appeared / vanished).

The code lives in ``hotspots_inputs`` (reading and selecting events), ``hotspots_methods``
(the per-method runners), ``hotspots_output`` (result and writer), ``hotspots_db`` (on the
store), ``hotspots_map`` (bilan and web map) and ``hotspots_zones`` (Gi* / LISA on zones);
every public name stays importable from here.
"""

from __future__ import annotations

from gltd.services.hotspots_db import run_hotspots_db
from gltd.services.hotspots_inputs import _check_events as _check_events
from gltd.services.hotspots_inputs import _period_dict as _period_dict
from gltd.services.hotspots_inputs import _select as _select
from gltd.services.hotspots_inputs import read_points_file, resolve_categories
from gltd.services.hotspots_map import hotspot_map_data
from gltd.services.hotspots_methods import METHODS, run_hotspots
from gltd.services.hotspots_output import FORMATS, HotspotOutput, write_hotspot_output

__all__ = [
    "METHODS",
    "HotspotOutput",
    "read_points_file",
    "resolve_categories",
    "run_hotspots",
    "run_hotspots_db",
    "hotspot_map_data",
    "write_hotspot_output",
    "FORMATS",
]
