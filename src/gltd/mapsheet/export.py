"""The grid layers of a map (density, Gi* hot spots, emerging hot spots) as GeoJSON and
GeoPackage for QGIS, each with the ``method`` block that says how it was computed.

- GeoJSON (RFC 7946, WGS84): one FeatureCollection, a ``layer`` property on each cell,
  and top-level members ``method`` (one block per layer), ``period`` and ``cell_m``.
- GeoPackage (analysis CRS): one layer per map layer, the method block in each layer's
  metadata (``gpkg_metadata``, key ``method``) and in a side table ``gltd_method``
  (``layer``, ``method`` as JSON, ``period``, ``cell_m``) that any SQLite tool reads.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from gltd.analysis.emerging import CATEGORY_LABELS_FR
from gltd.analysis.gistar import CLASS_LABELS_FR
from gltd.documents.render import json_text, plain
from gltd.errors import InputError
from gltd.fileio import atomic_path, write_atomic
from gltd.mapping import cells_frame
from gltd.mapsheet.layers import GRID_LAYERS, LAYER_LABELS, MapData

__all__ = ["VECTOR_FORMATS", "METHOD_TABLE", "layer_frames", "write_layers"]

VECTOR_FORMATS = ("geojson", "gpkg")
#: The GeoPackage side table holding the method blocks.
METHOD_TABLE = "gltd_method"


def layer_frames(data: MapData) -> dict[str, Any]:
    """One GeoDataFrame of cells (analysis CRS) per grid layer of ``data``."""
    g = data.grid
    out: dict[str, Any] = {}
    if g is None:
        return out
    km2 = (g.cell / 1000.0) ** 2
    if data.density is not None:
        flat = data.density.ravel()
        ids = np.flatnonzero(flat)
        n = flat[ids].astype("int64")
        out["density"] = cells_frame(g, ids, {"n": n, "per_km2": np.round(n / km2, 3)})
    if data.hotspots is not None:
        hm = data.hotspots
        ids = np.flatnonzero(hm.classes.ravel())
        cls = hm.classes.ravel()[ids].astype("int64")
        out["hotspots"] = cells_frame(
            g,
            ids,
            {
                "class": cls,
                "label": [CLASS_LABELS_FR.get(int(c), str(c)) for c in cls],
                "z": np.round(hm.z.ravel()[ids], 4),
                "p_fdr": hm.p_fdr.ravel()[ids],
                "n": hm.counts.ravel()[ids].astype("int64"),
            },
        )
    if data.emerging is not None:
        flat = data.emerging.ravel()
        ids = np.flatnonzero(flat != "")
        codes = [str(c) for c in flat[ids]]
        out["emerging"] = cells_frame(
            g, ids, {"category": codes, "label": [CATEGORY_LABELS_FR[c] for c in codes]}
        )
    return out


def _period(data: MapData) -> dict[str, str]:
    p = data.period
    return {"first_day": p.first_day.isoformat(), "last_day": p.last_day.isoformat(),
            "label": p.label()}  # fmt: skip


def write_layers(data: MapData, path: str | Path, fmt: str) -> Path:
    """Write the grid layers of ``data`` as ``geojson`` or ``gpkg``; refuses a map without
    a grid layer (zones, cameras and interventions are exported elsewhere)."""
    path = Path(path)
    frames = layer_frames(data)
    if not frames:
        raise InputError(
            "rien à exporter : choisissez au moins une couche de la grille "
            f"({', '.join(LAYER_LABELS[n] for n in GRID_LAYERS)})",
            field="layers",
        )
    methods = {name: data.methods.get(name, {}) for name in frames}
    if fmt == "geojson":
        features: list[dict[str, Any]] = []
        for name, frame in frames.items():
            doc = json.loads(frame.to_crs("EPSG:4326").to_json(drop_id=True))
            for f in doc["features"]:
                f["properties"] = {"layer": name, **f["properties"]}
            features += doc["features"]
        out = {
            "type": "FeatureCollection",
            "name": "gltd-carte",
            "period": _period(data),
            "categories": list(data.categories),
            "cell_m": data.cell,
            "method": methods,
            "features": features,
        }
        return write_atomic(path, json_text(out).encode("utf-8"), parents=True)
    if fmt != "gpkg":
        raise InputError(f"format inconnu : « {fmt} » (attendu : {', '.join(VECTOR_FORMATS)})")
    import pandas as pd
    import pyogrio

    period = _period(data)
    with atomic_path(path, parents=True) as tmp:
        for i, (name, frame) in enumerate(frames.items()):
            meta = {"method": json.dumps(plain(methods[name]), ensure_ascii=False),
                    "period": period["label"], "title": LAYER_LABELS[name]}  # fmt: skip
            pyogrio.write_dataframe(frame, tmp, layer=name, driver="GPKG", append=i > 0,
                                    layer_metadata=meta)  # fmt: skip
        table = pd.DataFrame(
            {
                "layer": list(frames),
                "method": [json.dumps(plain(methods[n]), ensure_ascii=False) for n in frames],
                "period": [period["label"]] * len(frames),
                "cell_m": [data.cell] * len(frames),
            }
        )
        pyogrio.write_dataframe(table, tmp, layer=METHOD_TABLE, driver="GPKG", append=True)
    return path
