"""Space-time cube: event counts per grid cell and per time step (week or month).

Time steps are **aligned on the end** of the period, as ArcGIS Pro's *Create Space Time
Cube* does by default (``END_TIME``): the last step ends exactly at the end of the period,
so the most recent step — the one the emerging-hotspot categories look at first — is a
full step. Steps are counted back in local (Europe/Paris) calendar time (a week is 7
local days, a month a calendar month); events before the first full step are left out
and counted in ``n_excluded``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd

from gltd.analysis.events import EventSet
from gltd.analysis.grid import DEFAULT_MAX_BYTES, Grid, check_projected_xy, make_grid
from gltd.errors import InputError

__all__ = ["SpaceTimeCube", "make_cube", "step_edges", "STEPS"]

STEPS = ("week", "month")
_TZ = "Europe/Paris"


@dataclass(frozen=True, eq=False)
class SpaceTimeCube:
    """Counts ``(T, ny, nx)`` on ``grid`` for the half-open steps ``edges[t] … edges[t+1]``.

    Attributes
    ----------
    grid : Grid
    counts : int64 array ``(T, ny, nx)``
    edges : datetime64[ns] array ``(T + 1,)``
        Step boundaries in UTC.
    step : str
        ``"week"`` or ``"month"``.
    n : int
        Events counted.
    n_excluded : int
        Events of the period before the first full step (or outside the grid).
    """

    grid: Grid
    counts: np.ndarray
    edges: np.ndarray
    step: str
    n: int
    n_excluded: int = 0
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def n_steps(self) -> int:
        """Number of time steps T."""
        return int(self.counts.shape[0])

    def step_labels(self) -> list[str]:
        """First local day of each step, ``YYYY-MM-DD``."""
        idx = pd.DatetimeIndex(self.edges[:-1]).tz_localize("UTC").tz_convert(_TZ)
        return [d.strftime("%Y-%m-%d") for d in idx]


def _local(ts: Any) -> pd.Timestamp:
    t = pd.Timestamp(ts)
    if t.tzinfo is None:
        t = t.tz_localize("UTC")
    return t.tz_convert(_TZ)


def step_edges(start: Any, end: Any, step: str) -> np.ndarray:
    """Step boundaries (UTC datetime64[ns]) counted back from ``end`` while ``>= start``.

    Examples
    --------
    >>> e = step_edges("2018-01-01T00:00+01:00", "2018-01-22T00:00+01:00", "week")
    >>> len(e)
    4
    """
    if step not in STEPS:
        raise InputError(f"pas de temps inconnu : « {step} » (attendu week ou month)")
    s = _local(start)
    e = _local(end)
    if e <= s:
        raise InputError("période vide : la fin doit être après le début")
    edges = [e]
    k = 1
    while True:
        off = pd.DateOffset(weeks=k) if step == "week" else pd.DateOffset(months=k)
        b = e - off
        if b < s:
            break
        edges.append(b)
        k += 1
    edges.reverse()
    out = pd.DatetimeIndex(edges).tz_convert("UTC").tz_localize(None)
    return out.to_numpy(dtype="datetime64[ns]")


def make_cube(
    events: EventSet,
    cell: float,
    step: str = "week",
    *,
    start: datetime | str | None = None,
    end: datetime | str | None = None,
    bounds: Sequence[float] | None = None,
    grid: Grid | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> SpaceTimeCube:
    """Aggregate events into a space-time cube.

    Parameters
    ----------
    events : EventSet
    cell : float
        Cell side in metres (ignored when ``grid`` is given).
    step : ``"week"`` or ``"month"``
    start, end : aware datetimes or ISO strings, optional
        Period (default: first event … last event + 1 s).
    bounds, grid : optional
        Extent or existing grid (default: the events' extent).

    Returns
    -------
    SpaceTimeCube
    """
    check_projected_xy(events.x, events.y, events.crs)
    if events.n == 0:
        raise InputError("aucun fait sur la période ou le filtre choisi : cube vide")
    t_min = pd.Timestamp(events.t.min()).tz_localize("UTC")
    t_max = pd.Timestamp(events.t.max()).tz_localize("UTC") + pd.Timedelta(seconds=1)
    edges = step_edges(
        start if start is not None else t_min, end if end is not None else t_max, step
    )
    n_steps = len(edges) - 1
    if n_steps < 1:
        raise InputError(f"période trop courte pour un pas « {step} » : aucun pas de temps complet")
    if grid is None:
        if bounds is None:
            bounds = (
                float(events.x.min()),
                float(events.y.min()),
                float(events.x.max()),
                float(events.y.max()),
            )
        grid = make_grid(bounds, cell, crs=events.crs, layers=n_steps, max_bytes=max_bytes)
    tid = np.searchsorted(edges, events.t, side="right") - 1
    cid = grid.locate(events.x, events.y)
    ok = (tid >= 0) & (tid < n_steps) & (cid >= 0)
    flat = tid[ok] * grid.n_cells + cid[ok]
    counts = np.bincount(flat, minlength=n_steps * grid.n_cells).astype("int64")
    return SpaceTimeCube(
        grid=grid,
        counts=counts.reshape(n_steps, grid.ny, grid.nx),
        edges=edges,
        step=step,
        n=int(ok.sum()),
        n_excluded=int((~ok).sum()),
    )
