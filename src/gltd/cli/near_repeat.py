"""``gltd near-repeat [FICHIER] …`` (test de Knox) and ``gltd near-repeat alerts``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from gltd.cli.common import (
    DbOption,
    GltdGroup,
    check_out_format,
    engine_for,
    err_console,
    make_progress,
    period_option,
)
from gltd.errors import InputError
from gltd.fileio import write_atomic

__all__ = ["register"]


class _DefaultRunGroup(GltdGroup):
    """``gltd near-repeat FILE …`` runs ``gltd near-repeat run FILE …``."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h"):
            args = ["run", *args]
        return super().parse_args(ctx, args)


def _split(text: str | None) -> list[str]:
    return [p.strip() for p in (text or "").split(",") if p.strip()]


def _write(text: str, out: Path | None) -> None:
    if out is None:
        typer.echo(text)
        return
    write_atomic(out, text, parents=True)
    err_console.print(f"Écrit : {out}", highlight=False)


def run(
    file: Annotated[
        Path | None,
        typer.Argument(
            help="Fichier CSV : x, y, date sans en-tête, éventuellement précédées d'un numéro "
            "(comme le Near Repeat Calculator), ou avec en-tête x/y ou lon/lat et date. Sans "
            "fichier : les faits de la base (--db)."
        ),
    ] = None,
    distance_bands: Annotated[
        str,
        typer.Option(
            "--distance-bands",
            help="Bornes des bandes de distance en mètres, bandes [a, b) ; ex. 0,0.1,100,200 "
            "(« même lieu » [0, 0,1) puis [0,1, 100) …). « inf » possible en dernier.",
        ),
    ] = "0,0.1,100,200,300,400,500",
    time_bands: Annotated[
        str,
        typer.Option(
            "--time-bands", help="Bornes des bandes de temps, bandes [a, b) ; ex. 0,7,14,21."
        ),
    ] = "0,7,14,21,28,35",
    permutations: Annotated[
        int, typer.Option("--permutations", help="Permutations Monte-Carlo (999 : p ≥ 0,001).")
    ] = 999,
    seed: Annotated[
        int | None,
        typer.Option("--seed", help="Graine du tirage (reproductible) ; tirée et affichée sinon."),
    ] = None,
    metric: Annotated[
        str, typer.Option("--metric", help="euclidean (à vol d'oiseau) ou manhattan (|Δx|+|Δy|).")
    ] = "euclidean",
    unit: Annotated[
        str, typer.Option("--unit", help="Unité des bandes de temps : days ou hours.")
    ] = "days",
    nrc: Annotated[
        bool,
        typer.Option(
            "--nrc",
            help="Calcul, bandes et libellés du Near Repeat Calculator : « même lieu » "
            "(distance nulle), « 1 à 100 », « plus de … », coordonnées en simple précision "
            "(voir docs/methods/near-repeat.md).",
        ),
    ] = False,
    date_format: Annotated[
        str | None,
        typer.Option(
            "--date-format",
            help="Ordre des dates du fichier : jour-mois (13/01/2016, par défaut), mois-jour "
            "(1/13/2016, par défaut avec --nrc, comme les fichiers du NRC) ou iso (2016-01-13).",
        ),
    ] = None,
    crs: Annotated[
        str | None,
        typer.Option(
            "--crs",
            help="Système des colonnes x/y du fichier (code EPSG projeté en mètres, ex. "
            "EPSG:32631) ; sans --crs, x/y sont pris tels quels (seules les distances "
            "comptent) et dits « tels que donnés ».",
        ),
    ] = None,
    date_from: Annotated[
        str | None, typer.Option("--from", help="Premier jour de la période, base (AAAA-MM-JJ).")
    ] = None,
    date_to: Annotated[
        str | None, typer.Option("--to", help="Dernier jour de la période, inclus.")
    ] = None,
    period: Annotated[str | None, typer.Option("--period", hidden=True)] = None,
    categories: Annotated[
        str | None,
        typer.Option("--categories", help="Codes de catégories (base), séparés par des virgules."),
    ] = None,
    zones: Annotated[
        str | None, typer.Option("--zones", help="Zones (base), séparées par des virgules.")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="csv, json ou html.")] = "csv",
    out: Annotated[
        Path | None, typer.Option("--out", help="Fichier à écrire (sinon la sortie standard).")
    ] = None,
    db: DbOption = None,
) -> None:
    """Répétitions proches (test de Knox) : paires observées, rapport de Knox, p par case.

    Exemple : gltd near-repeat --from 2018-03-24 --to 2018-09-24 --format html --out knox.html
    """
    from gltd import near_repeat as svc
    from gltd.timeutil import parse_period

    if fmt not in ("csv", "json", "html"):
        raise InputError(f"format « {fmt} » inconnu (attendu csv, json ou html)")
    check_out_format(out, fmt)
    period = period_option(date_from, date_to, period)
    params = svc.NearRepeatParams(
        distance_edges=svc.parse_bands(distance_bands, "distance"),
        time_edges=svc.parse_bands(time_bands, "temps"),
        permutations=permutations,
        seed=seed,
        metric=metric,
        unit=unit,
        nrc=nrc,
    )
    with make_progress(transient=True) as progress:
        task = progress.add_task("Permutations", total=max(permutations, 1))

        def tick(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        if file is not None:
            result = svc.run_from_file(file, params, tick, date_format=date_format, crs=crs)
            source = file.name
        else:
            stored = svc.run_from_db(
                engine_for(db),
                params,
                period=parse_period(period) if period else None,
                categories=_split(categories),
                zones=_split(zones) or None,
                created_by="cli",
                progress=tick,
            )
            result = stored.result
            bits = [stored.source.get("period") or "toute la période"]
            if stored.source["categories"]:
                bits.append(", ".join(stored.source["categories"]))
            source = f"base, {' ; '.join(bits)} (analyse n° {stored.run_id})"
    _write(svc.render(result, fmt, source=source), out)
    n_sig = int(result.significant.sum())
    err_console.print(
        f"{result.n} événements, {result.close_pairs} paires proches, {n_sig} case(s) "
        f"significative(s), graine {result.seed}, {result.runtime_s:.2f} s",
        highlight=False,
    )


def alerts(
    since: Annotated[
        str, typer.Option("--since", help="Faits récents : depuis 7d, 48h, 2w…")
    ] = "7d",
    categories: Annotated[
        str | None, typer.Option("--categories", help="Codes de catégories, par des virgules.")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="list ou geojson.")] = "list",
    out: Annotated[Path | None, typer.Option("--out", help="Fichier à écrire.")] = None,
    db: DbOption = None,
) -> None:
    """Zones et durées de risque accru autour des faits récents (dernière analyse de la catégorie).

    Exemple : gltd near-repeat alerts --since 7d --format geojson --out alertes.geojson
    """
    from gltd import near_repeat as svc
    from gltd.timeutil import parse_duration

    if fmt not in ("list", "geojson"):
        raise InputError(f"format « {fmt} » inconnu (attendu list ou geojson)")
    check_out_format(out, fmt)
    report = svc.near_repeat_alerts(
        engine_for(db), since=parse_duration(since), categories=_split(categories) or None
    )
    if fmt == "geojson":
        _write(json.dumps(svc.alerts_geojson(report), ensure_ascii=False), out)
    else:
        lines = [
            f"{a.occurred_at}\t{a.category}\t{a.lat:.5f}, {a.lon:.5f}\t"
            f"{'ACTIVE' if a.active else 'échue'}\t{a.text_fr()}"
            for a in report.alerts
        ]
        head = (
            f"# Répétitions proches : {len(report.alerts)} alerte(s) sur {report.recent_events} "
            f"fait(s) depuis le {report.since}"
        )
        _write("\n".join([head, *lines]), out)
    for label, missing in (
        ("sans analyse de répétition pour leur catégorie", report.without_run),
        ("dont l'analyse ne montre aucun risque accru", report.without_raised_risk),
    ):
        if missing:
            detail = ", ".join(f"{k} : {v}" for k, v in sorted(missing.items()))
            err_console.print(f"Faits {label} — {detail}", highlight=False)


def register(app: typer.Typer) -> None:
    """Add ``gltd near-repeat …`` to the root app."""
    grp = typer.Typer(
        cls=_DefaultRunGroup,
        help="Répétitions proches (test de Knox, compatible Near Repeat Calculator et R "
        "NearRepeat) : « gltd near-repeat FICHIER … » ou « gltd near-repeat alerts ».",
        no_args_is_help=True,
    )
    grp.command("run")(run)
    grp.command("alerts")(alerts)
    app.add_typer(grp, name="near-repeat")
