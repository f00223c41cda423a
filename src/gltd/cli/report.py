"""``gltd report``: the GLTD bilan (PDF, HTML or JSON) for a period."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from gltd.cli.common import DbOption, check_out_format, console, engine_for, make_progress

__all__ = ["register"]


def report_cmd(
    date_from: Annotated[
        str, typer.Option("--from", help="Premier jour de la période (AAAA-MM-JJ ou JJ/MM/AAAA).")
    ],
    date_to: Annotated[str, typer.Option("--to", help="Dernier jour de la période, inclus.")],
    out: Annotated[Path, typer.Option("--out", help="Fichier à écrire.")],
    fmt: Annotated[str, typer.Option("--format", help="Format : pdf, html ou json.")] = "pdf",
    compare: Annotated[
        str,
        typer.Option(
            "--compare",
            help="Période de comparaison : previous-year (même période un an plus tôt), "
            "previous-period (période précédente de même durée) ou DEBUT..FIN.",
        ),
    ] = "previous-year",
    zones: Annotated[
        list[str] | None,
        typer.Option("--zones", help="Zones retenues (nom ou identifiant ; option répétable)."),
    ] = None,
    title: Annotated[str | None, typer.Option("--title", help="Titre du bilan.")] = None,
    edition: Annotated[
        str,
        typer.Option(
            "--edition",
            help="Édition : complete (tous les tableaux, cartes et méthodes) ou presse "
            "(deux pages à remettre à la presse : chiffres clés, évolutions significatives, "
            "une carte, la mise en garde). Le JSON est le même pour les deux.",
        ),
    ] = "complete",
    db: DbOption = None,
) -> None:
    """Produire le bilan du GLTD sur une période, comparée à une autre (tests exacts).

    Exemple : gltd report --from 2018-03-24 --to 2018-09-24 --edition presse --out presse.pdf
    """
    from gltd.errors import GltdError
    from gltd.report.builder import build_bilan, resolve_compare
    from gltd.report.render import FORMATS, TEMPLATES, write_report
    from gltd.timeutil import make_period, parse_day

    fmt = fmt.lower().strip()
    if fmt not in FORMATS:
        raise GltdError(f"--format : « {fmt} » inconnu (attendu : pdf, html ou json)")
    edition = edition.lower().strip()
    if edition not in TEMPLATES:
        raise GltdError(f"--edition : « {edition} » inconnue (attendu : complete ou presse)")
    check_out_format(out, fmt)
    period = make_period(parse_day(date_from, what="--from"), parse_day(date_to, what="--to"))
    ref, kind = resolve_compare(period, compare)
    names: list[str] = []
    for z in zones or []:
        names += [p.strip() for p in z.split(",") if p.strip()]
    engine = engine_for(db)
    with make_progress(transient=True) as progress:
        task = progress.add_task("Calcul du bilan", total=2)
        bilan = build_bilan(engine, period, ref, names or None, compare_kind=kind, title=title)
        progress.update(task, completed=1, description=f"Mise en forme ({fmt.upper()})")
        path = write_report(bilan, fmt, out, edition=edition)
        progress.update(task, completed=2)
    console.print(f"Bilan {bilan['period']['label']} écrit : {path.resolve()}", highlight=False)


def register(app: typer.Typer) -> None:
    """Add the ``report`` command."""
    app.command("report")(report_cmd)
