"""The colours and French labels of the map layers, shared by the web map (sent to the
browser with the page) and the static maps, so a class has the same swatch everywhere."""

from __future__ import annotations

from typing import Any

from gltd.analysis.emerging import CATEGORIES, CATEGORY_LABELS_FR

__all__ = [
    "CLASS_COLOURS",
    "CATEGORY_COLOURS",
    "CHANGE_COLOURS",
    "DENSITY_RAMP",
    "CAMERA_COLOUR",
    "INTERVENTION_COLOUR",
    "ZONE_COLOUR",
    "palette",
]

#: Gi* classes, ArcGIS-like palette.
CLASS_COLOURS = {
    3: ("#d62f27", "point chaud 99 %"),
    2: ("#ed7551", "point chaud 95 %"),
    1: ("#fab984", "point chaud 90 %"),
    -1: ("#c0ccbe", "point froid 90 %"),
    -2: ("#849eba", "point froid 95 %"),
    -3: ("#4575b5", "point froid 99 %"),
}
#: Emerging hot-spot categories (``no_pattern`` is not drawn).
CATEGORY_COLOURS = {
    "new_hot": "#ffb3b3",
    "consecutive_hot": "#ff8080",
    "intensifying_hot": "#b30000",
    "persistent_hot": "#e60000",
    "diminishing_hot": "#ff4d4d",
    "sporadic_hot": "#ffd9b3",
    "oscillating_hot": "#e6a0c4",
    "historical_hot": "#a6a6a6",
    "new_cold": "#b3d1ff",
    "consecutive_cold": "#80b3ff",
    "intensifying_cold": "#003399",
    "persistent_cold": "#0047b3",
    "diminishing_cold": "#4d94ff",
    "sporadic_cold": "#cce0ff",
    "oscillating_cold": "#9fc5c5",
    "historical_cold": "#7f7f7f",
}
CHANGE_COLOURS = {"apparu": "#d62f27", "disparu": "#4575b5", "persistant": "#7b3294"}
#: Density ramp (low to high), the matplotlib ``YlOrRd`` colours at 0, ¼, ½, ¾ and 1.
DENSITY_RAMP = ("#ffffcc", "#fed976", "#fd8d3c", "#e31a1c", "#800026")
CAMERA_COLOUR = "#00441b"
INTERVENTION_COLOUR = "#762a83"
ZONE_COLOUR = "#333333"


def palette() -> dict[str, Any]:
    """Colours and labels of every layer, as JSON for the web map's legend."""
    return {
        "hot": {str(k): {"colour": c, "label": lab} for k, (c, lab) in CLASS_COLOURS.items()},
        "emerging": [
            {"code": code, "label": CATEGORY_LABELS_FR[code], "colour": CATEGORY_COLOURS[code]}
            for code in CATEGORIES
            if code in CATEGORY_COLOURS
        ],
        "density": list(DENSITY_RAMP),
        "camera": CAMERA_COLOUR,
        "intervention": INTERVENTION_COLOUR,
        "zone": ZONE_COLOUR,
    }
