"""``gltd interventions``: record what was done, where and when."""

from __future__ import annotations

from typing import Annotated

import typer

from gltd.cli.common import DbOption, GltdGroup, aliased, console, engine_for, warn_identity

__all__ = ["register"]

interventions_app = typer.Typer(
    cls=GltdGroup,
    help="Interventions (caméra installée, fermeture, série d'opérations) : lieu et dates.",
    no_args_is_help=True,
)


@interventions_app.command("add", cls=aliased({"--start": "--from", "--end": "--to"}))
def add_cmd(
    name: Annotated[str, typer.Option("--name", help="Nom de l'intervention.")],
    kind: Annotated[
        str,
        typer.Option("--kind", help="Type : camera, fermeture, operations, amenagement ou autre."),
    ],
    start: Annotated[str, typer.Option("--from", help="Premier jour (AAAA-MM-JJ).")],
    end: Annotated[str | None, typer.Option("--to", help="Dernier jour (facultatif).")] = None,
    wkt: Annotated[
        str | None, typer.Option("--wkt", help="Polygone en WKT (WGS84 ou Lambert-93).")
    ] = None,
    geometry_file: Annotated[
        str | None, typer.Option("--file", help="Fichier WKT ou GeoJSON du polygone.")
    ] = None,
    zone: Annotated[str | None, typer.Option("--zone", help="Nom d'une zone enregistrée.")] = None,
    camera: Annotated[
        str | None,
        typer.Option("--camera", help="Code d'une caméra : son champ de vision devient la cible."),
    ] = None,
    around: Annotated[str | None, typer.Option("--around", help="Centre « LAT,LON ».")] = None,
    radius: Annotated[
        float | None, typer.Option("--radius", help="Rayon en mètres (avec --around).")
    ] = None,
    description: Annotated[
        str | None, typer.Option("--description", help="Description libre (sans nom de personne).")
    ] = None,
    db: DbOption = None,
) -> None:
    """Enregistrer une intervention.

    Exemple : gltd interventions add --name "Caméra place X" --kind camera --from 2018-05-29
    --camera CAM-042
    """
    from gltd.interventions import add_from_options

    iid = add_from_options(
        engine_for(db),
        name=name,
        kind=kind,
        start=start,
        end=end,
        wkt=wkt,
        geometry_file=geometry_file,
        zone=zone,
        camera=camera,
        around=around,
        radius=radius,
        description=description,
    )
    warn_identity({"--name (nom)": name, "--description": description})
    console.print(f"Intervention enregistrée : n° {iid}")


@interventions_app.command("list")
def list_cmd(
    as_json: Annotated[bool, typer.Option("--json", help="Sortie JSON.")] = False,
    db: DbOption = None,
) -> None:
    """Lister les interventions.

    Exemple : gltd interventions list --json
    """
    import json

    from rich.table import Table

    from gltd.interventions import KIND_LABELS, list_interventions

    rows = list_interventions(engine_for(db))
    if as_json:
        typer.echo(json.dumps([r.as_dict() for r in rows], ensure_ascii=False, indent=2))
        return
    if not rows:
        console.print("Aucune intervention enregistrée.")
        return
    table = Table("N°", "Nom", "Type", "Début", "Fin", "Surface (m²)")
    for r in rows:
        table.add_row(
            str(r.id),
            r.name,
            KIND_LABELS.get(r.kind, r.kind),
            f"{r.started_on:%d/%m/%Y}",
            f"{r.ended_on:%d/%m/%Y}" if r.ended_on else "—",
            f"{r.geometry.area:,.0f}".replace(",", " "),
        )
    console.print(table)


@interventions_app.command("show")
def show_cmd(
    intervention_id: Annotated[int, typer.Argument(help="Numéro de l'intervention.")],
    db: DbOption = None,
) -> None:
    """Afficher une intervention (JSON).

    Exemple : gltd interventions show 1
    """
    import json

    from gltd.interventions import get_intervention

    info = get_intervention(engine_for(db), intervention_id)
    typer.echo(json.dumps(info.as_dict(), ensure_ascii=False, indent=2))


def register(app: typer.Typer) -> None:
    """Add the ``interventions`` group."""
    app.add_typer(interventions_app, name="interventions")
