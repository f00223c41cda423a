"""Sections of the bilan that are plain counts: operations, requisitions, cameras, actions."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pandas as pd
from sqlalchemy import Engine

from gltd.cctv.inventory import network_history, network_summary
from gltd.cctv.requisitions import Counts, YearStats, period_counts, yearly_stats
from gltd.documents.fmt import fr_date
from gltd.privacy import redact
from gltd.report import queries as q
from gltd.timeutil import PARIS, Period, add_months

__all__ = [
    "operations_section",
    "requisitions_section",
    "cameras_section",
    "actions_section",
    "KIND_LABELS",
    "STATUS_LABELS",
    "add_months",
]

KIND_LABELS = {
    "occupation": "Occupation",
    "interpellations": "Interpellations",
    "controle": "Contrôle",
    "fermeture_administrative": "Fermeture administrative",
    "detection_cynophile": "Détection cynophile",
    "perquisition": "Perquisition",
    "autre": "Autre",
}
STATUS_LABELS = {
    "a_faire": "à faire",
    "en_cours": "en cours",
    "fait": "fait",
    "abandonne": "abandonné",
}
#: Authorisations expiring within this many months after the end of the period are listed.
EXPIRY_MONTHS = 6


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as plain dicts (typed loosely: values come from the database)."""
    return [{str(k): v for k, v in row.items()} for row in frame.to_dict("records")]


def _iso(v: Any) -> str | None:
    return None if v is None or (not isinstance(v, str) and pd.isna(v)) else v.isoformat()


def _local_days(series: pd.Series) -> pd.Series:
    return pd.to_datetime(series, utc=True).dt.tz_convert(PARIS)


def operations_section(
    engine: Engine,
    ops: pd.DataFrame,
    ops_ref: pd.DataFrame,
    names: dict[int, str],
    period: Period,
    compare: Period,
    *,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Operations of the period: counts by zone and kind, arrests, seizures, calendar.

    ``ops`` and ``ops_ref`` hold carried-out operations only (:func:`queries.carried_out`);
    the calendar has no free-text notes, and the services named are redacted when they
    look like a person's identity (:func:`gltd.privacy.redact`).
    """
    by_zone = []
    counts = ops.groupby("zone_id").size()
    counts_ref = ops_ref.groupby("zone_id").size()
    for z in [z for z in names if z != -1] + [-1]:
        n, n_ref = int(counts.get(z, 0)), int(counts_ref.get(z, 0))
        if n or n_ref:
            by_zone.append({"zone_id": z, "zone": names[z], "count": n, "count_ref": n_ref})
    by_kind = [
        {"kind": str(k), "label": KIND_LABELS.get(str(k), str(k)), "count": int(v)}
        for k, v in ops.groupby("kind").size().sort_values(ascending=False).items()
    ]
    seizures = q.seizures_frame(engine, [int(i) for i in ops["id"]], now=now)
    local: list[Any] = list(_local_days(ops["started_at"])) if len(ops) else []
    calendar = [
        {
            "date": local[i].date().isoformat(),
            "time": local[i].strftime("%H:%M"),
            "zone": names.get(int(r["zone_id"]), str(r["zone_id"])),
            "kind": r["kind"],
            "kind_label": KIND_LABELS.get(r["kind"], r["kind"]),
            "dog_detection": bool(r["dog_detection"]),
            "arrests_trafficker": int(r["arrests_trafficker"]),
            "arrests_consumer": int(r["arrests_consumer"]),
            "arrests_other": int(r["arrests_other"]),
            "cash_eur": float(r["cash_eur"]),
            "agencies": redact(r["agencies"]),
        }
        for i, r in enumerate(_records(ops))
    ]

    def arrests(frame: pd.DataFrame) -> dict[str, int]:
        return {
            "trafficker": int(frame["arrests_trafficker"].sum()),
            "consumer": int(frame["arrests_consumer"].sum()),
            "other": int(frame["arrests_other"].sum()),
        }

    return {
        "total": len(ops),
        "total_ref": len(ops_ref),
        "by_zone": by_zone,
        "by_kind": by_kind,
        "occupation": int((ops["kind"] == "occupation").sum()),
        "dog_detection": int(ops["dog_detection"].sum()),
        "arrests": arrests(ops),
        "arrests_ref": arrests(ops_ref),
        "cash_eur": float(ops["cash_eur"].sum()),
        "seizures": [
            {
                "substance": str(r["substance"]),
                "unit": str(r["unit"]),
                "quantity": round(float(r["quantity"]), 1),
                "n": int(r["n"]),
            }
            for r in _records(seizures)
        ],
        "calendar": calendar,
    }


def _requisition_figures(c: Counts | YearStats) -> dict[str, Any]:
    return {
        "count": c.count,
        "delivered": c.by_status["remise"],
        "hors_delai": c.by_status["hors_delai"],
        "sans_objet": c.by_status["sans_objet"],
        "pending": c.pending,
        "on_time_rate": c.on_time_rate,
        "median_turnaround_days": c.median_turnaround_days,
        "useful": c.useful,
        "useful_share": c.useful_share,
    }


def requisitions_section(engine: Engine, period: Period) -> dict[str, Any]:
    """Requisitions per year since the first on record, up to the end of the period, as
    ``gltd cctv requisitions stats`` counts them (:func:`gltd.cctv.requisitions.yearly_stats`)."""
    st = yearly_stats(engine, last_day=period.last_day)
    method = {
        "on_time": st.method["on_time_rate"],
        "turnaround": st.method["turnaround"],
        "year": "année locale de réception ; dernière année arrêtée au dernier jour de la période",
    }
    if not st.years:
        return {"per_year": [], "first_year": None, "in_period": None, "method": method}
    per_year = [
        {
            "year": y.year,
            **_requisition_figures(y),
            "partial": y.partial,
            "until": y.until,
        }
        for y in st.years
    ]
    in_period = period_counts(engine, start=period.start, end=period.end)
    return {
        "per_year": per_year,
        "first_year": st.years[0].year,
        "in_period": _requisition_figures(in_period),
        "trend": st.trend,
        "comparison": st.comparison,
        "method": method,
    }


def cameras_section(engine: Engine, period: Period) -> dict[str, Any]:
    """The network as ``gltd cctv cameras summary`` gives it
    (:func:`gltd.cctv.inventory.network_summary`): the cameras in service on at least one
    day of the period (count, HD share); on its last day, the network's size, annual cost and
    authorisations; the network at the end of each year."""
    first, as_of = period.first_day, period.last_day
    used = network_summary(engine, on=as_of, coverage=False, during=(first, as_of))
    net = network_summary(engine, on=as_of, within_months=EXPIRY_MONTHS, coverage=False)
    horizon = add_months(as_of, EXPIRY_MONTHS)
    return {
        "first_day": first.isoformat(),
        "as_of": as_of.isoformat(),
        "count": used.n_cameras,
        "hd": used.n_hd,
        "hd_share": used.hd_share,
        "count_end": net.n_cameras,
        "annual_cost_eur": net.annual_cost_eur,
        "expiring_count": len(net.expiring),
        "expiring": net.expiring,
        "expired_count": len(net.expired),
        "max_retention_days": net.max_retention_days,
        "by_year": network_history(engine, on=as_of),
        "method": {
            "first_day": first.isoformat(),
            "as_of": as_of.isoformat(),
            "in_service": "en service au moins un jour de la période : installée au plus tard "
            "le dernier jour et non déposée avant le premier",
            "by_year": "caméras en service le 31 décembre de chaque année ; l'année en cours "
            "au dernier jour de la période",
            "expiring": f"autorisation préfectorale d'une caméra en service le dernier jour, "
            f"expirant dans les {EXPIRY_MONTHS} mois "
            f"(du {fr_date(as_of)} au {fr_date(horizon)} inclus)",
            "annual_cost": "somme des coûts annuels des caméras en service le dernier jour",
        },
    }


def actions_section(engine: Engine, as_of: date) -> dict[str, Any]:
    """GLTD actions with their owner, due date and status (late ones flagged)."""
    frame = q.actions_frame(engine)
    items = []
    for r in _records(frame):
        due = None if r["due_on"] is None or pd.isna(r["due_on"]) else r["due_on"]
        late = bool(r["status"] in ("a_faire", "en_cours") and due is not None and due < as_of)
        items.append(
            {
                "title": redact(r["title"]),
                "owner": r["owner"],
                "zone": r["zone"],
                "decided_on": _iso(r["decided_on"]),
                "due_on": _iso(due),
                "done_on": _iso(r["done_on"]),
                "status": r["status"],
                "status_label": STATUS_LABELS.get(r["status"], r["status"]),
                "late": late,
            }
        )
    by_status = {k: sum(1 for i in items if i["status"] == k) for k in STATUS_LABELS}
    return {
        "items": items,
        "count": len(items),
        "by_status": by_status,
        "late": sum(1 for i in items if i["late"]),
        "as_of": as_of.isoformat(),
    }
