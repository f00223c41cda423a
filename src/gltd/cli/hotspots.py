"""``gltd hotspots``: hotspot maps (density, Gi*, LISA, emerging, comparison) from the
database or straight from a file of points, on grid cells or (Gi*, LISA) on zones."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from gltd.cli.common import DbOption, console, engine_for, make_progress

__all__ = ["register"]


def hotspots_cmd(
    file: Annotated[
        Path | None,
        typer.Argument(
            help="Fichier de points (CSV x/y en mètres Lambert-93 ou lon/lat ; GeoJSON). "
            "Sans fichier : la base (--db).",
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
    period: Annotated[
        str | None,
        typer.Option("--period", help="Période étudiée DEBUT..FIN (jours inclus)."),
    ] = None,
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
    """Cartographier les concentrations de faits et leurs déplacements."""
    from gltd.errors import InputError
    from gltd.services.hotspots import (
        FORMATS,
        read_points_file,
        resolve_categories,
        run_hotspots,
        run_hotspots_db,
        write_hotspot_output,
    )
    from gltd.services.hotspots_zones import check_units, run_zones_file
    from gltd.timeutil import parse_period

    if out is None:
        raise InputError("indiquez le fichier de sortie (--out)")
    fmt = (fmt or out.suffix.lstrip(".").lower()).replace("tiff", "tif")
    if fmt not in FORMATS:
        raise InputError(f"format inconnu : « {fmt} » (attendu {', '.join(FORMATS)})")
    check_units(units, zone_kind=zone_kind, zones_file=zones_file, rate=rate, fmt=fmt)
    zoned = units == "zones"
    per = parse_period(period) if period else None
    ref = parse_period(compare_to) if compare_to else None
    cats = resolve_categories(categories)
    with make_progress(transient=True) as progress:
        task = progress.add_task("Lecture des faits…", total=3)

        def say(msg: str) -> None:
            progress.update(task, description=f"{msg.capitalize()}…", advance=1)

        params: dict[str, Any] = {
            "method": method,
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
            events = read_points_file(file)
            src = f"fichier {file.name}"
            if zoned:
                result = run_zones_file(
                    events, zones_file, zone_kind=zone_kind, rate=rate, source=src, **params
                )
            else:
                result = run_hotspots(events, source=src, **params)
        else:
            engine = engine_for(db)
            params.pop("categories")
            if zoned:
                params |= {"units": units, "zones_file": zones_file}
                params |= {"zone_kind": zone_kind, "rate": rate}
            result = run_hotspots_db(engine, categories=cats, **params)
        say("écriture")
        write_hotspot_output(result, fmt, out)
    s = result.payload["summary"]
    m = result.payload["method"]
    if zoned:
        where = f"{m['zones']['n_zones']} zones ({m['n_in_zones']} faits dans les zones)"
    else:
        where = f"grille {m['grid']['nx']} × {m['grid']['ny']} de {cell:g} m"
    console.print(
        f"[green]Écrit :[/] {out} — méthode {method}, {m['n']} faits, {where}",
        highlight=False,
    )
    for warning in s.get("warnings", []) if zoned else []:
        console.print(f"[yellow]Attention :[/] {warning}", highlight=False)
    if method == "gistar":
        console.print(f"Points chauds : {s['n_hot']}, points froids : {s['n_cold']} (FDR)")
    elif method == "compare":
        console.print(
            f"Apparus : {s['appeared']}, disparus : {s['vanished']}, persistants : "
            f"{s['persisted']} ; S-index (cellules) : {s['sppt']['cells']['s_index']:.2f}"
        )


def register(app: typer.Typer) -> None:
    """Add ``gltd hotspots`` to the root app."""
    app.command("hotspots")(hotspots_cmd)
