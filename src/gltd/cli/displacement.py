"""``gltd displacement``: did an intervention work, or did crime move next door?"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from gltd.cli.common import DbOption, aliased, check_out_format, console, engine_for, make_progress

__all__ = ["register"]


def displacement_cmd(
    out: Annotated[Path, typer.Option("--out", help="Fichier de sortie.")],
    intervention: Annotated[
        int | None, typer.Option("--intervention", help="Numéro d'une intervention enregistrée.")
    ] = None,
    target: Annotated[
        str | None,
        typer.Option("--target", help="Zone cible : nom de zone ou fichier WKT/GeoJSON."),
    ] = None,
    around: Annotated[
        str | None, typer.Option("--around", help="Centre de la cible « LAT,LON » (degrés).")
    ] = None,
    radius: Annotated[
        float | None, typer.Option("--radius", help="Rayon de la cible en mètres (avec --around).")
    ] = None,
    start: Annotated[
        str | None,
        typer.Option("--from", help="Premier jour de la période après (AAAA-MM-JJ)."),
    ] = None,
    before: Annotated[
        str, typer.Option("--before", help="Durée de la période avant (ex. 6M, 90d).")
    ] = "6M",
    after: Annotated[
        str | None,
        typer.Option("--after", help="Durée de la période après (par défaut celle d'avant)."),
    ] = None,
    buffer: Annotated[
        float | None, typer.Option("--buffer", help="Largeur de la zone tampon en mètres (300).")
    ] = None,
    rings: Annotated[
        str | None,
        typer.Option("--rings", help="Anneaux concentriques en mètres, ex. 100,200,300."),
    ] = None,
    control: Annotated[
        str,
        typer.Option(
            "--control", help="Zone témoin : nom de zone ou « auto » (reste de la ville)."
        ),
    ] = "auto",
    categories: Annotated[
        list[str] | None,
        typer.Option(
            "--categories", help="Catégories (codes), répétable ou séparées par des virgules."
        ),
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="Format : json, html ou pdf.")] = "html",
    sppt_by: Annotated[
        str, typer.Option("--sppt-by", help="Unités du test SPPT : grid ou zones.")
    ] = "grid",
    cell: Annotated[float, typer.Option("--cell", help="Maille de la grille SPPT (m).")] = 250.0,
    seed: Annotated[int, typer.Option("--seed", help="Graine du rééchantillonnage SPPT.")] = 0,
    db: DbOption = None,
) -> None:
    """Mesurer l'effet d'une intervention et le déplacement (ou la diffusion) alentour.

    Exemple : gltd displacement --intervention 1 --before 6M --out effet.html
    """
    from gltd.displacement import run_displacement, write_report
    from gltd.interventions import parse_around, parse_distances, resolve_place

    check_out_format(out, fmt)
    engine = engine_for(db)
    lat_lon = parse_around(around) if around else None
    tgt = resolve_place(engine, target) if target else None
    cats = [c.strip() for item in categories or [] for c in item.split(",") if c.strip()]
    with make_progress(transient=True) as progress:
        progress.add_task("Analyse de déplacement…", total=None)
        report = run_displacement(
            engine,
            intervention_id=intervention,
            target=tgt,
            target_label=f"zone « {target} »" if target else None,
            around=lat_lon,
            radius=radius,
            start=start,
            before=before,
            after=after,
            buffer=buffer,
            rings=parse_distances(rings) if rings else None,
            control=control,
            categories=cats or None,
            sppt_by=sppt_by,
            sppt_cell=cell,
            seed=seed,
        )
        path = write_report(report, fmt, out)
    console.print(report.overall.interpretation_fr, highlight=False)
    for w in report.warnings:
        console.print(f"[yellow]Attention :[/] {w}", highlight=False)
    console.print(f"Rapport écrit : {path} (analyse n° {report.run_id})", highlight=False)


def register(app: typer.Typer) -> None:
    """Add the ``displacement`` command."""
    app.command("displacement", cls=aliased({"--start": "--from"}))(displacement_cmd)
