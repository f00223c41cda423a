"""Helpers shared by the video-protection modules (audit, parsing)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session

from gltd.errors import InputError
from gltd.model import AuditEvent
from gltd.timeutil import PARIS

__all__ = [
    "audit",
    "parse_bool",
    "parse_datetime",
    "fmt_local",
    "aware",
]


def audit(
    session: Session,
    action: str,
    object_type: str,
    object_id: object,
    detail: str | None = None,
    *,
    username: str | None = None,
) -> None:
    """Append an audit event in the caller's transaction."""
    session.add(
        AuditEvent(
            action=action,
            object_type=object_type,
            object_id=None if object_id is None else str(object_id),
            detail=detail,
            username=username,
        )
    )


_TRUE = {"1", "true", "vrai", "oui", "o", "yes", "y", "x", "hd"}
_FALSE = {"0", "false", "faux", "non", "n", "no", "", "sd"}


def parse_bool(value: object, *, field: str, row: int | None = None) -> bool:
    """Oui/non, vrai/faux, 1/0, HD/SD."""
    if isinstance(value, bool):
        return value
    s = str(value).strip().lower()
    if s in _TRUE:
        return True
    if s in _FALSE:
        return False
    raise InputError(f"valeur « {value} » : oui ou non attendu", row=row, field=field)


def aware(value: datetime, *, field: str = "date") -> datetime:
    """Refuse a naive datetime (every time in gltd says its zone)."""
    if value.tzinfo is None:
        raise InputError("date et heure sans fuseau : précisez Europe/Paris ou UTC", field=field)
    return value


def parse_datetime(text: str, *, field: str = "date") -> datetime:
    """Parse a local (Europe/Paris) date-time: ``2018-03-25 10:30``, ``25/03/2018 10:30``,
    or ISO 8601 with an offset. A date alone means local midnight.
    """
    s = text.strip().replace("T", " ")
    dt: datetime | None
    try:
        dt = datetime.fromisoformat(s)
    except ValueError:
        dt = None
        for fmt in ("%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y", "%Y-%m-%d %Hh%M"):
            try:
                dt = datetime.strptime(s, fmt)
                break
            except ValueError:
                continue
        if dt is None:
            raise InputError(
                f"date et heure illisibles : « {text} » (attendu AAAA-MM-JJ HH:MM, heure de "
                "Paris, ou JJ/MM/AAAA HH:MM)",
                field=field,
            ) from None
    assert dt is not None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=PARIS)
    return dt


def fmt_local(value: datetime | None) -> str:
    """« 04/04/2018 10:00 » in Paris time (empty for None)."""
    if value is None:
        return ""
    return value.astimezone(PARIS).strftime("%d/%m/%Y %H:%M")


def utc(value: datetime) -> datetime:
    """The same instant in UTC."""
    return value.astimezone(UTC)
