"""``gltd geocode build|status|run``: the local address index and batch geocoding."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from gltd.cli.common import DbOption, GltdGroup, console, engine_for, make_progress

__all__ = ["register"]

FilesArg = Annotated[
    list[Path],
    typer.Argument(
        help="Fichiers de la Base Adresse Nationale : adresses-XX.csv(.gz) ou "
        "adresses-addok-XX.ndjson(.gz), un ou plusieurs départements.",
        dir_okay=False,
    ),
]


EngineOpt = Annotated[
    str,
    typer.Option(
        "--engine",
        help="Moteur : gltd (index dans la base, par défaut) ou addok (option [addok], "
        "serveur Redis via REDIS_SOCKET ou REDIS_HOST/REDIS_PORT).",
    ),
]


def build(files: FilesArg, engine_name: EngineOpt = "gltd", db: DbOption = None) -> None:
    """Construire ou mettre à jour l'index local des adresses (Base Adresse Nationale).

    Exemple : gltd geocode build adresses-45.csv.gz
    """
    from gltd.geocode.index import build_index

    if engine_name == "addok":
        from gltd.geocode.addok_engine import index_files

        n = index_files(files)
        console.print(f"Index addok (Redis) reconstruit : {n} voie(s).", highlight=False)
        return
    if engine_name != "gltd":
        raise typer.BadParameter(f"moteur inconnu « {engine_name} » (gltd ou addok)")
    engine = engine_for(db)
    progress = make_progress(transient=True)
    tasks: dict[str, Any] = {}

    def on_progress(stage: str, done: int, total: int) -> None:
        if stage not in tasks:
            if not progress.live.is_started:
                progress.start()
            tasks[stage] = progress.add_task(stage.capitalize(), total=total)
        progress.update(tasks[stage], completed=done, total=total)

    try:
        result = build_index(engine, files, progress=on_progress)
    finally:
        if progress.live.is_started:
            progress.stop()
    for f in result.files:
        if f.unchanged:
            console.print(
                f"[bold]{f.filename}[/] : déjà dans l'index (même fichier), rien de changé.",
                highlight=False,
            )
        else:
            console.print(
                f"[bold]{f.filename}[/] : {f.n_addresses} adresse(s), {f.n_streets} voie(s), "
                f"département(s) {', '.join(f.departements)} (format {f.layout}).",
                highlight=False,
            )
        console.print(f"  source : {f.attribution} (Licence Ouverte 2.0)", highlight=False)
    console.print(f"Index construit en {result.seconds:.1f} s.", highlight=False)


def status(db: DbOption = None) -> None:
    """Lister les fichiers de la Base Adresse Nationale présents dans l'index.

    Exemple : gltd geocode status
    """
    from gltd.geocode.index import indexed_sources

    sources = indexed_sources(engine_for(db))
    if not sources:
        console.print(
            "Aucun index d'adresses : « gltd geocode build adresses-XX.csv.gz ».", highlight=False
        )
        return
    for s in sources:
        console.print(
            f"[bold]{s.filename}[/] ({s.layout}) : {s.n_addresses} adresse(s), {s.n_streets} "
            f"voie(s), département(s) {s.departements} — {s.attribution}, intégré le "
            f"{s.built_at:%d/%m/%Y}.",
            highlight=False,
        )


def run(
    file: Annotated[Path, typer.Argument(help="Fichier à géocoder (CSV, XLSX…).", dir_okay=False)],
    out: Annotated[
        Path,
        typer.Option("--out", help="Fichier de sortie : .csv, .xlsx ou .gpkg.", dir_okay=False),
    ],
    map_: Annotated[
        str | None,
        typer.Option(
            "--map",
            help="Correspondance des colonnes champ=COLONNE (champs id, address, housenumber, "
            "postcode, city ; ex. address=ADRESSE,postcode=CP,city=COMMUNE).",
        ),
    ] = None,
    housenumber_column: Annotated[
        str | None,
        typer.Option("--housenumber-column", help="Colonne du numéro, quand il est à part."),
    ] = None,
    review: Annotated[
        Path | None,
        typer.Option(
            "--review",
            help="CSV des lignes refusées, à revoir (par défaut <sortie>.a_revoir.csv).",
        ),
    ] = None,
    sheet: Annotated[
        str | None, typer.Option("--sheet", help="Feuille d'un classeur XLSX.")
    ] = None,
    engine_name: EngineOpt = "gltd",
    db: DbOption = None,
) -> None:
    """Géocoder un fichier d'adresses : ajoute lat, lon, score, précision, libellé BAN.

    Exemple : gltd geocode run faits.csv --out faits-geocodes.csv
    """
    from gltd.geocode.batch import geocode_file
    from gltd.ingest.mapping import parse_map_option

    engine = engine_for(db)
    progress = make_progress(transient=True)
    task: list[Any] = []

    def on_progress(done: int, total: int) -> None:
        if total < 2_000:
            return
        if not task:
            progress.start()
            task.append(progress.add_task("Géocodage", total=total))
        progress.update(task[0], completed=done)

    try:
        r = geocode_file(
            engine,
            file,
            columns=parse_map_option(map_),
            out=out,
            housenumber_column=housenumber_column,
            review=review,
            sheet=sheet,
            progress=on_progress,
            engine_name=engine_name,
        )
    finally:
        if progress.live.is_started:
            progress.stop()
    rate = r.rows / r.seconds if r.seconds > 0 else 0.0
    console.print(
        f"[bold]{file.name}[/] : {r.rows} ligne(s) géocodée(s) en {r.seconds:.1f} s "
        f"({rate:.0f} adresses/s).",
        highlight=False,
    )
    for precision, n in r.by_precision.items():
        share = 100.0 * n / r.rows if r.rows else 0.0
        console.print(f"  {precision:<8} {n:>7}  ({share:.1f} %)", highlight=False)
    console.print(f"  résultat : {r.out_path}", highlight=False)
    if r.review_path:
        console.print(
            f"  [yellow]{r.refused} ligne(s) refusée(s)[/], à revoir : {r.review_path}",
            highlight=False,
        )
    console.print(f"  source : {'; '.join(r.attributions)} (Licence Ouverte 2.0)", highlight=False)


def demo_files(
    out_dir: Annotated[Path, typer.Argument(help="Dossier où écrire les deux fichiers.")],
    db: DbOption = None,
) -> None:
    """Démonstration : écrire une BAN synthétique d'Orléans et les faits 2018 en adresses.

    Exemple : gltd geocode demo-files exemples/
    """
    from gltd.demo.addresses import write_demo_address_files

    ban, export, n = write_demo_address_files(engine_for(db), out_dir)
    console.print(f"BAN synthétique (démonstration) : {ban}", highlight=False)
    console.print(f"{n} fait(s) 2018 en adresses, sans coordonnées : {export}", highlight=False)


def register(app: typer.Typer) -> None:
    """Add ``gltd geocode …`` to the root app."""
    geo = typer.Typer(
        cls=GltdGroup,
        help="Géocodage hors ligne des adresses (Base Adresse Nationale).",
        no_args_is_help=True,
    )
    geo.command("build")(build)
    geo.command("status")(status)
    geo.command("run")(run)
    geo.command("demo-files")(demo_files)
    app.add_typer(geo, name="geocode")
