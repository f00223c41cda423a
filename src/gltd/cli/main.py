"""The ``gltd`` command: one module per command group, each with ``register(app)``."""

from __future__ import annotations

import importlib

import typer

from gltd.cli.common import GltdGroup

__all__ = ["app", "run"]

app = typer.Typer(
    name="gltd",
    cls=GltdGroup,
    help="gltd — outil d'analyse et de pilotage du Groupe Local de Traitement de la "
    "Délinquance : imports, cartographie, rapprochements, vidéoprotection, bilan.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

#: Command modules, in the order of ``gltd --help``.
COMMAND_MODULES = (
    "db",
    "imports",
    "geocode",
    "export",
    "demo",
    "report",
    "hotspots",
    "mapsheet",
    "near_repeat",
    "displacement",
    "interventions",
    "cctv",
    "basemap",
    "serve",
)

for _name in COMMAND_MODULES:
    importlib.import_module(f"gltd.cli.{_name}").register(app)


def run() -> None:
    """Console-script entry point."""
    app()
