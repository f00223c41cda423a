"""CSRF protection: a token bound to the session on every form and fetch POST.

The token is ``HMAC-SHA256(secret, "csrf|" + session id)``: it cannot be forged without
the server secret and changes with every session. Forms send it as the hidden field
``csrf_token``; scripts send it in the ``X-CSRF-Token`` header (read from the
``<meta name="csrf-token">`` of the page). Before login, the login form is bound to a
random pre-session cookie in the same way.
"""

from __future__ import annotations

import hashlib
import hmac

__all__ = ["CSRF_FIELD", "CSRF_HEADER", "PRE_SESSION_COOKIE", "csrf_token", "check_csrf"]

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
PRE_SESSION_COOKIE = "gltd_pre"


def csrf_token(secret: str, sid: str, purpose: str = "csrf") -> str:
    """The token for a session id (or a pre-session id with ``purpose="login"``)."""
    return hmac.new(secret.encode(), f"{purpose}|{sid}".encode(), hashlib.sha256).hexdigest()


def check_csrf(secret: str, sid: str | None, token: str | None, purpose: str = "csrf") -> bool:
    """True when ``token`` is the token of ``sid`` (constant-time comparison)."""
    if not sid or not token:
        return False
    return hmac.compare_digest(csrf_token(secret, sid, purpose), token)
