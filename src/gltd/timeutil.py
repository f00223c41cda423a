"""Dates and periods: local (Europe/Paris) days and instants, half-open periods, parsing."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from gltd.errors import InputError

__all__ = [
    "PARIS",
    "Period",
    "add_months",
    "add_years",
    "local_midnight",
    "parse_day",
    "parse_period",
    "parse_duration",
    "aware",
    "parse_datetime",
    "fmt_local",
    "MONTHS_FR",
    "impossible_day",
    "nonexistent_day",
]

PARIS = ZoneInfo("Europe/Paris")

MONTHS_FR = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)


def impossible_day(day: int, month: int, year: int) -> str:
    """« date inexistante : le 31 novembre n'existe pas » for a day the calendar lacks
    (a day 1–31 of a month 1–12 past its end), else ``""``."""
    if not (1 <= month <= 12) or not (1 <= day <= 31) or not (1 <= year <= 9999):
        return ""
    if day <= calendar.monthrange(year, month)[1]:
        return ""
    if month == 2 and day == 29:
        return f"date inexistante : le 29 février {year} n'existe pas ({year} n'est pas bissextile)"
    return f"date inexistante : le {day} {MONTHS_FR[month - 1]} n'existe pas"


_DAY_FIRST = re.compile(r"^\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?:\D|$)")
_YEAR_FIRST = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})(?:\D|$)")


def nonexistent_day(text: str) -> str:
    """:func:`impossible_day` of a day written ``JJ/MM/AAAA`` or ``AAAA-MM-JJ`` (a time may
    follow), else ``""``: a well-formed date the calendar lacks is said so, not called
    unreadable."""
    m = _YEAR_FIRST.match(text)
    if m:
        return impossible_day(int(m.group(3)), int(m.group(2)), int(m.group(1)))
    m = _DAY_FIRST.match(text)
    if m:
        return impossible_day(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    return ""


@dataclass(frozen=True)
class Period:
    """A half-open period [start, end) of aware datetimes, with its label days."""

    start: datetime
    end: datetime

    @property
    def days(self) -> float:
        """Length in days (DST-aware)."""
        return (self.end - self.start).total_seconds() / 86400.0

    @property
    def first_day(self) -> date:
        """First local day included."""
        return self.start.astimezone(PARIS).date()

    @property
    def last_day(self) -> date:
        """Last local day included."""
        return (self.end.astimezone(PARIS) - timedelta(seconds=1)).date()

    def label(self) -> str:
        """« du 24/03/2018 au 24/09/2018 » (both days included)."""
        return f"du {self.first_day:%d/%m/%Y} au {self.last_day:%d/%m/%Y}"

    def shifted_years(self, years: int) -> Period:
        """The same local days ``years`` earlier (negative) or later."""
        a, b = self.first_day, self.last_day + timedelta(days=1)
        return Period(local_midnight(add_years(a, years)), local_midnight(add_years(b, years)))

    def previous(self) -> Period:
        """The period of equal length just before."""
        return Period(self.start - (self.end - self.start), self.start)


def add_years(d: date, years: int) -> date:
    """The same day ``years`` later (28 February for a 29 February).

    Examples
    --------
    >>> add_years(date(2016, 2, 29), 5)
    datetime.date(2021, 2, 28)
    """
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


def add_months(d: date, months: int) -> date:
    """The same day ``months`` later, clipped to the month's last day.

    Examples
    --------
    >>> add_months(date(2018, 1, 31), 1)
    datetime.date(2018, 2, 28)
    """
    m0 = d.month - 1 + months
    y, m = d.year + m0 // 12, m0 % 12 + 1
    return date(y, m, min(d.day, calendar.monthrange(y, m)[1]))


def local_midnight(d: date) -> datetime:
    """Midnight of a local (Europe/Paris) day, aware."""
    return datetime(d.year, d.month, d.day, tzinfo=PARIS)


def parse_day(text: str, *, what: str = "date") -> date:
    """Parse ``YYYY-MM-DD`` or ``dd/mm/yyyy``."""
    s = text.strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(s, fmt).date()
        except ValueError:
            continue
    if why := nonexistent_day(s):
        raise InputError(f"{'' if what == 'date' else what + ' : '}{why} (« {text[:40]} »)")
    raise InputError(f"{what} illisible : « {text} » (attendu AAAA-MM-JJ ou JJ/MM/AAAA)")


def parse_period(text: str, *, inclusive_end: bool = True) -> Period:
    """Parse ``FROM..TO`` (days; TO included by default)."""
    if ".." not in text:
        raise InputError(
            f"période illisible : « {text} » (attendu DEBUT..FIN, ex. 2018-03-24..2018-09-24)"
        )
    a, b = text.split("..", 1)
    return make_period(
        parse_day(a, what="début"), parse_day(b, what="fin"), inclusive_end=inclusive_end
    )


def make_period(first: date, last: date, *, inclusive_end: bool = True) -> Period:
    """The period from local day ``first`` to ``last`` (included unless told)."""
    end_day = last + timedelta(days=1) if inclusive_end else last
    if end_day <= first:
        raise InputError(f"période vide ou inversée : du {first} au {last}")
    return Period(local_midnight(first), local_midnight(end_day))


def parse_duration(text: str) -> timedelta:
    """Parse ``7d``, ``12h``, ``6M`` (months = 30.44 days), ``2w``, ``1y``."""
    m = re.fullmatch(r"\s*(\d+)\s*([hdwMy])\s*", text)
    if not m:
        raise InputError(f"durée illisible : « {text} » (exemples : 12h, 7d, 2w, 6M, 1y)")
    n, unit = int(m.group(1)), m.group(2)
    days = {"h": 1 / 24, "d": 1, "w": 7, "M": 30.436875, "y": 365.2425}[unit]
    return timedelta(days=n * days)


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
        if dt is None and (why := nonexistent_day(s)):
            raise InputError(f"{why} (« {text[:40]} »)", field=field) from None
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
