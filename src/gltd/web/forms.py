"""Declarative form fields: one description renders the form and parses the input.

Every register (operations, cameras, requisitions, ...) lists its fields once; the
generic template draws them and :func:`parse` turns the submitted strings (an HTML form
or a JSON object from ``/api``) into typed values, with a French message per bad field.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from gltd.errors import InputError
from gltd.timeutil import PARIS, nonexistent_day, parse_day

__all__ = ["Field", "FormErrors", "parse", "to_form_values"]


@dataclass(frozen=True)
class Field:
    """One input of a form.

    ``kind`` is text, textarea, int, float, date, datetime, bool, select or multiselect.
    """

    name: str
    label: str
    kind: str = "text"
    required: bool = False
    options: Sequence[tuple[str, str]] = field(default_factory=tuple)
    help: str | None = None
    min: float | None = None
    max: float | None = None
    max_length: int = 300
    #: The value the form shows before any input (a string as in the HTML form).
    default: str | None = None
    #: Values offered while typing (an HTML datalist; other values stay accepted).
    suggestions: Sequence[str] = field(default_factory=tuple)
    #: A richer input drawn by the template and static/js (``camera-search``, ``map-point``).
    widget: str | None = None

    @property
    def input_type(self) -> str:
        """The HTML input type."""
        return {
            "int": "number",
            "float": "number",
            "date": "date",
            "datetime": "datetime-local",
            "bool": "checkbox",
        }.get(self.kind, "text")


class FormErrors(InputError):  # noqa: N818
    """Bad fields: ``errors`` maps a field name to its French message."""

    def __init__(self, errors: dict[str, str], fields: Sequence[Field]) -> None:
        self.errors = errors
        labels = {f.name: f.label for f in fields}
        text = " ; ".join(f"« {labels.get(k, k)} » : {v}" for k, v in errors.items())
        super().__init__(f"saisie refusée — {text}")


def _one(raw: Any, f: Field) -> Any:
    if f.kind == "bool":
        return str(raw).lower() in ("1", "true", "on", "oui", "yes")
    if f.kind == "multiselect":
        values = raw if isinstance(raw, list) else [v for v in str(raw).split(",") if v]
        allowed = {o[0] for o in f.options}
        bad = [str(v) for v in values if str(v) not in allowed]
        if bad:
            raise ValueError(f"valeur inconnue : {', '.join(bad)}")
        if f.required and not values:
            raise ValueError("choisissez au moins une valeur")
        return [str(v) for v in values]
    text = "" if raw is None else str(raw).strip()
    if text == "":
        if f.required:
            raise ValueError("champ obligatoire")
        return None
    if f.kind in ("text", "textarea"):
        if len(text) > f.max_length:
            raise ValueError(f"au plus {f.max_length} caractères")
        return text
    if f.kind in ("int", "float"):
        try:
            num = float(text.replace(",", ".").replace("\u202f", "").replace(" ", ""))
        except ValueError:
            raise ValueError(f"nombre attendu, reçu « {text[:40]} »") from None
        if not math.isfinite(num):
            raise ValueError("nombre fini attendu")
        if f.kind == "int" and num != int(num):
            raise ValueError("nombre entier attendu")
        if f.min is not None and num < f.min:
            raise ValueError(f"au moins {f.min:g}")
        if f.max is not None and num > f.max:
            raise ValueError(f"au plus {f.max:g}")
        return int(num) if f.kind == "int" else num
    if f.kind == "date":
        try:
            return parse_day(text)
        except InputError as exc:
            raise ValueError(str(exc)) from None
    if f.kind == "datetime":
        try:
            dt = datetime.fromisoformat(text)
        except ValueError:
            if why := nonexistent_day(text):
                raise ValueError(why) from None
            raise ValueError(
                f"date et heure attendues (AAAA-MM-JJTHH:MM), reçu « {text[:40]} »"
            ) from None
        if dt.tzinfo is None:
            dt = dt.replace(tzinfo=PARIS)
        return dt
    if f.kind == "select":
        if text not in {o[0] for o in f.options}:
            raise ValueError(f"valeur inconnue : « {text[:40]} »")
        return text
    raise ValueError(f"type de champ inconnu {f.kind}")


def parse(fields: Sequence[Field], data: Mapping[str, Any]) -> dict[str, Any]:
    """Typed values for ``fields`` from submitted ``data``; raises :class:`FormErrors`.

    Unknown keys in ``data`` are ignored (the CSRF token, for instance).
    """
    out: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for f in fields:
        raw = data.get(f.name)
        try:
            out[f.name] = _one(raw, f)
        except ValueError as exc:
            errors[f.name] = str(exc)
    if errors:
        raise FormErrors(errors, fields)
    return out


def form_data(form: Any, fields: Sequence[Field]) -> dict[str, Any]:
    """Plain values from a Starlette ``FormData`` (lists for multiselects)."""
    out: dict[str, Any] = {}
    for f in fields:
        if f.kind == "multiselect":
            out[f.name] = [str(v) for v in form.getlist(f.name)]
        elif f.name in form:
            out[f.name] = form.get(f.name)
    return out


def to_form_values(obj: Any, fields: Sequence[Field]) -> dict[str, Any]:
    """Values of an ORM object as strings for the form inputs."""
    out: dict[str, Any] = {}
    for f in fields:
        v = getattr(obj, f.name, None)
        if isinstance(v, datetime):
            out[f.name] = v.astimezone(PARIS).strftime("%Y-%m-%dT%H:%M")
        elif isinstance(v, date):
            out[f.name] = v.isoformat()
        elif isinstance(v, bool):
            out[f.name] = v
        elif v is None:
            out[f.name] = "" if f.kind != "multiselect" else []
        else:
            out[f.name] = v
    return out
