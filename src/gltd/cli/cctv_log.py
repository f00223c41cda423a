"""``gltd cctv log …``: the viewing and extraction log (add an entry, export as CSV)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from gltd.cli.cctv_common import optional_day, optional_when
from gltd.cli.common import DbOption, GltdGroup, console, engine_for, warn_identity
from gltd.errors import InputError

__all__ = ["log_app"]

log_app = typer.Typer(
    cls=GltdGroup, no_args_is_help=True, help="Journal des visionnages et extractions."
)


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
    """Inscrire un visionnage ou une extraction (journal non modifiable).

    Exemple : gltd cctv log add --agent op1 --action visionnage --reason "Réquisition 12"
    --camera CAM-042 --from "2018-06-01 22:00" --to "2018-06-01 23:00"
    """
    from gltd.cctv.viewlog import log_viewing

    e = log_viewing(
        engine_for(db), agent=agent, action=action, reason=reason, camera=camera,
        clip_start=optional_when(start, "from"), clip_end=optional_when(end, "to"),  # type: ignore[arg-type]
        recipient=recipient, requisition_id=requisition, at=optional_when(at, "at"),
    )  # fmt: skip
    warn_identity({"--reason (motif)": reason, "--recipient (destinataire)": recipient})
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
    """Exporter le journal en CSV (l'export est lui-même tracé).

    Exemple : gltd cctv log export --from 2018-01-01 --to 2018-12-31 --out journal.csv
    """
    from datetime import timedelta

    from gltd.cctv.viewlog import export_viewings_csv
    from gltd.timeutil import local_midnight

    if not out.parent.exists():
        raise InputError("dossier de sortie introuvable", file=str(out))
    d0, d1 = optional_day(start, "début"), optional_day(end, "fin")
    n = export_viewings_csv(
        engine_for(db), out, camera=camera, by=by,
        start=local_midnight(d0) if d0 else None,
        end=local_midnight(d1 + timedelta(days=1)) if d1 else None,
    )  # fmt: skip
    console.print(f"{n} ligne(s) écrite(s) dans {out}")
