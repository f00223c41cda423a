"""Server-side sessions of the web application.

The browser holds only a signed random token; the database holds its SHA-256 digest, so
a copy of the table does not let anyone take over a session. Revocation (logout, admin,
password change, deactivation) is a row update seen at once by every server process.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from gltd.model.base import Base, UTCDateTime, utcnow

__all__ = ["WebSession", "LoginAttempt", "LOGIN_STATUSES"]

#: pending while the password is checked, then failed, ok, or blocked (not checked).
LOGIN_STATUSES = ("en_cours", "echec", "succes", "bloquee")


class WebSession(Base):
    """One login session of an account (no civil identity: an account id, a client).

    Attributes
    ----------
    token_hash : str
        Hex SHA-256 of the 256-bit random session token; the token itself is never stored.
    password_fp : str
        Fingerprint of the account's password hash at login: a password changed by any
        means (web, command line) ends the session.
    expires_at : datetime
        Absolute end of the session; ``last_seen_at`` drives the idle timeout.
    revoked_at, revoked_reason : datetime, str
        When and why the session was ended (« déconnexion », « fermée par un administrateur »...).
    """

    __tablename__ = "web_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    password_fp: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_reason: Mapped[str | None] = mapped_column(String(40))
    ip: Mapped[str | None] = mapped_column(String(60))
    user_agent: Mapped[str | None] = mapped_column(String(200))


class LoginAttempt(Base):
    """One login attempt, written **before** the password is checked (throttling).

    The row is committed, then the recent attempts of the account and of the address are
    counted (this one included): whatever the number of parallel requests or server
    processes, at most the allowed number of attempts reach the password check. Rows
    older than a day are deleted; the audit log keeps the history.
    """

    __tablename__ = "login_attempt"
    __table_args__ = (
        Index("ix_login_attempt_username", "username", "at"),
        Index("ix_login_attempt_ip", "ip", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: The typed account name, lower-cased (unknown names are throttled too).
    username: Mapped[str] = mapped_column(String(100))
    ip: Mapped[str] = mapped_column(String(60))
    status: Mapped[str] = mapped_column(String(10), default="en_cours")
