"""``gltd export incidents --format csv|geojson|gpkg|parquet --out FILE``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from gltd.cli.common import DbOption, GltdGroup, check_out_format, console, engine_for

__all__ = ["register"]


def _split(text: str | None) -> list[str]:
    return [p.strip() for p in (text or "").split(",") if p.strip()]


def incidents(
    out: Annotated[Path, typer.Option("--out", help="Fichier à écrire.")],
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format",
            help="csv, geojson, gpkg (GeoPackage, pour QGIS) ou parquet ; par défaut "
            "l'extension de --out.",
        ),
    ] = None,
    excel_fr: Annotated[
        bool,
        typer.Option(
            "--excel-fr",
            help="CSV pour Excel français : « ; », virgule décimale, dates JJ/MM/AAAA HH:MM.",
        ),
    ] = False,
    date_from: Annotated[
        str | None, typer.Option("--from", help="Premier jour inclus (AAAA-MM-JJ ou JJ/MM/AAAA).")
    ] = None,
    date_to: Annotated[
        str | None, typer.Option("--to", help="Dernier jour inclus (AAAA-MM-JJ ou JJ/MM/AAAA).")
    ] = None,
    categories: Annotated[
        str | None,
        typer.Option("--categories", help="Codes de catégories, séparés par des virgules."),
    ] = None,
    zones: Annotated[
        str | None, typer.Option("--zones", help="Noms de zones, séparés par des virgules.")
    ] = None,
    db: DbOption = None,
) -> None:
    """Exporter les faits (filtres : période, catégories, zones).

    Exemple : gltd export incidents --from 2018-01-01 --to 2018-12-31 --out faits.gpkg
    """
    from datetime import timedelta

    from gltd.export import export_incidents
    from gltd.timeutil import local_midnight, parse_day

    check_out_format(out, fmt)
    start = local_midnight(parse_day(date_from, what="--from")) if date_from else None
    end = local_midnight(parse_day(date_to, what="--to") + timedelta(days=1)) if date_to else None
    result = export_incidents(
        engine_for(db),
        out,
        fmt,
        start=start,
        end=end,
        categories=_split(categories) or None,
        zones=_split(zones) or None,
        excel_fr=excel_fr,
        username="cli",
    )
    console.print(
        f"{result.rows} fait(s) exporté(s) au format {result.fmt} dans {result.path}",
        highlight=False,
    )


def register(app: typer.Typer) -> None:
    """Add ``gltd export …`` to the root app."""
    exp = typer.Typer(
        cls=GltdGroup,
        help="Exporter des données (CSV, GeoJSON, GeoPackage, Parquet).",
        no_args_is_help=True,
    )
    exp.command("incidents")(incidents)
    app.add_typer(exp, name="export")
