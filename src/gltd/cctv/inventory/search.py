"""Find cameras for a form: by the start of their code, or nearest to a point.

Only cameras in service on the given day are offered (installed on or before it, not
removed by then): a requisition asks for footage of a camera that records.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Engine

from gltd.cctv.inventory.records import list_cameras
from gltd.geo import to_metric

__all__ = ["CameraMatch", "find_cameras", "MAX_MATCHES"]

#: The most cameras one search returns.
MAX_MATCHES = 500


@dataclass(frozen=True)
class CameraMatch:
    """A camera offered by a search, with its distance to the point when one was given."""

    code: str
    lon: float
    lat: float
    retention_days: int
    distance_m: float | None

    def as_dict(self) -> dict[str, object]:
        """Plain values for JSON (distance rounded to the metre)."""
        return {
            "code": self.code,
            "lon": self.lon,
            "lat": self.lat,
            "retention_days": self.retention_days,
            "distance_m": None if self.distance_m is None else round(self.distance_m),
        }


def find_cameras(
    engine: Engine,
    *,
    on: date,
    text: str | None = None,
    near: tuple[float, float] | None = None,
    limit: int = 10,
) -> list[CameraMatch]:
    """Cameras in service on ``on`` whose code contains ``text`` (any case; codes that
    start with it first), nearest first when ``near`` = (lon, lat) is given, else by code.
    At most ``limit`` (capped at :data:`MAX_MATCHES`)."""
    limit = max(1, min(int(limit), MAX_MATCHES))
    needle = (text or "").strip().casefold()
    origin = to_metric(*near) if near is not None else None
    found: list[tuple[tuple[object, ...], CameraMatch]] = []
    for c in list_cameras(engine, active_on=on):
        code = c.code.casefold()
        if needle and needle not in code:
            continue
        dist = math.hypot(c.x - origin[0], c.y - origin[1]) if origin is not None else None
        key: tuple[object, ...] = (
            (dist, c.code) if dist is not None else (not code.startswith(needle), c.code)
        )
        found.append((key, CameraMatch(c.code, c.lon, c.lat, c.retention_days, dist)))
    found.sort(key=lambda kv: kv[0])  # type: ignore[arg-type]
    return [m for _, m in found[:limit]]
