"""The register of judicial requisitions of footage, with their legal deadlines.

Deadline (*échéance*)
    Footage of camera ``c`` recorded at instant ``t`` is overwritten ``retention(c)`` days
    later (CSI L252-5: at most one month). The first images requested disappear at
    ``period start + retention(c)``: that is the camera's deadline, and the earliest over
    the requisition's cameras is the **binding deadline**. The whole requested period is
    gone at ``period end + retention(c)``.

    Days are *calendar days in Paris time*: the deadline is the same local clock time
    ``retention`` days later, so across the last Sunday of March a « 15 days » retention
    lasts 14 days 23 hours, and across the last Sunday of October 15 days 1 hour. When the
    local time falls in the spring gap (does not exist) or in the autumn repeated hour
    (exists twice), the **earlier** instant is taken: a deadline must never be late.

Status workflow
    ``recue → en_cours → remise | hors_delai | sans_objet``; ``recue`` may also go
    straight to ``hors_delai`` or ``sans_objet``. Every change is stored with its time
    (:class:`~gltd.model.RequisitionStatusEvent`); a change dated before the previous one,
    or not allowed from the current status, is refused with a message. Two users changing
    the same requisition at once: the second change is refused (the status it started
    from is no longer current), nothing is overwritten.

Pseudonymisation
    The real procedure number is never stored: only ``HMAC-SHA256(GLTD_SECRET_KEY,
    normalised number)`` (:func:`gltd.store.pseudonym.pseudonymise_reference`, also used
    by the file importer), so the same procedure gives the same reference (to group
    requisitions) without the number being readable.

Legal bases: CPP art. 60-1 (flagrance), 77-1-1 (enquête préliminaire), 99-3 (information
judiciaire).

Modules: :mod:`~gltd.cctv.requisitions.deadlines` (deadline arithmetic),
:mod:`~gltd.cctv.requisitions.register` (record, read, list),
:mod:`~gltd.cctv.requisitions.workflow` (status changes),
:mod:`~gltd.cctv.requisitions.alerts` (deadlines coming), and
:mod:`~gltd.cctv.requisitions.stats` (yearly statistics). The public names are importable
from here.
"""

from __future__ import annotations

from gltd.cctv.requisitions.alerts import Alert, deadline_alerts
from gltd.cctv.requisitions.deadlines import CameraDeadline, add_local_days, camera_deadline
from gltd.cctv.requisitions.register import (
    CAPACITIES,
    CAPACITY_LABELS,
    CLOCK_SKEW,
    LEGAL_BASIS_LABELS,
    OUTCOME_LABELS,
    OUTCOMES,
    STATUS_LABELS,
    RequisitionData,
    RequisitionView,
    get_requisition,
    known_units,
    list_requisitions,
    register_requisition,
)
from gltd.cctv.requisitions.stats import (
    Counts,
    RequisitionStats,
    YearStats,
    period_counts,
    yearly_stats,
)
from gltd.cctv.requisitions.workflow import TRANSITIONS, change_status, set_outcome
from gltd.model import LEGAL_BASES, REQUISITION_STATUSES
from gltd.store.pseudonym import pseudonymise_reference

__all__ = [
    "CAPACITIES",
    "CAPACITY_LABELS",
    "OUTCOME_LABELS",
    "known_units",
    "CLOCK_SKEW",
    "LEGAL_BASES",
    "LEGAL_BASIS_LABELS",
    "OUTCOMES",
    "REQUISITION_STATUSES",
    "STATUS_LABELS",
    "TRANSITIONS",
    "Alert",
    "CameraDeadline",
    "RequisitionData",
    "RequisitionStats",
    "RequisitionView",
    "YearStats",
    "add_local_days",
    "camera_deadline",
    "change_status",
    "deadline_alerts",
    "get_requisition",
    "list_requisitions",
    "pseudonymise_reference",
    "register_requisition",
    "set_outcome",
    "yearly_stats",
    "period_counts",
    "Counts",
]
