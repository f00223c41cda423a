"""``gltd db``: create and migrate the database; remove demo accounts, create an admin."""

from __future__ import annotations

from typing import Annotated

import typer

from gltd.cli.common import DbOption, GltdGroup, console, db_url, engine_for
from gltd.errors import GltdError

__all__ = ["register"]

db_app = typer.Typer(
    cls=GltdGroup,
    help="Base de données : création et migrations, comptes de démonstration, premier "
    "administrateur.",
    no_args_is_help=True,
)


@db_app.command("upgrade")
def upgrade_cmd(
    db: DbOption = None, revision: str = typer.Option("head", help="Révision cible.")
) -> None:
    """Créer la base ou la mettre à jour (migrations Alembic).

    Exemple : gltd db upgrade --db sqlite:///gltd.db
    """
    from gltd.store.migrate import upgrade

    url = db_url(db)
    upgrade(url, revision)
    console.print(f"Base à jour ({revision}) : {url}")


@db_app.command("current")
def current_cmd(db: DbOption = None) -> None:
    """Afficher la révision de la base.

    Exemple : gltd db current --db sqlite:///gltd.db
    """
    from gltd.store.engine import database_exists, display_url, make_engine
    from gltd.store.migrate import current_revision

    url = db_url(db)
    if not database_exists(url):  # looking must not create an empty file
        raise GltdError(
            f"base introuvable : {display_url(url)} n'existe pas (lancez « gltd db upgrade »)"
        )
    rev = current_revision(make_engine(url))
    console.print(rev or "base non initialisée (lancez « gltd db upgrade »)")


@db_app.command("remove-demo-accounts")
def remove_demo_accounts_cmd(db: DbOption = None) -> None:
    """Supprimer les comptes de démonstration (et leurs sessions) de la base.

    Exemple : gltd db remove-demo-accounts --db sqlite:///gltd.db
    """
    from gltd.accounts import remove_demo_accounts

    names = remove_demo_accounts(engine_for(db))
    console.print(
        f"{len(names)} compte(s) de démonstration supprimé(s)"
        + (f" : {', '.join(names)}" if names else "")
    )


@db_app.command("create-admin")
def create_admin_cmd(
    username: Annotated[str, typer.Argument(help="Identifiant du compte (jamais un nom).")],
    agency: Annotated[str, typer.Option("--agence", help="Nom de l'agence du compte.")],
    kind: Annotated[
        str | None,
        typer.Option(
            "--type",
            help="Type de l'agence si elle est à créer : parquet, police, prefecture, "
            "ville, csu, autre.",
        ),
    ] = None,
    db: DbOption = None,
) -> None:
    """Créer un compte administrateur d'une agence (le mot de passe est demandé).

    Exemple : gltd db create-admin admin --agence "Parquet d'Orléans" --type parquet
    """
    from gltd.accounts import check_new_admin, create_admin
    from gltd.errors import GltdError, InputError
    from gltd.model import AGENCY_KINDS

    engine = engine_for(db)
    try:
        # Before the password is asked for: a taken name, a new agency without its type.
        check_new_admin(engine, username=username, agency=agency, kind=kind)
        password = typer.prompt(
            "Mot de passe", hide_input=True, confirmation_prompt="Confirmez le mot de passe"
        )
        create_admin(engine, username=username, agency=agency, kind=kind, password=password)
    except InputError as exc:
        if exc.field == "kind":
            raise GltdError(
                f"l'agence « {agency} » n'existe pas : indiquez son type avec --type "
                f"({', '.join(AGENCY_KINDS)})"
            ) from None
        raise GltdError(exc.reason) from None
    console.print(f"Compte administrateur « {username} » créé ({agency}).")


def register(app: typer.Typer) -> None:
    """Add the ``db`` group."""
    app.add_typer(db_app, name="db")
