"""Calls into services written alongside the web app (bilan, near-repeat, siting).

Kept apart so that the rest of the web app does not depend on their exact signatures.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from gltd.errors import GltdError
from gltd.web.jobs import JobOutput, Progress

__all__ = ["run_bilan", "run_near_repeat", "run_siting"]


def run_bilan(engine: Engine, v: dict[str, Any], progress: Progress, results: Path) -> JobOutput:
    """Build and render the bilan."""
    raise GltdError("le module du bilan n'est pas encore disponible")


def run_near_repeat(
    engine: Engine, v: dict[str, Any], progress: Progress, results: Path
) -> JobOutput:
    """Knox near-repeat test."""
    raise GltdError("le module des répétitions proches n'est pas encore disponible")


def run_siting(engine: Engine, v: dict[str, Any], progress: Progress, results: Path) -> JobOutput:
    """Camera siting (maximal covering)."""
    raise GltdError("le module d'implantation n'est pas encore disponible")
