"""Shared pieces of the ``gltd cctv`` commands: parsing of positions, days, instants and
comma lists, the ``--format`` / ``--out`` options and the writer to screen or file."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Annotated

import typer

from gltd.cli.common import console
from gltd.errors import InputError


def _latlon(text: str) -> tuple[float, float]:
    try:
        a, b = (float(v) for v in text.replace(" ", "").split(",", 1))
    except ValueError:
        raise InputError(f"position illisible : « {text} » (attendu LAT,LON)", field="at") from None
    return a, b


def _day(text: str | None, what: str) -> date | None:
    from gltd.timeutil import parse_day

    return parse_day(text, what=what) if text else None


def _when(text: str | None, what: str) -> datetime | None:
    from gltd.cctv._common import parse_datetime

    return parse_datetime(text, field=what) if text else None


def _csv_list(items: list[str] | None) -> list[str]:
    return [c.strip() for item in items or [] for c in item.split(",") if c.strip()]


def _write(out: Path | None, text: str) -> None:
    if out is None:
        console.print(text, highlight=False, markup=False, soft_wrap=True)
        return
    from gltd.fileio import write_atomic

    write_atomic(out, text.encode("utf-8"))
    console.print(f"Écrit : {out}")


FormatOpt = Annotated[str, typer.Option("--format", help="Format : table ou json.")]
OutOpt = Annotated[Path | None, typer.Option("--out", help="Fichier de sortie (sinon écran).")]
