"""Deadline arithmetic of a requisition (pure functions).

Footage of camera ``c`` recorded at instant ``t`` is overwritten ``retention(c)`` days
later (CSI L252-5: at most one month). The first images requested disappear at
``period start + retention(c)``: that is the camera's deadline, and the earliest over the
requisition's cameras is the **binding deadline**. The whole requested period is gone at
``period end + retention(c)``.

Days are *calendar days in Paris time*: the deadline is the same local clock time
``retention`` days later, so across the last Sunday of March a « 15 days » retention lasts
14 days 23 hours, and across the last Sunday of October 15 days 1 hour. When the local time
falls in the spring gap (does not exist) or in the autumn repeated hour (exists twice), the
**earlier** instant is taken: a deadline must never be late.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from gltd.timeutil import PARIS, aware

__all__ = ["CameraDeadline", "add_local_days", "camera_deadline"]


def add_local_days(start: datetime, days: int, tz: Any = PARIS) -> datetime:
    """``start`` plus ``days`` calendar days at the same local clock time, in UTC.

    A local time that does not exist (spring gap) or exists twice (autumn) resolves to
    the earlier of its possible instants.

    Examples
    --------
    >>> from datetime import datetime, UTC
    >>> add_local_days(datetime(2018, 3, 20, 9, 0, tzinfo=UTC), 15)  # 10:00 CET → 10:00 CEST
    datetime.datetime(2018, 4, 4, 8, 0, tzinfo=datetime.timezone.utc)
    """
    local = aware(start).astimezone(tz)
    naive = local.replace(tzinfo=None) + timedelta(days=days)
    candidates = [naive.replace(tzinfo=tz, fold=f).astimezone(UTC) for f in (0, 1)]
    return min(candidates)


def camera_deadline(period_start: datetime, retention_days: int) -> datetime:
    """When the first requested images of a camera are overwritten."""
    return add_local_days(period_start, retention_days)


@dataclass(frozen=True)
class CameraDeadline:
    """One camera of a requisition and its deadlines."""

    code: str
    retention_days: int
    #: First requested images overwritten.
    deadline: datetime
    #: Whole requested period overwritten.
    gone_at: datetime
