"""Date orders (day-first, month-first, ISO) and what a date that does not parse means.

A file's dates are read in one *order*: ``dmy`` (``13/01/2016``, the French default),
``mdy`` (``1/13/2016``, American exports and the Near Repeat Calculator's files) or
``iso`` (``2016-01-13`` only). Year-first ISO dates are read in every order.

A value that does not parse is explained, not just called unreadable:

- a **date that does not exist** (``31/11/2026``, ``29/02/2017``): « le 31 novembre
  n'existe pas »;
- a date that only reads in the **other order** (``1/13/2016`` when day-first was asked):
  when no date of the file shows the chosen order (a first number above 12 in day-first),
  the whole file is probably in the other order and is refused with those rows, so that
  ``3/4/2016`` is not silently read as 3 April instead of 4 March.
"""

from __future__ import annotations

import calendar

import numpy as np
import pandas as pd

from gltd.errors import InputError
from gltd.timeutil import MONTHS_FR, impossible_day

__all__ = [
    "DATE_ORDERS",
    "DEFAULT_ORDER",
    "MONTHS_FR",
    "OrderCheck",
    "date_order",
    "expected_text",
    "explain_dates",
    "local_formats",
    "order_label",
]

#: Internal codes and their French names (accepted spellings in :func:`date_order`).
DATE_ORDERS = {
    "dmy": "jour-mois (JJ/MM/AAAA)",
    "mdy": "mois-jour (MM/JJ/AAAA)",
    "iso": "ISO (AAAA-MM-JJ)",
}
DEFAULT_ORDER = "dmy"
_ALIASES = {
    "dmy": ("dmy", "jour-mois", "jour_mois", "jj/mm/aaaa", "jj/mm", "dd/mm/yyyy", "dayfirst"),
    "mdy": ("mdy", "mois-jour", "mois_jour", "mm/jj/aaaa", "mm/jj", "mm/dd/yyyy", "monthfirst"),
    "iso": ("iso", "aaaa-mm-jj", "yyyy-mm-dd", "iso8601"),
}
_ISO_FORMATS = (
    ("%Y-%m-%d", True),
    ("%Y-%m-%dT%H:%M", False),
    ("%Y-%m-%d %H:%M", False),
    ("%Y-%m-%dT%H:%M:%S", False),
    ("%Y-%m-%d %H:%M:%S", False),
    ("ISO8601", False),
)
_DMY_FORMATS = (
    ("%d/%m/%Y %H:%M", False),
    ("%d/%m/%Y %H:%M:%S", False),
    ("%d/%m/%Y %Hh%M", False),
    ("%d/%m/%Y", True),
    ("%d/%m/%y %H:%M", False),
    ("%d/%m/%y %Hh%M", False),
    ("%d/%m/%y", True),
    ("%d-%m-%Y %H:%M", False),
    ("%d-%m-%Y", True),
    ("%d.%m.%Y %H:%M", False),
    ("%d.%m.%Y", True),
)
_NUMERIC = r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})(?:[ T].*)?$"
_ISO_NUMERIC = r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T].*)?$"


def date_order(text: str | None, *, where: str = "--date-format") -> str:
    """``"jour-mois"``, ``"mm/jj/aaaa"``, ``"iso"``… → ``"dmy"``, ``"mdy"`` or ``"iso"``."""
    if text is None or not str(text).strip():
        return DEFAULT_ORDER
    t = str(text).strip().lower()
    for code, names in _ALIASES.items():
        if t in names:
            return code
    raise InputError(
        f"{where} : format de date « {text} » inconnu (attendu jour-mois, mois-jour ou iso)"
    )


def order_label(order: str) -> str:
    """French name of an order, e.g. « jour-mois (JJ/MM/AAAA) »."""
    return DATE_ORDERS[order]


def local_formats(order: str) -> tuple[tuple[str, bool], ...]:
    """``strptime`` formats (and whether they carry a date only) tried for ``order``."""
    if order == "iso":
        return _ISO_FORMATS
    if order == "mdy":
        swapped = tuple(
            (f.replace("%d", "§").replace("%m", "%d").replace("§", "%m"), d)
            for f, d in _DMY_FORMATS
        )
        return swapped + _ISO_FORMATS
    return _DMY_FORMATS + _ISO_FORMATS


def expected_text(order: str) -> str:
    """What the user should write, for messages."""
    if order == "iso":
        return "AAAA-MM-JJ ou AAAA-MM-JJTHH:MM[:SS][+01:00]"
    dm = "MM/JJ/AAAA" if order == "mdy" else "JJ/MM/AAAA"
    return f"{dm}, {dm} HH:MM ou AAAA-MM-JJTHH:MM[:SS][+01:00]"


class OrderCheck:
    """Explanations of the values of one column that did not parse in ``order``.

    Attributes
    ----------
    impossible : object array
        ``""`` or « date inexistante : le 31 novembre n'existe pas » per row.
    other_order : bool array
        Rows that only read in the other order (``mdy`` ↔ ``dmy``).
    shows_order : bool
        Some parsed row can only be read in ``order`` (first number > 12 in ``dmy``, second
        in ``mdy``).
    """

    def __init__(self, impossible: np.ndarray, other_order: np.ndarray, shows_order: bool):
        self.impossible = impossible
        self.other_order = other_order
        self.shows_order = shows_order

    @property
    def file_in_other_order(self) -> bool:
        """The file reads in the other order and nothing in it shows the chosen one."""
        return bool(self.other_order.any()) and not self.shows_order


def _valid(day: int, month: int, year: int) -> bool:
    return 1 <= month <= 12 and 1 <= day <= calendar.monthrange(year, month)[1]


def _year(text: str) -> int:
    y = int(text)
    return y + (2000 if y < 69 else 1900) if len(text) == 2 else y


def explain_dates(st: pd.Series, bad: np.ndarray, ok: np.ndarray, order: str) -> OrderCheck:
    """Explain the ``bad`` values of ``st`` (stripped strings) read in ``order``; ``ok``
    marks the rows that parsed (searched for evidence of the chosen order, only when some
    bad row reads in the other order)."""
    n = len(st)
    impossible = np.full(n, "", dtype=object)
    other = np.zeros(n, dtype=bool)
    idx = np.flatnonzero(bad)
    if not len(idx):
        return OrderCheck(impossible, other, False)
    sub = st.iloc[idx]
    iso = sub.str.extract(_ISO_NUMERIC).to_numpy(dtype=object)
    num = sub.str.extract(_NUMERIC).to_numpy(dtype=object)
    for k, i in enumerate(idx):
        if isinstance(iso[k, 0], str):
            y, m, d = int(iso[k, 0]), int(iso[k, 1]), int(iso[k, 2])
            impossible[i] = impossible_day(d, m, y)
            continue
        if order == "iso" or not isinstance(num[k, 0], str):
            continue
        a, b, y = int(num[k, 0]), int(num[k, 1]), _year(str(num[k, 2]))
        d, m = (a, b) if order == "dmy" else (b, a)
        impossible[i] = impossible_day(d, m, y)
        if not impossible[i] and not (1 <= m <= 12) and _valid(m, d, y):
            other[i] = True
    shows = False
    if other.any() and ok.any():
        parsed = st[np.asarray(ok, dtype=bool)].str.extract(_NUMERIC)
        pos = 0 if order == "dmy" else 1
        shows = bool((pd.to_numeric(parsed[pos], errors="coerce") > 12).any())
    return OrderCheck(impossible, other, shows)
