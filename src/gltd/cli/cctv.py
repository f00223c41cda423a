"""``gltd cctv``: cameras, requisitions of footage, viewing log, relevance studies, siting.

The commands live in ``cctv_cameras``, ``cctv_requisitions``, ``cctv_log`` and
``cctv_analyses`` (study, siting); this module wires them under ``gltd cctv``.
"""

from __future__ import annotations

import typer

from gltd.cli.cctv_analyses import siting_cmd, study_cmd
from gltd.cli.cctv_cameras import cameras_app
from gltd.cli.cctv_log import log_app
from gltd.cli.cctv_requisitions import req_app
from gltd.cli.common import GltdGroup

__all__ = ["register"]

cctv_app = typer.Typer(
    cls=GltdGroup,
    no_args_is_help=True,
    help="Vidéoprotection : caméras, réquisitions judiciaires, journal des consultations, "
    "études de pertinence et implantation.",
)


def register(app: typer.Typer) -> None:
    """Add ``gltd cctv …`` to the root app."""
    cctv_app.add_typer(cameras_app, name="cameras")
    cctv_app.add_typer(req_app, name="requisitions")
    cctv_app.add_typer(log_app, name="log")
    cctv_app.command("study")(study_cmd)
    cctv_app.command("siting")(siting_cmd)
    app.add_typer(cctv_app, name="cctv")
