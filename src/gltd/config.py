"""Settings read from the environment (``GLTD_*``), cached by :func:`get_settings`.

Nothing connects or reads files at import time.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache

from gltd.errors import GltdError

__all__ = ["Settings", "get_settings", "DEV_SECRET"]

DEV_SECRET = "dev-secret-change-me"


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise GltdError(f"{name}={raw!r} : un entier est attendu") from exc


@dataclass(frozen=True)
class Settings:
    """All settings of gltd, with the legal parameters as overridable defaults."""

    db_url: str = "sqlite:///gltd.db"
    secret_key: str = DEV_SECRET
    environment: str = "development"
    locale: str = "fr_FR"
    timezone: str = "Europe/Paris"
    analysis_crs: str = "EPSG:2154"
    tile_url: str | None = None
    #: CSI L252-5: footage kept at most one month outside a judicial procedure.
    max_retention_days: int = 30
    #: CSI L252-4: prefectoral authorisation valid five years.
    authorisation_years: int = 5
    taxonomy_file: str | None = None
    #: Largest decompressed size of an imported file (Mo) and its largest table (cells).
    import_max_mb: int = 200
    import_max_cells: int = 5_000_000
    extra: dict[str, str] = field(default_factory=dict)

    def check(self) -> None:
        """Refuse the development secret outside development."""
        if self.environment != "development" and self.secret_key == DEV_SECRET:
            raise GltdError(
                "GLTD_SECRET_KEY doit être défini hors développement (GLTD_ENV="
                f"{self.environment})."
            )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Read the settings once from the environment."""
    s = Settings(
        db_url=os.environ.get("GLTD_DB_URL", "sqlite:///gltd.db"),
        secret_key=os.environ.get("GLTD_SECRET_KEY", DEV_SECRET),
        environment=os.environ.get("GLTD_ENV", "development"),
        locale=os.environ.get("GLTD_LOCALE", "fr_FR"),
        timezone=os.environ.get("GLTD_TIMEZONE", "Europe/Paris"),
        analysis_crs=os.environ.get("GLTD_ANALYSIS_CRS", "EPSG:2154"),
        tile_url=os.environ.get("GLTD_TILE_URL") or None,
        max_retention_days=_int("GLTD_MAX_RETENTION_DAYS", 30),
        authorisation_years=_int("GLTD_AUTHORISATION_YEARS", 5),
        taxonomy_file=os.environ.get("GLTD_TAXONOMY_FILE") or None,
        import_max_mb=_int("GLTD_IMPORT_MAX_MB", 200),
        import_max_cells=_int("GLTD_IMPORT_MAX_CELLS", 5_000_000),
    )
    s.check()
    return s
