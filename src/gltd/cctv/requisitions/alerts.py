"""Alerts: open requisitions whose footage expires soon (or already started to)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine

from gltd.cctv.requisitions.deadlines import CameraDeadline
from gltd.cctv.requisitions.register import RequisitionView, list_requisitions, now_utc
from gltd.timeutil import fmt_local

__all__ = ["Alert", "deadline_alerts"]


@dataclass(frozen=True)
class Alert:
    """An open requisition whose footage expires soon (or already started to)."""

    requisition: RequisitionView
    time_left: timedelta
    #: Cameras whose first requested images are gone before ``now + within``.
    cameras: list[CameraDeadline]
    level: str  # "expiree" | "urgente"
    message: str

    def as_dict(self) -> dict[str, Any]:
        """Plain values for JSON."""
        return {
            "id": self.requisition.id,
            "level": self.level,
            "hours_left": round(self.time_left.total_seconds() / 3600, 1),
            "deadline": self.requisition.deadline.isoformat()
            if self.requisition.deadline
            else None,
            "cameras": [c.code for c in self.cameras],
            "message": self.message,
        }


def _human(td: timedelta) -> str:
    secs = abs(td.total_seconds())
    days, rem = divmod(int(secs), 86400)
    hours = rem // 3600
    if days:
        return f"{days} j {hours} h"
    return f"{hours} h {(rem % 3600) // 60:02d} min"


def deadline_alerts(
    engine: Engine, *, within: timedelta, now: datetime | None = None
) -> list[Alert]:
    """Open requisitions (reçue, en cours) whose binding deadline is before ``now + within``.

    Those already past are listed first as ``expiree`` (part of the footage is gone),
    then the others by urgency.
    """
    t_now = now_utc(now)
    horizon = t_now + within
    out: list[Alert] = []
    # the deadline is filtered in SQL (index on status and deadline), not in Python
    for v in list_requisitions(engine, status=["recue", "en_cours"], due_by=horizon):
        if v.deadline is None or v.deadline > horizon:
            continue
        soon = [c for c in v.cameras if c.deadline <= horizon]
        left = v.deadline - t_now
        if left.total_seconds() <= 0:
            level = "expiree"
            msg = (
                f"réquisition n° {v.id} : échéance dépassée depuis {_human(left)} "
                f"({fmt_local(v.deadline)}), images en partie écrasées"
            )
        else:
            level = "urgente"
            msg = (
                f"réquisition n° {v.id} : images écrasées dans {_human(left)} "
                f"({fmt_local(v.deadline)}) — caméras {', '.join(c.code for c in soon)}"
            )
        out.append(Alert(v, left, soon, level, msg))
    return sorted(out, key=lambda a: a.time_left)
