"""The camera inventory: rules, stored cameras, hand edits and the network summary.

- :mod:`~gltd.cctv.inventory.rules` — :class:`CameraData`, :func:`validate_camera` (CSI
  L252-5 retention, L252-4 authorisation, camera in the city: :func:`gltd.store.zones.city_extent`);
- :mod:`~gltd.cctv.inventory.records` — :class:`CameraRecord`, :func:`get_camera`,
  :func:`list_cameras`;
- :mod:`~gltd.cctv.inventory.edit` — :func:`add_camera`, :func:`edit_camera`,
  :func:`import_cameras` (a file, through the import pipeline);
- :mod:`~gltd.cctv.inventory.search` — :func:`find_cameras` (by code, nearest to a point);
- :mod:`~gltd.cctv.inventory.network` — :func:`network_summary`, :func:`network_history`,
  :func:`coverage_geojson`.

Files are imported by the import pipeline (:mod:`gltd.cctv.inventory.importer`, ``gltd import
cameras`` = ``gltd cctv cameras import``), which applies :func:`validate_camera` to every
row. The public names are importable from here.
"""

from __future__ import annotations

from gltd.cctv.dates import add_months, add_years
from gltd.cctv.inventory.edit import add_camera, edit_camera, import_cameras
from gltd.cctv.inventory.network import (
    NetworkSummary,
    coverage_geojson,
    network_history,
    network_summary,
)
from gltd.cctv.inventory.records import (
    CAMERA_FIELDS,
    CameraRecord,
    camera_data,
    camera_record,
    get_camera,
    list_cameras,
)
from gltd.cctv.inventory.rules import (
    CameraData,
    CameraRuleError,
    in_city,
    validate_camera,
)
from gltd.cctv.inventory.search import CameraMatch, find_cameras

__all__ = [
    "CAMERA_FIELDS",
    "CameraMatch",
    "find_cameras",
    "CameraData",
    "CameraRecord",
    "CameraRuleError",
    "NetworkSummary",
    "add_camera",
    "add_months",
    "add_years",
    "camera_data",
    "camera_record",
    "coverage_geojson",
    "edit_camera",
    "get_camera",
    "import_cameras",
    "in_city",
    "list_cameras",
    "network_summary",
    "network_history",
    "validate_camera",
]
