"""« À la date du »: deadlines and the default period at the application's reference date."""

from __future__ import annotations

import html
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from gltd.errors import GltdError
from gltd.model import Incident
from gltd.store.engine import make_engine
from gltd.web.app import create_app
from gltd.web.periods import default_last_day
from gltd.web.settings import parse_reference_date
from web_support import login, seed, settings_for, web_settings

DEMO_DAY = date(2018, 9, 24)


def _stray_row(url: str) -> None:
    """One incident typed with the wrong year: 2026 in 2018 data."""
    engine = make_engine(url)
    with Session(engine) as s, s.begin():
        s.add(
            Incident(occurred_at=datetime(2026, 11, 5, 10, 0, tzinfo=UTC),
                     category="trafic_stupefiants", x=619000.0, y=6753000.0,
                     source="test", source_ref="stray")
        )  # fmt: skip
    engine.dispose()


def test_default_period_follows_the_bulk_of_the_data_and_the_reference_date(
    db_url: str, tmp_path: Path
) -> None:
    seed(db_url)
    _stray_row(db_url)
    app = create_app(settings_for(db_url), web=web_settings(tmp_path, reference_date=DEMO_DAY))
    with TestClient(app) as c:
        login(c, "ville.lecteur")
        k = c.get("/api/dashboard").json()["kpis"]
        # The seeded incidents of 2018 end in June; the 2026 row moves nothing.
        end = datetime.fromisoformat(k["period"]["end"]).date()
        assert date(2018, 6, 1) <= end <= DEMO_DAY, k["period"]["label"]
        assert k["total"]["count"] > 0
        deadlines = c.get("/api/dashboard").json()["deadlines"]
        # Due on 01/10/2018: a week ahead at the reference date, not late as it is today.
        (act,) = [a for a in deadlines["actions"] if a["title"] == "Élagage rue des Carmes"]
        assert act["late"] is False
        for path in ("/", "/carte"):
            page = html.unescape(c.get(path).text)
            assert "Application à la date du 24/09/2018" in page, path


def test_without_reference_date_no_banner_and_today_rules(db_url: str, tmp_path: Path) -> None:
    seed(db_url)
    with TestClient(create_app(settings_for(db_url), web=web_settings(tmp_path))) as c:
        login(c, "ville.lecteur")
        assert "Application à la date du" not in c.get("/").text
        acts = c.get("/api/dashboard").json()["deadlines"]["actions"]
        assert [a["late"] for a in acts if a["title"] == "Élagage rue des Carmes"] == [True]


def test_default_last_day_ignores_a_stray_maximum() -> None:
    day = 86_400 * 10**9
    t0 = int(datetime(2018, 1, 1, 12, tzinfo=UTC).timestamp()) * 10**9
    times = [t0 + k * day for k in range(200)] + [t0 + 3000 * day]
    # 201 times: the 99.9th percentile is the 200th (index 199), 19/07/2018, not 2026.
    assert default_last_day(times) == date(2018, 7, 19)
    assert default_last_day(times, date(2018, 3, 1)) == date(2018, 3, 1)
    assert default_last_day([], DEMO_DAY) == DEMO_DAY


def test_reference_date_setting_is_parsed_or_refused_in_french() -> None:
    assert parse_reference_date("24/09/2018") == DEMO_DAY
    assert parse_reference_date("2018-09-24") == DEMO_DAY
    with pytest.raises(GltdError, match="JJ/MM/AAAA"):
        parse_reference_date("31/11/2018")


def test_requisition_register_colours_deadlines_at_the_reference_date(
    db_url: str, tmp_path: Path
) -> None:
    seed(db_url)  # one requisition due on 15/05/2018 at 09:00 UTC, still « reçue »
    on_10_may = web_settings(tmp_path, reference_date=date(2018, 5, 10))
    with TestClient(create_app(settings_for(db_url), web=on_10_may)) as c:
        login(c, "police.analyste")
        (item,) = c.get("/api/requisitions").json()["items"]
        assert item["level"] == "proche"  # 4 to 5 days left on 10/05/2018
    with TestClient(create_app(settings_for(db_url), web=web_settings(tmp_path))) as c:
        login(c, "police.analyste")
        (item,) = c.get("/api/requisitions").json()["items"]
        assert item["level"] == "depasse"  # against today
