"""Export of a register's filtered view (every page of it) to XLSX and to CSV.

XLSX cells are typed: dates are dates (``JJ/MM/AAAA``), times are local times
(``JJ/MM/AAAA hh:mm``, Europe/Paris), numbers are numbers, yes/no are « oui »/« non »;
headers are French. The CSV follows the convention of a French Excel: UTF-8 with a
byte-order mark, ``;`` between fields, a decimal comma, dates as ``JJ/MM/AAAA``. Every
text cell goes through :func:`gltd.spreadsheet.safe_cell` (no formula runs on opening).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.utils import get_column_letter
from sqlalchemy import Engine

from gltd.spreadsheet import safe_cell
from gltd.timeutil import PARIS
from gltd.web.registers.listing import ExportColumn, ListQuery, ListSpec, filtered, iter_rows

__all__ = [
    "DATE_FORMAT",
    "DATETIME_FORMAT",
    "columns_of",
    "csv_bytes",
    "csv_value",
    "export_rows",
    "sheet_name",
    "xlsx_bytes",
    "xlsx_value",
]

DATE_FORMAT = "DD/MM/YYYY"
DATETIME_FORMAT = "DD/MM/YYYY HH:MM"
INT_FORMAT = "#,##0"
FLOAT_FORMAT = "#,##0.00"


def columns_of(
    engine: Engine, spec: ListSpec, query: ListQuery, now: datetime
) -> list[ExportColumn]:
    """The export columns: the register's own, then those the filtered rows call for."""
    cols = list(spec.export_columns)
    if spec.dynamic_columns is not None:
        cols += spec.dynamic_columns(engine, filtered(spec, query, now))
    return cols


def _local(value: datetime) -> datetime:
    """A naive local (Paris) time, as spreadsheets store them."""
    return value.astimezone(PARIS).replace(tzinfo=None, microsecond=0)


def xlsx_value(value: Any, kind: str) -> Any:
    """The typed value of one XLSX cell."""
    if value is None or value == "":
        return None
    if kind == "bool":
        return "oui" if value else "non"
    if kind == "datetime" and isinstance(value, datetime):
        return _local(value)
    if kind == "date" and isinstance(value, datetime):
        return _local(value).date()
    if kind == "int" and isinstance(value, int | float):
        return int(value)
    if kind == "float" and isinstance(value, int | float):
        return float(value)
    return safe_cell(value if isinstance(value, int | float | date) else str(value))


FORBIDDEN = "[]:*?/\\"


def sheet_name(title: str) -> str:
    """A sheet name for ``title``: none of ``[]:*?/\\``, at most 31 characters, cut
    between words (« Registre des visionnages et extractions » → « Registre des
    visionnages »)."""
    name = "".join(ch for ch in title.replace("'", "’") if ch not in FORBIDDEN)
    if len(name) <= 31:
        return name
    words = name[:32].split(" ")[:-1]
    while words and (words[-1] in ("et", "de", "des", "du") or words[-1].startswith("d’")):
        words.pop()
    return " ".join(words) or name[:31]


def xlsx_bytes(
    title: str, columns: Sequence[ExportColumn], rows: Iterable[dict[str, Any]]
) -> bytes:
    """An XLSX workbook of one sheet: French headers, typed and formatted cells.

    Written in openpyxl's streaming mode (one pass, constant memory per row).
    """
    rows = list(rows)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=sheet_name(title))
    formats = {
        "date": DATE_FORMAT,
        "datetime": DATETIME_FORMAT,
        "int": INT_FORMAT,
        "float": FLOAT_FORMAT,
    }
    for i, c in enumerate(columns, start=1):
        width = 18 if c.kind in ("date", "datetime") else min(max(len(c.header) + 2, 10), 40)
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{len(rows) + 1}"
    ws.append([c.header for c in columns])
    for row in rows:
        cells = []
        for c in columns:
            cell = WriteOnlyCell(ws, value=xlsx_value(row.get(c.key), c.kind))
            fmt = formats.get(c.kind)
            if fmt:
                cell.number_format = fmt
            cells.append(cell)
        ws.append(cells)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _number(value: float, digits: int | None = None) -> str:
    text = f"{value:.{digits}f}" if digits is not None else f"{value:.15g}"
    return text.replace(".", ",")


def csv_value(value: Any, kind: str) -> str:
    """One cell in the French Excel convention (decimal comma, JJ/MM/AAAA)."""
    if value is None or value == "":
        return ""
    if kind == "bool":
        return "oui" if value else "non"
    if isinstance(value, datetime):
        local = _local(value)
        return local.strftime("%d/%m/%Y") if kind == "date" else local.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if kind == "int" else _number(value)
    return str(safe_cell(str(value)))


def csv_bytes(columns: Sequence[ExportColumn], rows: Iterable[dict[str, Any]]) -> bytes:
    """The CSV of a French Excel: UTF-8 with BOM, ``;``, decimal comma, CRLF lines."""
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=";", lineterminator="\r\n")
    w.writerow([safe_cell(c.header) for c in columns])
    for row in rows:
        w.writerow([csv_value(row.get(c.key), c.kind) for c in columns])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def export_rows(
    engine: Engine, spec: ListSpec, query: ListQuery, now: datetime
) -> tuple[list[ExportColumn], list[dict[str, Any]]]:
    """The columns and every row of the filtered view (all pages, in the page's order)."""
    return columns_of(engine, spec, query, now), list(iter_rows(engine, spec, query, now))
