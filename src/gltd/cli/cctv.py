"""``gltd cctv``: cameras, requisitions of footage, viewing log, relevance studies, siting."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from gltd.cli.common import DbOption, GltdGroup, console, engine_for, make_progress
from gltd.cli.imports import make_import_command as _make_import_command
from gltd.errors import InputError

__all__ = ["register"]

cctv_app = typer.Typer(
    cls=GltdGroup,
    no_args_is_help=True,
    help="Vidéoprotection : caméras, réquisitions judiciaires, journal des consultations, "
    "études de pertinence et implantation.",
)
cameras_app = typer.Typer(cls=GltdGroup, no_args_is_help=True, help="Inventaire des caméras.")
req_app = typer.Typer(
    cls=GltdGroup, no_args_is_help=True, help="Registre des réquisitions judiciaires d'images."
)
log_app = typer.Typer(
    cls=GltdGroup, no_args_is_help=True, help="Journal des visionnages et extractions."
)


def _latlon(text: str) -> tuple[float, float]:
    try:
        a, b = (float(v) for v in text.replace(" ", "").split(",", 1))
    except ValueError:
        raise InputError(f"position illisible : « {text} » (attendu LAT,LON)", field="at") from None
    return a, b


def _day(text: str | None, what: str) -> date | None:
    from gltd.timeutil import parse_day

    return parse_day(text, what=what) if text else None


def _when(text: str | None, what: str) -> datetime | None:
    from gltd.cctv._common import parse_datetime

    return parse_datetime(text, field=what) if text else None


def _csv_list(items: list[str] | None) -> list[str]:
    return [c.strip() for item in items or [] for c in item.split(",") if c.strip()]


def _write(out: Path | None, text: str) -> None:
    if out is None:
        console.print(text, highlight=False, markup=False, soft_wrap=True)
        return
    from gltd.cctv._common import write_atomic

    write_atomic(out, text.encode("utf-8"))
    console.print(f"Écrit : {out}")


FormatOpt = Annotated[str, typer.Option("--format", help="Format : table ou json.")]
OutOpt = Annotated[Path | None, typer.Option("--out", help="Fichier de sortie (sinon écran).")]


# --- cameras ------------------------------------------------------------------------------


# One camera importer: the import pipeline, with the options of ``gltd import cameras``
# (--map, --mapping, --crs, --source, --skip-invalid, --dry-run, --report, --sheet).
cameras_app.command(
    "import",
    help="Importer ou mettre à jour l'inventaire des caméras (identique à « gltd import "
    "cameras ») : CSV, XLSX, GeoJSON, GeoPackage, Shapefile, Parquet ; tout le fichier ou rien "
    "(sauf --skip-invalid) ; une caméra déjà enregistrée est mise à jour.",
)(_make_import_command("cameras"))


@cameras_app.command("add")
def cameras_add(
    code: Annotated[str, typer.Option("--code", help="Code de la caméra.")],
    at: Annotated[str, typer.Option("--at", help="Position « LAT,LON » (WGS84).")],
    retention: Annotated[
        int, typer.Option("--retention", help="Conservation en jours (≤ 30, CSI L252-5).")
    ] = 15,
    heading: Annotated[
        float | None, typer.Option("--heading", help="Orientation en degrés depuis le nord.")
    ] = None,
    angle: Annotated[float, typer.Option("--angle", help="Angle de champ (360 = dôme).")] = 360.0,
    range_m: Annotated[float, typer.Option("--range", help="Portée en mètres.")] = 50.0,
    hd: Annotated[bool, typer.Option("--hd/--sd", help="Haute définition.")] = False,
    cost: Annotated[float, typer.Option("--cost", help="Coût annuel en euros.")] = 0.0,
    installed: Annotated[
        str | None, typer.Option("--installed", help="Date d'installation.")
    ] = None,
    auth_number: Annotated[
        str | None, typer.Option("--auth-number", help="Numéro de l'arrêté préfectoral.")
    ] = None,
    auth_date: Annotated[str | None, typer.Option("--auth-date", help="Date de l'arrêté.")] = None,
    auth_expiry: Annotated[
        str | None,
        typer.Option("--auth-expiry", help="Échéance (par défaut date + 5 ans, CSI L252-4)."),
    ] = None,
    db: DbOption = None,
) -> None:
    """Ajouter une caméra (contrôles : conservation, commune, autorisation)."""
    from gltd.services.cctv import CameraData, add_camera

    lat, lon = _latlon(at)
    rec = add_camera(
        engine_for(db),
        CameraData(
            code=code, lat=lat, lon=lon, heading_deg=heading, field_angle_deg=angle,
            range_m=range_m, hd=hd, annual_cost_eur=cost, retention_days=retention,
            installed_on=_day(installed, "installation"), authorisation_number=auth_number,
            authorisation_date=_day(auth_date, "date d'arrêté"),
            authorisation_expiry=_day(auth_expiry, "échéance"),
        ),
    )  # fmt: skip
    exp = rec.authorisation_expiry
    console.print(
        f"Caméra {rec.code} enregistrée (n° {rec.id})"
        + (f", autorisation jusqu'au {exp:%d/%m/%Y}" if exp else "")
    )


@cameras_app.command("list")
def cameras_list(
    on: Annotated[str | None, typer.Option("--on", help="En service ce jour-là.")] = None,
    fmt: FormatOpt = "table",
    out: OutOpt = None,
    db: DbOption = None,
) -> None:
    """Lister les caméras."""
    from gltd.services.cctv import list_cameras

    cams = list_cameras(engine_for(db), active_on=_day(on, "jour"))
    if fmt == "json":
        _write(out, json.dumps([c.as_dict() for c in cams], ensure_ascii=False, indent=2))
        return
    t = Table("Code", "Position", "Champ", "HD", "Conserv.", "Coût/an", "Autorisation")
    for c in cams:
        champ = (
            "dôme" if c.heading_deg is None else f"{c.heading_deg:.0f}° / {c.field_angle_deg:.0f}°"
        )
        exp = f"→ {c.authorisation_expiry:%d/%m/%Y}" if c.authorisation_expiry else "—"
        t.add_row(c.code, f"{c.lat:.5f}, {c.lon:.5f}", f"{champ}, {c.range_m:.0f} m",
                  "oui" if c.hd else "non", f"{c.retention_days} j", f"{c.annual_cost_eur:,.0f} €",
                  exp)  # fmt: skip
    console.print(t)
    console.print(f"{len(cams)} caméra(s)")


@cameras_app.command("coverage")
def cameras_coverage(
    out: Annotated[Path, typer.Option("--out", help="Fichier GeoJSON des champs de vue.")],
    on: Annotated[str | None, typer.Option("--on", help="Caméras en service ce jour-là.")] = None,
    db: DbOption = None,
) -> None:
    """Écrire la couche de couverture (champs de vue, WGS84) en GeoJSON."""
    from gltd.services.cctv import coverage_geojson

    fc = coverage_geojson(engine_for(db), on=_day(on, "jour"))
    _write(out, json.dumps(fc, ensure_ascii=False))
    console.print(f"{len(fc['features'])} champ(s) de vue")


@cameras_app.command("summary")
def cameras_summary(
    on: Annotated[str | None, typer.Option("--on", help="Jour du bilan (aujourd'hui).")] = None,
    categories: Annotated[
        list[str] | None, typer.Option("--categories", help="Catégories (codes).")
    ] = None,
    fmt: FormatOpt = "table",
    out: OutOpt = None,
    db: DbOption = None,
) -> None:
    """Synthèse du parc : nombre, part HD, coût, faits filmables, autorisations à renouveler."""
    from gltd.services.cctv import network_summary
    from gltd.taxonomy import get_taxonomy

    s = network_summary(engine_for(db), on=_day(on, "jour"), categories=_csv_list(categories))
    if fmt == "json":
        _write(out, json.dumps(s.as_dict(), ensure_ascii=False, indent=2))
        return
    hd = f"{s.hd_share:.0%}" if s.hd_share is not None else "—"
    console.print(
        f"Parc au {s.on:%d/%m/%Y} : {s.n_cameras} caméras, {s.n_hd} HD ({hd}), "
        f"{s.annual_cost_eur:,.0f} € par an".replace(",", " ")
    )
    t = Table("Catégorie", "Faits", "Dans un champ", "Part")
    tax = get_taxonomy()
    for cat, v in s.coverage_by_category.items():
        share = f"{v['share']:.0%}" if v["share"] is not None else "—"
        t.add_row(
            "Ensemble" if cat == "_total" else tax.label(cat), str(v["n"]), str(v["covered"]), share
        )
    console.print(t)
    for e in s.expiring:
        console.print(
            f"Autorisation à renouveler : {e['code']} échéance {e['expiry']} ({e['days_left']} j)"
        )
    for e in s.expired:
        console.print(f"[red]Autorisation expirée[/] : {e['code']} depuis le {e['expiry']}")


# --- requisitions -------------------------------------------------------------------------


def _print_req(v: Any) -> None:
    from gltd.cctv._common import fmt_local
    from gltd.cctv.requisitions import STATUS_LABELS

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
    """Enregistrer une réquisition ; calcule l'échéance légale des images."""
    from gltd.services.cctv import RequisitionData, register_requisition

    v = register_requisition(
        engine_for(db),
        RequisitionData(
            received_at=_when(received, "received"), requesting_unit=unit, legal_basis=basis,  # type: ignore[arg-type]
            procedure_number=procedure, camera_codes=_csv_list(cameras),
            period_start=_when(start, "from"), period_end=_when(end, "to"),  # type: ignore[arg-type]
            officer_capacity=capacity,
        ),
        by=by,
    )  # fmt: skip
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
    """Lister les réquisitions (les plus récentes d'abord)."""
    from gltd.cctv._common import fmt_local
    from gltd.cctv.requisitions import STATUS_LABELS
    from gltd.services.cctv import list_requisitions

    rows = list_requisitions(engine_for(db), status=_csv_list(status) or None, year=year)
    if fmt == "json":
        _write(out, json.dumps([v.as_dict() for v in rows], ensure_ascii=False, indent=2))
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
    """Faire avancer une réquisition dans son circuit (horodaté)."""
    from gltd.services.cctv import change_status

    v = change_status(
        engine_for(db), req_id, status, at=_when(at, "at"), by=by, expected=expected,
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
    """Réquisitions ouvertes dont les images seront bientôt écrasées."""
    from gltd.services.cctv import deadline_alerts
    from gltd.timeutil import parse_duration

    alerts = deadline_alerts(engine_for(db), within=parse_duration(within))
    if fmt == "json":
        _write(out, json.dumps([a.as_dict() for a in alerts], ensure_ascii=False, indent=2))
        return
    if not alerts:
        console.print(f"Aucune échéance dans les {within}.")
    for a in alerts:
        color = "red" if a.level == "expiree" else "yellow"
        console.print(f"[{color}]{a.message}[/]", highlight=False)


@req_app.command("stats")
def req_stats(fmt: FormatOpt = "table", out: OutOpt = None, db: DbOption = None) -> None:
    """Statistiques annuelles et tendance depuis la première année enregistrée."""
    from gltd.services.cctv import yearly_stats

    st = yearly_stats(engine_for(db))
    if fmt == "json":
        _write(out, json.dumps(st.as_dict(), ensure_ascii=False, indent=2))
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


# --- viewing log --------------------------------------------------------------------------


@log_app.command("add")
def log_add(
    agent: Annotated[str, typer.Option("--agent", help="Compte de l'agent habilité.")],
    action: Annotated[str, typer.Option("--action", help="visionnage ou extraction.")],
    reason: Annotated[str, typer.Option("--reason", help="Motif.")],
    camera: Annotated[str, typer.Option("--camera", help="Code de la caméra.")],
    start: Annotated[str, typer.Option("--from", help="Début de l'extrait.")],
    end: Annotated[str, typer.Option("--to", help="Fin de l'extrait.")],
    recipient: Annotated[str | None, typer.Option("--recipient", help="Destinataire.")] = None,
    requisition: Annotated[
        int | None, typer.Option("--requisition", help="N° de réquisition.")
    ] = None,
    at: Annotated[
        str | None, typer.Option("--at", help="Date de la consultation (maintenant).")
    ] = None,
    db: DbOption = None,
) -> None:
    """Inscrire un visionnage ou une extraction (journal non modifiable)."""
    from gltd.services.cctv import log_viewing

    e = log_viewing(
        engine_for(db), agent=agent, action=action, reason=reason, camera=camera,
        clip_start=_when(start, "from"), clip_end=_when(end, "to"),  # type: ignore[arg-type]
        recipient=recipient, requisition_id=requisition, at=_when(at, "at"),
    )  # fmt: skip
    console.print(f"Inscrit au journal (n° {e.id}).")


@log_app.command("export")
def log_export(
    out: Annotated[Path, typer.Option("--out", help="Fichier CSV.")],
    start: Annotated[str | None, typer.Option("--from", help="Premier jour.")] = None,
    end: Annotated[str | None, typer.Option("--to", help="Dernier jour (inclus).")] = None,
    camera: Annotated[str | None, typer.Option("--camera", help="Une caméra.")] = None,
    by: Annotated[str | None, typer.Option("--by", help="Compte qui exporte (audit).")] = None,
    db: DbOption = None,
) -> None:
    """Exporter le journal en CSV (l'export est lui-même tracé)."""
    from datetime import timedelta

    from gltd.services.cctv import export_viewings_csv
    from gltd.timeutil import local_midnight

    if not out.parent.exists():
        raise InputError("dossier de sortie introuvable", file=str(out))
    d0, d1 = _day(start, "début"), _day(end, "fin")
    n = export_viewings_csv(
        engine_for(db), out, camera=camera, by=by,
        start=local_midnight(d0) if d0 else None,
        end=local_midnight(d1 + timedelta(days=1)) if d1 else None,
    )  # fmt: skip
    console.print(f"{n} ligne(s) écrite(s) dans {out}")


# --- study and siting ---------------------------------------------------------------------


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
    """Étude de pertinence d'un site de caméra (PDF ou JSON, en français)."""
    from gltd.services.cctv import relevance_study, write_study

    if (at is None) == (request is None):
        raise InputError("donnez soit --at LAT,LON (avec --radius), soit --request ID")
    lat, lon = _latlon(at) if at else (None, None)
    with make_progress(transient=True) as progress:
        progress.add_task("Étude de pertinence…", total=None)
        res = relevance_study(
            engine_for(db), lat=lat, lon=lon, radius=radius, heading=heading, field_angle=angle,
            request_id=request, as_of=_day(as_of, "date de l'étude"),
            categories=_csv_list(categories) or None,
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
    fmt: Annotated[str, typer.Option("--format", help="json ou geojson.")] = "json",
    db: DbOption = None,
) -> None:
    """Choisir k sites de caméras couvrant le plus de faits (couverture maximale)."""
    from gltd.services.cctv import run_siting, siting_geojson
    from gltd.timeutil import make_period

    if fmt not in ("json", "geojson"):
        raise InputError(f"format inconnu : « {fmt} » (attendu json ou geojson)")
    w: dict[str, float] = {}
    for item in _csv_list([weights] if weights else []):
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
        period = make_period(_day(start, "début"), _day(end, "fin"))  # type: ignore[arg-type]
    engine = engine_for(db)
    with make_progress(transient=True) as progress:
        task = progress.add_task("Implantation…", total=None)
        res = run_siting(
            engine, candidates=candidates, grid=grid, zones=_csv_list(zones) or None, k=k,
            radius=radius, budget=budget, cost=cost, exact=exact,
            categories=_csv_list(categories) or None, weights=w or None,
            start=period.start if period else None, end=period.end if period else None,
            progress=lambda m: progress.update(task, description=m),
        )  # fmt: skip
    payload = siting_geojson(res) if fmt == "geojson" else res
    _write(out, json.dumps(payload, ensure_ascii=False, indent=2))
    msg = f"{len(res['sites'])} site(s), poids couvert {res['covered_weight']:g}"
    if res["optimum"] is not None:
        msg += f", optimum {res['optimum']:g}, écart du glouton {res['gap']:.2%}"
    console.print(msg)


def register(app: typer.Typer) -> None:
    """Add ``gltd cctv …`` to the root app."""
    cctv_app.add_typer(cameras_app, name="cameras")
    cctv_app.add_typer(req_app, name="requisitions")
    cctv_app.add_typer(log_app, name="log")
    cctv_app.command("study")(study_cmd)
    cctv_app.command("siting")(siting_cmd)
    app.add_typer(cctv_app, name="cctv")
