"""What a register is for the web app: its fields, its rows, how to create and edit."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from gltd.errors import InputError
from gltd.web.auth import CurrentUser
from gltd.web.forms import Field

__all__ = ["Register", "Column", "form_now", "jsonable", "point_fields"]

T = TypeVar("T")


def form_now(now: datetime, kind: str = "datetime") -> str:
    """``now`` as the value of a form's date (``AAAA-MM-JJ``) or date-and-time input
    (``AAAA-MM-JJTHH:MM``, Paris time): the default of a « reçue le » or « début »."""
    from gltd.timeutil import PARIS

    local = now.astimezone(PARIS)
    return local.date().isoformat() if kind == "date" else local.strftime("%Y-%m-%dT%H:%M")


def point_fields(what: str) -> list[Field]:
    """Latitude and longitude of a place, set by a click on the form's map: « cliquez sur la
    carte pour placer ``what`` »."""
    return [
        Field("lat", "Latitude (WGS84)", "float", True, min=-90, max=90),
        Field(
            "lon",
            "Longitude (WGS84)",
            "float",
            True,
            min=-180,
            max=180,
            help=f"cliquez sur la carte pour placer {what}, ou saisissez lat/lon",
            widget="map-point",
        ),
    ]


@dataclass(frozen=True)
class Column:
    """A column of the list page: key in the row dict, French header."""

    key: str
    label: str
    kind: str = "text"  # text, date, datetime, number, level


def jsonable(value: Any) -> Any:
    """Dates to ISO strings, recursively."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value


class Register:
    """Base class: subclasses fill the attributes and the methods they support."""

    slug: str = ""
    resource: str = ""
    title: str = ""
    item_label: str = "élément"
    editable: bool = True
    creatable: bool = True
    columns: Sequence[Column] = ()
    help_fr: str = ""

    def fields(self, engine: Engine, *, editing: bool = False) -> list[Field]:
        """Inputs of the add/edit form."""
        raise NotImplementedError

    def values(self, engine: Engine, item_id: int) -> dict[str, Any]:
        """Current values of one item for the edit form (strings)."""
        raise NotImplementedError

    def stored(self, session: Session, model: type[T], item_id: int) -> T:
        """The stored item ``item_id`` of ``model``, or « <item> n° … introuvable »."""
        obj = session.get(model, item_id)
        if obj is None:
            raise InputError(f"{self.item_label} n° {item_id} introuvable")
        return obj

    def stored_values(self, engine: Engine, model: type[Any], item_id: int) -> dict[str, Any]:
        """The form's fields read from the stored item (the edit form's start)."""
        with Session(engine) as s:
            obj = self.stored(s, model, item_id)
            return {f.name: getattr(obj, f.name) for f in self.fields(engine)}

    def create(self, engine: Engine, values: dict[str, Any], user: CurrentUser, ip: str) -> int:
        """Store a new item (and its audit event); returns its id."""
        raise NotImplementedError

    def update(
        self, engine: Engine, item_id: int, values: dict[str, Any], user: CurrentUser, ip: str
    ) -> None:
        """Change an item (and record the audit event)."""
        raise NotImplementedError

    def check_edit(self, engine: Engine, item_id: int, user: CurrentUser, ip: str) -> None:
        """Refuse (raise ``Forbidden``) an item this user's agency does not own.

        Beyond the permission matrix (see ``OWNERSHIP_FR``); by default every item of a
        register the matrix lets the user change is editable.
        """

    def saved_url(self, item_id: int) -> str:
        """Where the browser goes once an item is saved (the list by default)."""
        return f"/{self.slug}"

    def defaults(self, engine: Engine, now: datetime) -> dict[str, Any]:
        """Initial values of the add form; ``now`` is the application's « now » (its
        reference date, « à la date du », at the current clock time)."""
        return {}
