"""The result of one hotspot run: :class:`HotspotResult`, typed, read by the CLI, the web
and the bilan, and written in any format by :func:`gltd.hotspots.output.write_result`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from gltd.analysis.grid import Grid
from gltd.mapping.render import MapLayers

__all__ = ["HotColdCount", "ChangeCount", "ZoneCount", "HotspotResult", "clean_value"]


@dataclass(frozen=True)
class HotColdCount:
    """Hot and cold places of a Gi* run (FDR classes, 90 % or more)."""

    n_hot: int
    n_cold: int


@dataclass(frozen=True)
class ChangeCount:
    """Hotspots that appeared, vanished or persisted between two periods (``compare``)."""

    appeared: int
    vanished: int
    persisted: int
    #: Andresen's S-index on the cells (share of cells whose proportion did not change).
    s_index_cells: float


@dataclass(frozen=True)
class ZoneCount:
    """Zones analysed and events counted in them (``units="zones"``)."""

    n_zones: int
    n_in_zones: int
    n_outside_zones: int


@dataclass(frozen=True, eq=False)
class HotspotResult:
    """One run of one method, ready to be written in any format.

    Attributes
    ----------
    method : str
        ``kde``, ``gistar``, ``lisa``, ``emerging`` or ``compare``.
    units : str
        ``"grid"`` (square cells, ``document["cells"]``) or ``"zones"`` (polygons,
        ``document["zones"]``; ``grid`` is then one cell framing the zones, no raster).
    n_events : int
        Events studied (of the period and categories).
    document : dict
        The JSON document (``method`` block, ``summary``, every cell or zone), as
        ``--format json`` writes it.
    grid : Grid
        The grid of the cells (analysis CRS).
    frame : GeoDataFrame
        The cells or zones with their fields (analysis CRS).
    raster, raster_label
        The value drawn in a GeoTIFF (grid only) and its name.
    layers : MapLayers
        What the static map draws.
    hot_cold, change, zones
        The counts a one-line summary says (None when the method has none).
    warnings : tuple of str
        What the user must be told (zones without neighbours, events outside the zones).
    run_id : int or None
        The stored ``AnalysisRun`` (runs on the store).
    """

    method: str
    units: str
    n_events: int
    document: dict[str, Any]
    grid: Grid
    frame: Any
    raster: np.ndarray
    raster_label: str
    layers: MapLayers
    hot_cold: HotColdCount | None = None
    change: ChangeCount | None = None
    zones: ZoneCount | None = None
    warnings: tuple[str, ...] = ()
    run_id: int | None = None


def clean_value(v: Any) -> Any:
    """A JSON-ready scalar: NumPy numbers as Python numbers, NaN and ∞ as None."""
    if isinstance(v, float | np.floating):
        return float(v) if np.isfinite(v) else None
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, np.bool_):
        return bool(v)
    return v
