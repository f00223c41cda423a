"""In-memory incident cube and result cache: fast dashboard and map with 10⁶ incidents.

All incidents are loaded once into NumPy arrays sorted by time (about 40 bytes per
incident: 40 MB for a million). A period is then a :func:`numpy.searchsorted` slice and
counts per zone or grid cell are :func:`numpy.bincount` calls: a few milliseconds,
instead of a SQL aggregation over hundreds of thousands of rows for every request.

The cube and every cached result carry the data version (largest incident id, largest
import batch id: every import writes a batch; incidents are never deleted); results that
also read the registers (cameras, requisitions, operations, register pages) carry the
last change recorded in the audit log as well, so that a register edited from the CLI or
in another server process shows within seconds too. Both are re-read at most every
``version_check_s`` seconds; a change made through this process empties the cache at once.

Costly map layers (the emerging hot spots) are also kept on disk (:meth:`DataCache.memo`
with ``persist=True``, folder ``store_dir``: ``.cache/`` of the results folder), so that
every worker process and every restart reads them instead of computing them again. A
file's name starts with its data version: after an import (new version) the old files are
never read again and are deleted at the next write.
"""

from __future__ import annotations

import dataclasses
import gzip
import hashlib
import json
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Engine, String, func, select, type_coerce

from gltd import __version__
from gltd.fileio import write_atomic
from gltd.model import ImportBatch, Incident
from gltd.store.audit import last_change

__all__ = ["IncidentCube", "DataCache", "load_cube"]

log = logging.getLogger("gltd.web.cache")


@dataclass(frozen=True, eq=False)
class IncidentCube:
    """Every incident as arrays sorted by time (UTC nanoseconds)."""

    t: np.ndarray  # int64 ns since epoch, UTC, sorted
    x: np.ndarray  # float64 Lambert-93 (NaN when not located)
    y: np.ndarray
    cat: np.ndarray  # int32 code into ``categories``
    zone: np.ndarray  # int64 zone id, -1 when none
    categories: tuple[str, ...]
    #: ``(xmin, ymin, xmax, ymax)`` of the located incidents (computed once).
    bounds: tuple[float, float, float, float] | None = None

    @property
    def n(self) -> int:
        """Number of incidents."""
        return len(self.t)

    def span(self, start: datetime, end: datetime) -> tuple[int, int]:
        """Index range of incidents with ``start <= t < end``."""
        s = _ns(start)
        e = _ns(end)
        return int(np.searchsorted(self.t, s, "left")), int(np.searchsorted(self.t, e, "left"))

    def select(
        self, start: datetime, end: datetime, categories: Sequence[str] | None
    ) -> tuple[slice, np.ndarray | None]:
        """The slice of the period and a category mask inside it (None = all)."""
        i0, i1 = self.span(start, end)
        sl = slice(i0, i1)
        if not categories:
            return sl, None
        codes = [self.categories.index(c) for c in categories if c in self.categories]
        if not codes:
            return sl, np.zeros(i1 - i0, dtype=bool)
        return sl, np.isin(self.cat[sl], np.asarray(codes, dtype=self.cat.dtype))

    def zone_counts(
        self, start: datetime, end: datetime, categories: Sequence[str] | None
    ) -> dict[int, int]:
        """Incidents per zone id (``-1``: outside every zone) in the period."""
        sl, mask = self.select(start, end, categories)
        z = self.zone[sl] if mask is None else self.zone[sl][mask]
        if len(z) == 0:
            return {}
        counts = np.bincount(z + 1)  # zone ids are small positive integers; -1 → 0
        return {int(i) - 1: int(c) for i, c in enumerate(counts) if c}

    def category_counts(self, start: datetime, end: datetime) -> dict[str, int]:
        """Incidents per category in the period."""
        sl, _ = self.select(start, end, None)
        counts = np.bincount(self.cat[sl], minlength=len(self.categories))
        return {c: int(n) for c, n in zip(self.categories, counts, strict=True) if n}

    def points(
        self, start: datetime, end: datetime, categories: Sequence[str] | None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Located incidents (x, y) of the period."""
        sl, mask = self.select(start, end, categories)
        x, y = self.x[sl], self.y[sl]
        if mask is not None:
            x, y = x[mask], y[mask]
        ok = np.isfinite(x) & np.isfinite(y)
        return x[ok], y[ok]

    def extent(self) -> tuple[float, float, float, float] | None:
        """``(xmin, ymin, xmax, ymax)`` of the located incidents."""
        if self.bounds is not None or self.n == 0:
            return self.bounds
        ok = np.isfinite(self.x) & np.isfinite(self.y)
        if not ok.any():
            return None
        return (
            float(self.x[ok].min()),
            float(self.y[ok].min()),
            float(self.x[ok].max()),
            float(self.y[ok].max()),
        )

    def time_range(self) -> tuple[int, int] | None:
        """First and last time (ns)."""
        if self.n == 0:
            return None
        return int(self.t[0]), int(self.t[-1])


def _ns(value: datetime) -> np.int64:
    if value.tzinfo is None:
        raise ValueError("naive datetime")
    return np.int64(pd.Timestamp(value).tz_convert("UTC").value)


def load_cube(engine: Engine) -> IncidentCube:
    """Read every incident's time, position, category and zone."""
    t = Incident.__table__.c
    stmt = select(type_coerce(t.occurred_at, String), t.x, t.y, t.category, t.zone_id)
    with engine.connect() as conn:
        rows = conn.execute(stmt).all()
    if not rows:
        e = np.array([], dtype="int64")
        return IncidentCube(
            e,
            np.array([], dtype="float64"),
            np.array([], dtype="float64"),
            np.array([], dtype="int32"),
            e.copy(),
            (),
        )
    frame = pd.DataFrame(rows, columns=["t", "x", "y", "category", "zone"])
    times = pd.to_datetime(frame["t"], format="ISO8601", utc=True)
    tns = times.to_numpy(dtype="datetime64[ns]").astype("int64")
    order = np.argsort(tns, kind="stable")
    cats, codes = np.unique(
        frame["category"].to_numpy(dtype=object).astype(str), return_inverse=True
    )
    cube = IncidentCube(
        t=tns[order],
        x=frame["x"].to_numpy(dtype="float64", na_value=np.nan)[order],
        y=frame["y"].to_numpy(dtype="float64", na_value=np.nan)[order],
        cat=codes.astype("int32")[order],
        zone=frame["zone"].fillna(-1).to_numpy(dtype="int64")[order],
        categories=tuple(str(c) for c in cats),
    )
    return dataclasses.replace(cube, bounds=cube.extent())


class DataCache:
    """The cube and computed results, invalidated when the data version changes."""

    def __init__(
        self,
        engine: Engine,
        *,
        ttl_s: float = 300.0,
        version_check_s: float = 5.0,
        store_dir: Path | None = None,
    ):
        self.engine = engine
        #: Folder of the results kept on disk (``memo(..., persist=True)``); None: memory only.
        self.store_dir = store_dir
        self.ttl_s = ttl_s
        self.version_check_s = version_check_s
        self._lock = threading.RLock()
        self._build_lock = threading.Lock()
        self._version: tuple[Any, ...] | None = None
        self._version_at = -1e18
        self._changes: int | None = None
        self._cube: IncidentCube | None = None
        self._cube_version: tuple[Any, ...] | None = None
        self._memo: OrderedDict[Any, tuple[float, Any]] = OrderedDict()
        #: Keys being computed, so that concurrent requests wait for one computation.
        self._pending: dict[Any, threading.Event] = {}
        #: JSON text of cached results, by identity (see :meth:`json_bytes`).
        self._json: OrderedDict[int, tuple[Any, bytes]] = OrderedDict()
        self.max_entries = 512

    def version(self) -> tuple[Any, ...]:
        """The data version: the last incident and import (re-read at most every
        ``version_check_s`` seconds, with :meth:`changes`)."""
        now = time.monotonic()
        with self._lock:
            if self._version is not None and now - self._version_at < self.version_check_s:
                return self._version
        with self.engine.connect() as conn:
            v1 = conn.execute(select(func.max(Incident.id))).scalar()
            v2 = conn.execute(select(func.max(ImportBatch.id))).scalar()
            v3 = last_change(conn)
        with self._lock:
            self._version = (v1, v2)
            self._changes = v3
            self._version_at = now
            return self._version

    def _full(self, key: Any, registers: bool) -> tuple[Any, Any, Any]:
        """The cache key of ``key``: the data version and, for ``registers``, the last
        change recorded in the audit log by any process (read with the version)."""
        version = self.version()
        with self._lock:
            return (version, self._changes if registers else None, key)

    def invalidate(self) -> None:
        """Forget everything (after an import or a change made through the app)."""
        with self._lock:
            self._version = None
            self._memo.clear()

    def cube(self) -> IncidentCube:
        """The incident cube of the current data version (built on first use)."""
        v = self.version()
        with self._lock:
            if self._cube is not None and self._cube_version == v:
                return self._cube
        with self._build_lock:  # one build at a time; others wait for it
            with self._lock:
                if self._cube is not None and self._cube_version == v:
                    return self._cube
            cube = load_cube(self.engine)
            with self._lock:
                self._cube, self._cube_version = cube, v
            return cube

    def memo(
        self,
        key: Any,
        compute: Callable[[], Any],
        *,
        persist: bool = False,
        registers: bool = True,
    ) -> Any:
        """A cached result for ``key`` at the current data version.

        ``registers``: the result also reads the registers (cameras, requisitions,
        operations, zones...) and is computed again after any change recorded in the
        audit log, by any process. Only a result of the incidents alone (counts, grids,
        hot spots) may set it to False and outlive the changes to the registers.

        Single flight: when several requests miss the same key at once (a cold cache
        under load), one computes and the others wait for its result instead of
        computing it again on the same two cores. With ``persist`` (a JSON-able result
        and a key whose ``repr`` is stable, e.g. strings and numbers), the result is also
        read from and written to ``store_dir``.
        """
        full = self._full(key, registers)
        while True:
            now = time.monotonic()
            with self._lock:
                hit = self._memo.get(full)
                if hit is not None and now - hit[0] < self.ttl_s:
                    self._memo.move_to_end(full)
                    return hit[1]
                pending = self._pending.get(full)
                owner = pending is None
                if pending is None:
                    pending = self._pending[full] = threading.Event()
            if not owner:
                # Wait for the computing request, then read its result (or, if it
                # failed, take over the computation).
                pending.wait(timeout=120)
                continue
            try:
                value = self._stored(full, compute) if persist else compute()
                with self._lock:
                    self._memo[full] = (time.monotonic(), value)
                    while len(self._memo) > self.max_entries:
                        self._memo.popitem(last=False)
                return value
            finally:
                with self._lock:
                    self._pending.pop(full, None)
                pending.set()

    def fresh(self, key: Any, *, registers: bool = True) -> Any | None:
        """The value cached for ``key``, or None; never reads the base nor computes.

        For the event loop: a hit is served without a hop to a worker thread. A miss
        (including a data version older than ``version_check_s``) is left to
        :meth:`memo`, in a worker thread, which re-reads the version.
        """
        now = time.monotonic()
        with self._lock:
            if self._version is None or now - self._version_at >= self.version_check_s:
                return None
            full = (self._version, self._changes if registers else None, key)
            hit = self._memo.get(full)
            if hit is None or now - hit[0] >= self.ttl_s:
                return None
            self._memo.move_to_end(full)
            return hit[1]

    def json_bytes(self, value: Any) -> bytes:
        """``value`` as JSON, serialised once while the same object is served again (a
        cached map layer: thousands of polygons re-encoded for every request otherwise)."""
        with self._lock:
            hit = self._json.get(id(value))
            if hit is not None and hit[0] is value:
                self._json.move_to_end(id(value))
                return hit[1]
        text = json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
        data = text.encode("utf-8")
        with self._lock:
            self._json[id(value)] = (value, data)  # the object is kept: its id stays unique
            while len(self._json) > self.max_entries:
                self._json.popitem(last=False)
        return data

    def _file(self, full: tuple[Any, Any, Any]) -> tuple[Path, str] | None:
        if self.store_dir is None:
            return None
        # Kept on disk: results of the incidents alone (the registers' changes not keyed).
        version = hashlib.sha256(repr((__version__, full[0])).encode()).hexdigest()[:16]
        key = hashlib.sha256(repr(full[2]).encode()).hexdigest()[:24]
        return self.store_dir / f"{version}-{key}.json.gz", version

    def _stored(self, full: tuple[Any, Any, Any], compute: Callable[[], Any]) -> Any:
        """The result kept on disk for this version and key, else computed and kept."""
        where = self._file(full)
        if where is None:
            return compute()
        path, version = where
        try:
            return json.loads(gzip.decompress(path.read_bytes()))
        except FileNotFoundError:
            pass
        except (OSError, ValueError):  # a damaged file: compute again
            log.warning("cache file %s unreadable: recomputed", path.name)
        value = compute()
        try:
            payload = gzip.compress(json.dumps(value, separators=(",", ":")).encode(), 5)
            write_atomic(path, payload, parents=True)
            for old in path.parent.glob("*.json.gz"):
                if not old.name.startswith(version + "-"):
                    old.unlink(missing_ok=True)  # another data version: never read again
        except OSError:
            log.warning("cache folder %s not writable: result kept in memory", path.parent)
        return value
