"""Placeholder: the `report` commands are being written (see the issue tracker)."""

from __future__ import annotations

import typer

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    """Add this module's commands to the root app (none yet)."""
