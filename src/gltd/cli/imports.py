"""``gltd import zones|incidents|operations|cameras|requisitions|ssmsi FILE``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from gltd.cli.common import DbOption, GltdGroup, console, engine_for, make_progress

__all__ = ["make_import_command", "register"]

#: Files bigger than this show a progress display while they are read and checked.
BIG_FILE_BYTES = 256 * 1024

HELP = {
    "zones": "Importer des zones (quartiers, IRIS, secteurs) : GeoJSON, GeoPackage, "
    "Shapefile, Parquet, ou CSV avec une colonne WKT.\n\n"
    "Exemple : gltd import zones quartiers.geojson --source ville",
    "incidents": "Importer des faits constatés (export police ou ville) : CSV, XLSX, "
    "GeoJSON, GeoPackage, Shapefile, Parquet.\n\n"
    "Exemple : gltd import incidents faits-2018.csv --map date=DATE_FAITS,category=NATURE "
    "--dry-run",
    "operations": "Importer des opérations (interpellations par rôle, saisies).\n\n"
    "Exemple : gltd import operations operations-2018.xlsx --report rapport.txt",
    "cameras": "Importer l'inventaire des caméras de vidéoprotection.\n\n"
    "Exemple : gltd import cameras cameras.csv",
    "requisitions": "Importer le registre des réquisitions judiciaires d'images.\n\n"
    "Exemple : gltd import requisitions registre.xlsx --skip-invalid",
    "ssmsi": "Importer la base communale SSMSI de la délinquance enregistrée (csv ou csv.gz)."
    "\n\nExemple : gltd import ssmsi base-communale.csv.gz --commune 45234",
}

FileArg = Annotated[Path, typer.Argument(help="Fichier à importer.", exists=False, dir_okay=False)]
MapOpt = Annotated[
    str | None,
    typer.Option(
        "--map",
        help="Correspondance des colonnes champ=COLONNE, séparées par des virgules "
        "(ex. date=DATE_FAITS,category=NATURE).",
    ),
]
MappingOpt = Annotated[
    Path | None,
    typer.Option("--mapping", help="Fichier de correspondance enregistré (JSON ou YAML)."),
]
CrsOpt = Annotated[
    str | None,
    typer.Option(
        "--crs", help="Système des colonnes x/y (code EPSG ; Lambert-93, EPSG:2154, par défaut)."
    ),
]
SourceOpt = Annotated[
    str | None,
    typer.Option(
        "--source",
        help="Nom de la source (système exportateur). Avec la référence de chaque ligne, il "
        "évite les doublons à la réimportation. Par défaut : la source du fichier de "
        "correspondance (ou son nom), sinon une source déduite des colonnes du fichier (les "
        "exports successifs d'un même logiciel ont la même, quel que soit leur nom).",
    ),
]
DateFormatOpt = Annotated[
    str | None,
    typer.Option(
        "--date-format",
        help="Ordre des dates : jour-mois (13/01/2016, par défaut), mois-jour (1/13/2016) ou "
        "iso (2016-01-13) ; clé « date_format » d'un fichier de correspondance. Un fichier "
        "dont les dates ne se lisent que dans l'autre ordre est refusé.",
    ),
]
SkipOpt = Annotated[
    bool,
    typer.Option(
        "--skip-invalid",
        help="Importer les lignes valides et écrire les lignes rejetées dans un CSV.",
    ),
]
DryOpt = Annotated[bool, typer.Option("--dry-run", help="Contrôler seulement, sans rien écrire.")]
ReportOpt = Annotated[
    Path | None,
    typer.Option(
        "--report",
        help="Fichier CSV du rapport des lignes refusées (par défaut, avec --skip-invalid : "
        "<fichier>.rejets.csv).",
    ),
]
SheetOpt = Annotated[
    str | None, typer.Option("--sheet", help="Feuille à lire dans un classeur XLSX.")
]
CommuneOpt = Annotated[
    list[str] | None,
    typer.Option("--commune", help="Code INSEE à garder (répétable ; toutes par défaut)."),
]


def _run(kind: str, file: Path, db: str | None, **kw: Any) -> None:
    from gltd.cctv.importers import register_importers
    from gltd.geocode.places import register_geocoder
    from gltd.ingest.pipeline import ImportOptions, import_file

    register_importers()
    register_geocoder()

    opts = ImportOptions.from_cli(**kw)
    engine = engine_for(db)
    big = file.is_file() and file.stat().st_size > BIG_FILE_BYTES
    progress = make_progress(transient=True)
    tasks: dict[str, Any] = {}

    def on_progress(stage: str, advance: int, total: int) -> None:
        if stage not in tasks:
            if not progress.live.is_started:
                progress.start()
            tasks[stage] = progress.add_task(stage.capitalize(), total=total)
        progress.advance(tasks[stage], advance)

    if big:
        progress.start()
        tasks["lecture"] = progress.add_task(f"Lecture et contrôle de {file.name}", total=None)
    try:
        result = import_file(engine, kind, file, opts, progress=on_progress)
    finally:
        if progress.live.is_started:
            progress.stop()
    _print_result(result)


def _print_result(r: Any) -> None:
    head = "Contrôle seul (--dry-run) : " if r.dry_run else ""
    console.print(
        f"{head}[bold]{Path(r.file).name}[/] : {r.rows_in} ligne(s) lue(s), "
        f"{r.rows_valid} valide(s), {r.rows_rejected} rejetée(s).",
        highlight=False,
    )
    if r.encoding or r.delimiter:
        console.print(
            f"  encodage {r.encoding or '-'}, séparateur « {r.delimiter or '-'} »", highlight=False
        )
    if r.source:
        console.print(f"  source : {r.source} ({r.source_how})", highlight=False)
    mapped = ", ".join(f"{k}←{v}" for k, v in r.columns.items())
    console.print(f"  colonnes : {mapped}", highlight=False)
    if r.ignored_columns:
        console.print(f"  colonnes ignorées : {', '.join(r.ignored_columns)}", highlight=False)
    for w in r.warnings:
        console.print(f"  [yellow]attention :[/] {w}", highlight=False)
    if not r.dry_run:
        console.print(
            f"  {r.rows_written} ligne(s) écrite(s), {r.rows_existing} déjà présente(s) "
            f"(lot d'import n° {r.batch_id}).",
            highlight=False,
        )
    if r.report_path:
        console.print(f"  rapport des rejets : {r.report_path}", highlight=False)
    if r.rejected_rows_path:
        console.print(f"  lignes rejetées : {r.rejected_rows_path}", highlight=False)


def make_import_command(kind: str) -> Callable[..., None]:
    """The Typer command importing one kind of file (shared with ``gltd cctv cameras import``)."""
    if kind == "ssmsi":

        def ssmsi_cmd(
            file: FileArg,
            commune: CommuneOpt = None,
            source: SourceOpt = None,
            skip_invalid: SkipOpt = False,
            dry_run: DryOpt = False,
            report: ReportOpt = None,
            db: DbOption = None,
        ) -> None:
            _run(
                kind,
                file,
                db,
                source=source,
                skip_invalid=skip_invalid,
                dry_run=dry_run,
                report=report,
                communes=tuple(commune or ()),
            )

        return ssmsi_cmd

    def cmd(
        file: FileArg,
        map_: MapOpt = None,
        mapping: MappingOpt = None,
        crs: CrsOpt = None,
        source: SourceOpt = None,
        date_format: DateFormatOpt = None,
        skip_invalid: SkipOpt = False,
        dry_run: DryOpt = False,
        report: ReportOpt = None,
        sheet: SheetOpt = None,
        db: DbOption = None,
    ) -> None:
        _run(
            kind,
            file,
            db,
            map_option=map_,
            mapping_file=mapping,
            crs=crs,
            source=source,
            date_format=date_format,
            skip_invalid=skip_invalid,
            dry_run=dry_run,
            report=report,
            sheet=sheet,
        )

    return cmd


def register(app: typer.Typer) -> None:
    """Add ``gltd import …`` to the root app."""
    imp = typer.Typer(
        cls=GltdGroup,
        help="Importer des fichiers (une transaction par fichier : tout ou rien).",
        no_args_is_help=True,
    )
    for kind, help_text in HELP.items():
        imp.command(kind, help=help_text)(make_import_command(kind))
    app.add_typer(imp, name="import")
