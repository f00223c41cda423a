"""Shared helpers of the web tests: a small fixture base built through the ORM, logins."""

from __future__ import annotations

import html
import re
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher
from pyproj import Transformer
from sqlalchemy.orm import Session

from gltd.config import Settings
from gltd.model import (
    AGENCY_KINDS,
    ROLES,
    Action,
    Agency,
    Camera,
    CameraRequest,
    Incident,
    Intervention,
    Operation,
    Requisition,
    RequisitionStatusEvent,
    User,
    Zone,
)
from gltd.store.engine import make_engine
from gltd.web.settings import WebSettings

PASSWORD = "Essai-GLTD-2018"
# Hashed once with light Argon2id parameters (verification reads them from the hash):
# every fixture account shares it, and 30 logins stay fast. Production uses the defaults.
_HASH = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash(PASSWORD)
SECRET = "test-secret-not-for-production-0123456789"
#: Strong enough for GLTD_ENV=production (64 random URL-safe characters, published here:
#: for tests only).
STRONG_SECRET = "Lw8v2N_qXc4Rk9TzY1mHf6GpJd3Bs0AeU7oCiVn5KyQ-rWxZtEgMlPbSjOaFhDuI"

# Two illustrative squares in Orléans (WGS84) and their Lambert-93 centres.
CARMES = "POLYGON((1.895 47.898, 1.905 47.898, 1.905 47.906, 1.895 47.906, 1.895 47.898))"
ARGONNE = "POLYGON((1.928 47.910, 1.938 47.910, 1.938 47.918, 1.928 47.918, 1.928 47.910))"
_TO_L93 = Transformer.from_crs("EPSG:4326", "EPSG:2154", always_xy=True)
CARMES_XY = tuple(round(v) for v in _TO_L93.transform(1.899, 47.901))
ARGONNE_XY = tuple(round(v) for v in _TO_L93.transform(1.932, 47.913))


def username(kind: str, role: str) -> str:
    """The fixture account of an agency kind and a role."""
    return f"{kind}.{role}"


def seed(url: str) -> dict[str, Any]:
    """Agencies (one per kind), one account per kind × role, and a little data.

    Counts: Les Carmes has 12 incidents in 2018-03-24..2018-09-23 and 4 the year
    before; L'Argonne 3 and 3.
    """
    engine = make_engine(url)
    ids: dict[str, Any] = {}
    with Session(engine) as s, s.begin():
        agencies = {k: Agency(name=f"Agence {k}", kind=k) for k in AGENCY_KINDS}
        s.add_all(agencies.values())
        s.flush()
        for k, a in agencies.items():
            for r in ROLES:
                s.add(User(username=username(k, r), password_hash=_HASH, agency_id=a.id, role=r))
        carmes = Zone(name="Les Carmes", kind="quartier", geometry_wkt=CARMES, illustrative=True)
        argonne = Zone(name="L'Argonne", kind="quartier", geometry_wkt=ARGONNE, illustrative=True)
        s.add_all([carmes, argonne])
        s.flush()
        ids["zones"] = {"carmes": carmes.id, "argonne": argonne.id}
        n = 0

        def add(zone: Zone, xy: tuple[float, float], when: datetime, k: int) -> None:
            nonlocal n
            n += 1
            s.add(
                Incident(
                    occurred_at=when,
                    category="trafic_stupefiants",
                    x=xy[0] + 30 * (k % 4),
                    y=xy[1] + 30 * (k // 4),
                    lon=None,
                    lat=None,
                    zone_id=zone.id,
                    source="test",
                    source_ref=str(n),
                )
            )

        base = datetime(2018, 4, 1, 22, 0, tzinfo=UTC)
        for k in range(12):
            add(carmes, CARMES_XY, base + timedelta(days=7 * k), k)
        for k in range(4):
            add(carmes, CARMES_XY, base - timedelta(days=365) + timedelta(days=7 * k), k)
        for k in range(3):
            add(argonne, ARGONNE_XY, base + timedelta(days=10 * k), k)
            add(argonne, ARGONNE_XY, base - timedelta(days=365) + timedelta(days=10 * k), k)
        cam = Camera(
            code="CAM-01",
            lon=1.900,
            lat=47.902,
            x=CARMES_XY[0],
            y=CARMES_XY[1],
            heading_deg=90.0,
            field_angle_deg=90.0,
            range_m=60.0,
            retention_days=15,
            authorisation_number="2014-001",
            authorisation_date=date(2014, 1, 10),
            authorisation_expiry=date(2019, 1, 10),
            installed_on=date(2014, 2, 1),
        )
        cam2 = Camera(
            code="CAM-02",
            lon=1.933,
            lat=47.914,
            x=ARGONNE_XY[0],
            y=ARGONNE_XY[1],
            heading_deg=None,
            field_angle_deg=360.0,
            range_m=40.0,
            retention_days=10,
        )
        s.add_all([cam, cam2])
        s.flush()
        ids["cameras"] = {"CAM-01": cam.id, "CAM-02": cam2.id}
        received = datetime(2018, 5, 2, 9, 0, tzinfo=UTC)
        req = Requisition(
            received_at=received,
            requesting_unit="Commissariat central",
            officer_capacity="OPJ",
            legal_basis="77-1-1",
            procedure_ref="h1:abc",
            period_start=received - timedelta(days=2),
            period_end=received - timedelta(days=1),
            deadline=received + timedelta(days=13),
            status="recue",
            status_changed_at=received,
            source="test",
            source_ref="r1",
            cameras=[cam],
        )
        req.events = [RequisitionStatusEvent(status="recue", at=received, by="fixture")]
        s.add(req)
        op = Operation(
            started_at=datetime(2030, 6, 1, 6, 0, tzinfo=UTC),
            kind="perquisition",
            zone_id=carmes.id,
            planned=True,
            source="test",
            source_ref="op1",
        )
        s.add(op)
        act = Action(
            title="Élagage rue des Carmes",
            owner_agency_id=agencies["ville"].id,
            due_on=date(2018, 10, 1),
            status="a_faire",
            zone_id=carmes.id,
        )
        s.add(act)
        s.add(
            Intervention(
                name="Caméra Carmes",
                kind="camera",
                geometry_wkt=CARMES,
                started_on=datetime(2018, 3, 24, tzinfo=UTC),
            )
        )
        s.add(
            CameraRequest(
                received_on=date(2018, 6, 1),
                origin="habitants",
                lon=1.93,
                lat=47.915,
                x=ARGONNE_XY[0],
                y=ARGONNE_XY[1],
                radius_m=100.0,
                status="attente",
            )
        )
        s.flush()
        ids.update(
            requisition=req.id,
            operation=op.id,
            action=act.id,
            agencies={k: a.id for k, a in agencies.items()},
        )
    engine.dispose()
    return ids


def seeded_database(folder: Path) -> str:
    """A migrated SQLite database ``folder/gltd.db`` holding :func:`seed`'s data; its URL."""
    from gltd.store.migrate import upgrade

    url = f"sqlite:///{folder / 'gltd.db'}"
    upgrade(url)
    seed(url)
    return url


def settings_for(url: str) -> Settings:
    """Test settings (a non-default secret, development)."""
    return replace(Settings(), db_url=url, secret_key=SECRET)


def web_settings(tmp_path: Path, **kw: Any) -> WebSettings:
    """Web settings with a results folder under ``tmp_path``."""
    return WebSettings(results_dir=tmp_path / "results", **kw)


TOKEN = re.compile(r'name="csrf_token" value="([0-9a-f]+)"')


def csrf_from(html: str) -> str:
    """The CSRF token of the first form of a page."""
    m = TOKEN.search(html)
    assert m, "no CSRF token in the page"
    return m.group(1)


def login(client: Any, user: str, password: str = PASSWORD) -> Any:
    """Log in through the form; returns the final response."""
    page = client.get("/login")
    return client.post(
        "/login",
        data={
            "username": user,
            "password": password,
            "csrf_token": csrf_from(page.text),
            "next": "/",
        },
        follow_redirects=False,
    )


def page_token(client: Any, path: str = "/") -> str:
    """The CSRF token of the logged-in session (read from a page)."""
    r = client.get(path)
    m = re.search(r'<meta name="csrf-token" content="([0-9a-f]+)">', r.text)
    assert m, r.text[:300]
    return m.group(1)


def check_import(
    client: Any, csrf: str, kind: str, name: str, content: str | bytes, **fields: str
) -> tuple[int, str, str]:
    """Send a file to the import check (``/imports/verifier``; nothing is written): the
    status, the page (HTML entities decoded) and the token that confirms it ("" if none)."""
    body = content.encode() if isinstance(content, str) else content
    r = client.post(
        "/imports/verifier",
        data={"csrf_token": csrf, "kind": kind, **fields},
        files={"file": (name, body, "application/octet-stream")},
    )
    page = html.unescape(r.text)
    token = page.split('name="token" value="')[1].split('"')[0] if 'name="token"' in page else ""
    return r.status_code, page, token


def finished_job(client: Any, run_id: int, seconds: float = 60.0) -> dict[str, Any]:
    """The state of background job ``run_id`` (``/api/jobs``) once done or failed, or the
    last one seen after ``seconds``."""
    deadline = time.monotonic() + seconds
    while True:
        state = dict(client.get(f"/api/jobs/{run_id}").json())
        if state["status"] in ("done", "failed") or time.monotonic() > deadline:
            return state
        time.sleep(0.1)


def browser_login(page: Any, base: str, user: str, password: str = PASSWORD) -> None:
    """Log a Playwright ``page`` in through the login form; wait for the dashboard."""
    page.goto(f"{base}/login")
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def french_page(playwright: Any, chromium_path: str, width: int = 1366, height: int = 900) -> Any:
    """A page of a new headless Chromium, French locale, ``width`` × ``height``
    (close it with ``page.context.browser.close()``)."""
    browser = playwright.chromium.launch(
        executable_path=chromium_path, args=["--no-sandbox", "--disable-gpu"]
    )
    return browser.new_page(viewport={"width": width, "height": height}, locale="fr-FR")


def free_port() -> int:
    """A free TCP port on the loopback."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serving(app: Any) -> Iterator[str]:
    """``app`` served by a real uvicorn in a thread on a free loopback port; yields its
    base URL and stops the server afterwards (the browser tests' server)."""
    import uvicorn

    port = free_port()
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    th = threading.Thread(target=srv.run, daemon=True)
    th.start()
    for _ in range(200):
        if srv.started:
            break
        time.sleep(0.05)
    assert srv.started, "uvicorn did not start"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        srv.should_exit = True
        th.join(timeout=10)
