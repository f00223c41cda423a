"""``gltd basemap add|list|status``: the offline basemap (raster MBTiles or PMTiles)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from gltd.cli.common import GltdGroup, console

__all__ = ["register"]

KINDS = {"mbtiles": "MBTiles", "pmtiles": "PMTiles"}


def _line(bm: Any) -> str:
    w, s, e, n = (f"{v:.4f}".replace(".", ",") for v in bm.bounds)
    nature = "raster" if bm.raster else "vectoriel"
    return (
        f"{KINDS[bm.kind]} {nature} ({bm.format}), {bm.n_tiles} tuile(s), zooms {bm.minzoom} "
        f"à {bm.maxzoom}, emprise ouest {w}, sud {s}, est {e}, nord {n} (degrés) ; "
        f"attribution : {bm.attribution or '(aucune : ajoutez-la aux métadonnées)'}"
    )


def add(
    file: Annotated[
        Path,
        typer.Argument(
            help="Fond de carte : .mbtiles raster (QGIS, « Générer des tuiles XYZ "
            "(MBTiles) ») ou .pmtiles (extrait OpenStreetMap, « pmtiles extract »). Il est "
            "vérifié, copié dans le dossier des fonds (GLTD_BASEMAP_DIR) et devient le fond "
            "utilisé, sauf si GLTD_BASEMAP en désigne un autre.",
            dir_okay=False,
        ),
    ],
    attribution: Annotated[
        str | None,
        typer.Option(
            "--attribution",
            help="Attribution du fond (MBTiles), écrite dans la copie de gltd : QGIS n'en "
            "écrit pas (ex. « © IGN BD TOPO, © contributeurs OpenStreetMap »).",
        ),
    ] = None,
) -> None:
    """Ajouter un fond de carte local et l'utiliser (carte web et cartes des PDF).

    Exemple : gltd basemap add orleans.mbtiles
    """
    from gltd.basemap import active_source, add_basemap

    bm = add_basemap(file, attribution=attribution)
    console.print(f"[bold]{file.name}[/] ajouté : {bm.path}", highlight=False, soft_wrap=True)
    console.print(f"  {_line(bm)}", highlight=False, soft_wrap=True)
    if not bm.raster:
        console.print(
            "  Fond vectoriel : dessiné sur la carte web ; les cartes des PDF n'utilisent "
            "qu'un fond raster (MBTiles).",
            highlight=False,
        )
    path, why = active_source()
    if path is not None and path.resolve() != bm.path.resolve():
        console.print(
            f"  [yellow]Attention[/] : le fond utilisé reste {path} ({why}).", highlight=False
        )


def list_() -> None:
    """Lister les fonds de carte du dossier des fonds (GLTD_BASEMAP_DIR).

    Exemple : gltd basemap list
    """
    from gltd.basemap import basemap_dir, list_basemaps

    entries = list_basemaps()
    if not entries:
        console.print(
            f"Aucun fond de carte dans {basemap_dir()} : « gltd basemap add FICHIER ».",
            highlight=False,
        )
        return
    for e in entries:
        mark = "[green]* utilisé[/] " if e.active else ""
        if e.basemap is None:
            console.print(f"{mark}[bold]{e.path.name}[/] : [red]inutilisable[/] — {e.error}",
                          highlight=False, soft_wrap=True)  # fmt: skip
        else:
            console.print(
                f"{mark}[bold]{e.path.name}[/] : {_line(e.basemap)}",
                highlight=False,
                soft_wrap=True,
            )


def status() -> None:
    """Dire quel fond de carte est utilisé, d'où vient ce choix, et ce qu'il couvre.

    Exemple : gltd basemap status
    """
    from gltd.basemap import active_source, load_basemap
    from gltd.config import get_settings
    from gltd.errors import GltdError

    path, why = active_source()
    tile_url = get_settings().tile_url
    if path is None:
        console.print(f"Aucun fond de carte local ({why}).", highlight=False, soft_wrap=True)
    else:
        try:
            bm = load_basemap(path)
        except GltdError as exc:
            console.print(
                f"[red]Fond de carte inutilisable[/] ({why}) : {exc}",
                highlight=False,
                soft_wrap=True,
            )
            raise typer.Exit(1) from None
        console.print(
            f"Fond de carte local : [bold]{bm.path}[/] ({why})", highlight=False, soft_wrap=True
        )
        console.print(f"  {_line(bm)}", highlight=False, soft_wrap=True)
        where = "la carte web et les cartes des PDF" if bm.raster else "la carte web"
        console.print(f"  Dessiné sous les couches de {where}.", highlight=False, soft_wrap=True)
    if tile_url:
        console.print(
            f"Tuiles en ligne (GLTD_TILE_URL) : {tile_url}", highlight=False, soft_wrap=True
        )
    elif path is None:
        console.print(
            "Cartes sur fond neutre (ni fond local, ni GLTD_TILE_URL).",
            highlight=False,
            soft_wrap=True,
        )


def register(app: typer.Typer) -> None:
    """Add ``gltd basemap …`` to the root app."""
    grp = typer.Typer(
        cls=GltdGroup,
        help="Fond de carte hors ligne (MBTiles raster ou PMTiles) servi par gltd.",
        no_args_is_help=True,
    )
    grp.command("add")(add)
    grp.command("list")(list_)
    grp.command("status")(status)
    app.add_typer(grp, name="basemap")
