"""``gltd demo``: build the deterministic Orléans demonstration database."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from gltd.cli.common import DbOption, console, db_url, engine_for, make_progress

__all__ = ["register"]


def demo_cmd(
    db: DbOption = None,
    seed: Annotated[
        int, typer.Option("--seed", help="Graine du tirage : même graine, même base.")
    ] = 2018,
    reset: Annotated[
        bool,
        typer.Option("--reset", help="Effacer la base (toutes les tables) avant de la remplir."),
    ] = False,
    basemap: Annotated[
        Path | None,
        typer.Option(
            "--basemap",
            help="Écrire aussi le fond de carte illustratif de la démonstration (MBTiles) "
            "dans ce fichier et l'ajouter comme fond utilisé (gltd basemap add).",
            dir_okay=False,
        ),
    ] = None,
) -> None:
    """Construire la base de démonstration d'Orléans (GLTD stupéfiants, 2011–2018).

    Zones illustratives, caméras, réquisitions, opérations, faits et actions — fictifs,
    sans aucune personne. Voir docs/demo.md.

    Exemple : gltd demo --db sqlite:///demo.db
    """
    from gltd.demo.reset import describe_url, reset_database
    from gltd.demo.scenario import STEPS, build_demo

    url = db_url(db)
    if reset:
        reset_database(url)
    engine = engine_for(url, create=True)  # the demo builds a new database
    with make_progress() as progress:
        task = progress.add_task("Démonstration", total=STEPS)

        def step(desc: str, done: int, _total: int) -> None:
            progress.update(task, completed=done, description=desc)

        summary = build_demo(engine, seed=seed, progress=step)
    console.print(
        f"Base de démonstration écrite (graine {summary.seed}) : {describe_url(url)}\n"
        f"  {summary.zones} zones, {summary.cameras} caméras, "
        f"{summary.requisitions} réquisitions, {summary.operations} opérations, "
        f"{summary.incidents} faits, {summary.actions} actions du GLTD.",
        highlight=False,
    )
    if basemap is not None:
        from gltd.basemap import add_basemap
        from gltd.demo.basemap import write_demo_basemap

        with console.status("Fond de carte illustratif…"):
            write_demo_basemap(basemap)
            bm = add_basemap(basemap, database=url)
        console.print(
            f"Fond de carte illustratif : {basemap} ({bm.n_tiles} tuiles, zooms {bm.minzoom} "
            f"à {bm.maxzoom}), ajouté comme fond utilisé : {bm.path}",
            highlight=False,
        )


def register(app: typer.Typer) -> None:
    """Add the ``demo`` command."""
    app.command("demo")(demo_cmd)
