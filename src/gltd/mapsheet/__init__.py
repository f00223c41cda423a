"""The printable map and the export of the map's layers.

- :func:`map_from_store` / :func:`map_layers`: the layers of a period (density, Gi* hot
  spots, emerging hot spots on the grid of the web map; zones, interventions, cameras);
- :func:`write_map`: one page, A4 or A3 landscape, as PDF or PNG (title, period, layers,
  legend, scale, north arrow, date, sources), or the grid layers as GeoJSON / GeoPackage
  with their ``method`` block.

Used by ``gltd map`` and by the web map's « Imprimer / PDF » and export buttons.
"""

from __future__ import annotations

from gltd.mapsheet.layers import (
    DEFAULT_LAYERS,
    GRID_LAYERS,
    LAYER_LABELS,
    LAYERS,
    MapData,
    parse_layers,
)
from gltd.mapsheet.service import FORMATS, MapOutput, map_from_store, map_layers, write_map
from gltd.mapsheet.sheet import PAPERS

__all__ = [
    "LAYERS",
    "LAYER_LABELS",
    "DEFAULT_LAYERS",
    "GRID_LAYERS",
    "FORMATS",
    "PAPERS",
    "MapData",
    "MapOutput",
    "parse_layers",
    "map_from_store",
    "map_layers",
    "write_map",
]
