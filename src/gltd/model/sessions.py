"""Server-side sessions of the web application.

The browser holds only a signed random token; the database holds its SHA-256 digest, so
a copy of the table does not let anyone take over a session. Revocation (logout, admin,
password change, deactivation) is a row update seen at once by every server process.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from gltd.model.base import Base, UTCDateTime, utcnow

__all__ = ["WebSession"]


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
