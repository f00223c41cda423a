"""Hardening of the shared server: client address behind proxies, interrupted jobs,
login throttling under parallel guesses, production secrets and demo accounts."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
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
