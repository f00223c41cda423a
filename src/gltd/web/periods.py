"""Periods chosen on the dashboard and the map (query parameters ``du``, ``au``, ``comparer``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import numpy as np

from gltd.errors import InputError
from gltd.taxonomy import get_taxonomy
from gltd.timeutil import PARIS, Period, make_period, parse_day

__all__ = [
    "PeriodChoice",
    "choose_period",
    "check_categories",
    "default_last_day",
    "COMPARE_CHOICES",
]

COMPARE_CHOICES = {
    "annee-precedente": "même période de l'année précédente",
    "periode-precedente": "période précédente de même durée",
}
MAX_DAYS = 366 * 20
MIN_YEAR, MAX_YEAR = 1990, 2100


@dataclass(frozen=True)
class PeriodChoice:
    """The studied period, its reference and how the reference was chosen."""

    period: Period
    reference: Period
    compare: str

    @property
    def label(self) -> str:
        """French label of both periods."""
        return (
            f"{self.period.label()}, comparée à la {COMPARE_CHOICES[self.compare]} "
            f"({self.reference.label()})"
        )


def _day(text: str | None, what: str) -> date | None:
    if not text:
        return None
    d = parse_day(text, what=what)
    if not MIN_YEAR <= d.year <= MAX_YEAR:
        raise InputError(f"{what} hors limites : {d} (années {MIN_YEAR} à {MAX_YEAR})")
    return d


def default_last_day(
    times_ns: Sequence[int] | np.ndarray, reference: date | None = None, *, q: float = 99.9
) -> date | None:
    """Last day of the default period: where the bulk of the incidents ends.

    ``times_ns`` are sorted (the cube's). The ``q``-th percentile of the incident times
    (not their maximum: one stray row dated
    in the future does not move the period), and not after ``reference`` (the
    application's « à la date du »). ``None`` without incidents nor reference.
    """
    t = np.asarray(times_ns, dtype=np.int64)
    if t.size == 0:
        return reference
    bulk = int(t[int((t.size - 1) * q / 100.0)])
    day = datetime.fromtimestamp(bulk / 1e9, tz=UTC).astimezone(PARIS).date()
    return min(day, reference) if reference is not None else day


def choose_period(
    du: str | None,
    au: str | None,
    compare: str | None,
    *,
    last_event_ns: int | None = None,
    default_last: date | None = None,
    default_days: int = 183,
) -> PeriodChoice:
    """The period from the query, else the ``default_days`` up to ``default_last``.

    ``default_last`` is :func:`default_last_day` (the bulk of the data); else the latest
    incident (``last_event_ns``); else today.
    """
    compare = compare or "annee-precedente"
    if compare not in COMPARE_CHOICES:
        raise InputError(
            f"comparaison inconnue : « {compare[:40]} » (attendu : {', '.join(COMPARE_CHOICES)})"
        )
    first = _day(du, "début")
    last = _day(au, "fin")
    if last is None:
        if default_last is not None:
            last = default_last
        elif last_event_ns is not None:
            last = datetime.fromtimestamp(last_event_ns / 1e9, tz=UTC).astimezone(PARIS).date()
        else:
            last = datetime.now(PARIS).date()
    if first is None:
        first = last - timedelta(days=default_days - 1)
    if (last - first).days > MAX_DAYS:
        raise InputError(f"période trop longue : au plus {MAX_DAYS // 366} ans")
    period = make_period(first, last)
    ref = period.shifted_years(-1) if compare == "annee-precedente" else period.previous()
    return PeriodChoice(period, ref, compare)


def check_categories(categories: list[str]) -> list[str]:
    """Known category codes only (an unknown code is an error naming it)."""
    tax = get_taxonomy()
    out = []
    for c in categories:
        for code in c.split(","):
            code = code.strip()
            if not code:
                continue
            if code not in tax.by_code:
                raise InputError(f"catégorie inconnue : « {code[:60]} »")
            out.append(code)
    return sorted(set(out))
