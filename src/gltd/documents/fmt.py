"""French formats for every document (Babel, locale fr_FR): numbers, percentages, dates,
tests. The one place where gltd writes a number or a date for a French reader: the bilan,
the displacement report, the relevance study, the near-repeat table and their charts.

Typography (:func:`fr_typography`): a no-break space U+00A0 — the one convention of every
document — before ``: ; ! ? %`` and ``»``, after ``«``, and between a number and its unit
(``95 %``, ``250 m``, ``60 g``, ``150 000 €``), so that a line never breaks there.

Conventions: decimal comma, narrow no-break space between thousands, the minus sign
U+2212 (``−0,25``), a no-break space before ``%``, ``—`` for a missing or undefined value,
``1er`` for the first day of a month.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal, format_percent

from gltd.timeutil import PARIS

__all__ = [
    "LOCALE",
    "fr_int",
    "fr_num",
    "fr_dec",
    "fr_pct",
    "fr_change",
    "fr_count_change",
    "fr_test_change",
    "fr_p",
    "fr_date",
    "fr_date_short",
    "fr_date_abbr",
    "fr_month_abbr",
    "fr_datetime_short",
    "fr_ucfirst",
    "fr_eur",
    "fr_rr",
    "fr_ci",
    "parse_fr_number",
    "fr_typography",
    "fr_typography_html",
]

LOCALE = "fr_FR"
NBSP = "\u00a0"
MINUS = "\u2212"


def _missing(x: Any) -> bool:
    return x is None or (isinstance(x, float) and not math.isfinite(x))


def fr_int(n: Any) -> str:
    """``150 000`` (narrow no-break space between thousands)."""
    if n is None:
        return "—"
    return format_decimal(int(round(float(n))), locale=LOCALE)


def fr_num(x: Any, digits: int = 1) -> str:
    """A decimal with ``digits`` decimals and a decimal comma: ``2,25``, ``1 234,5``, ``−0,25``."""
    if _missing(x):
        return "—"
    x = float(x)
    return _decimal(x, math.copysign(1.0, x) < 0, digits)


@lru_cache(maxsize=8192)
def _decimal(x: float, negative: bool, digits: int) -> str:
    """:func:`fr_num` of a finite float (``negative`` keeps −0.0 apart from 0.0 in the
    cache): Babel's formatting costs tens of microseconds, and pages print the same
    values again and again."""
    fmt = "#,##0" + ("." + "0" * digits if digits > 0 else "")
    return format_decimal(x, format=fmt, locale=LOCALE).replace("-", MINUS)


def fr_dec(x: Any) -> str:
    """A number with the decimals it has (up to six): ``0,1``, ``100``, ``12,25``, ``∞``."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "—"
    if math.isinf(float(x)):
        return "∞" if float(x) > 0 else f"{MINUS}∞"
    return format_decimal(float(x), format="#,##0.######", locale=LOCALE).replace("-", MINUS)


def fr_pct(share: Any, digits: int = 0) -> str:
    """A share (0–1) as a percentage: ``70 %``."""
    if _missing(share):
        return "—"
    fmt = "#,##0" + ("." + "0" * digits if digits > 0 else "") + " %"
    return format_percent(float(share), format=fmt, locale=LOCALE)


def fr_change(change_pct: Any) -> str:
    """A signed change in percent: ``+125 %``, ``−40 %``, ``—`` when undefined."""
    if _missing(change_pct):
        return "—"
    v = round(float(change_pct))
    sign = "+" if v > 0 else ("−" if v < 0 else "")
    return f"{sign}{format_decimal(abs(v), locale=LOCALE)}{NBSP}%"


def fr_count_change(count_ref: Any, count: Any, unit: str = "") -> str:
    """A change on small numbers, in counts, never as a percentage: ``de 2 à 55 faits``."""
    tail = f"{NBSP}{unit}" if unit else ""
    return f"de {fr_int(count_ref)} à {fr_int(count)}{tail}"


def fr_test_change(t: Any, unit: str = "") -> str:
    """The change of a rate test (a dict with ``count``, ``count_ref``, ``change_pct`` and
    ``small_numbers``): ``+125 %``, or ``de 2 à 55`` when either count is under the
    small-numbers threshold — a percentage on small numbers is never printed."""
    if t["small_numbers"]:
        return fr_count_change(t["count_ref"], t["count"], unit)
    if t["count_ref"] == 0 and t["count"] > 0:
        return "apparition"
    return fr_change(t["change_pct"])


def fr_p(p: Any, digits: int | None = None, name: str = "p") -> str:
    """``p = 0,003``, ``p < 0,001``, ``p = 0,41`` (three decimals below 0,01, else two);
    ``digits`` fixes the decimals (``p = 0,412``), ``name`` names the value
    (``p corrigée FDR = 0,004``)."""
    if _missing(p):
        return f"{name} non calculable"
    p = float(p)
    if p < 0.001:
        return f"{name}{NBSP}<{NBSP}0,001"
    if digits is None:
        digits = 3 if p < 0.01 else 2
    return f"{name}{NBSP}={NBSP}{fr_num(p, digits)}"


def fr_rr(rr: Any) -> str:
    """A rate ratio with two decimals (``—`` when infinite or undefined)."""
    return fr_num(rr, 2)


def fr_ci(low: Any, high: Any) -> str:
    """``[1,33 ; 3,93]`` (``+∞`` for an open upper bound)."""
    lo = fr_num(low, 2)
    hi = "+∞" if high is None else fr_num(high, 2)
    return f"[{lo}{NBSP};{NBSP}{hi}]"


def fr_eur(x: Any) -> str:
    """Euros without decimals: ``150 000 €``."""
    if x is None:
        return "—"
    return f"{fr_int(x)}{NBSP}€"


def _as_date(d: Any) -> date:
    if isinstance(d, datetime):
        return d.date()
    if isinstance(d, str):
        return date.fromisoformat(d[:10])
    return d  # type: ignore[no-any-return]


def fr_date(d: Any) -> str:
    """``24 mars 2018`` (``1er mars 2018`` on the first of the month)."""
    if d is None:
        return "—"
    day = _as_date(d)
    text = format_date(day, "d MMMM y", locale=LOCALE)
    return "1er" + text[1:] if day.day == 1 else text


def fr_date_short(d: Any) -> str:
    """``24/03/2018``."""
    if d is None:
        return "—"
    return format_date(_as_date(d), "dd/MM/y", locale=LOCALE)


def fr_date_abbr(d: Any) -> str:
    """``24 sept. 2018`` (abbreviated month, for charts)."""
    if d is None:
        return "—"
    day = _as_date(d)
    text = format_date(day, "d MMM y", locale=LOCALE)
    return "1er" + text[1:] if day.day == 1 else text


@lru_cache(maxsize=16)
def fr_month_abbr(month: int) -> str:
    """``janv.``, ``févr.`` … ``déc.`` (month 1–12)."""
    return format_date(date(2000, month, 1), "MMM", locale=LOCALE)


def fr_datetime_short(value: datetime) -> str:
    """``24/03/2018 10:05``, Paris time."""
    return format_datetime(value, "dd/MM/y HH:mm", tzinfo=PARIS, locale=LOCALE)


def fr_ucfirst(text: Any) -> str:
    """The text with a capital first letter (``""`` for nothing)."""
    return (str(text)[:1].upper() + str(text)[1:]) if text else ""


def parse_fr_number(text: str) -> float:
    """Read back a number written by these functions (``150 000`` → 150000, ``2,25``).

    Used by tests to compare the HTML with the JSON.
    """
    t = (
        text.replace("\u202f", "")
        .replace(NBSP, "")
        .replace(" ", "")
        .replace("−", "-")
        .replace("€", "")
        .replace("%", "")
        .replace(",", ".")
    )
    return float(t)


_BEFORE = re.compile(r"[ \u202f](?=[:;!?%»])")
_AFTER = re.compile(r"(?<=«)[ \u202f]")
_UNIT = re.compile(r"(?<=\d)[ \u202f](?=(?:%|€|m²|km|m|kg|g|h|min|ans?|jours?|mois|ha)(?![\w-]))")
_TAG = re.compile(r"(<[^>]*>)")


def fr_typography(text: str) -> str:
    """``text`` with no-break spaces before ``: ; ! ? % »``, after ``«`` and between a
    number and its unit (``IC 95 %``, ``« Le Score »``, ``250 m``)."""
    text = _BEFORE.sub(NBSP, text)
    text = _AFTER.sub(NBSP, text)
    return _UNIT.sub(NBSP, text)


def fr_typography_html(html: str) -> str:
    """:func:`fr_typography` on the text of an HTML page (never inside a tag, a
    ``<style>`` or a ``<script>``)."""
    out: list[str] = []
    raw = False
    for part in _TAG.split(html):
        if part.startswith("<"):
            low = part[:8].lower()
            if low.startswith(("<style", "<script")):
                raw = True
            elif low.startswith(("</style", "</scrip")):
                raw = False
            out.append(part)
        else:
            out.append(part if raw else fr_typography(part))
    return "".join(out)
