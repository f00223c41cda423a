"""Per-row validation: problems (file, row, column, value, expected) and vectorised parsers.

Every parser takes a pandas Series of raw strings (as read from the file) and returns
the parsed values plus a boolean mask of the rows it could not read, so that a file of a
million rows is checked in a few vectorised passes, not a Python loop.
"""

from __future__ import annotations

import csv
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from gltd.errors import ValidationFailed
from gltd.ingest.dates import DEFAULT_ORDER, OrderCheck, explain_dates, local_formats
from gltd.spreadsheet import safe_row

__all__ = [
    "Problem",
    "ProblemLog",
    "blank",
    "parse_datetimes",
    "parse_numbers",
    "parse_ints",
    "parse_bools",
    "ParsedTimes",
]

#: How many problems are kept in memory per column (a wholly wrong column of a big file
#: would otherwise give a million identical lines).
MAX_PROBLEMS_PER_COLUMN = 1000


@dataclass(frozen=True)
class Problem:
    """One bad value: where it is, what was found and what was expected."""

    file: str
    row: int | None
    column: str | None
    value: str
    expected: str
    message: str

    def as_dict(self) -> dict[str, object]:
        """The problem as a dict (keys ``row``, ``field``, ``value``, ``message``...)."""
        d: dict[str, object] = asdict(self)
        d["field"] = self.column
        d["message"] = f"{self.message} (attendu : {self.expected})"
        return d


class ProblemLog:
    """Problems found in one file, keyed by row position (0-based data row)."""

    def __init__(self, file: str, row_numbers: np.ndarray) -> None:
        self.file = file
        #: File line (or feature) number of each data row, for messages.
        self.row_numbers = row_numbers
        self.problems: list[Problem] = []
        self.bad = np.zeros(len(row_numbers), dtype=bool)
        self.truncated: dict[str, int] = {}

    def add_mask(
        self,
        mask: np.ndarray | pd.Series,
        column: str | None,
        values: pd.Series | np.ndarray | None,
        expected: str,
        message: str,
    ) -> None:
        """Record a problem for every row where ``mask`` is true."""
        m = np.asarray(mask, dtype=bool)
        if not m.any():
            return
        self.bad |= m
        idx = np.flatnonzero(m)
        key = column or message
        kept = idx[:MAX_PROBLEMS_PER_COLUMN]
        if len(idx) > len(kept):
            self.truncated[key] = self.truncated.get(key, 0) + len(idx) - len(kept)
        vals = np.asarray(values, dtype=object) if values is not None else None
        for i in kept:
            v = "" if vals is None else vals[i]
            self.problems.append(
                Problem(
                    self.file,
                    int(self.row_numbers[i]),
                    column,
                    _short("" if v is None or v is pd.NA else str(v)),
                    expected,
                    message,
                )
            )

    def add_row(
        self, pos: int, column: str | None, value: object, expected: str, message: str
    ) -> None:
        """Record a problem for one row (by 0-based position)."""
        self.bad[pos] = True
        self.problems.append(
            Problem(
                self.file, int(self.row_numbers[pos]), column, _short(str(value)), expected, message
            )
        )

    @property
    def n_bad(self) -> int:
        """Number of rejected rows."""
        return int(self.bad.sum())

    def sorted(self) -> list[Problem]:
        """Problems by row, then column."""
        return sorted(self.problems, key=lambda p: (p.row or 0, p.column or ""))

    def reasons(self) -> dict[int, str]:
        """Why each rejected row was refused, in French, by file row number."""
        out: dict[int, list[str]] = {}
        for p in self.sorted():
            if p.row is None:
                continue
            where = f"{p.column} : " if p.column else ""
            value = f" (« {p.value} »)" if p.value and p.value not in p.message else ""
            out.setdefault(p.row, []).append(f"{where}{p.message}{value}")
        return {row: " ; ".join(dict.fromkeys(texts)) for row, texts in out.items()}

    def fail(self, kind_label: str) -> ValidationFailed:
        """The exception refusing the whole file."""
        n = self.n_bad
        more = sum(self.truncated.values())
        extra = f" ({more} problèmes de plus non détaillés)" if more else ""
        return ValidationFailed(
            f"fichier {self.file} : {n} ligne(s) invalide(s) sur {len(self.bad)} ; "
            f"rien n'a été importé ({kind_label}){extra}. Corrigez le fichier, ou relancez "
            "avec --skip-invalid pour importer les lignes valides.",
            [p.as_dict() for p in self.sorted()],
        )

    def write_report(self, path: Path) -> None:
        """Write the problems as a CSV (UTF-8 with BOM, ``;``, for French Excel)."""
        with path.open("w", encoding="utf-8-sig", newline="") as fh:
            w = csv.writer(fh, delimiter=";")
            w.writerow(["fichier", "ligne", "colonne", "valeur", "attendu", "probleme"])
            for p in self.sorted():
                w.writerow(
                    safe_row([p.file, p.row, p.column or "", p.value, p.expected, p.message])
                )


def _short(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def blank(s: pd.Series) -> np.ndarray:
    """True where the raw value is missing or only spaces (or ``NA``)."""
    st = s.astype("string").fillna("").str.strip()
    return np.asarray((st == "") | (st.str.upper() == "NA"), dtype=bool)


def parse_numbers(s: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Decimal numbers with ``.`` or ``,`` as decimal mark; spaces as thousands separator.

    Returns
    -------
    values : float64 array (NaN where blank or bad)
    bad : bool array, true where a non-blank value is not a number
    """
    st = s.astype("string").fillna("").str.strip()
    empty = np.asarray((st == "") | (st.str.upper() == "NA"), dtype=bool)
    cleaned = (
        st.str.replace("\u00a0", "", regex=False)
        .str.replace("\u202f", "", regex=False)
        .str.replace(" ", "", regex=False)
        .str.replace(",", ".", regex=False)
    )
    vals = pd.to_numeric(cleaned.where(~empty, None), errors="coerce")
    out = np.asarray(vals, dtype="float64")
    bad = np.isnan(out) & ~empty
    return out, bad


def parse_ints(s: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Whole numbers (blank → 0). Returns (int64 values, bad mask)."""
    vals, bad = parse_numbers(s)
    frac = ~np.isnan(vals) & (np.floor(np.nan_to_num(vals)) != np.nan_to_num(vals))
    neg = ~np.isnan(vals) & (vals < 0)
    bad = bad | frac | neg
    return np.nan_to_num(vals, nan=0.0).astype("int64"), bad


_TRUE = {"1", "oui", "o", "vrai", "true", "yes", "y", "x"}
_FALSE = {"0", "non", "n", "faux", "false", "no", ""}


def parse_bools(s: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """oui/non, vrai/faux, 1/0, true/false, x (blank → False). Returns (values, bad)."""
    st = s.astype("string").fillna("").str.strip().str.lower()
    is_true = np.asarray(st.isin(list(_TRUE)), dtype=bool)
    is_false = np.asarray(st.isin(list(_FALSE)), dtype=bool)
    return is_true, ~(is_true | is_false)


@dataclass
class ParsedTimes:
    """Parsed times: UTC instants, which rows had a date only, and problem masks."""

    utc: pd.Series  # datetime64[ns, UTC], NaT where missing or bad
    date_only: np.ndarray
    bad: np.ndarray  # unreadable
    nonexistent: np.ndarray  # local time in the spring DST gap
    ambiguous: np.ndarray  # local time repeated in the autumn (resolved as summer time)
    check: OrderCheck  # why the bad ones are bad (date that does not exist, other order)


#: Plausible years (a year outside is a typo: 1018, 2918...).
MIN_YEAR, MAX_YEAR = 1900, 2100
_OFFSET_RE = r"(?:Z|[+-]\d{2}:?\d{2})$"


def parse_datetimes(
    s: pd.Series, tz: str = "Europe/Paris", order: str = DEFAULT_ORDER
) -> ParsedTimes:
    """Parse dates and times as exported by French police and city systems.

    Accepted (``order="dmy"``): ``dd/mm/yyyy``, ``dd/mm/yyyy hh:mm[:ss]``,
    ``dd/mm/yyyy HHhMM``, two-digit years, ``-`` or ``.`` separators; ``order="mdy"``: the
    same month first; always ISO 8601 with or without ``T``, with or without an offset
    (``Z``, ``+02:00``); ``order="iso"``: ISO 8601 only. Values without an offset are local
    times in ``tz``. Values that do not parse are explained in ``check``
    (:func:`gltd.ingest.dates.explain_dates`: dates that do not exist, dates in the other
    order).

    Daylight-saving time: a local time that does not exist (the spring gap, e.g.
    2018-03-25 02:30 in Paris) is reported as a problem; a local time that occurs twice
    (the autumn hour, e.g. 2018-10-28 02:30) is resolved as the first occurrence (summer
    time, UTC+2) and flagged in ``ambiguous`` so the caller can warn.
    """
    n = len(s)
    st = s.astype("string").fillna("").str.strip()
    empty = np.asarray(st == "", dtype=bool)
    has_offset = np.asarray(st.str.contains(_OFFSET_RE, regex=True), dtype=bool) & ~empty
    utc = pd.Series(pd.NaT, index=s.index, dtype="datetime64[ns, UTC]")
    date_only = np.zeros(n, dtype=bool)
    bad = np.zeros(n, dtype=bool)
    nonexistent = np.zeros(n, dtype=bool)
    ambiguous = np.zeros(n, dtype=bool)

    if has_offset.any():
        sub = st[has_offset]
        parsed = pd.to_datetime(sub, format="ISO8601", utc=True, errors="coerce")
        years = parsed.dt.year.to_numpy(dtype="float64", na_value=np.nan)
        plausible = (years >= MIN_YEAR) & (years <= MAX_YEAR)
        parsed = parsed.where(plausible)
        utc[has_offset] = parsed.astype("datetime64[ns, UTC]")
        bad[has_offset] = np.asarray(parsed.isna(), dtype=bool)

    todo = ~empty & ~has_offset
    naive = pd.Series(pd.NaT, index=s.index, dtype="datetime64[ns]")
    for attempt in range(2):
        if attempt == 1 and todo.any():  # second chance with runs of spaces collapsed
            st = st.where(~todo, st.str.replace(r"\s+", " ", regex=True))
        for fmt, is_date in local_formats(order):
            if not todo.any():
                break
            sub = st[todo]
            if fmt == "ISO8601":
                parsed = pd.to_datetime(sub, format="ISO8601", errors="coerce")
            else:
                parsed = pd.to_datetime(sub, format=fmt, errors="coerce")
            ok = np.array(parsed.notna(), dtype=bool)
            if ok.any():  # years outside 1900–2100 are typos, not dates (and overflow ns)
                years = parsed.dt.year.to_numpy(dtype="float64", na_value=np.nan)
                ok &= (years >= MIN_YEAR) & (years <= MAX_YEAR)
            if not ok.any():
                continue
            where = np.flatnonzero(todo)[ok]
            naive.iloc[where] = parsed[ok].to_numpy(dtype="datetime64[ns]")
            if is_date:
                date_only[where] = True
            todo[where] = False
    bad |= todo
    check = explain_dates(st, bad, ~empty & ~bad, order)

    local_mask = ~empty & ~has_offset & ~bad
    if local_mask.any():
        sub = naive[local_mask]
        loc = sub.dt.tz_localize(tz, ambiguous="NaT", nonexistent="NaT")
        amb_or_gap = np.asarray(loc.isna(), dtype=bool)
        if amb_or_gap.any():
            summer = sub.dt.tz_localize(
                tz, ambiguous=np.ones(len(sub), dtype=bool), nonexistent="NaT"
            )
            gap = np.asarray(summer.isna(), dtype=bool)
            loc = loc.where(~amb_or_gap, summer)
            where = np.flatnonzero(local_mask)
            nonexistent[where[gap]] = True
            ambiguous[where[amb_or_gap & ~gap]] = True
        utc[local_mask] = loc.dt.tz_convert("UTC").astype("datetime64[ns, UTC]")
    return ParsedTimes(utc, date_only, bad, nonexistent, ambiguous, check)
