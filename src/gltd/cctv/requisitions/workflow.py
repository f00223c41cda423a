"""The status workflow: ``recue → en_cours → remise | hors_delai | sans_objet``.

``recue`` may also go straight to ``hors_delai`` or ``sans_objet``. Every change is stored
with its time (:class:`~gltd.model.RequisitionStatusEvent`); a change dated before the
previous one, or not allowed from the current status, is refused with a message. Two users
changing the same requisition at once: the second change is refused (compare-and-set on the
status it started from), nothing is overwritten.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, update
from sqlalchemy.orm import Session

from gltd.cctv.requisitions.register import (
    CLOCK_SKEW,
    OUTCOME_LABELS,
    OUTCOMES,
    STATUS_LABELS,
    RequisitionView,
    load_requisition,
    now_utc,
    requisition_view,
)
from gltd.errors import GltdError, InputError
from gltd.model import (
    REQUISITION_STATUSES,
    Requisition,
    RequisitionStatusEvent,
)
from gltd.store import audit
from gltd.store.audit import Actor, username_of
from gltd.timeutil import aware, fmt_local

__all__ = ["TRANSITIONS", "change_status", "set_outcome"]

#: Allowed status changes.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "recue": ("en_cours", "hors_delai", "sans_objet"),
    "en_cours": ("remise", "hors_delai", "sans_objet"),
    "remise": (),
    "hors_delai": (),
    "sans_objet": (),
}


def change_status(
    engine: Engine,
    req_id: int,
    status: str,
    *,
    at: datetime | None = None,
    by: Actor | str | None = None,
    expected: str | None = None,
    medium: str | None = None,
    outcome: str | None = None,
    now: datetime | None = None,
) -> RequisitionView:
    """Move a requisition to ``status`` at time ``at`` (now by default); audited as ``by``.

    Parameters
    ----------
    expected : str, optional
        The status the user saw; when it is no longer current (someone else changed it
        meanwhile) the change is refused and nothing is overwritten.
    medium, outcome : str, optional
        For ``remise``: the medium delivered (USB key, DVD, transfer…) and the outcome
        when known (``utile``, ``non_utile``, ``inconnu``).
    """
    if status not in REQUISITION_STATUSES:
        raise InputError(
            f"statut « {status[:20]} » inconnu : attendu "
            + ", ".join(f"« {STATUS_LABELS[s]} » ({s})" for s in REQUISITION_STATUSES),
            field="status",
        )
    if outcome is not None and outcome not in OUTCOMES:
        raise InputError(
            f"résultat « {outcome[:20]} » inconnu : attendu "
            + ", ".join(f"« {OUTCOME_LABELS[o]} » ({o})" for o in OUTCOMES),
            field="outcome",
        )
    t_now = now_utc(now)
    when = t_now if at is None else aware(at, field="at").astimezone(UTC)
    if when > t_now + CLOCK_SKEW:
        raise InputError(f"changement daté du {fmt_local(when)}, dans le futur", field="at")
    with Session(engine, expire_on_commit=False) as session, session.begin():
        r = load_requisition(session, req_id)
        current = r.status
        if expected is not None and expected != current:
            raise GltdError(
                f"réquisition n° {req_id} : son statut a changé entre-temps (« "
                f"{STATUS_LABELS.get(expected, expected)} » attendu, « "
                f"{STATUS_LABELS.get(current, current)} » enregistré) ; rechargez-la, rien "
                "n'a été modifié"
            )
        if status not in TRANSITIONS[current]:
            allowed = TRANSITIONS[current]
            hint = (
                "statut final, plus aucun changement possible"
                if not allowed
                else "possibles : " + ", ".join(STATUS_LABELS[s] for s in allowed)
            )
            raise InputError(
                f"réquisition n° {req_id} : passage de « {STATUS_LABELS[current]} » à « "
                f"{STATUS_LABELS[status]} » refusé ({hint})",
                field="status",
            )
        last = max([e.at for e in r.events] + [r.received_at])
        if when < last:
            raise InputError(
                f"réquisition n° {req_id} : changement daté du {fmt_local(when)}, antérieur "
                f"au précédent ({fmt_local(last)}) ; les étapes se suivent dans le temps",
                field="at",
            )
        values: dict[str, Any] = {"status": status, "status_changed_at": when}
        if status == "remise":
            values["delivered_at"] = when
            if medium:
                values["medium"] = medium
            if outcome:
                values["outcome"] = outcome
        # Compare-and-set: refuses silently-overlapping changes from another session.
        res = session.execute(
            update(Requisition)
            .where(Requisition.id == req_id, Requisition.status == current)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        if getattr(res, "rowcount", 1) != 1:
            raise GltdError(
                f"réquisition n° {req_id} : modifiée au même moment par un autre poste ; "
                "rechargez-la, rien n'a été modifié"
            )
        session.add(
            RequisitionStatusEvent(
                requisition_id=req_id, status=status, at=when, by=username_of(by)
            )
        )
        audit.record(
            session,
            actor=by,
            verb="modification",
            object_type="requisition",
            object_id=req_id,
            detail=f"{current} -> {status}",
        )
        session.flush()
        session.expire_all()
        return requisition_view(load_requisition(session, req_id))


def set_outcome(
    engine: Engine, req_id: int, outcome: str, *, by: Actor | str | None = None
) -> RequisitionView:
    """Record the outcome of a delivered requisition when the investigators report it."""
    if outcome not in OUTCOMES:
        raise InputError(
            f"résultat « {outcome[:20]} » inconnu : attendu "
            + ", ".join(f"« {OUTCOME_LABELS[o]} » ({o})" for o in OUTCOMES),
            field="outcome",
        )
    with Session(engine, expire_on_commit=False) as session, session.begin():
        r = load_requisition(session, req_id)
        if r.status != "remise":
            raise InputError(
                f"réquisition n° {req_id} : un résultat ne se saisit qu'après la remise "
                f"(statut actuel : {STATUS_LABELS[r.status]})",
                field="outcome",
            )
        r.outcome = outcome
        audit.record(
            session,
            actor=by,
            verb="modification",
            object_type="requisition",
            object_id=req_id,
            detail=f"outcome={outcome}",
        )
        session.flush()
        return requisition_view(r)
