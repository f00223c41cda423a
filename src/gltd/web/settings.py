"""Settings of the web application (``GLTD_*`` variables beyond :mod:`gltd.config`)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from gltd.errors import GltdError
from gltd.timeutil import PARIS

__all__ = ["WebSettings", "parse_reference_date", "web_settings_from_env"]


def parse_reference_date(raw: str, what: str = "GLTD_REFERENCE_DATE") -> date:
    """A reference date written ``JJ/MM/AAAA`` or ``AAAA-MM-JJ``."""
    text = raw.strip()
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise GltdError(f"{what}={raw!r} : une date JJ/MM/AAAA (ex. 24/09/2018) est attendue")


def _num(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return float(raw)
    except ValueError as exc:
        raise GltdError(f"{name}={raw!r} : un nombre est attendu") from exc


def _flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in ("1", "true", "yes", "oui")


def _proxies(name: str) -> int:
    """Number of trusted reverse proxies: ``1``/``oui`` → 1, an integer N → N, empty → 0."""
    raw = os.environ.get(name, "").strip().lower()
    if raw in ("", "0", "false", "no", "non"):
        return 0
    if raw in ("true", "yes", "oui"):
        return 1
    try:
        n = int(raw)
    except ValueError:
        n = -1
    if not 0 <= n <= 10:
        raise GltdError(
            f"{name}={raw!r} : attendu le nombre de mandataires placés devant gltd "
            "(1 pour un seul serveur mandataire, au plus 10), ou 0"
        )
    return n


@dataclass(frozen=True)
class WebSettings:
    """Limits and options of ``gltd serve``.

    Attributes
    ----------
    max_upload_bytes : int
        Largest accepted upload (``GLTD_MAX_UPLOAD_MB``, 50 Mo by default).
    session_hours : float
        Absolute lifetime of a session (``GLTD_SESSION_HOURS``, 12 h).
    session_idle_minutes : float
        A session unused for this long ends (``GLTD_SESSION_IDLE_MINUTES``, 60 min).
    https : bool
        Mark cookies ``Secure`` and send HSTS (``GLTD_HTTPS=1``; implied by
        ``GLTD_ENV=production``).
    trust_proxy : int
        Number of reverse proxies you run in front of gltd (``GLTD_TRUST_PROXY``, 0 by
        default). With N > 0 the client address is the N-th ``X-Forwarded-For`` entry
        from the right: the one the outermost trusted proxy added (entries further
        left were written by the client and are ignored).
    results_dir : Path
        Folder for files produced by analyses (``GLTD_RESULTS_DIR``).
    login_max_failures_account, login_max_failures_ip : int
        Failed logins tolerated per account and per address in ``login_window_s``.
    reference_date : date or None
        « À la date du » (``GLTD_REFERENCE_DATE``, ``gltd serve --reference-date``): the
        day the application takes as today for deadlines and default periods (the demo's
        24/09/2018); ``None``: today.
    """

    max_upload_bytes: int = 50 * 1024 * 1024
    session_hours: float = 12.0
    session_idle_minutes: float = 60.0
    https: bool = False
    trust_proxy: int = 0
    results_dir: Path = Path("gltd-results")
    login_max_failures_account: int = 5
    login_max_failures_ip: int = 20
    login_window_s: float = 900.0
    cache_ttl_s: float = 300.0
    reference_date: date | None = None

    def today(self) -> date:
        """The reference date, else today (Europe/Paris)."""
        return self.reference_date or datetime.now(PARIS).date()

    def now(self) -> datetime:
        """Now, moved to the reference date when there is one (same local clock time)."""
        now = datetime.now(PARIS)
        if self.reference_date is None:
            return now
        return datetime.combine(self.reference_date, now.timetz())


def web_settings_from_env(environment: str = "development") -> WebSettings:
    """Read the web settings from the environment."""
    return WebSettings(
        max_upload_bytes=int(_num("GLTD_MAX_UPLOAD_MB", 50) * 1024 * 1024),
        session_hours=_num("GLTD_SESSION_HOURS", 12),
        session_idle_minutes=_num("GLTD_SESSION_IDLE_MINUTES", 60),
        https=_flag("GLTD_HTTPS") or environment == "production",
        trust_proxy=_proxies("GLTD_TRUST_PROXY"),
        results_dir=Path(os.environ.get("GLTD_RESULTS_DIR") or "gltd-results"),
        reference_date=(
            parse_reference_date(os.environ["GLTD_REFERENCE_DATE"])
            if os.environ.get("GLTD_REFERENCE_DATE", "").strip()
            else None
        ),
    )
