"""Calendar arithmetic on days for the video-protection modules (authorisations, studies)."""

from __future__ import annotations

import calendar
from datetime import date

__all__ = ["add_years", "add_months"]


def add_years(d: date, years: int) -> date:
    """The same day ``years`` later (28 February for a 29 February).

    Examples
    --------
    >>> add_years(date(2016, 2, 29), 5)
    datetime.date(2021, 2, 28)
    """
    try:
        return d.replace(year=d.year + years)
    except ValueError:
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
