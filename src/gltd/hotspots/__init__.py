"""Hotspot maps: where events concentrate, which concentrations are new, and what moved.

The public face of the package (every caller — CLI, web, bilan, study — uses these):

- :func:`read_points_file`: a minimal reader for a CSV (x/y in metres, or lon/lat) or a
  GeoJSON of points (full importers live in :mod:`gltd.ingest`);
- :func:`run_hotspots` (events in memory) and :func:`run_hotspots_db` (the store, stored
  as ``AnalysisRun(kind="hotspots")``): one method of :data:`METHODS` on grid cells, or
  Gi* / LISA on zones (``units="zones"``) → :class:`HotspotResult`;
- :func:`write_result`: a result as GeoJSON, GeoPackage, JSON, PNG or GeoTIFF;
- :func:`hotspot_map`: the one hotspot map (Gi* cells of a period, analysis CRS) that
  the bilan, the web map and the relevance study draw, on the grid laid on
  :func:`incident_extent`.

Modules: ``inputs`` (reading and selecting events), ``methods`` (the registry of grid
methods), ``zones`` (Gi* / LISA on zones), ``result`` (the typed result), ``output``
(writers), ``service`` (file and store entry points), ``maps`` (the hotspot map).
"""

from __future__ import annotations

from gltd.hotspots.inputs import read_points_file, resolve_categories
from gltd.hotspots.maps import (
    HOT_MIN_CLASS,
    HotspotCell,
    HotspotMap,
    hotspot_map,
    incident_extent,
)
from gltd.hotspots.methods import METHODS
from gltd.hotspots.output import FORMATS, write_result
from gltd.hotspots.result import ChangeCount, HotColdCount, HotspotResult, ZoneCount
from gltd.hotspots.service import run_hotspots, run_hotspots_db
from gltd.hotspots.zones import UNITS, check_units

__all__ = [
    "METHODS",
    "FORMATS",
    "UNITS",
    "HotspotResult",
    "HotColdCount",
    "ChangeCount",
    "ZoneCount",
    "read_points_file",
    "resolve_categories",
    "check_units",
    "run_hotspots",
    "run_hotspots_db",
    "write_result",
    "HOT_MIN_CLASS",
    "HotspotMap",
    "HotspotCell",
    "hotspot_map",
    "incident_extent",
]
