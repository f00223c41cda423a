"""The building blocks of the register listings: search, filters, sorts and labels.

One home for what the video-protection listings (:mod:`~gltd.web.registers.lists_cctv`)
and the steering ones (:mod:`~gltd.web.registers.lists_steering`) share.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Engine, and_, func, select

from gltd.model import Agency, Camera, Zone
from gltd.store.zones import list_zones
from gltd.timeutil import PARIS
from gltd.web.registers.listing import Filter

__all__ = [
    "BLANK",
    "agency_options",
    "by_name",
    "camera_ids",
    "choice_filter",
    "id_where",
    "label_where",
    "labelled",
    "like",
    "number_in",
    "year_bounds",
    "year_filter",
    "zone_ids",
    "zone_name",
    "zone_options",
]

#: The empty choice of an optional select of a form.
BLANK = ("", "—")


def by_name(*columns: Any, **named: Any) -> dict[str, Any]:
    """The sorts of a listing: each column under its own name (``R.deadline`` sorts the
    ``deadline`` column), then the row keys sorted by another expression (``named``)."""
    return {c.key: c for c in columns} | named


def zone_options(engine: Engine, *, blank: bool = False) -> list[tuple[str, str]]:
    """Every zone by name (``blank``: « — » first, for an optional form field)."""
    zones = [(str(z.id), z.name) for z in sorted(list_zones(engine), key=lambda z: z.name)]
    return [BLANK, *zones] if blank else zones


def agency_options(engine: Engine, *, blank: bool = False) -> list[tuple[str, str]]:
    """Every agency by name (``blank``: « — » first, for an optional form field)."""
    with engine.connect() as conn:
        rows = conn.execute(select(Agency.id, Agency.name).order_by(Agency.name)).all()
    agencies = [(str(a.id), a.name) for a in rows]
    return [BLANK, *agencies] if blank else agencies


def camera_ids(q: str) -> Any:
    """The ids of the cameras whose code contains ``q`` (a small table: read first)."""
    return select(Camera.id).where(like(Camera.code, q))


def number_in(q: str) -> int | None:
    """The number typed in a search box (« 12 », « n° 12 »), if it is one."""
    n = q.lower().removeprefix("n°").removeprefix("no").strip()
    return int(n) if n.isdigit() and len(n) < 10 else None


def zone_name(column: Any) -> Any:
    """The name of the zone ``column`` points to (a correlated subquery, no join)."""
    return select(Zone.name).where(Zone.id == column).scalar_subquery()


def zone_ids(q: str) -> Any:
    """The ids of the zones whose name contains ``q``."""
    return select(Zone.id).where(like(Zone.name, q))


def id_where(column: Any) -> Any:
    """The condition of a filter on ``column`` equal to a typed id (zone, agency)."""
    return lambda v, now: column == int(v) if v.isdigit() else None


def year_bounds(value: str) -> tuple[datetime, datetime] | None:
    """1 January of a year and of the next one, Paris time (None for a non-year)."""
    if not (value.isdigit() and 1990 <= int(value) <= 2100):
        return None
    y = int(value)
    return datetime(y, 1, 1, tzinfo=PARIS), datetime(y + 1, 1, 1, tzinfo=PARIS)


def year_filter(column: Any, label: str = "Année") -> Filter:
    """Filter by local year of ``column`` (choices: the years present)."""

    def options(engine: Engine) -> list[tuple[str, str]]:
        with engine.connect() as conn:  # two queries: each one reads one end of the index
            lo = conn.execute(select(func.min(column))).scalar()
            hi = conn.execute(select(func.max(column))).scalar()
        if lo is None or hi is None:
            return []
        first, last = lo.astimezone(PARIS).year, hi.astimezone(PARIS).year
        return [(str(y), str(y)) for y in range(last, first - 1, -1)]

    def where(value: str, now: datetime) -> ColumnElement[bool] | None:
        b = year_bounds(value)
        return None if b is None else and_(column >= b[0], column < b[1])

    return Filter("annee", label, options, where)


def choice_filter(param: str, label: str, column: Any, choices: dict[str, str]) -> Filter:
    """Filter on a column equal to one of ``choices`` (code -> French label)."""
    return Filter(
        param,
        label,
        lambda engine: list(choices.items()),
        lambda v, now: column == v if v in choices else None,
    )


def labelled(row: dict[str, Any], key: str, labels: dict[str, str]) -> None:
    """Add ``<key>_label``, the French label of the row's code (codes are never shown)."""
    code = row[key]
    row[f"{key}_label"] = labels.get(code, code) if code is not None else None


def label_where(column: Any, labels: dict[str, str], q: str) -> ColumnElement[bool]:
    """``column`` holds a code whose French label contains ``q`` (the search box)."""
    return column.in_([code for code, label in labels.items() if q.lower() in label.lower()])


def like(column: Any, q: str) -> ColumnElement[bool]:
    """``column`` contains ``q``, case-insensitive, ``%`` and ``_`` taken literally."""
    return column.icontains(q, autoescape=True)  # type: ignore[no-any-return]
