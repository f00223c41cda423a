"""Hardening of the shared server: client address behind proxies, interrupted jobs,
login throttling under parallel guesses, production secrets and demo accounts."""

from __future__ import annotations

import html
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gltd.errors import GltdError
from gltd.model import AuditEvent
from gltd.store.engine import make_engine
from gltd.web.app import create_app
from gltd.web.deps import forwarded_client
from gltd.web.settings import web_settings_from_env
from web_support import PASSWORD, login, seed, settings_for, web_settings


def _ips(url: str, action: str) -> list[str | None]:
    with Session(make_engine(url)) as s:
        rows = s.execute(select(AuditEvent.ip).where(AuditEvent.action == action)).scalars()
        return list(rows)


# -- finding 11: X-Forwarded-For ---------------------------------------------------------------


def test_the_proxy_hop_is_used_not_the_client_supplied_entry() -> None:
    # The client wrote "6.6.6.6"; the proxy appended the address it saw.
    assert forwarded_client(["6.6.6.6, 203.0.113.7"], 1) == "203.0.113.7"
    assert forwarded_client(["6.6.6.6", "203.0.113.7"], 1) == "203.0.113.7"
    # Two proxies: the outer one added the client, the inner one the outer proxy.
    assert forwarded_client(["6.6.6.6, 198.51.100.9, 10.0.0.2"], 2) == "198.51.100.9"
    assert forwarded_client(["198.51.100.9"], 2) == "198.51.100.9"
    assert forwarded_client([], 1) is None
    assert forwarded_client(["1.2.3.4"], 0) is None


def test_trust_proxy_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    for raw, n in (("", 0), ("0", 0), ("1", 1), ("oui", 1), ("2", 2)):
        monkeypatch.setenv("GLTD_TRUST_PROXY", raw)
        assert web_settings_from_env().trust_proxy == n
    monkeypatch.setenv("GLTD_TRUST_PROXY", "peut-être")
    with pytest.raises(GltdError, match="GLTD_TRUST_PROXY='peut-être' : attendu le nombre"):
        web_settings_from_env()


def test_a_forged_forwarded_header_does_not_escape_the_address_throttle(
    sqlite_url: str, tmp_path: Path
) -> None:
    seed(sqlite_url)
    app = create_app(
        settings_for(sqlite_url),
        web=web_settings(
            tmp_path, trust_proxy=1, login_max_failures_ip=3, login_max_failures_account=50
        ),
    )
    for k in range(3):
        # A new forged leftmost entry at each try; the proxy always appends the real one.
        headers = {"X-Forwarded-For": f"6.6.6.{k}, 203.0.113.7"}
        with TestClient(app, headers=headers) as c:
            assert login(c, f"inconnu{k}", "x").status_code == 401
    with TestClient(app, headers={"X-Forwarded-For": "6.6.6.99, 203.0.113.7"}) as c:
        assert login(c, "police.admin", PASSWORD).status_code == 429
    assert set(_ips(sqlite_url, "connexion_refusee")) == {"203.0.113.7"}
    assert _ips(sqlite_url, "connexion_bloquee") == ["203.0.113.7"]


# -- finding 13: a job killed mid-run ---------------------------------------------------------

_RUNNER = """
import sys, threading
from gltd.store.engine import make_engine
from gltd.web.jobs import JobOutput, JobRunner
from pathlib import Path

def forever(engine, params, prog, folder):
    threading.Event().wait()
    return JobOutput({})

runner = JobRunner(make_engine(sys.argv[1]), Path(sys.argv[2]))
print(runner.submit("hotspots", {}, "police.analyste", forever), flush=True)
threading.Event().wait()
"""


def _status(url: str, run_id: int) -> tuple[str, str | None]:
    from gltd.model import AnalysisRun

    with Session(make_engine(url)) as s:
        run = s.get(AnalysisRun, run_id)
        assert run is not None
        return run.status, run.result_json


def _start_runner(url: str, tmp_path: Path) -> tuple[object, int]:
    import os
    import subprocess
    import sys
    import time

    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent.parent / "src")}
    proc = subprocess.Popen(
        [sys.executable, "-c", _RUNNER, url, str(tmp_path / "res")],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert proc.stdout is not None
    run_id = int(proc.stdout.readline())
    deadline = time.monotonic() + 30
    while _status(url, run_id)[0] != "running":
        assert time.monotonic() < deadline, "the job never started"
        time.sleep(0.05)
    return proc, run_id


def test_a_job_killed_mid_run_is_marked_failed_at_start_up(db_url: str, tmp_path: Path) -> None:
    import json
    import signal

    seed(db_url)
    proc, run_id = _start_runner(db_url, tmp_path)
    try:
        # Another live server process keeps its run: a new server leaves it alone.
        with TestClient(create_app(settings_for(db_url), web=web_settings(tmp_path))):
            pass
        assert _status(db_url, run_id)[0] == "running"
    finally:
        proc.send_signal(signal.SIGKILL)  # type: ignore[attr-defined]
        proc.wait()  # type: ignore[attr-defined]
    assert _status(db_url, run_id)[0] == "running"  # nobody noticed yet
    app = create_app(settings_for(db_url), web=web_settings(tmp_path))
    with TestClient(app) as c:
        status, result = _status(db_url, run_id)
        assert status == "failed"
        assert json.loads(result or "{}")["error"].startswith("analyse interrompue")
        assert login(c, "police.analyste").status_code == 303
        state = c.get(f"/api/jobs/{run_id}").json()
        assert state["status"] == "failed" and "relancez-la" in state["error"]


def test_a_run_without_sign_of_life_is_failed(sqlite_url: str, tmp_path: Path) -> None:
    from datetime import timedelta

    from gltd.model import AnalysisRun
    from gltd.model.base import utcnow
    from gltd.web.jobs import STALE_S, fail_interrupted_runs

    with Session(make_engine(sqlite_url)) as s, s.begin():
        old = utcnow() - timedelta(seconds=STALE_S + 5)
        fresh = utcnow()
        runs = [
            AnalysisRun(
                kind="hotspots", status="running", runner="elsewhere:1:x", heartbeat_at=old
            ),
            AnalysisRun(kind="hotspots", status="queued", runner=None, heartbeat_at=None),
            AnalysisRun(
                kind="hotspots", status="running", runner="elsewhere:1:x", heartbeat_at=fresh
            ),
            AnalysisRun(kind="hotspots", status="done", heartbeat_at=old),
        ]
        s.add_all(runs)
        s.flush()
        ids = [r.id for r in runs]
    assert fail_interrupted_runs(make_engine(sqlite_url)) == ids[:2]
    assert [_status(sqlite_url, i)[0] for i in ids] == ["failed", "failed", "running", "done"]


# -- finding 6: parallel guesses --------------------------------------------------------------


def test_parallel_guesses_reach_the_password_check_at_most_five_times(
    db_url: str, tmp_path: Path
) -> None:
    import threading

    from sqlalchemy import update

    from gltd.accounts import hash_password
    from gltd.model import User
    from web_support import csrf_from

    seed(db_url)
    # A real-cost Argon2id hash: each check takes tens of milliseconds, as in production.
    with make_engine(db_url).begin() as conn:
        conn.execute(
            update(User)
            .where(User.username == "police.coordinateur")
            .values(password_hash=hash_password(PASSWORD))
        )
    app = create_app(settings_for(db_url), web=web_settings(tmp_path))
    n = 30
    clients = [TestClient(app) for _ in range(n)]
    tokens = [csrf_from(c.get("/login").text) for c in clients]
    barrier = threading.Barrier(n)
    statuses: list[int] = []

    def guess(k: int) -> None:
        barrier.wait()
        r = clients[k].post(
            "/login",
            data={
                "username": "police.coordinateur",
                "password": f"essai-{k}",
                "csrf_token": tokens[k],
            },
            follow_redirects=False,
        )
        statuses.append(r.status_code)

    threads = [threading.Thread(target=guess, args=(k,)) for k in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # Each « connexion_refusee » is a guess checked against the password hash.
    # (Pending attempts count as failures, so a burst may be cut below five.)
    checked = len(_ips(db_url, "connexion_refusee"))
    assert checked <= 5, f"{checked} guesses were checked (limit 5)"
    assert sorted(statuses) == [401] * checked + [429] * (n - checked)
    assert len(_ips(db_url, "connexion_bloquee")) == n - checked
    # The account stays blocked, even for the right password.
    with TestClient(app) as c:
        assert login(c, "police.coordinateur", PASSWORD).status_code == (
            429 if checked == 5 else 303
        )


# -- finding 4: production secrets and demo accounts ------------------------------------------


@pytest.mark.parametrize(
    "key",
    ["", "a", "x" * 13, "aB3" * 11, "a-real-secret-for-this-test-only", "Azerty-2024-secret"],
)
def test_weak_secret_keys_are_refused_in_production(sqlite_url: str, key: str) -> None:
    import dataclasses

    from gltd.config import Settings

    prod = dataclasses.replace(
        Settings(), db_url=sqlite_url, environment="production", secret_key=key
    )
    with pytest.raises(GltdError, match=r"GLTD_SECRET_KEY .*secrets\.token_urlsafe\(48\)"):
        create_app(prod)
    # Development accepts any key; a real random key is accepted in production.
    create_app(dataclasses.replace(prod, environment="development"))
    from web_support import STRONG_SECRET

    create_app(dataclasses.replace(prod, secret_key=STRONG_SECRET))


def _cli(monkeypatch: pytest.MonkeyPatch, args: list[str], input: str | None = None, **env: str):  # type: ignore[no-untyped-def]
    from typer.testing import CliRunner

    from gltd.cli.main import app
    from gltd.config import get_settings

    for k, v in env.items():
        monkeypatch.setenv(k, v)
    get_settings.cache_clear()
    try:
        return CliRunner().invoke(app, args, input=input)
    finally:
        get_settings.cache_clear()


def test_commands_refuse_a_short_key_with_a_french_message(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    csv = tmp_path / "requisitions.csv"
    csv.write_text("a;b\n1;2\n", encoding="utf-8")
    for args in (
        ["serve", "--db", sqlite_url],
        ["db", "upgrade", "--db", sqlite_url],
        ["import", "requisitions", str(csv), "--db", sqlite_url],  # refused before reading
    ):
        res = _cli(monkeypatch, args, GLTD_ENV="production", GLTD_SECRET_KEY="0123456789abc")
        assert res.exit_code == 2, res.output
        out = " ".join(res.output.split())
        assert "GLTD_SECRET_KEY est trop faible pour GLTD_ENV=production" in out
        assert "13 caractères" in out and "32 octets aléatoires" in out
        assert "secrets.token_urlsafe(48)" in out


def _demo_login(app: object, name: str, password: str) -> object:
    with TestClient(app) as c:  # type: ignore[arg-type]
        return login(c, name, password)


def test_demo_accounts_log_in_only_in_development(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import dataclasses

    from gltd.accounts import demo_password, ensure_demo_accounts
    from gltd.model import User
    from web_support import STRONG_SECRET

    seed(db_url)
    engine = make_engine(db_url)
    accounts = ensure_demo_accounts(engine, STRONG_SECRET)
    name = "police-coordinateur"
    pw = demo_password(STRONG_SECRET, name)
    with Session(engine) as s:
        flags = dict(s.execute(select(User.username, User.demo)).tuples().all())
    assert all(flags[a.username] for a in accounts)
    assert not flags["police.coordinateur"]  # ordinary accounts are not demo accounts
    dev = dataclasses.replace(settings_for(db_url), secret_key=STRONG_SECRET)
    prod = dataclasses.replace(dev, environment="production")
    dev_app = create_app(dev, web=web_settings(tmp_path))
    prod_app = create_app(prod, web=web_settings(tmp_path))
    with TestClient(dev_app) as c:
        assert login(c, name, pw).status_code == 303
        cookie = c.cookies.get("gltd_session")
        assert c.get("/").status_code == 200
    # Same database, same secret, production: refused at login, and the session too.
    with TestClient(prod_app) as c:
        r = login(c, name, pw)
        assert r.status_code == 403
        page = html.unescape(r.text)
        assert "compte de démonstration n'est accepté qu'en développement" in page
        assert "gltd db remove-demo-accounts" in page
        assert "gltd_session" not in c.cookies
        assert login(c, "police.coordinateur", PASSWORD).status_code == 303
    with TestClient(prod_app, cookies={"gltd_session": cookie or ""}) as c:
        assert c.get("/", follow_redirects=False).status_code == 303
    with Session(engine) as s:
        refused = s.execute(
            select(AuditEvent.detail).where(
                AuditEvent.action == "connexion_refusee", AuditEvent.username == name
            )
        ).scalars()
        assert list(refused) == ["compte de démonstration refusé (GLTD_ENV=production)"]
    from gltd.accounts import demo_accounts_notice

    assert demo_accounts_notice(engine, "development") is None
    assert demo_accounts_notice(engine, "production") == (
        f"{len(accounts)} compte(s) de démonstration dans cette base : refusés avec "
        "GLTD_ENV=production ; supprimez-les avec « gltd db remove-demo-accounts »."
    )
    # The administrator removes them; the other accounts stay.
    res = _cli(monkeypatch, ["db", "remove-demo-accounts", "--db", db_url])
    assert res.exit_code == 0, res.output
    assert f"{len(accounts)} compte(s) de démonstration supprimé(s)" in res.output
    with Session(engine) as s:
        left = set(s.execute(select(User.username)).scalars())
        removed = s.execute(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "suppression")
        ).scalar_one()
    assert not left & {a.username for a in accounts} and "police.coordinateur" in left
    assert removed == len(accounts)
    assert demo_accounts_notice(engine, "production") is None


def test_demo_accounts_are_refused_on_the_network_with_the_public_secret(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    res = _cli(
        monkeypatch,
        ["serve", "--db", sqlite_url, "--demo-accounts", "--host", "0.0.0.0"],
        GLTD_ENV="development",
    )
    assert res.exit_code == 2
    assert "secret de développement (public)" in " ".join(res.output.split())


def test_the_migration_marks_earlier_demo_accounts(tmp_path: Path) -> None:
    from sqlalchemy import text

    from gltd.store.migrate import upgrade

    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(url, "0002")
    with make_engine(url).begin() as conn:
        conn.execute(text("INSERT INTO agency (id, name, kind) VALUES (1, 'P', 'police')"))
        conn.execute(text("INSERT INTO agency (id, name, kind) VALUES (2, 'V', 'ville')"))
        for uid, name, agency, role in (
            (1, "police-analyste", 1, "analyste"),
            (2, "police-lecteur-1", 1, "lecteur"),
            (3, "police.analyste", 1, "analyste"),  # a real account
            (4, "police-analyste-2", 2, "analyste"),  # not the agency id
        ):
            conn.execute(
                text(
                    "INSERT INTO user_account (id, username, password_hash, agency_id, role, "
                    "active, created_at) VALUES (:i, :n, 'h', :a, :r, 1, '2026-01-01')"
                ),
                {"i": uid, "n": name, "a": agency, "r": role},
            )
    upgrade(url)
    with make_engine(url).connect() as conn:
        demo = conn.execute(text("SELECT id FROM user_account WHERE demo ORDER BY id")).scalars()
        assert list(demo) == [1, 2]


def test_create_admin_command(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from gltd.model import Agency, User

    args = ["db", "create-admin", "admin.parquet", "--agence", "Parquet d'Orléans"]
    res = _cli(monkeypatch, [*args, "--db", sqlite_url])
    assert res.exit_code == 2 and "indiquez son type avec --type" in " ".join(res.output.split())
    for weak, why in (
        ("Orleans-Tram-2026x", "ne doit pas reprendre le nom de l'agence"),
        ("Password1234", "repose sur un mot de passe courant (« Password »)"),
    ):
        res = _cli(
            monkeypatch,
            [*args, "--type", "parquet", "--db", sqlite_url],
            input=f"{weak}\n{weak}\n",
        )
        assert res.exit_code == 2 and why in " ".join(res.output.split())
    good = "Vx7-tram-Loire-92\nVx7-tram-Loire-92\n"
    res = _cli(monkeypatch, [*args, "--type", "parquet", "--db", sqlite_url], input=good)
    assert res.exit_code == 0, res.output
    with Session(make_engine(sqlite_url)) as s:
        u = s.execute(select(User).where(User.username == "admin.parquet")).scalar_one()
        a = s.get(Agency, u.agency_id)
        assert u.role == "admin" and not u.demo and a is not None and a.kind == "parquet"
