"""Siting new cameras (maximal covering location), from candidate points and incidents.

- :mod:`~gltd.cctv.siting.candidates` — :func:`read_candidates` (a CSV or GeoJSON of
  points), :func:`grid_candidates` (a regular grid inside zones);
- :mod:`~gltd.cctv.siting.service` — :func:`run_siting` (stored as an ``AnalysisRun``),
  :func:`siting_geojson`;
- :mod:`~gltd.cctv.siting.render` — :func:`write_siting` (the PDF or HTML document, with
  its map), :func:`sites_table` (the sites with their marginal gain).

The public names are importable from here.
"""

from __future__ import annotations

from gltd.cctv.siting.candidates import grid_candidates, read_candidates
from gltd.cctv.siting.render import period_days, sites_table, write_siting
from gltd.cctv.siting.service import EXACT_MAX_CANDIDATES, run_siting, siting_geojson

__all__ = [
    "EXACT_MAX_CANDIDATES",
    "grid_candidates",
    "read_candidates",
    "run_siting",
    "siting_geojson",
    "period_days",
    "sites_table",
    "write_siting",
]
