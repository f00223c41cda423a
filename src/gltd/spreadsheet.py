"""Cells safe to open in a spreadsheet: no text that Excel or LibreOffice runs as a formula.

Every CSV (or XLSX) gltd writes for a spreadsheet passes its cells through
:func:`safe_cell` (or :func:`safe_row`, :func:`safe_frame`). A text cell starting with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return — a camera code, a zone name, an
action title or a user name typed at the login form — gets a leading apostrophe, so the
spreadsheet shows it as text instead of evaluating ``=HYPERLINK(…)`` or ``=cmd|…``
(OWASP « CSV injection »). Numbers stay numbers: numeric cells are never touched, and a
text cell that is just a number (``-12,5``, ``+3``, ``-1.5e3``) is left as it is.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import pandas as pd

__all__ = ["TRIGGERS", "safe_cell", "safe_row", "safe_frame"]

#: First characters that make a spreadsheet read a cell as a formula.
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)*(?:[eE][+-]?\d+)?")


def safe_cell(value: Any) -> Any:
    """``value`` with a leading ``'`` when it is text a spreadsheet would run as a formula."""
    if isinstance(value, str) and value.startswith(TRIGGERS) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def safe_row(values: Iterable[Any]) -> list[Any]:
    """:func:`safe_cell` on every value of a row."""
    return [safe_cell(v) for v in values]


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text columns (object or string dtype) are made safe.

    Numeric, boolean and datetime columns are kept as they are (a negative amount stays
    a number); the column names are made safe too.
    """
    out = frame.copy()
    for col in out.columns:
        s = out[col]
        if pd.api.types.is_object_dtype(s.dtype) or pd.api.types.is_string_dtype(s.dtype):
            out[col] = s.map(safe_cell).astype(s.dtype) if len(s) else s
    out.columns = [safe_cell(c) for c in out.columns]
    return out
