"""``gltd map``: the printable map (PDF or PNG, A4 or A3 landscape) and the export of
the map's grid layers (GeoJSON, GeoPackage) with their method block."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from gltd.cli.common import DbOption, check_out_format, console, engine_for, make_progress

__all__ = ["register"]


def map_cmd(
    out: Annotated[Path, typer.Option("--out", help="Fichier à écrire.")],
    date_from: Annotated[
        str, typer.Option("--from", help="Premier jour de la période (AAAA-MM-JJ ou JJ/MM/AAAA).")
    ],
    date_to: Annotated[str, typer.Option("--to", help="Dernier jour de la période, inclus.")],
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format",
            help="pdf ou png (la carte imprimable), geojson ou gpkg (les couches de la "
            "grille pour QGIS, avec leur bloc « method ») ; par défaut l'extension de --out.",
        ),
    ] = None,
    layers: Annotated[
        str,
        typer.Option(
            "--layers",
            help="Couches, séparées par des virgules : density (densité), hotspots "
            "(points chauds Gi*), emerging (points chauds émergents), zones, "
            "interventions, cameras.",
        ),
    ] = "zones,density,hotspots",
    paper: Annotated[
        str, typer.Option("--paper", help="Papier de la carte imprimable : A4 ou A3 (paysage).")
    ] = "A4",
    categories: Annotated[
        str | None,
        typer.Option("--categories", help="Codes de catégories, séparés par des virgules."),
    ] = None,
    cell: Annotated[
        float, typer.Option("--cell", help="Côté des cellules de la grille, en mètres.")
    ] = 250.0,
    title: Annotated[
        str | None, typer.Option("--title", help="Titre de la carte (« Carte du GLTD »).")
    ] = None,
    db: DbOption = None,
) -> None:
    """Imprimer la carte (PDF ou PNG) ou exporter ses couches (GeoJSON, GeoPackage).

    Exemple : gltd map --from 2018-03-24 --to 2018-09-24 --layers
    zones,density,hotspots,cameras --paper A3 --out carte.pdf
    """
    from gltd.documents.fmt import fr_int
    from gltd.errors import InputError
    from gltd.hotspots import resolve_categories
    from gltd.mapsheet import FORMATS, map_from_store, parse_layers, write_map
    from gltd.timeutil import parse_period

    check_out_format(out, fmt)
    fmt = (fmt or out.suffix.lstrip(".")).lower()
    if fmt not in FORMATS:
        raise InputError(f"format inconnu : « {fmt} » (attendu : {', '.join(FORMATS)})",
                         field="format")  # fmt: skip
    period = parse_period(f"{date_from}..{date_to}")
    names = parse_layers(layers)
    cats = resolve_categories([categories] if categories else [])
    with make_progress(transient=True) as progress:
        task = progress.add_task("Calcul des couches…", total=2)
        data = map_from_store(engine_for(db), period=period, categories=cats or [],
                              cell=cell, layers=names)  # fmt: skip
        progress.update(task, description="Écriture de la carte…", advance=1)
        result = write_map(data, out, fmt, paper=paper, title=title)
    console.print(
        f"[green]Écrit :[/] {result.path} — {result.period.label()}, "
        f"{fr_int(result.n_events)} faits localisés, couches : {', '.join(result.layers)}",
        highlight=False,
    )
    for name, note in data.notes.items():
        console.print(f"[yellow]Attention :[/] {name} : {note}", highlight=False)


def register(app: typer.Typer) -> None:
    """Add ``gltd map`` to the root app."""
    app.command("map")(map_cmd)
