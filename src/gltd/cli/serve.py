"""``gltd serve``: the shared dashboard of the GLTD (FastAPI + uvicorn)."""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Annotated, Any

import typer
from rich import box
from rich.table import Table

from gltd.cli.common import DbOption, console, db_url, engine_for

__all__ = [
    "register",
    "ensure_demo_accounts",
    "demo_password",
    "demo_accounts_notice",
    "DEMO_ROLES",
]

#: Roles given to the demo accounts of each agency kind.
DEMO_ROLES: dict[str, tuple[str, ...]] = {
    "parquet": ("admin", "coordinateur", "analyste", "lecteur"),
    "police": ("coordinateur", "analyste", "lecteur"),
    "prefecture": ("coordinateur", "analyste", "lecteur"),
    "ville": ("coordinateur", "analyste", "lecteur"),
    "csu": ("operateur_csu", "coordinateur", "analyste", "lecteur"),
    "autre": ("lecteur",),
}


def demo_password(secret: str, username: str) -> str:
    """A password derived from the server secret: the same at every run (idempotent).

    With the public development secret anyone can compute it: demo accounts are marked
    ``demo`` and log in only with ``GLTD_ENV=development``.
    """
    digest = hmac.new(secret.encode(), f"demo|{username}".encode(), hashlib.sha256).digest()
    token = base64.b32encode(digest[:10]).decode().rstrip("=")
    return f"Gltd-{token[:5].lower()}{token[5:10]}-{digest[10] % 90 + 10}"


def ensure_demo_accounts(engine: Any, secret: str) -> list[dict[str, str]]:
    """One account per agency and demo role, created or reset to its derived password."""
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from gltd.model import Agency, User
    from gltd.web.auth import hash_password, verify_password

    out: list[dict[str, str]] = []
    with Session(engine) as s, s.begin():
        agencies = s.execute(select(Agency).order_by(Agency.kind, Agency.name)).scalars().all()
        used: set[str] = set()
        for a in agencies:
            for role in DEMO_ROLES.get(a.kind, ("lecteur",)):
                name = f"{a.kind}-{role}".replace("_", "-")
                if name in used:
                    name = f"{name}-{a.id}"
                used.add(name)
                pw = demo_password(secret, name)
                u = s.execute(select(User).where(User.username == name)).scalar_one_or_none()
                if u is None:
                    s.add(
                        User(
                            username=name,
                            password_hash=hash_password(pw),
                            agency_id=a.id,
                            role=role,
                            demo=True,
                        )
                    )
                elif (
                    not verify_password(u.password_hash, pw)
                    or not u.active
                    or u.role != role
                    or not u.demo
                ):
                    u.password_hash, u.active, u.role, u.agency_id, u.demo = (
                        hash_password(pw),
                        True,
                        role,
                        a.id,
                        True,
                    )
                out.append({"agency": a.name, "role": role, "username": name, "password": pw})
    return out


def demo_accounts_notice(engine: Any, environment: str) -> str | None:
    """A French warning when demo accounts are in the database outside development."""
    if environment == "development":
        return None
    from sqlalchemy import func, select

    from gltd.model import User

    with engine.connect() as conn:
        n = int(conn.execute(select(func.count(User.id)).where(User.demo.is_(True))).scalar_one())
    if not n:
        return None
    return (
        f"{n} compte(s) de démonstration dans cette base : refusés avec GLTD_ENV="
        f"{environment} ; supprimez-les avec « gltd db remove-demo-accounts »."
    )


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
    ) -> None:
        """Lance le tableau de bord partagé du GLTD (pages web et API /api)."""
        _run(db, host, port, demo_accounts)


def _run(db: str | None, host: str, port: int, demo_accounts: bool) -> None:
    import dataclasses

    import uvicorn

    from gltd.config import DEV_SECRET, get_settings
    from gltd.errors import GltdError
    from gltd.web.app import create_app

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
            table.add_row(a["agency"], a["role"], a["username"], a["password"])
        console.print(table)
    notice = demo_accounts_notice(engine, settings.environment)
    if notice:
        console.print(f"[yellow]{notice}[/]")
    app = create_app(settings)
    console.print(f"gltd sert http://{host}:{port} (Ctrl+C pour arrêter)")
    uvicorn.run(app, host=host, port=port, log_level="info", proxy_headers=False)
