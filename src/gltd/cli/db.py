"""``gltd db``: create and migrate the database; remove demo accounts, create an admin."""

from __future__ import annotations

from typing import Annotated

import typer

from gltd.cli.common import DbOption, GltdGroup, console, db_url, engine_for

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
    """Créer la base ou la mettre à jour (migrations Alembic)."""
    from gltd.store.migrate import upgrade

    url = db_url(db)
    upgrade(url, revision)
    console.print(f"Base à jour ({revision}) : {url}")


@db_app.command("current")
def current_cmd(db: DbOption = None) -> None:
    """Afficher la révision de la base."""
    from gltd.store.engine import make_engine
    from gltd.store.migrate import current_revision

    rev = current_revision(make_engine(db_url(db)))
    console.print(rev or "base non initialisée (lancez « gltd db upgrade »)")


CLI_DEMO = "compte de démonstration supprimé (gltd db remove-demo-accounts)"


@db_app.command("remove-demo-accounts")
def remove_demo_accounts_cmd(db: DbOption = None) -> None:
    """Supprimer les comptes de démonstration (et leurs sessions) de la base."""
    from sqlalchemy import delete, select
    from sqlalchemy.orm import Session

    from gltd.model import User
    from gltd.store import audit

    engine = engine_for(db)
    with Session(engine) as s, s.begin():
        rows = s.execute(select(User.id, User.username).where(User.demo.is_(True))).all()
        names = [r.username for r in rows]
        s.execute(delete(User).where(User.demo.is_(True)))
        for r in rows:
            audit.record(
                s,
                actor=None,
                verb="suppression",
                object_type="user",
                object_id=r.id,
                detail=f"{r.username} : {CLI_DEMO}",
            )
    console.print(
        f"{len(names)} compte(s) de démonstration supprimé(s)"
        + (f" : {', '.join(sorted(names))}" if names else "")
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
    """Créer un compte administrateur d'une agence (le mot de passe est demandé)."""
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from gltd.errors import InputError
    from gltd.model import AGENCY_KINDS, Agency, User
    from gltd.store import audit
    from gltd.web.auth import check_password_strength, hash_password

    engine = engine_for(db)
    with Session(engine) as s:
        if s.execute(select(User.id).where(User.username == username)).first():
            raise InputError(f"l'identifiant « {username} » est déjà pris")
        found = s.execute(select(Agency).where(Agency.name == agency)).scalar_one_or_none()
    if found is None and kind not in AGENCY_KINDS:
        raise InputError(
            f"l'agence « {agency} » n'existe pas : indiquez son type avec --type "
            f"({', '.join(AGENCY_KINDS)})"
        )
    password = typer.prompt(
        "Mot de passe", hide_input=True, confirmation_prompt="Confirmez le mot de passe"
    )
    reason = check_password_strength(password, username=username, agency=agency)
    if reason:
        raise InputError(f"mot de passe refusé : {reason}")
    with Session(engine) as s, s.begin():
        a = s.execute(select(Agency).where(Agency.name == agency)).scalar_one_or_none()
        if a is None:
            a = Agency(name=agency, kind=kind)
            s.add(a)
            s.flush()
        u = User(
            username=username, password_hash=hash_password(password), agency_id=a.id, role="admin"
        )
        s.add(u)
        s.flush()
        audit.record(
            s,
            actor=None,
            verb="creation",
            object_type="user",
            object_id=u.id,
            detail=f"{username} (admin) : gltd db create-admin",
        )
    console.print(f"Compte administrateur « {username} » créé ({agency}).")


def register(app: typer.Typer) -> None:
    """Add the ``db`` group."""
    app.add_typer(db_app, name="db")
