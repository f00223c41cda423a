"""Registers big enough to page: a few dozen rows of each, added to ``web_support.seed``."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gltd.model import (
    Action,
    Agency,
    Camera,
    CameraRequest,
    Operation,
    Requisition,
    Seizure,
    ViewingLogEntry,
    Zone,
)
from gltd.store.engine import make_engine
from web_support import CARMES_XY, login, seeded_database, settings_for, web_settings

UNITS = ("Commissariat central", "BAC nord", "Brigade 50%_test", '=HYPERLINK("x")')
STATUSES = ("recue", "en_cours", "remise", "hors_delai", "sans_objet")
N = 60


def add_bulk(url: str) -> dict[str, Any]:
    """Add N requisitions, viewings, operations, cameras, actions and camera requests."""
    engine = make_engine(url)
    out: dict[str, Any] = {}
    with Session(engine) as s, s.begin():
        zones = s.execute(select(Zone).order_by(Zone.name)).scalars().all()
        agencies = s.execute(select(Agency).order_by(Agency.name)).scalars().all()
        cams = []
        for k in range(N):
            cams.append(
                Camera(
                    code=f"BULK-{k:03d}",
                    lon=1.9 + k / 1000,
                    lat=47.9 + k / 1000,
                    x=CARMES_XY[0] + k,
                    y=CARMES_XY[1] + k,
                    heading_deg=None,
                    field_angle_deg=360.0,
                    range_m=50.0,
                    hd=k % 2 == 0,
                    retention_days=10 + k % 20,
                    installed_on=date(2015, 1, 1) + timedelta(days=k),
                    removed_on=date(2017, 6, 30) if k % 6 == 0 else None,
                    annual_cost_eur=1000.5 + k,
                    zone_id=zones[k % len(zones)].id,
                )
            )
        s.add_all(cams)
        s.flush()
        base = datetime(2018, 1, 3, 8, 0, tzinfo=UTC)
        for k in range(N):
            at = base + timedelta(days=2 * k, hours=k % 5)
            s.add(
                Requisition(
                    received_at=at,
                    requesting_unit=UNITS[k % len(UNITS)],
                    legal_basis=("60-1", "77-1-1", "99-3")[k % 3],
                    procedure_ref=f"h1:{k}",
                    period_start=at - timedelta(days=2),
                    period_end=at - timedelta(days=1),
                    deadline=at + timedelta(days=8 + k % 4),
                    status=STATUSES[k % len(STATUSES)],
                    source="bulk",
                    source_ref=f"b{k}",
                    cameras=[cams[k % 7], cams[(k + 1) % 7]],
                )
            )
            s.add(
                ViewingLogEntry(
                    at=at + timedelta(hours=3),
                    agent=f"csu.agent{k % 3}",
                    action=("visionnage", "extraction")[k % 2],
                    reason=f"enquête {k}",
                    camera_id=cams[k % 5].id,
                )
            )
            op = Operation(
                started_at=at - timedelta(days=1),
                kind=("occupation", "controle", "perquisition")[k % 3],
                zone_id=zones[k % len(zones)].id,
                agencies="BAC, BST" if k % 2 else "DDSP",
                planned=k % 10 == 0,
                arrests_trafficker=k % 4,
                arrests_consumer=k % 3,
                arrests_other=1,
                cash_eur=120.5 * k,
                source="bulk",
                source_ref=f"op{k}",
            )
            op.seizures = [Seizure(substance="résine de cannabis", quantity=1.5 + k, unit="g")]
            if k % 4 == 0:
                op.seizures.append(Seizure(substance="cocaïne", quantity=2.0, unit="g"))
            s.add(op)
            s.add(
                Action(
                    title=f"Action {k:02d}",
                    owner_agency_id=agencies[k % len(agencies)].id,
                    decided_on=date(2018, 1, 1) + timedelta(days=k),
                    due_on=date(2018, 6, 1) + timedelta(days=k % 9),
                    status=("a_faire", "en_cours", "fait")[k % 3],
                    zone_id=zones[k % len(zones)].id,
                )
            )
            s.add(
                CameraRequest(
                    received_on=date(2018, 2, 1) + timedelta(days=k),
                    origin=("habitants", "elu", "police")[k % 3],
                    lon=1.91,
                    lat=47.91 + k / 10000,
                    x=CARMES_XY[0],
                    y=CARMES_XY[1],
                    radius_m=50.0 + k,
                    status=("attente", "etude")[k % 2],
                    description=f"Place {k}",
                )
            )
    engine.dispose()
    return out


def bulk_database(folder: Path) -> str:
    """A migrated SQLite database holding ``web_support.seed`` and :func:`add_bulk`."""
    url = seeded_database(folder)
    add_bulk(url)
    return url


@contextmanager
def logged_in(url: str, folder: Path, user: str = "parquet.lecteur", **web: Any) -> Iterator[Any]:
    """A test client of the app on ``url``, logged in as ``user`` (the parquet reads every
    register); ``web``: more web settings (``reference_date``…)."""
    from fastapi.testclient import TestClient

    from gltd.web.app import create_app

    app = create_app(settings_for(url), web=web_settings(folder, **web))
    with TestClient(app) as c:
        assert login(c, user).status_code == 303
        yield c
