"""``gltd hotspots``: hotspot maps (density, Gi*, LISA, emerging, comparison) from the
database or straight from a file of points, on grid cells or (Gi*, LISA) on zones."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from gltd.cli.common import (
    DbOption,
    check_out_format,
    console,
    engine_for,
    make_progress,
    period_option,
)

__all__ = ["register"]


def hotspots_cmd(
    file: Annotated[
        Path | None,
        typer.Argument(
            help="Fichier de points (CSV x/y en mètres ou lon/lat ; GeoJSON). "
            "Sans fichier : la base (--db).",
        ),
    ] = None,
    crs: Annotated[
        str | None,
        typer.Option(
            "--crs",
            help="Système des colonnes x/y du fichier CSV (ex. EPSG:32631), projeté en "
            "Lambert-93 ; sans --crs, x/y sont pris tels quels (lus comme Lambert-93) et "
            "la sortie dit « non précisé ».",
        ),
    ] = None,
    out: Annotated[Path | None, typer.Option("--out", help="Fichier de sortie.")] = None,
    method: Annotated[
        str,
        typer.Option(
            "--method", help="kde (densité), gistar (Gi*), lisa, emerging (émergents), compare."
        ),
    ] = "gistar",
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format", help="geojson, gpkg, json, png ou tif (par défaut : extension de --out)."
        ),
    ] = None,
    date_from: Annotated[
        str | None, typer.Option("--from", help="Premier jour de la période (AAAA-MM-JJ).")
    ] = None,
    date_to: Annotated[
        str | None, typer.Option("--to", help="Dernier jour de la période, inclus.")
    ] = None,
    period: Annotated[str | None, typer.Option("--period", hidden=True)] = None,
    compare_to: Annotated[
        str | None,
        typer.Option(
            "--compare-to",
            help="Période de référence DEBUT..FIN pour --method compare "
            "(par défaut la période de même durée juste avant).",
        ),
    ] = None,
    categories: Annotated[
        list[str] | None,
        typer.Option(
            "--categories",
            help="Catégories (codes ou libellés, « stupefiants » pour toutes les catégories "
            "stupéfiants), répétable ou séparées par des virgules.",
        ),
    ] = None,
    cell: Annotated[float, typer.Option("--cell", help="Côté des cellules en mètres.")] = 250.0,
    bandwidth: Annotated[
        float | None,
        typer.Option(
            "--bandwidth", help="Largeur de bande KDE en mètres (par défaut : règle de Silverman)."
        ),
    ] = None,
    weights: Annotated[
        str | None,
        typer.Option(
            "--weights",
            help="Voisinage : distance:MÈTRES ou knn:K (par défaut distance de 2 cellules) ; "
            "pour des zones aussi queen ou rook (défaut : queen, contiguïté).",
        ),
    ] = None,
    units: Annotated[
        str,
        typer.Option(
            "--units",
            help="Unités d'analyse : grid (cellules carrées, défaut) ou zones (polygones, "
            "avec gistar ou lisa).",
        ),
    ] = "grid",
    zone_kind: Annotated[
        str | None,
        typer.Option(
            "--zone-kind",
            help="Type de zones analysées (quartier, iris, secteur…) ; par défaut toutes.",
        ),
    ] = None,
    zones_file: Annotated[
        Path | None,
        typer.Option(
            "--zones-file",
            help="Polygones des zones (GeoJSON, GeoPackage ; reprojetés en Lambert-93) au "
            "lieu des zones enregistrées ; obligatoire avec un fichier de faits.",
        ),
    ] = None,
    rate: Annotated[
        str,
        typer.Option(
            "--rate",
            help="Valeur analysée par zone : none (nombre de faits, défaut) ou area "
            "(faits par km²).",
        ),
    ] = "none",
    step: Annotated[
        str, typer.Option("--step", help="Pas de temps des points émergents : week ou month.")
    ] = "week",
    seed: Annotated[int, typer.Option("--seed", help="Graine des permutations (LISA, SPPT).")] = 0,
    db: DbOption = None,
) -> None:
    """Cartographier les concentrations de faits et leurs déplacements.

    Exemple : gltd hotspots --method gistar --from 2018-03-24 --to 2018-09-24 --out
    points-chauds.geojson
    """
    from gltd.errors import InputError
    from gltd.hotspots import (
        FORMATS,
        check_units,
        read_points_file,
        resolve_categories,
        run_hotspots,
        run_hotspots_db,
        write_result,
    )
    from gltd.timeutil import parse_period

    if out is None:
        raise InputError("indiquez le fichier de sortie (--out)")
    if crs is not None and file is None:
        raise InputError("--crs : réservé aux colonnes x/y d'un fichier de points")
    check_out_format(out, fmt)
    fmt = (fmt or out.suffix.lstrip(".").lower()).replace("tiff", "tif")
    if fmt not in FORMATS:
        raise InputError(f"format inconnu : « {fmt} » (attendu {', '.join(FORMATS)})")
    check_units(units, zone_kind=zone_kind, zones_file=zones_file, rate=rate, fmt=fmt)
    period = period_option(date_from, date_to, period)
    per = parse_period(period) if period else None
    ref = parse_period(compare_to) if compare_to else None
    cats = resolve_categories(categories)
    with make_progress(transient=True) as progress:
        task = progress.add_task("Lecture des faits…", total=3)

        def say(msg: str) -> None:
            progress.update(task, description=f"{msg.capitalize()}…", advance=1)

        options: dict[str, Any] = {
            "method": method,
            "units": units,
            "zones_file": zones_file,
            "zone_kind": zone_kind,
            "rate": rate,
            "cell": cell,
            "bandwidth": bandwidth,
            "weights": weights,
            "step": step,
            "period": per,
            "compare_to": ref,
            "categories": cats,
            "seed": seed,
            "progress": say,
        }
        if file is not None:
            events = read_points_file(file, crs=crs)
            result = run_hotspots(events, source=f"fichier {file.name}", **options)
        else:
            result = run_hotspots_db(engine_for(db), **options)
        say("écriture")
        write_result(result, fmt, out)
    if result.zones is not None:
        z = result.zones
        where = f"{z.n_zones} zones ({z.n_in_zones} faits dans les zones)"
    else:
        where = f"grille {result.grid.nx} × {result.grid.ny} de {cell:g} m"
    console.print(
        f"[green]Écrit :[/] {out} — méthode {method}, {result.n_events} faits, {where}",
        highlight=False,
    )
    for warning in result.warnings:
        console.print(f"[yellow]Attention :[/] {warning}", highlight=False)
    if result.hot_cold is not None and method == "gistar":
        hc = result.hot_cold
        console.print(f"Points chauds : {hc.n_hot}, points froids : {hc.n_cold} (FDR)")
    elif result.change is not None:
        ch = result.change
        console.print(
            f"Apparus : {ch.appeared}, disparus : {ch.vanished}, persistants : "
            f"{ch.persisted} ; S-index (cellules) : {ch.s_index_cells:.2f}"
        )


def register(app: typer.Typer) -> None:
    """Add ``gltd hotspots`` to the root app."""
    app.command("hotspots")(hotspots_cmd)
