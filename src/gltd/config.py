"""Settings read from the environment (``GLTD_*``), cached by :func:`get_settings`.

Nothing connects or reads files at import time.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from functools import lru_cache

from gltd.errors import GltdError

__all__ = ["Settings", "get_settings", "DEV_SECRET", "MIN_SECRET_BITS", "secret_bits"]

DEV_SECRET = "dev-secret-change-me"
#: Outside development the secret key must carry at least 32 bytes of entropy.
MIN_SECRET_BITS = 256
GENERATE_SECRET = 'python -c "import secrets; print(secrets.token_urlsafe(48))"'


def secret_bits(key: str) -> float:
    """A generous estimate of the entropy of a secret key, in bits.

    Length × log2 of the alphabet its character classes span (lower case, upper case,
    digits, others), and 0 for a key made of fewer than 12 distinct characters (a
    repeated word or pattern). ``secrets.token_urlsafe(32)`` scores about 280 bits,
    ``secrets.token_hex(32)`` about 330.
    """
    if len(set(key)) < 12:
        return 0.0
    alphabet = 0
    alphabet += 26 if any(c.islower() for c in key) else 0
    alphabet += 26 if any(c.isupper() for c in key) else 0
    alphabet += 10 if any(c.isdigit() for c in key) else 0
    alphabet += 33 if any(not c.isalnum() for c in key) else 0
    return len(key) * math.log2(max(alphabet, 2))


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
    #: Local basemap file (raster MBTiles or PMTiles), else the one ``gltd basemap add`` chose.
    basemap: str | None = None
    #: Folder of the basemaps added with ``gltd basemap add``.
    basemap_dir: str = "gltd-basemaps"
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
        """Refuse the development secret, or a weak one, outside development."""
        if self.environment == "development":
            return
        how = f"générez-en un avec : {GENERATE_SECRET}"
        if self.secret_key in ("", DEV_SECRET):
            raise GltdError(
                "GLTD_SECRET_KEY doit être défini hors développement (GLTD_ENV="
                f"{self.environment}) ; {how}"
            )
        bits = secret_bits(self.secret_key)
        if bits < MIN_SECRET_BITS:
            raise GltdError(
                f"GLTD_SECRET_KEY est trop faible pour GLTD_ENV={self.environment} "
                f"({len(self.secret_key)} caractères, environ {bits:.0f} bits) : il faut au "
                f"moins 32 octets aléatoires ({MIN_SECRET_BITS} bits) ; {how}"
            )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Read the settings once from the environment."""
    s = Settings(
        db_url=os.environ.get("GLTD_DB_URL", "sqlite:///gltd.db"),
        secret_key=os.environ.get("GLTD_SECRET_KEY") or DEV_SECRET,
        environment=os.environ.get("GLTD_ENV", "development"),
        locale=os.environ.get("GLTD_LOCALE", "fr_FR"),
        timezone=os.environ.get("GLTD_TIMEZONE", "Europe/Paris"),
        analysis_crs=os.environ.get("GLTD_ANALYSIS_CRS", "EPSG:2154"),
        tile_url=os.environ.get("GLTD_TILE_URL") or None,
        basemap=os.environ.get("GLTD_BASEMAP") or None,
        basemap_dir=os.environ.get("GLTD_BASEMAP_DIR") or "gltd-basemaps",
        max_retention_days=_int("GLTD_MAX_RETENTION_DAYS", 30),
        authorisation_years=_int("GLTD_AUTHORISATION_YEARS", 5),
        taxonomy_file=os.environ.get("GLTD_TAXONOMY_FILE") or None,
        import_max_mb=_int("GLTD_IMPORT_MAX_MB", 200),
        import_max_cells=_int("GLTD_IMPORT_MAX_CELLS", 5_000_000),
    )
    s.check()
    return s
