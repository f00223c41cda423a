"""Key dates of the demo scenario and helpers to turn local times into UTC datetimes."""

from __future__ import annotations

from datetime import UTC, date, datetime

import numpy as np
import pandas as pd

from gltd.timeutil import PARIS

__all__ = [
    "DATA_FIRST_DAY",
    "DATA_LAST_DAY",
    "GLTD_FIRST_DAY",
    "GLTD_LAST_DAY",
    "BAR_CLOSURE_DAY",
    "REF_FIRST_DAY",
    "REF_LAST_DAY",
    "local_to_utc",
    "local_dt",
    "day_index",
]

#: First and last local days with data (the bilan was presented on 24 September 2018).
DATA_FIRST_DAY = date(2011, 1, 1)
DATA_LAST_DAY = date(2018, 9, 24)
#: The GLTD on drug trafficking (the six months of the article).
GLTD_FIRST_DAY = date(2018, 3, 24)
GLTD_LAST_DAY = date(2018, 9, 24)
#: Administrative closure of the bar « Le Score » (spring 2018).
BAR_CLOSURE_DAY = date(2018, 4, 20)
#: Same six months one year earlier (the comparison of the +125 %).
REF_FIRST_DAY = date(2017, 3, 24)
REF_LAST_DAY = date(2017, 9, 24)


def day_index(d: date) -> int:
    """Days since :data:`DATA_FIRST_DAY`."""
    return (d - DATA_FIRST_DAY).days


def local_to_utc(days: np.ndarray, seconds: np.ndarray) -> list[datetime]:
    """Aware UTC datetimes for local (Europe/Paris) day indexes plus seconds of the day.

    Ambiguous autumn times are read as summer time, non-existent spring times are moved
    forward: both are deterministic.
    """
    base = np.datetime64(DATA_FIRST_DAY.isoformat(), "s")
    naive = (
        base
        + days.astype("int64") * np.timedelta64(86400, "s")
        + seconds.astype("int64") * np.timedelta64(1, "s")
    )
    idx = pd.DatetimeIndex(naive.astype("datetime64[ns]"))
    aware = idx.tz_localize(
        "Europe/Paris", ambiguous=np.ones(len(idx), dtype=bool), nonexistent="shift_forward"
    ).tz_convert("UTC")
    return [datetime(*t.timetuple()[:6], tzinfo=UTC) for t in aware]


def local_dt(d: date, hour: float = 0.0) -> datetime:
    """An aware UTC datetime for a local (Europe/Paris) day and a fractional hour (< 24)."""
    secs = int(round(hour * 3600))
    h, rem = divmod(secs, 3600)
    local = datetime(d.year, d.month, d.day, min(h, 23), rem // 60, rem % 60, tzinfo=PARIS)
    return local.astimezone(UTC)
