"""The EventSet: events as arrays in a metric CRS, the only input of the analyses."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from gltd.errors import InputError
from gltd.geo import analysis_crs

__all__ = ["EventSet"]


@dataclass(frozen=True, eq=False)
class EventSet:
    """Events (incidents) as parallel arrays.

    Attributes
    ----------
    x, y : float64 arrays
        Coordinates in metres in ``crs`` (Lambert-93 by default).
    t : datetime64[ns] array
        Times in UTC (naive numpy datetimes that mean UTC).
    category : object array of str
        Category codes of the taxonomy.
    zone_id : int64 array
        Zone id of each event, ``-1`` when none.
    crs : str
        The metric CRS of ``x`` and ``y``.
    date_only : bool
        True when the source gave dates without a time of day (times are then local
        midnight converted to UTC; time differences should be taken in whole days).
    """

    x: np.ndarray
    y: np.ndarray
    t: np.ndarray
    category: np.ndarray
    zone_id: np.ndarray
    crs: str = field(default_factory=analysis_crs)
    date_only: bool = False
    meta: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        n = len(self.x)
        for name in ("y", "t", "category", "zone_id"):
            if len(getattr(self, name)) != n:
                raise ValueError(
                    f"EventSet: {name} has {len(getattr(self, name))} values, x has {n}"
                )

    def __len__(self) -> int:
        return len(self.x)

    @property
    def n(self) -> int:
        """Number of events."""
        return len(self.x)

    @property
    def xy(self) -> np.ndarray:
        """Coordinates as an (n, 2) array."""
        return np.column_stack([self.x, self.y])

    def subset(self, mask: np.ndarray) -> EventSet:
        """Events where ``mask`` is true (a boolean array or an index array)."""
        return EventSet(
            x=self.x[mask],
            y=self.y[mask],
            t=self.t[mask],
            category=self.category[mask],
            zone_id=self.zone_id[mask],
            crs=self.crs,
            date_only=self.date_only,
            meta=dict(self.meta),
        )

    def between(self, start: Any, end: Any) -> EventSet:
        """Events with ``start <= t < end`` (UTC datetimes or strings)."""
        s = _as_utc64(start)
        e = _as_utc64(end)
        return self.subset((self.t >= s) & (self.t < e))

    def of_categories(self, categories: Sequence[str] | None) -> EventSet:
        """Events whose category is in ``categories`` (all when None or empty)."""
        if not categories:
            return self
        return self.subset(np.isin(self.category, list(categories)))

    def to_frame(self) -> pd.DataFrame:
        """The events as a DataFrame (columns x, y, t, category, zone_id)."""
        return pd.DataFrame(
            {
                "x": self.x,
                "y": self.y,
                "t": self.t,
                "category": self.category,
                "zone_id": self.zone_id,
            }
        )

    @classmethod
    def from_arrays(
        cls,
        x: Any,
        y: Any,
        t: Any | None = None,
        category: Any | None = None,
        zone_id: Any | None = None,
        *,
        crs: str | None = None,
        date_only: bool = False,
    ) -> EventSet:
        """Build an EventSet from array-likes (missing columns get neutral values)."""
        xa = np.asarray(x, dtype="float64")
        n = len(xa)
        ta = (
            np.full(n, np.datetime64("1970-01-01T00:00:00", "ns"))
            if t is None
            else _to_utc64_array(t)
        )
        return cls(
            x=xa,
            y=np.asarray(y, dtype="float64"),
            t=ta,
            category=(
                np.full(n, "", dtype=object)
                if category is None
                else np.asarray(category, dtype=object)
            ),
            zone_id=(
                np.full(n, -1, dtype="int64")
                if zone_id is None
                else np.asarray(zone_id, dtype="int64")
            ),
            crs=crs or analysis_crs(),
            date_only=date_only,
        )

    @classmethod
    def from_frame(
        cls,
        df: pd.DataFrame,
        *,
        x: str = "x",
        y: str = "y",
        t: str | None = "t",
        category: str | None = "category",
        zone_id: str | None = "zone_id",
        crs: str | None = None,
        date_only: bool = False,
    ) -> EventSet:
        """Build an EventSet from a DataFrame whose x/y are already metric."""
        crs = crs or analysis_crs()
        check_metric_crs(crs)
        return cls.from_arrays(
            df[x],
            df[y],
            df[t] if t and t in df else None,
            df[category] if category and category in df else None,
            df[zone_id].fillna(-1) if zone_id and zone_id in df else None,
            crs=crs,
            date_only=date_only,
        )


def check_metric_crs(crs: str) -> None:
    """Refuse a geographic CRS (degrees) for an analysis that needs metres."""
    from pyproj import CRS

    c = CRS.from_user_input(crs)
    if c.is_geographic:
        raise InputError(
            f"le système de coordonnées {crs} est en degrés : projetez les points en mètres "
            "(par exemple Lambert-93, EPSG:2154) avant l'analyse"
        )


def _as_utc64(value: Any) -> Any:
    ts = pd.Timestamp(value)
    if ts.tzinfo is not None:
        ts = ts.tz_convert("UTC").tz_localize(None)
    return ts.to_datetime64().astype("datetime64[ns]")


def _to_utc64_array(values: Any) -> np.ndarray:
    s = pd.to_datetime(pd.Series(values), utc=True)
    return s.dt.tz_localize(None).to_numpy(dtype="datetime64[ns]")
