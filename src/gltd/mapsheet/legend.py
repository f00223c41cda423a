"""The legend of a map: one block per layer drawn, each with its swatches and counts,
built once and shown by the PDF page (HTML) and the PNG (matplotlib)."""

from __future__ import annotations

from dataclasses import dataclass

from gltd.analysis.emerging import CATEGORY_LABELS_FR
from gltd.documents.fmt import fr_int
from gltd.mapping.legend import (
    CAMERA_COLOUR,
    CATEGORY_COLOURS,
    CLASS_COLOURS,
    DENSITY_RAMP,
    INTERVENTION_COLOUR,
    ZONE_COLOUR,
)
from gltd.mapsheet.layers import LAYER_LABELS, MapData

__all__ = ["Swatch", "LegendBlock", "legend_blocks", "layer_names"]


@dataclass(frozen=True)
class Swatch:
    """One legend entry: ``kind`` is fill, line, ramp, point or cone."""

    kind: str
    colour: str
    label: str
    edge: str = "#444444"


@dataclass(frozen=True)
class LegendBlock:
    """The legend of one layer: a title, an optional note and its swatches."""

    layer: str
    title: str
    swatches: tuple[Swatch, ...]
    note: str = ""


def _n(k: int, one: str, many: str) -> str:
    return f"{fr_int(k)} {one if k <= 1 else many}"


def legend_blocks(data: MapData) -> list[LegendBlock]:
    """The legend of every layer of ``data``, in the order of the page (top layer first)."""
    out: list[LegendBlock] = []
    if "cameras" in data.layers and data.cameras is not None:
        n = len(data.cameras)
        out.append(
            LegendBlock(
                "cameras",
                "Caméras",
                (
                    Swatch("point", CAMERA_COLOUR, f"caméra ({_n(n, 'en service', 'en service')})"),
                    Swatch("cone", "#ffffff", "champ de vision", CAMERA_COLOUR),
                ),
            )
        )
    if "interventions" in data.layers and data.interventions is not None:
        n = len(data.interventions)
        out.append(
            LegendBlock(
                "interventions",
                "Interventions",
                (Swatch("fill", "#e4d4e6", _n(n, "périmètre", "périmètres"), INTERVENTION_COLOUR),),
            )
        )
    if "zones" in data.layers and data.zones is not None:
        n = len(data.zones)
        illus = "illustrative" in data.zones.columns and bool(data.zones["illustrative"].any())
        out.append(
            LegendBlock(
                "zones",
                "Zones",
                (Swatch("line", "none", _n(n, "zone", "zones"), ZONE_COLOUR),),
                "contours illustratifs" if illus else "",
            )
        )
    if "emerging" in data.layers:
        cats = data.emerging
        sw = []
        if cats is not None:
            for code, col in CATEGORY_COLOURS.items():
                k = int((cats == code).sum())
                if k:
                    sw.append(Swatch("fill", col, f"{CATEGORY_LABELS_FR[code]} ({fr_int(k)})"))
        none = len(CATEGORY_COLOURS) - len(sw)
        note = data.notes.get("emerging", "")
        if cats is not None and none:
            note = f"{none} autres catégories sans cellule"
        out.append(LegendBlock("emerging", "Points chauds émergents", tuple(sw), note))
    if "hotspots" in data.layers and data.hotspots is not None:
        cls = data.hotspots.classes
        sw = [
            Swatch("fill", col, f"{label} ({fr_int(int((cls == k).sum()))})")
            for k, (col, label) in CLASS_COLOURS.items()
        ]
        k = int((cls != 0).sum())
        out.append(
            LegendBlock(
                "hotspots",
                f"Points chauds (Gi*) : {_n(k, 'cellule significative', 'cellules significatives')}"
                " après FDR",
                tuple(sw),
                data.notes.get("hotspots", ""),
            )
        )
    if "density" in data.layers and data.density is not None:
        counts = data.density
        mx = int(counts.max()) if counts.size else 0
        out.append(
            LegendBlock(
                "density",
                f"Densité : {_n(int(counts.sum()), 'fait', 'faits')}",
                (
                    Swatch(
                        "ramp",
                        ",".join(DENSITY_RAMP),
                        f"faits par cellule de {fr_int(data.cell)} m : 1 à {fr_int(mx)}",
                    ),
                ),
            )
        )
    return out


def layer_names(data: MapData) -> str:
    """« densité des faits, points chauds (Gi*), zones »."""
    return ", ".join(LAYER_LABELS[n] for n in data.layers)
