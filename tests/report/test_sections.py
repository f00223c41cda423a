"""The bilan takes its video-protection figures from the domain, not its own counts.

``gltd report`` (JSON) and ``gltd cctv requisitions stats --to`` / ``gltd cctv cameras
summary --on`` agree on the same database, year by year and camera by camera; so do the
dashboard's requisition deadlines and ``deadline_alerts``.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from cli_support import gltd_output
from demo_support import demo_database
from gltd.cctv.inventory import list_cameras
from gltd.cctv.requisitions import deadline_alerts
from gltd.model import Camera, Requisition
from gltd.store.engine import make_engine
from gltd.web.app import create_app
from web_support import login, seed, settings_for, web_settings

LAST_DAY = "2018-09-24"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict[str, Any]]:
    folder = tmp_path_factory.mktemp("bilan-domain")
    url = demo_database(folder)
    out = folder / "bilan.json"
    gltd_output("report", "--db", url, "--from", "2018-03-24", "--to", LAST_DAY,
         "--compare", "previous-year", "--format", "json", "--out", str(out))  # fmt: skip
    return url, json.loads(out.read_text(encoding="utf-8"))


def test_bilan_requisitions_are_the_yearly_stats(demo: tuple[str, dict[str, Any]]) -> None:
    url, bilan = demo
    cli = json.loads(
        gltd_output(
            "cctv", "requisitions", "stats", "--to", LAST_DAY, "--format", "json", "--db", url
        )
    )
    years = {y["year"]: y for y in cli["years"]}
    per_year = bilan["requisitions"]["per_year"]
    assert [r["year"] for r in per_year] == sorted(years) and len(per_year) == 8
    for r in per_year:
        y = years[r["year"]]
        s = y["by_status"]
        assert (r["count"], r["delivered"], r["hors_delai"], r["sans_objet"]) == (
            y["count"], s["remise"], s["hors_delai"], s["sans_objet"]
        ), r["year"]  # fmt: skip
        assert r["pending"] == s["recue"] + s["en_cours"]
        for key in ("on_time_rate", "median_turnaround_days", "useful", "useful_share"):
            assert r[key] == y[key], (r["year"], key)
        assert (r["partial"], r["until"]) == (y["partial"], y["until"])
    assert per_year[-1]["partial"] and per_year[-1]["until"] == LAST_DAY
    assert bilan["requisitions"]["trend"] == cli["trend"]
    assert bilan["requisitions"]["comparison"] == cli["comparison"]
    # The rate is the register's: remise / (remise + hors délai).
    last = per_year[-1]
    assert last["on_time_rate"] == pytest.approx(
        last["delivered"] / (last["delivered"] + last["hors_delai"])
    )


def test_bilan_cameras_are_the_network_summary(demo: tuple[str, dict[str, Any]]) -> None:
    url, bilan = demo
    net = json.loads(
        gltd_output("cctv", "cameras", "summary", "--on", LAST_DAY, "--format", "json", "--db", url)
    )
    cams = bilan["cameras"]
    # On the last day: the network's size, cost and authorisations, as the summary gives them.
    assert (cams["count_end"], cams["annual_cost_eur"]) == (
        net["n_cameras"], net["annual_cost_eur"]
    )  # fmt: skip
    assert cams["expiring"] == net["expiring"] and cams["expiring_count"] > 0
    assert cams["expired_count"] == len(net["expired"])
    assert cams["by_year"][-1] == {"year": 2018, "count": net["n_cameras"], "hd": net["n_hd"]}
    # Over the period: every camera in service on at least one of its days, the ones
    # removed before its last day included (the domain's in_service_during rule).
    during = list_cameras(make_engine(url), during=(date(2018, 3, 24), date(2018, 9, 24)))
    assert cams["count"] == len(during) > cams["count_end"]
    assert cams["hd"] == sum(c.hd for c in during)
    assert any(c.removed_on is not None and c.removed_on <= date(2018, 9, 24) for c in during)


def test_late_deliveries_and_expiry_days_count_as_the_domain_counts(
    sqlite_url: str, tmp_path: Path
) -> None:
    """Where the bilan used to count on its own: a delivery after the deadline, an
    authorisation ending on the last day, a requisition received after it."""
    ids = seed(sqlite_url)
    engine = make_engine(sqlite_url)
    with Session(engine) as s, s.begin():
        cam = s.get(Camera, ids["cameras"]["CAM-01"])
        assert cam is not None
        cam.authorisation_expiry = date(2018, 9, 23)  # the bilan's last day
        for k, (day, status, delivered) in enumerate(
            [(1, "remise", datetime(2018, 6, 30, tzinfo=UTC)), (2, "hors_delai", None),
             (120, "remise", datetime(2018, 10, 5, tzinfo=UTC))]
        ):  # fmt: skip
            got = datetime(2018, 6, 1, 9, tzinfo=UTC) + timedelta(days=day)
            s.add(
                Requisition(
                    received_at=got, requesting_unit="SD", legal_basis="77-1-1",
                    procedure_ref=f"h:{k}", period_start=got - timedelta(days=2),
                    period_end=got - timedelta(days=1), deadline=got + timedelta(days=8),
                    status=status, status_changed_at=got, delivered_at=delivered,
                    source="test", source_ref=f"late{k}", cameras=[cam],
                )
            )  # fmt: skip
    out = tmp_path / "bilan.json"
    gltd_output("report", "--db", sqlite_url, "--from", "2018-03-24", "--to", "2018-09-23",
         "--compare", "previous-year", "--format", "json", "--out", str(out))  # fmt: skip
    bilan = json.loads(out.read_text(encoding="utf-8"))
    stats = json.loads(
        gltd_output("cctv", "requisitions", "stats", "--to", "2018-09-23", "--format", "json",
             "--db", sqlite_url)
    )  # fmt: skip
    y2018 = bilan["requisitions"]["per_year"][-1]
    assert y2018["year"] == 2018 and y2018["count"] == stats["years"][-1]["count"] == 3
    # Delivered after the deadline, but delivered: on time for the register.
    assert y2018["on_time_rate"] == stats["years"][-1]["on_time_rate"] == 0.5
    assert y2018["median_turnaround_days"] == stats["years"][-1]["median_turnaround_days"]
    net = json.loads(
        gltd_output("cctv", "cameras", "summary", "--on", "2018-09-23", "--format", "json",
             "--db", sqlite_url)
    )  # fmt: skip
    # Valid through its last day: expiring, not expired.
    assert [e["code"] for e in bilan["cameras"]["expiring"]] == ["CAM-01"]
    assert bilan["cameras"]["expiring"] == net["expiring"] and net["expired"] == []
    assert bilan["cameras"]["expired_count"] == 0


def test_dashboard_deadlines_are_the_deadline_alerts(db_url: str, tmp_path: Path) -> None:
    seed(db_url)
    engine = make_engine(db_url)
    now = datetime.now(UTC)
    with Session(engine) as s, s.begin():
        cam = s.query(Camera).filter_by(code="CAM-01").one()
        for k, (days, status) in enumerate(
            [(2, "recue"), (6, "en_cours"), (9, "recue"), (1, "remise"), (-3, "en_cours")]
        ):
            start = now + timedelta(days=days) - timedelta(days=cam.retention_days)
            s.add(
                Requisition(
                    received_at=start + timedelta(hours=1),
                    requesting_unit=f"Unité {k}",
                    legal_basis="77-1-1",
                    procedure_ref=f"h:{k}",
                    period_start=start,
                    period_end=start + timedelta(hours=2),
                    deadline=now + timedelta(days=days),
                    status=status,
                    status_changed_at=start,
                    source="test",
                    source_ref=f"d{k}",
                    cameras=[cam],
                )
            )
    alerts = deadline_alerts(engine, within=timedelta(days=7))
    assert len(alerts) == 4  # open and due within 7 days (past ones included)
    with TestClient(create_app(settings_for(db_url), web=web_settings(tmp_path))) as c:
        login(c, "police.lecteur")
        shown = c.get("/api/dashboard").json()["deadlines"]["requisitions"]
    assert [r["id"] for r in shown] == [a.requisition.id for a in alerts]
    assert [r["unit"] for r in shown] == [a.requisition.requesting_unit for a in alerts]
