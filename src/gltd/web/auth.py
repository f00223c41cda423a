"""Accounts and sessions: argon2 hashes, server-side sessions, login throttling.

- Passwords are hashed with Argon2id (argon2-cffi defaults, RFC 9106 profile).
- Sessions live in the ``web_session`` table. The browser cookie carries only a random
  256-bit token signed with ``GLTD_SECRET_KEY`` (itsdangerous, timestamped); the table
  keeps its SHA-256 digest, never the token. Logout, an administrator, a password change
  or a deactivation set ``revoked_at``: every server process (several uvicorn workers,
  a restarted server) refuses the cookie from the next request. Sessions also end after
  an idle time and at an absolute expiry. The cookie is ``HttpOnly``, ``SameSite=Lax``
  and ``Secure`` behind HTTPS.
- Every request re-reads the account: a deleted or deactivated account loses its
  sessions at once (deleting an account deletes its sessions, ``ON DELETE CASCADE``).
- Failed logins are throttled per account and per client address in a sliding window,
  counting the attempts of the ``login_attempt`` table, each written before its password
  is checked: the counters hold against parallel guesses, are shared by every process
  and survive a restart.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import Engine, bindparam, delete, func, insert, select, update
from sqlalchemy.orm import Session

from gltd.accounts import Member, hash_password, verify_password
from gltd.model import Agency, LoginAttempt, User, WebSession
from gltd.model.base import utcnow

__all__ = [
    "SESSION_COOKIE",
    "USER_AGENT_MAX",
    "CurrentUser",
    "LoginThrottle",
    "SessionInfo",
    "SessionStore",
    "authenticate",
    "token_digest",
    "password_fingerprint",
    "member",
]

SESSION_COOKIE = "gltd_session"
#: Characters of the browser's User-Agent kept with a session.
USER_AGENT_MAX = 200
#: Expired or revoked sessions are deleted this long after their end.
PURGE_AFTER = timedelta(days=30)
#: A hash used to spend the same time on unknown accounts (no user enumeration by timing).
_DUMMY_HASH = hash_password("gltd-dummy-password")


#: What a request knows of its account (and checks: active, password, demo).
_ACCOUNT = (
    User.id,
    User.username,
    User.role,
    User.agency_id,
    User.active,
    User.password_hash,
    User.demo,
    Agency.name,
    Agency.kind,
)
#: The query behind every request: its session and account by the token's digest. Built
#: once: SQLAlchemy then reuses its compiled form without rebuilding and re-adapting it
#: (1 ms of CPU per request down to a fraction).
_LOAD_SESSION = (
    select(
        WebSession.id.label("sid"),
        WebSession.password_fp,
        WebSession.last_seen_at,
        WebSession.expires_at,
        WebSession.revoked_at,
        *_ACCOUNT,
    )
    .join(User, User.id == WebSession.user_id)
    .join(Agency, Agency.id == User.agency_id)
    .where(WebSession.token_hash == bindparam("digest"))
)


def password_fingerprint(password_hash: str) -> str:
    """A short digest of the hash: sessions made before a password change stop working."""
    return hashlib.sha256(password_hash.encode()).hexdigest()[:16]


def token_digest(token: str) -> str:
    """The hex SHA-256 of a session token: what the database stores instead of it."""
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class CurrentUser:
    """The account behind a request (no civil identity: a login name and an agency).

    ``sid`` is the secret session token (the CSRF tokens are derived from it);
    ``session_id`` the row of ``web_session``.
    """

    id: int
    username: str
    role: str
    agency_id: int
    agency_name: str
    agency_kind: str
    sid: str
    session_id: int = 0


def member(user: CurrentUser, ip: str | None = None) -> Member:
    """The account of a request as the domain services know it (with its address)."""
    return Member(
        user_id=user.id,
        username=user.username,
        role=user.role,
        agency_id=user.agency_id,
        agency_name=user.agency_name,
        agency_kind=user.agency_kind,
        ip=ip,
        session_id=user.session_id,
    )


@dataclass(frozen=True)
class SessionInfo:
    """A session as an administrator sees it (never the token)."""

    id: int
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    revoked_reason: str | None
    ip: str | None
    user_agent: str | None
    state: str  # active, revoquee, expiree, inactive

    @property
    def active(self) -> bool:
        """True while the session may still be used."""
        return self.state == "active"


class SessionStore:
    """Create, read and revoke the sessions of ``web_session``.

    Parameters
    ----------
    engine : Engine
        The gltd database.
    secret : str
        ``GLTD_SECRET_KEY``: signs the cookie (a forged or altered cookie is refused
        before any query).
    lifetime_s : float
        Absolute lifetime of a session (``GLTD_SESSION_HOURS``).
    idle_s : float
        A session unused for this long is refused (``GLTD_SESSION_IDLE_MINUTES``).
    allow_demo : bool
        Accept the sessions of demo accounts (``GLTD_ENV=development`` only).
    """

    def __init__(
        self,
        engine: Engine,
        secret: str,
        *,
        lifetime_s: float,
        idle_s: float,
        allow_demo: bool = True,
    ) -> None:
        self.engine = engine
        #: An embedded base (SQLite): a session is read without leaving the event loop.
        self.local = engine.dialect.name == "sqlite"
        #: False outside development: sessions of demo accounts are refused.
        self.allow_demo = allow_demo
        self._s = URLSafeTimedSerializer(secret, salt="gltd-session")
        self.lifetime_s = lifetime_s
        self.idle_s = idle_s
        #: ``last_seen_at`` is written at most this often (one write a minute, not per request).
        self.touch_every_s = min(60.0, idle_s / 10)

    # -- cookie -------------------------------------------------------------------------
    def _token(self, cookie: str | None) -> str | None:
        if not cookie:
            return None
        try:
            token = self._s.loads(cookie, max_age=int(self.lifetime_s) + 1)
        except (BadSignature, SignatureExpired):
            return None
        return token if isinstance(token, str) and 20 <= len(token) <= 100 else None

    # -- create ---------------------------------------------------------------------------
    def create(
        self, account: Any, fingerprint: str, ip: str, user_agent: str | None
    ) -> tuple[str, CurrentUser]:
        """Open a session for an authenticated account row; returns (cookie, user)."""
        token = secrets.token_urlsafe(32)  # 256 bits
        now = utcnow()
        with Session(self.engine) as s, s.begin():
            s.execute(delete(WebSession).where(WebSession.expires_at < now - PURGE_AFTER))
            row = WebSession(
                token_hash=token_digest(token),
                user_id=account.id,
                password_fp=fingerprint,
                created_at=now,
                last_seen_at=now,
                expires_at=now + timedelta(seconds=self.lifetime_s),
                ip=(ip or "")[:60] or None,
                user_agent=(user_agent or "")[:USER_AGENT_MAX] or None,
            )
            s.add(row)
            s.flush()
            session_id = row.id
        user = CurrentUser(
            account.id,
            account.username,
            account.role,
            account.agency_id,
            account.name,
            account.kind,
            token,
            session_id,
        )
        return self._s.dumps(token), user

    # -- read -----------------------------------------------------------------------------
    def load(self, cookie: str | None) -> CurrentUser | None:
        """The account of a session cookie, or None.

        Refused: a bad signature, an unknown, revoked, expired or idle session, a deleted
        or deactivated account, a password changed since login (the last two also mark
        the session revoked).
        """
        user, write = self.check(cookie)
        if write is not None:
            write()
        return user

    def check(self, cookie: str | None) -> tuple[CurrentUser | None, Callable[[], Any] | None]:
        """:meth:`load` in two steps: the account (one read, no write), and the write the
        read calls for, still to be run (the session's last use, written at most every
        :attr:`touch_every_s`, or its revocation), or None.

        The write may wait for another writer of the base: the web server runs it in a
        worker thread, the read on the event loop.
        """
        token = self._token(cookie)
        if token is None:
            return None, None
        with self.engine.connect() as conn:
            row = conn.execute(_LOAD_SESSION, {"digest": token_digest(token)}).first()
        if row is None or row.revoked_at is not None:
            return None, None
        now = utcnow()
        if now >= row.expires_at or (now - row.last_seen_at).total_seconds() > self.idle_s:
            return None, None
        refusals = (
            (not row.active, "compte désactivé"),
            (row.demo and not self.allow_demo, "compte de démonstration"),
            (password_fingerprint(row.password_hash) != row.password_fp, "mot de passe changé"),
        )
        for refused, reason in refusals:
            if refused:
                return None, partial(self.revoke, row.sid, reason)
        user = CurrentUser(
            id=row.id,
            username=row.username,
            role=row.role,
            agency_id=row.agency_id,
            agency_name=row.name,
            agency_kind=row.kind,
            sid=token,
            session_id=row.sid,
        )
        if (now - row.last_seen_at).total_seconds() >= self.touch_every_s:
            return user, partial(self._touch, row.sid, now)
        return user, None

    def _touch(self, session_id: int, now: datetime) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                update(WebSession)
                .where(WebSession.id == session_id, WebSession.revoked_at.is_(None))
                .values(last_seen_at=now)
            )

    # -- revoke ---------------------------------------------------------------------------
    def revoke(self, session_id: int, reason: str) -> bool:
        """End one session; False when it was already ended or does not exist."""
        with self.engine.begin() as conn:
            n = conn.execute(
                update(WebSession)
                .where(WebSession.id == session_id, WebSession.revoked_at.is_(None))
                .values(revoked_at=utcnow(), revoked_reason=reason[:40])
            ).rowcount
        return bool(n)

    def revoke_cookie(self, cookie: str | None, reason: str) -> bool:
        """End the session of a cookie (a new login replaces the browser's old session)."""
        token = self._token(cookie)
        if token is None:
            return False
        with self.engine.begin() as conn:
            n = conn.execute(
                update(WebSession)
                .where(
                    WebSession.token_hash == token_digest(token),
                    WebSession.revoked_at.is_(None),
                    WebSession.expires_at > utcnow(),
                )
                .values(revoked_at=utcnow(), revoked_reason=reason[:40])
            ).rowcount
        return bool(n)

    # -- list -----------------------------------------------------------------------------
    def state_of(self, row: Any, now: datetime) -> str:
        """``active``, ``revoquee``, ``expiree`` (absolute) or ``inactive`` (idle)."""
        if row.revoked_at is not None:
            return "revoquee"
        if now >= row.expires_at:
            return "expiree"
        if (now - row.last_seen_at).total_seconds() > self.idle_s:
            return "inactive"
        return "active"

    def list_for_user(self, user_id: int, limit: int = 100) -> list[SessionInfo]:
        """The account's sessions, newest first (live and recently ended)."""
        stmt = (
            select(WebSession)
            .where(WebSession.user_id == user_id)
            .order_by(WebSession.id.desc())
            .limit(limit)
        )
        now = utcnow()
        with Session(self.engine) as s:
            rows = s.execute(stmt).scalars().all()
            return [
                SessionInfo(
                    id=r.id,
                    created_at=r.created_at,
                    last_seen_at=r.last_seen_at,
                    expires_at=r.expires_at,
                    revoked_at=r.revoked_at,
                    revoked_reason=r.revoked_reason,
                    ip=r.ip,
                    user_agent=r.user_agent,
                    state=self.state_of(r, now),
                )
                for r in rows
            ]

    def owner_of(self, session_id: int) -> tuple[int, str] | None:
        """(user id, username) of a session, or None."""
        stmt = (
            select(User.id, User.username)
            .join(WebSession, WebSession.user_id == User.id)
            .where(WebSession.id == session_id)
        )
        with self.engine.connect() as conn:
            row = conn.execute(stmt).first()
        return None if row is None else (int(row.id), str(row.username))


class LoginThrottle:
    """Refuse logins after too many recent failures, per account and per address.

    Every attempt is first written to ``login_attempt`` (status ``en_cours``) and
    committed; only then are the other recent attempts of the account and of the address
    counted — pending ones included, as if they had failed. However many requests race,
    whatever the number of server processes, the k-th attempt to be written sees at least
    k - 1 others: at most ``max_account`` attempts per account reach the password check.
    The counts survive a restart; a successful login forgets the account's earlier
    failures (not the address's). Attempts refused here are marked ``bloquee`` and do not
    lengthen the block.
    """

    #: Attempts older than this are deleted (the audit log keeps the history).
    keep = timedelta(days=1)

    def __init__(self, engine: Engine, max_account: int, max_ip: int, window_s: float) -> None:
        self.engine = engine
        self.max_account, self.max_ip, self.window_s = max_account, max_ip, window_s

    def begin(self, username: str, ip: str) -> tuple[int, bool]:
        """Record an attempt before any check: (attempt id, True when it is refused)."""
        name = username.strip().lower()[:100]
        addr = (ip or "")[:60]
        with self.engine.begin() as conn:
            attempt_id = int(
                conn.execute(
                    insert(LoginAttempt)
                    .values(at=utcnow(), username=name, ip=addr, status="en_cours")
                    .returning(LoginAttempt.id)
                ).scalar_one()
            )
        # Counted in a new transaction: every attempt committed before ours is seen.
        since = utcnow() - timedelta(seconds=self.window_s)
        counted = (
            LoginAttempt.id != attempt_id,
            LoginAttempt.at >= since,
            LoginAttempt.status.in_(("en_cours", "echec")),
        )
        last_ok = (
            select(func.coalesce(func.max(LoginAttempt.id), 0))
            .where(LoginAttempt.username == name, LoginAttempt.status == "succes")
            .scalar_subquery()
        )
        by_account = select(func.count(LoginAttempt.id)).where(
            *counted, LoginAttempt.username == name, LoginAttempt.id > last_ok
        )
        by_ip = select(func.count(LoginAttempt.id)).where(*counted, LoginAttempt.ip == addr)
        with self.engine.connect() as conn:
            n_account = int(conn.execute(by_account).scalar_one()) if name else 0
            n_ip = int(conn.execute(by_ip).scalar_one())
        blocked = n_account >= self.max_account or n_ip >= self.max_ip
        if blocked:
            self.finish(attempt_id, "bloquee")
        if attempt_id % 200 == 0:
            with self.engine.begin() as conn:
                conn.execute(delete(LoginAttempt).where(LoginAttempt.at < utcnow() - self.keep))
        return attempt_id, blocked

    def finish(self, attempt_id: int, status: str) -> None:
        """Record the outcome of an attempt: ``echec``, ``succes`` or ``bloquee``."""
        with self.engine.begin() as conn:
            conn.execute(
                update(LoginAttempt).where(LoginAttempt.id == attempt_id).values(status=status)
            )


def _user_row(engine: Engine, *, username: str) -> Any:
    stmt = (
        select(*_ACCOUNT).join(Agency, Agency.id == User.agency_id).where(User.username == username)
    )
    with engine.connect() as conn:
        return conn.execute(stmt).first()


def authenticate(engine: Engine, username: str, password: str) -> tuple[Any, str] | None:
    """The account row and password fingerprint when the credentials are right.

    The row tells a demo account (``demo``): the caller refuses it outside development.
    """
    row = _user_row(engine, username=username.strip())
    if row is None:
        verify_password(_DUMMY_HASH, password)
        return None
    if not verify_password(row.password_hash, password) or not row.active:
        return None
    return row, password_fingerprint(row.password_hash)
