"""``gltd cctv cameras …``: import, add, list, coverage layer and summary of the network."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from gltd.cli.cctv_common import (
    FormatOpt,
    OutOpt,
    csv_list,
    optional_day,
    parse_latlon,
    write_output,
)
from gltd.cli.common import DbOption, GltdGroup, check_out_format, console, engine_for
from gltd.cli.imports import make_import_command as _make_import_command

__all__ = ["cameras_app"]

cameras_app = typer.Typer(cls=GltdGroup, no_args_is_help=True, help="Inventaire des caméras.")


# One camera importer: the import pipeline, with the options of ``gltd import cameras``
# (--map, --mapping, --crs, --source, --skip-invalid, --dry-run, --report, --sheet).
cameras_app.command(
    "import",
    help="Importer ou mettre à jour l'inventaire des caméras (identique à « gltd import "
    "cameras ») : CSV, XLSX, GeoJSON, GeoPackage, Shapefile, Parquet ; tout le fichier ou rien "
    "(sauf --skip-invalid) ; une caméra déjà enregistrée est mise à jour.\n\n"
    "Exemple : gltd cctv cameras import cameras.xlsx --dry-run",
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
    """Ajouter une caméra (contrôles : conservation, commune, autorisation).

    Exemple : gltd cctv cameras add --code CAM-042 --at 47.9025,1.8990 --heading 90 --angle 60
    """
    from gltd.cctv.inventory import CameraData, add_camera

    lat, lon = parse_latlon(at)
    rec = add_camera(
        engine_for(db),
        CameraData(
            code=code, lat=lat, lon=lon, heading_deg=heading, field_angle_deg=angle,
            range_m=range_m, hd=hd, annual_cost_eur=cost, retention_days=retention,
            installed_on=optional_day(installed, "installation"), authorisation_number=auth_number,
            authorisation_date=optional_day(auth_date, "date d'arrêté"),
            authorisation_expiry=optional_day(auth_expiry, "échéance"),
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
    """Lister les caméras, avec leur statut (en service, retirée) et leur date de retrait.

    Exemple : gltd cctv cameras list --format json --out cameras.json
    """
    from datetime import datetime

    from gltd.cctv.inventory import list_cameras
    from gltd.timeutil import PARIS

    check_out_format(out, fmt)
    cams = list_cameras(engine_for(db), active_on=optional_day(on, "jour"))
    if fmt == "json":
        write_output(out, json.dumps([c.as_dict() for c in cams], ensure_ascii=False, indent=2))
        return
    day = optional_day(on, "jour") or datetime.now(PARIS).date()
    t = Table("Code", "Statut", "Position", "Champ", "HD", "Conserv.", "Coût/an", "Autorisation")
    for c in cams:
        champ = (
            "dôme" if c.heading_deg is None else f"{c.heading_deg:.0f}° / {c.field_angle_deg:.0f}°"
        )
        exp = f"→ {c.authorisation_expiry:%d/%m/%Y}" if c.authorisation_expiry else "—"
        status = c.status_on(day) + (f" le {c.removed_on:%d/%m/%Y}" if c.removed_on else "")
        t.add_row(c.code, status, f"{c.lat:.5f}, {c.lon:.5f}", f"{champ}, {c.range_m:.0f} m",
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
    """Écrire la couche de couverture (champs de vue, WGS84) en GeoJSON.

    Exemple : gltd cctv cameras coverage --out champs.geojson
    """
    from gltd.cctv.inventory import coverage_geojson

    fc = coverage_geojson(engine_for(db), on=optional_day(on, "jour"))
    write_output(out, json.dumps(fc, ensure_ascii=False))
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
    """Synthèse du parc : nombre, part HD, coût, faits filmables, autorisations à renouveler.

    Exemple : gltd cctv cameras summary --on 2018-09-24
    """
    from gltd.cctv.inventory import network_summary
    from gltd.taxonomy import get_taxonomy

    check_out_format(out, fmt)
    s = network_summary(
        engine_for(db), on=optional_day(on, "jour"), categories=csv_list(categories)
    )
    if fmt == "json":
        write_output(out, json.dumps(s.as_dict(), ensure_ascii=False, indent=2))
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
