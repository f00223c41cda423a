"""``gltd db``: create and migrate the database."""

from __future__ import annotations

import typer

from gltd.cli.common import DbOption, GltdGroup, console, db_url

__all__ = ["register"]

db_app = typer.Typer(
    cls=GltdGroup, help="Base de données : création et migrations.", no_args_is_help=True
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


def register(app: typer.Typer) -> None:
    """Add the ``db`` group."""
    app.add_typer(db_app, name="db")
