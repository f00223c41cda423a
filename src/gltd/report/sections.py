"""Sections of the bilan that are plain counts: operations, requisitions, cameras, actions."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from gltd.privacy import redact
from gltd.report import queries as q
from gltd.timeutil import PARIS, Period, add_months

__all__ = [
    "operations_section",
    "requisitions_section",
    "cameras_section",
    "active_cameras",
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


def requisitions_section(engine: Engine, period: Period) -> dict[str, Any]:
    """Requisitions per year since the first on record, up to the end of the period."""
    frame = q.requisitions_frame(engine, period.end)
    method = {
        "on_time": "remises au plus tard à l'échéance (fin de conservation des premières "
        "images demandées), parmi les réquisitions remises ou hors délai",
        "turnaround": "médiane, en jours, de la réception à la remise des images",
        "year": "année locale de réception ; dernière année arrêtée au dernier jour de la période",
    }
    if frame.empty:
        return {"per_year": [], "first_year": None, "in_period": None, "method": method}
    frame["received"] = _local_days(frame["received_at"])
    frame["year"] = frame["received"].dt.year
    delivered = pd.to_datetime(frame["delivered_at"], utc=True)
    deadline = pd.to_datetime(frame["deadline"], utc=True)
    received = pd.to_datetime(frame["received_at"], utc=True)
    frame["turnaround"] = (delivered - received).dt.total_seconds() / 86400.0
    frame["decided"] = frame["status"].isin(["remise", "hors_delai"])
    frame["on_time"] = (frame["status"] == "remise") & (
        deadline.isna() | delivered.isna() | (delivered <= deadline)
    )

    def stats_of(g: pd.DataFrame) -> dict[str, Any]:
        decided = int(g["decided"].sum())
        ta = g["turnaround"].dropna()
        return {
            "count": len(g),
            "delivered": int((g["status"] == "remise").sum()),
            "hors_delai": int((g["status"] == "hors_delai").sum()),
            "sans_objet": int((g["status"] == "sans_objet").sum()),
            "pending": int(g["status"].isin(["recue", "en_cours"]).sum()),
            "on_time": int(g["on_time"].sum()),
            "on_time_rate": (float(g["on_time"].sum()) / decided) if decided else None,
            "median_turnaround_days": round(float(np.median(ta)), 2) if len(ta) else None,
            "useful": int((g["outcome"] == "utile").sum()),
        }

    first = int(frame["year"].min())
    last = period.last_day.year
    per_year = []
    for year in range(first, last + 1):
        g = frame[frame["year"] == year]
        partial = year == last and period.last_day < date(year, 12, 31)
        per_year.append(
            {
                "year": year,
                **stats_of(g),
                "partial": partial,
                "until": period.last_day.isoformat() if partial else None,
            }
        )
    in_period = frame[received >= pd.Timestamp(period.start)]
    return {
        "per_year": per_year,
        "first_year": first,
        "in_period": stats_of(in_period),
        "method": method,
    }


def active_cameras(cams: pd.DataFrame, d: date) -> pd.Series:
    """Boolean mask of the cameras in service on local day ``d``."""
    if cams.empty:
        return pd.Series([], dtype=bool)
    inst = cams["installed_on"].map(lambda v: v is None or pd.isna(v) or v <= d)
    rem = cams["removed_on"].map(lambda v: v is None or pd.isna(v) or v > d)
    return (inst & rem).astype(bool)


def cameras_section(cams: pd.DataFrame, as_of: date) -> dict[str, Any]:
    """The network in service on ``as_of``: count, HD share, cost, authorisations."""
    horizon = add_months(as_of, EXPIRY_MONTHS)
    method = {
        "as_of": as_of.isoformat(),
        "in_service": "installée au plus tard ce jour et non déposée",
        "expiring": f"autorisation préfectorale expirant dans les {EXPIRY_MONTHS} mois "
        f"suivants (jusqu'au {horizon.isoformat()} inclus)",
        "annual_cost": "somme des coûts annuels des caméras en service",
    }

    if cams.empty:
        return {
            "as_of": as_of.isoformat(),
            "count": 0,
            "hd": 0,
            "hd_share": None,
            "annual_cost_eur": 0.0,
            "expiring_count": 0,
            "expiring": [],
            "expired_count": 0,
            "by_year": [],
            "max_retention_days": None,
            "method": method,
        }
    act = cams[active_cameras(cams, as_of)]
    exp = act["authorisation_expiry"]
    expiring_mask = exp.map(lambda v: v is not None and not pd.isna(v) and as_of < v <= horizon)
    expired_mask = exp.map(lambda v: v is not None and not pd.isna(v) and v <= as_of)
    expiring = act[expiring_mask].sort_values(["authorisation_expiry", "code"])
    years = sorted(
        {d.year for d in cams["installed_on"] if d is not None and not pd.isna(d)} | {as_of.year}
    )
    by_year = []
    for y in range(max(years[0], as_of.year - 9), as_of.year + 1):
        d = as_of if y == as_of.year else date(y, 12, 31)
        a = cams[active_cameras(cams, d)]
        by_year.append({"year": y, "count": len(a), "hd": int(a["hd"].sum())})
    return {
        "as_of": as_of.isoformat(),
        "count": len(act),
        "hd": int(act["hd"].sum()),
        "hd_share": float(act["hd"].mean()) if len(act) else None,
        "annual_cost_eur": float(act["annual_cost_eur"].sum()),
        "expiring_count": len(expiring),
        "expiring": [
            {
                "code": r["code"],
                "authorisation_number": r["authorisation_number"],
                "expiry": _iso(r["authorisation_expiry"]),
            }
            for r in _records(expiring)
        ],
        "expired_count": int(expired_mask.sum()),
        "max_retention_days": int(act["retention_days"].max()) if len(act) else None,
        "by_year": by_year,
        "method": method,
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
