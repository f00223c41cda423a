"""Accounts and sessions: argon2 hashes, signed session cookies, login throttling.

- Passwords are hashed with Argon2id (argon2-cffi defaults, RFC 9106 profile).
- The session cookie is signed with ``GLTD_SECRET_KEY`` (itsdangerous, timestamped) and
  carries only the account id, a random session id and a fingerprint of the password
  hash: changing a password ends every session of that account. It is ``HttpOnly``,
  ``SameSite=Lax`` and ``Secure`` behind HTTPS.
- Every request re-reads the account: a deleted or deactivated account loses its
  sessions at once.
- Failed logins are throttled per account and per client address.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import Engine, select

from gltd.model import Agency, User

__all__ = [
    "SESSION_COOKIE",
    "CurrentUser",
    "LoginThrottle",
    "SessionCodec",
    "authenticate",
    "hash_password",
    "load_session_user",
    "verify_password",
    "password_fingerprint",
    "check_password_strength",
]

SESSION_COOKIE = "gltd_session"
_HASHER = PasswordHasher()
#: A hash used to spend the same time on unknown accounts (no user enumeration by timing).
_DUMMY_HASH = _HASHER.hash("gltd-dummy-password")


def hash_password(password: str) -> str:
    """The Argon2id hash of a password."""
    return _HASHER.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """True when ``password`` matches ``password_hash``."""
    try:
        return bool(_HASHER.verify(password_hash, password))
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def check_password_strength(password: str) -> str | None:
    """A French reason why a new password is refused, or None when acceptable."""
    if len(password) < 12:
        return "le mot de passe doit compter au moins 12 caractères"
    if password.lower() == password or password.upper() == password:
        return "le mot de passe doit mêler majuscules et minuscules"
    if not any(c.isdigit() for c in password):
        return "le mot de passe doit contenir au moins un chiffre"
    return None


def password_fingerprint(password_hash: str) -> str:
    """A short digest of the hash: sessions made before a password change stop working."""
    return hashlib.sha256(password_hash.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class CurrentUser:
    """The account behind a request (no civil identity: a login name and an agency)."""

    id: int
    username: str
    role: str
    agency_id: int
    agency_name: str
    agency_kind: str
    sid: str


class SessionCodec:
    """Sign and read session cookies."""

    def __init__(self, secret: str, max_age_s: float) -> None:
        self._s = URLSafeTimedSerializer(secret, salt="gltd-session")
        self.max_age_s = max_age_s

    def dumps(self, user_id: int, fingerprint: str) -> tuple[str, str]:
        """A new cookie value and its session id."""
        sid = secrets.token_urlsafe(18)
        return self._s.dumps({"u": user_id, "s": sid, "f": fingerprint}), sid

    def loads(self, value: str) -> dict[str, Any] | None:
        """The payload of a valid, unexpired cookie, else None."""
        try:
            data = self._s.loads(value, max_age=int(self.max_age_s))
        except (BadSignature, SignatureExpired):
            return None
        if not isinstance(data, dict) or not {"u", "s", "f"} <= set(data):
            return None
        return data


class LoginThrottle:
    """Count failed logins per account and per address in a sliding window."""

    def __init__(self, max_account: int, max_ip: int, window_s: float) -> None:
        self.max_account, self.max_ip, self.window_s = max_account, max_ip, window_s
        self._fails: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        q = self._fails.setdefault(key, deque())
        while q and now - q[0] > self.window_s:
            q.popleft()
        return q

    def blocked(self, username: str, ip: str) -> bool:
        """True when this account or this address failed too often recently."""
        now = time.monotonic()
        with self._lock:
            return (
                len(self._recent("u:" + username.lower(), now)) >= self.max_account
                or len(self._recent("ip:" + ip, now)) >= self.max_ip
            )

    def failure(self, username: str, ip: str) -> None:
        """Record a failed attempt."""
        now = time.monotonic()
        with self._lock:
            self._recent("u:" + username.lower(), now).append(now)
            self._recent("ip:" + ip, now).append(now)

    def success(self, username: str) -> None:
        """Forget the account's failures after a good login."""
        with self._lock:
            self._fails.pop("u:" + username.lower(), None)


def _user_row(engine: Engine, *, user_id: int | None = None, username: str | None = None) -> Any:
    stmt = select(
        User.id,
        User.username,
        User.role,
        User.agency_id,
        User.active,
        User.password_hash,
        Agency.name,
        Agency.kind,
    ).join(Agency, Agency.id == User.agency_id)
    if user_id is not None:
        stmt = stmt.where(User.id == user_id)
    else:
        stmt = stmt.where(User.username == username)
    with engine.connect() as conn:
        return conn.execute(stmt).first()


def authenticate(engine: Engine, username: str, password: str) -> tuple[Any, str] | None:
    """The account row and password fingerprint when the credentials are right."""
    row = _user_row(engine, username=username.strip())
    if row is None:
        verify_password(_DUMMY_HASH, password)
        return None
    if not verify_password(row.password_hash, password) or not row.active:
        return None
    return row, password_fingerprint(row.password_hash)


def load_session_user(
    engine: Engine, codec: SessionCodec, cookie: str | None, revoked: set[str]
) -> CurrentUser | None:
    """The account of a session cookie, or None (bad, expired, revoked, deleted, inactive)."""
    if not cookie:
        return None
    data = codec.loads(cookie)
    if data is None or data["s"] in revoked:
        return None
    try:
        uid = int(data["u"])
    except (TypeError, ValueError):
        return None
    row = _user_row(engine, user_id=uid)
    if row is None or not row.active:
        return None
    if password_fingerprint(row.password_hash) != data["f"]:
        return None
    return CurrentUser(
        id=row.id,
        username=row.username,
        role=row.role,
        agency_id=row.agency_id,
        agency_name=row.name,
        agency_kind=row.kind,
        sid=str(data["s"]),
    )
