"""``gltd cctv study`` (relevance study of a camera site) and ``gltd cctv siting``
(maximal covering siting of new cameras)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from gltd.cli.cctv_common import csv_list, optional_day, parse_latlon, write_output
from gltd.cli.common import DbOption, check_out_format, console, engine_for, make_progress
from gltd.errors import InputError

__all__ = ["siting_cmd", "study_cmd"]


def study_cmd(
    out: Annotated[Path, typer.Option("--out", help="Fichier de sortie.")],
    at: Annotated[str | None, typer.Option("--at", help="Site « LAT,LON » (WGS84).")] = None,
    radius: Annotated[float, typer.Option("--radius", help="Rayon en mètres.")] = 100.0,
    heading: Annotated[
        float | None, typer.Option("--heading", help="Orientation du champ (degrés), facultatif.")
    ] = None,
    angle: Annotated[float, typer.Option("--angle", help="Angle de champ (360 = disque).")] = 360.0,
    request: Annotated[
        int | None, typer.Option("--request", help="N° d'une demande de caméra enregistrée.")
    ] = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Date de l'étude (trois ans avant ce jour).")
    ] = None,
    categories: Annotated[
        list[str] | None, typer.Option("--categories", help="Catégories.")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="pdf, json ou html.")] = "pdf",
    db: DbOption = None,
) -> None:
    """Étude de pertinence d'un site de caméra (PDF ou JSON, en français).

    Exemple : gltd cctv study --at 47.9025,1.8990 --radius 100 --out etude.pdf
    """
    from gltd.cctv.study import relevance_study
    from gltd.cctv.study_render import write_study

    if (at is None) == (request is None):
        raise InputError("donnez soit --at LAT,LON (avec --radius), soit --request ID")
    check_out_format(out, fmt)
    lat, lon = parse_latlon(at) if at else (None, None)
    with make_progress(transient=True) as progress:
        progress.add_task("Étude de pertinence…", total=None)
        res = relevance_study(
            engine_for(db), lat=lat, lon=lon, radius=radius, heading=heading, field_angle=angle,
            request_id=request, as_of=optional_day(as_of, "date de l'étude"),
            categories=csv_list(categories) or None,
        )  # fmt: skip
        write_study(res, fmt, out)
    console.print(
        f"{res['conclusion']['label']} — étude n° {res.get('study_id')} écrite dans {out}"
    )


def siting_cmd(
    out: Annotated[Path, typer.Option("--out", help="Fichier de sortie.")],
    candidates: Annotated[
        Path | None,
        typer.Option("--candidates", help="Points candidats (CSV lat/lon ou x/y, GeoJSON)."),
    ] = None,
    grid: Annotated[
        float | None, typer.Option("--grid", help="Pas de la grille de candidats (m).")
    ] = None,
    zones: Annotated[list[str] | None, typer.Option("--zones", help="Zones de la grille.")] = None,
    k: Annotated[int, typer.Option("--k", help="Nombre de caméras à placer.")] = 20,
    radius: Annotated[float, typer.Option("--radius", help="Rayon couvert (m).")] = 100.0,
    budget: Annotated[float | None, typer.Option("--budget", help="Budget en euros.")] = None,
    cost: Annotated[float | None, typer.Option("--cost", help="Coût par caméra (euros).")] = None,
    exact: Annotated[
        bool, typer.Option("--exact", help="Résolution exacte (spopt + CBC) et écart.")
    ] = False,
    categories: Annotated[
        list[str] | None, typer.Option("--categories", help="Catégories.")
    ] = None,
    weights: Annotated[
        str | None,
        typer.Option(
            "--weights", help="Poids par catégorie, ex. trafic_stupefiants=3,cambriolages=1."
        ),
    ] = None,
    start: Annotated[str | None, typer.Option("--from", help="Premier jour des faits.")] = None,
    end: Annotated[
        str | None, typer.Option("--to", help="Dernier jour des faits (inclus).")
    ] = None,
    fmt: Annotated[
        str,
        typer.Option(
            "--format", help="json, geojson, pdf (document avec la carte des sites) ou html."
        ),
    ] = "json",
    db: DbOption = None,
) -> None:
    """Choisir k sites de caméras couvrant le plus de faits (couverture maximale).

    Exemple : gltd cctv siting --grid 100 --k 5 --format pdf --out implantation.pdf
    """
    from gltd.cctv.siting import run_siting, siting_geojson, write_siting
    from gltd.fileio import require_folder
    from gltd.timeutil import make_period

    if fmt not in ("json", "geojson", "pdf", "html"):
        raise InputError(f"format inconnu : « {fmt} » (attendu json, geojson, pdf ou html)")
    check_out_format(out, fmt)
    require_folder(out)  # before the optimisation
    w: dict[str, float] = {}
    for item in csv_list([weights] if weights else []):
        name, _, val = item.partition("=")
        try:
            w[name.strip()] = float(val)
        except ValueError:
            raise InputError(
                f"poids illisible : « {item} » (attendu categorie=nombre)", field="weights"
            ) from None
    period = None
    if start or end:
        if not (start and end):
            raise InputError("donnez --from et --to ensemble")
        period = make_period(optional_day(start, "début"), optional_day(end, "fin"))  # type: ignore[arg-type]
    engine = engine_for(db)
    with make_progress(transient=True) as progress:
        task = progress.add_task("Implantation…", total=None)
        res = run_siting(
            engine, candidates=candidates, grid=grid, zones=csv_list(zones) or None, k=k,
            radius=radius, budget=budget, cost=cost, exact=exact,
            categories=csv_list(categories) or None, weights=w or None,
            start=period.start if period else None, end=period.end if period else None,
            progress=lambda m: progress.update(task, description=m),
        )  # fmt: skip
        if fmt in ("pdf", "html"):
            progress.update(task, description="Document…")
            write_siting(engine, res, fmt, out)
    if fmt in ("pdf", "html"):
        console.print(f"Écrit : {out}")
    else:
        payload = siting_geojson(res) if fmt == "geojson" else res
        write_output(out, json.dumps(payload, ensure_ascii=False, indent=2))
    msg = f"{len(res['sites'])} site(s), poids couvert {res['covered_weight']:g}"
    if res["optimum"] is not None:
        msg += f", optimum {res['optimum']:g}, écart du glouton {res['gap']:.2%}"
    console.print(msg)
