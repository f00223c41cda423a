"""Shared pieces of the ``gltd cctv`` commands: parsing of positions, days, instants and
comma lists, the ``--format`` / ``--out`` options and the writer to screen or file."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Annotated

import typer

from gltd.cli.common import console
from gltd.errors import InputError

__all__ = [
    "parse_latlon",
    "optional_day",
    "optional_when",
    "csv_list",
    "write_output",
    "FormatOpt",
    "OutOpt",
]


def parse_latlon(text: str) -> tuple[float, float]:
    """``LAT,LON`` in degrees."""
    try:
        a, b = (float(v) for v in text.replace(" ", "").split(",", 1))
    except ValueError:
        raise InputError(f"position illisible : « {text} » (attendu LAT,LON)", field="at") from None
    return a, b


def optional_day(text: str | None, what: str) -> date | None:
    """A day (``what`` names it in errors), or None when not given."""
    from gltd.timeutil import parse_day

    return parse_day(text, what=what) if text else None


def optional_when(text: str | None, what: str) -> datetime | None:
    """A local date-time (``what`` names it in errors), or None when not given."""
    from gltd.timeutil import parse_datetime

    return parse_datetime(text, field=what) if text else None


def csv_list(items: list[str] | None) -> list[str]:
    """Repeated options and comma lists flattened: ``["a,b", "c"]`` → ``["a", "b", "c"]``."""
    return [c.strip() for item in items or [] for c in item.split(",") if c.strip()]


def write_output(out: Path | None, text: str) -> None:
    """Print ``text``, or write it (atomically) to ``out`` and say so."""
    if out is None:
        console.print(text, highlight=False, markup=False, soft_wrap=True)
        return
    from gltd.fileio import write_atomic

    write_atomic(out, text.encode("utf-8"))
    console.print(f"Écrit : {out}")


FormatOpt = Annotated[str, typer.Option("--format", help="Format : table ou json.")]
OutOpt = Annotated[Path | None, typer.Option("--out", help="Fichier de sortie (sinon écran).")]
