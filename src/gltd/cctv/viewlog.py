"""The append-only log of viewings and extractions of footage.

Every viewing or extraction is recorded: who (the agent's *account*, not a civil
identity), when, why, for whom (recipient), which camera and which clip period. The CNIL
has sanctioned cities for « absence de traçabilité des accès aux images »; the log is
kept at least three years (DOMAIN.md §2).

gltd offers no function to edit or delete an entry, and the database refuses it too
(``UPDATE``/``DELETE`` triggers on ``viewing_log``). A mistaken entry is corrected by a
new entry that says so. Exporting the log is itself recorded in the audit log.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from gltd.errors import InputError
from gltd.fileio import atomic_path
from gltd.model import Camera, Requisition, ViewingLogEntry
from gltd.spreadsheet import safe_row
from gltd.store import audit
from gltd.store.audit import Actor
from gltd.timeutil import aware, fmt_local

__all__ = ["ACTIONS", "LogEntry", "log_viewing", "list_viewings", "export_viewings_csv"]

ACTIONS = ("visionnage", "extraction")
CSV_COLUMNS = (
    "id",
    "date_heure",
    "compte",
    "action",
    "motif",
    "destinataire",
    "camera",
    "debut_extrait",
    "fin_extrait",
    "requisition",
)


@dataclass(frozen=True)
class LogEntry:
    """One entry of the viewing log."""

    id: int
    at: datetime
    agent: str
    action: str
    reason: str
    recipient: str | None
    camera: str | None
    clip_start: datetime | None
    clip_end: datetime | None
    requisition_id: int | None

    def as_dict(self) -> dict[str, Any]:
        """Plain values for JSON."""
        return {
            "id": self.id,
            "at": self.at.isoformat(),
            "agent": self.agent,
            "action": self.action,
            "reason": self.reason,
            "recipient": self.recipient,
            "camera": self.camera,
            "clip_start": self.clip_start.isoformat() if self.clip_start else None,
            "clip_end": self.clip_end.isoformat() if self.clip_end else None,
            "requisition_id": self.requisition_id,
        }


def log_viewing(
    engine: Engine,
    *,
    agent: str,
    action: str,
    reason: str,
    camera: str,
    clip_start: datetime,
    clip_end: datetime,
    recipient: str | None = None,
    requisition_id: int | None = None,
    at: datetime | None = None,
) -> LogEntry:
    """Append one viewing or extraction.

    Raises
    ------
    InputError
        Missing account or reason, unknown action, camera or requisition, a clip ending
        before it starts, an extraction without recipient, a time in the future.
    """
    now = datetime.now(UTC)
    when = now if at is None else aware(at, field="at").astimezone(UTC)
    if not agent or not agent.strip():
        raise InputError("compte de l'agent manquant (qui a visionné)", field="agent")
    if action not in ACTIONS:
        raise InputError(f"action « {action} » : attendu {' ou '.join(ACTIONS)}", field="action")
    if not reason or not reason.strip():
        raise InputError("motif manquant (pourquoi les images sont consultées)", field="reason")
    if action == "extraction" and not (recipient and recipient.strip()):
        raise InputError(
            "destinataire manquant : une extraction est remise à quelqu'un", field="recipient"
        )
    cs = aware(clip_start, field="clip_start").astimezone(UTC)
    ce = aware(clip_end, field="clip_end").astimezone(UTC)
    if ce <= cs:
        raise InputError(
            f"extrait vide ou inversé : du {fmt_local(cs)} au {fmt_local(ce)}", field="clip_end"
        )
    if when > now + timedelta(minutes=5):
        raise InputError(f"consultation datée du {fmt_local(when)}, dans le futur", field="at")
    with Session(engine, expire_on_commit=False) as session, session.begin():
        cam_id = session.execute(select(Camera.id).where(Camera.code == camera)).scalar()
        if cam_id is None:
            raise InputError(f"caméra inconnue : « {camera} »", field="camera")
        if requisition_id is not None and session.get(Requisition, requisition_id) is None:
            raise InputError(f"réquisition n° {requisition_id} introuvable", field="requisition")
        e = ViewingLogEntry(
            at=when,
            agent=agent.strip(),
            action=action,
            reason=reason.strip(),
            recipient=recipient.strip() if recipient else None,
            camera_id=cam_id,
            clip_start=cs,
            clip_end=ce,
            requisition_id=requisition_id,
        )
        session.add(e)
        session.flush()
        return LogEntry(
            e.id, when, e.agent, action, e.reason, e.recipient, camera, cs, ce, requisition_id
        )


def list_viewings(
    engine: Engine,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    camera: str | None = None,
    agent: str | None = None,
) -> list[LogEntry]:
    """Entries in time order (half-open period ``[start, end)`` when given)."""
    v, c = ViewingLogEntry, Camera
    stmt = select(
        v.id, v.at, v.agent, v.action, v.reason, v.recipient, c.code, v.clip_start,
        v.clip_end, v.requisition_id,
    ).outerjoin(c, c.id == v.camera_id)  # fmt: skip
    if start is not None:
        stmt = stmt.where(v.at >= aware(start))
    if end is not None:
        stmt = stmt.where(v.at < aware(end))
    if camera:
        stmt = stmt.where(c.code == camera)
    if agent:
        stmt = stmt.where(v.agent == agent)
    with Session(engine) as session:
        rows = session.execute(stmt.order_by(v.at, v.id)).all()
    return [LogEntry(*r) for r in rows]  # type: ignore[call-arg]


def export_viewings_csv(
    engine: Engine,
    path: str | Path,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    camera: str | None = None,
    by: Actor | str | None = None,
) -> int:
    """Write the log as CSV (``;``, UTF-8 with BOM, Paris times) and audit the export.

    The file is written to a temporary name and renamed at the end, so a failure never
    leaves half a file. Returns the number of entries written.
    """
    entries = list_viewings(engine, start=start, end=end, camera=camera)
    p = Path(path)
    with atomic_path(p) as tmp, tmp.open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh, delimiter=";")
        w.writerow(CSV_COLUMNS)
        for e in entries:
            w.writerow(
                safe_row([
                    e.id, fmt_local(e.at), e.agent, e.action, e.reason, e.recipient or "",
                    e.camera or "", fmt_local(e.clip_start), fmt_local(e.clip_end),
                    e.requisition_id or "",
                ])
            )  # fmt: skip
    audit.record(
        engine,
        actor=by,
        verb="export",
        object_type="viewing_log",
        detail=f"{len(entries)} lignes -> {p.name}",
    )
    return len(entries)
