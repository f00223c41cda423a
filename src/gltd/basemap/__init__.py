"""The offline basemap: a raster MBTiles or a PMTiles file the administrator provides.

:func:`open_basemap` checks and opens a file read-only; :func:`active_basemap` is the one
in use (``GLTD_BASEMAP``, else the last one ``gltd basemap add`` copied into
``GLTD_BASEMAP_DIR``); :func:`draw_basemap` draws it under a static map. The web
application serves its tiles (``/tiles/…``).
"""

from gltd.basemap.files import CONTENT_TYPES, SUFFIXES, Basemap, open_basemap
from gltd.basemap.registry import (
    BasemapEntry,
    active_basemap,
    active_source,
    add_basemap,
    basemap_dir,
    list_basemaps,
    load_basemap,
)
from gltd.basemap.static import draw_basemap, mosaic, static_attribution

__all__ = [
    "Basemap",
    "BasemapEntry",
    "CONTENT_TYPES",
    "SUFFIXES",
    "active_basemap",
    "active_source",
    "add_basemap",
    "basemap_dir",
    "draw_basemap",
    "list_basemaps",
    "load_basemap",
    "mosaic",
    "open_basemap",
    "static_attribution",
]
