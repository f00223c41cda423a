"""``gltd cctv requisitions …``: register of judicial requisitions of footage (add, list,
status, deadline alerts, yearly statistics)."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.table import Table

from gltd.cli.cctv_common import (
    FormatOpt,
    OutOpt,
    csv_list,
    optional_day,
    optional_when,
    write_output,
)
from gltd.cli.common import (
    DbOption,
    GltdGroup,
    check_out_format,
    console,
    engine_for,
    warn_identity,
)

__all__ = ["req_app"]

req_app = typer.Typer(
    cls=GltdGroup, no_args_is_help=True, help="Registre des réquisitions judiciaires d'images."
)


def _print_req(v: Any) -> None:
    from gltd.cctv.requisitions import STATUS_LABELS
    from gltd.timeutil import fmt_local

    console.print(
        f"Réquisition n° {v.id} — {STATUS_LABELS[v.status]} — échéance {fmt_local(v.deadline)}"
    )
    for c in v.cameras:
        console.print(
            f"  {c.code} (conservation {c.retention_days} j) : images écrasées à partir du {fmt_local(c.deadline)}"
        )
    for w in v.warnings:
        console.print(f"  [yellow]Attention[/] : {w}")


@req_app.command("add")
def req_add(
    received: Annotated[
        str, typer.Option("--received", help="Reçue le « AAAA-MM-JJ HH:MM » (Paris).")
    ],
    unit: Annotated[str, typer.Option("--unit", help="Service requérant.")],
    basis: Annotated[str, typer.Option("--basis", help="Fondement : 60-1, 77-1-1 ou 99-3 (CPP).")],
    procedure: Annotated[
        str,
        typer.Option("--procedure", help="N° de procédure (haché, jamais enregistré en clair)."),
    ],
    cameras: Annotated[list[str], typer.Option("--cameras", help="Codes des caméras (virgules).")],
    start: Annotated[str, typer.Option("--from", help="Début de la période demandée.")],
    end: Annotated[str, typer.Option("--to", help="Fin de la période demandée.")],
    capacity: Annotated[
        str | None,
        typer.Option("--capacity", help="Qualité : procureur, juge_instruction, OPJ, APJ."),
    ] = None,
    by: Annotated[str | None, typer.Option("--by", help="Compte de l'agent qui saisit.")] = None,
    db: DbOption = None,
) -> None:
    """Enregistrer une réquisition ; calcule l'échéance légale des images.

    Exemple : gltd cctv requisitions add --received "2018-06-02 10:15" --unit "Commissariat
    central" --basis 77-1-1 --procedure 2018/123 --cameras CAM-042 --from "2018-06-01 22:00"
    --to "2018-06-02 02:00"
    """
    from gltd.cctv.requisitions import RequisitionData, register_requisition

    v = register_requisition(
        engine_for(db),
        RequisitionData(
            received_at=optional_when(received, "received"), requesting_unit=unit, legal_basis=basis,  # type: ignore[arg-type]
            procedure_number=procedure, camera_codes=csv_list(cameras),
            period_start=optional_when(start, "from"), period_end=optional_when(end, "to"),  # type: ignore[arg-type]
            officer_capacity=capacity,
        ),
        by=by,
    )  # fmt: skip
    warn_identity({"--unit (service requérant)": unit})
    _print_req(v)


@req_app.command("list")
def req_list(
    status: Annotated[
        list[str] | None, typer.Option("--status", help="Statuts (virgules).")
    ] = None,
    year: Annotated[int | None, typer.Option("--year", help="Année de réception.")] = None,
    fmt: FormatOpt = "table",
    out: OutOpt = None,
    db: DbOption = None,
) -> None:
    """Lister les réquisitions (les plus récentes d'abord).

    Exemple : gltd cctv requisitions list --status en_cours
    """
    from gltd.cctv.requisitions import STATUS_LABELS, list_requisitions
    from gltd.timeutil import fmt_local

    check_out_format(out, fmt)
    rows = list_requisitions(engine_for(db), status=csv_list(status) or None, year=year)
    if fmt == "json":
        write_output(out, json.dumps([v.as_dict() for v in rows], ensure_ascii=False, indent=2))
        return
    t = Table("N°", "Reçue", "Service", "CPP", "Caméras", "Échéance", "Statut")
    for v in rows:
        t.add_row(str(v.id), fmt_local(v.received_at), v.requesting_unit, v.legal_basis or "",
                  ", ".join(c.code for c in v.cameras), fmt_local(v.deadline),
                  STATUS_LABELS[v.status])  # fmt: skip
    console.print(t)


@req_app.command("status")
def req_status(
    req_id: Annotated[int, typer.Argument(help="Numéro de la réquisition.")],
    status: Annotated[str, typer.Argument(help="en_cours, remise, hors_delai ou sans_objet.")],
    at: Annotated[str | None, typer.Option("--at", help="Date et heure (maintenant).")] = None,
    expected: Annotated[
        str | None, typer.Option("--expected", help="Statut attendu avant le changement.")
    ] = None,
    medium: Annotated[str | None, typer.Option("--medium", help="Support remis.")] = None,
    outcome: Annotated[
        str | None, typer.Option("--outcome", help="Résultat : utile, non_utile, inconnu.")
    ] = None,
    by: Annotated[str | None, typer.Option("--by", help="Compte de l'agent.")] = None,
    db: DbOption = None,
) -> None:
    """Faire avancer une réquisition dans son circuit (horodaté).

    Exemple : gltd cctv requisitions status 12 remise --outcome utile
    """
    from gltd.cctv.requisitions import change_status

    v = change_status(
        engine_for(db), req_id, status, at=optional_when(at, "at"), by=by, expected=expected,
        medium=medium, outcome=outcome,
    )  # fmt: skip
    _print_req(v)


@req_app.command("alerts")
def req_alerts(
    within: Annotated[str, typer.Option("--within", help="Horizon : 12h, 3d, 1w…")] = "3d",
    fmt: FormatOpt = "table",
    out: OutOpt = None,
    db: DbOption = None,
) -> None:
    """Réquisitions ouvertes dont les images seront bientôt écrasées.

    Exemple : gltd cctv requisitions alerts --within 48h
    """
    from gltd.cctv.requisitions import deadline_alerts
    from gltd.timeutil import parse_duration

    check_out_format(out, fmt)
    alerts = deadline_alerts(engine_for(db), within=parse_duration(within))
    if fmt == "json":
        write_output(out, json.dumps([a.as_dict() for a in alerts], ensure_ascii=False, indent=2))
        return
    if not alerts:
        console.print(f"Aucune échéance dans les {within}.")
    for a in alerts:
        color = "red" if a.level == "expiree" else "yellow"
        console.print(f"[{color}]{a.message}[/]", highlight=False)


@req_app.command("stats")
def req_stats(
    to: Annotated[
        str | None,
        typer.Option(
            "--to",
            help="Dernier jour compté (inclus), par exemple celui d'un bilan ; aujourd'hui "
            "par défaut.",
        ),
    ] = None,
    fmt: FormatOpt = "table",
    out: OutOpt = None,
    db: DbOption = None,
) -> None:
    """Statistiques annuelles et tendance depuis la première année enregistrée.

    Exemple : gltd cctv requisitions stats --to 2018-09-24 --format json --out stats.json
    """
    from gltd.cctv.requisitions import yearly_stats

    check_out_format(out, fmt)
    st = yearly_stats(engine_for(db), last_day=optional_day(to, "dernier jour"))
    if fmt == "json":
        write_output(out, json.dumps(st.as_dict(), ensure_ascii=False, indent=2))
        return

    def pct(v: float | None) -> str:
        return "—" if v is None else f"{v:.0%}"

    t = Table("Année", "Réquisitions", "Dans les délais", "Délai médian (j)", "Utiles")
    for y in st.years:
        med = "—" if y.median_turnaround_days is None else f"{y.median_turnaround_days:.1f}"
        t.add_row(
            f"{y.year}{' (en cours)' if y.partial else ''}",
            str(y.count),
            pct(y.on_time_rate),
            med,
            pct(y.useful_share),
        )
    console.print(t)
    if st.trend:
        console.print(
            f"Tendance (Mann-Kendall, années complètes) : {st.trend['trend']} (p = {st.trend['p_value']:.3g})"
        )
    if st.comparison:
        c = st.comparison
        console.print(
            f"{c['year']} contre {c['year_ref']} (par jour observé) : {c['label_fr']} (p = {c['p_value']:.3g})"
        )
