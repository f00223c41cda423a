"""``gltd serve``: the shared dashboard of the GLTD (FastAPI + uvicorn)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich import box
from rich.table import Table

from gltd.cli.common import DbOption, console, db_url, engine_for

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    """Add ``gltd serve``."""

    @app.command("serve")
    def serve(
        db: DbOption = None,
        host: Annotated[
            str, typer.Option(help="Adresse d'écoute (127.0.0.1 : ce poste seulement).")
        ] = "127.0.0.1",
        port: Annotated[int, typer.Option(help="Port HTTP.", min=1, max=65535)] = 8000,
        demo_accounts: Annotated[
            bool,
            typer.Option(
                "--demo-accounts",
                help="Crée (ou remet à zéro) un compte par agence et rôle de démonstration et "
                "affiche les mots de passe. Refusé hors développement, et sur une autre "
                "adresse que 127.0.0.1 avec le secret de développement ; ces comptes ne se "
                "connectent qu'en développement (gltd db remove-demo-accounts les supprime).",
            ),
        ] = False,
        reference_date: Annotated[
            str | None,
            typer.Option(
                "--reference-date",
                help="« À la date du » JJ/MM/AAAA : le jour pris pour aujourd'hui (échéances, "
                "période par défaut), annoncé sur chaque page (GLTD_REFERENCE_DATE).",
            ),
        ] = None,
        workers: Annotated[
            int,
            typer.Option(
                "--workers",
                min=1,
                max=32,
                help="Processus serveurs (un par cœur : chacun garde en mémoire le cube des "
                "faits, environ 40 octets par fait). Sessions, droits, journal, analyses et "
                "caches restent cohérents entre eux.",
            ),
        ] = 1,
    ) -> None:
        """Lance le tableau de bord partagé du GLTD (pages web et API /api).

        Exemple : gltd serve --db sqlite:///demo.db --port 8000 --workers 2
        """
        _run(db, host, port, demo_accounts, reference_date, workers)


def _run(
    db: str | None,
    host: str,
    port: int,
    demo_accounts: bool,
    reference_date: str | None,
    workers: int = 1,
) -> None:
    import dataclasses
    import os

    import uvicorn

    from gltd.accounts import demo_accounts_notice, ensure_demo_accounts
    from gltd.config import DEV_SECRET, get_settings
    from gltd.errors import GltdError
    from gltd.web.app import create_app
    from gltd.web.settings import parse_reference_date, web_settings_from_env

    settings = get_settings()  # refuses the development secret outside development
    url = db_url(db)
    settings = dataclasses.replace(settings, db_url=url)
    engine = engine_for(url)
    if demo_accounts:
        if settings.environment != "development":
            raise GltdError("--demo-accounts est réservé au développement (GLTD_ENV=development)")
        if settings.secret_key == DEV_SECRET and host not in ("127.0.0.1", "localhost", "::1"):
            raise GltdError(
                "--demo-accounts avec le secret de développement (public) : n'importe qui "
                "pourrait calculer les mots de passe ; écoutez sur 127.0.0.1 ou définissez "
                "GLTD_SECRET_KEY"
            )
        accounts = ensure_demo_accounts(engine, settings.secret_key)
        if not accounts:
            console.print("[yellow]Aucune agence en base : lancez d'abord « gltd demo ».[/]")
        table = Table(title="Comptes de démonstration", box=box.SIMPLE, pad_edge=False)
        table.add_column("Agence", overflow="fold")
        table.add_column("Rôle", overflow="fold")
        table.add_column("Identifiant", no_wrap=True, min_width=18)
        table.add_column("Mot de passe", no_wrap=True, min_width=18)
        for a in accounts:
            table.add_row(a.agency, a.role, a.username, a.password)
        console.print(table)
    notice = demo_accounts_notice(engine, settings.environment)
    if notice:
        console.print(f"[yellow]{notice}[/]")
    web = web_settings_from_env(settings.environment)
    if reference_date:
        web = dataclasses.replace(
            web, reference_date=parse_reference_date(reference_date, "--reference-date")
        )
    if web.reference_date:
        console.print(f"Application à la date du {web.reference_date:%d/%m/%Y}")
    if workers > 1:
        # Each process builds its application from the environment (GLTD_*), given here.
        os.environ["GLTD_DB_URL"] = url
        if web.reference_date:
            os.environ["GLTD_REFERENCE_DATE"] = web.reference_date.strftime("%d/%m/%Y")
        console.print(
            f"gltd sert http://{host}:{port} avec {workers} processus (Ctrl+C pour arrêter)"
        )
        uvicorn.run(
            "gltd.web.app:app_from_env",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_level="info",
            proxy_headers=False,
        )
        return
    app = create_app(settings, web=web)
    console.print(f"gltd sert http://{host}:{port} (Ctrl+C pour arrêter)")
    uvicorn.run(app, host=host, port=port, log_level="info", proxy_headers=False)
