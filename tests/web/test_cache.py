"""The web cache computes a key once when concurrent requests miss it together."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from gltd.store.engine import make_engine
from gltd.web.cache import DataCache


def test_concurrent_misses_compute_once(sqlite_url: str) -> None:
    cache = DataCache(make_engine(sqlite_url))
    calls = 0
    lock = threading.Lock()

    def compute() -> int:
        nonlocal calls
        with lock:
            calls += 1
        time.sleep(0.2)
        return 42

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda _: cache.memo(("k",), compute), range(8)))
    assert results == [42] * 8
    assert calls == 1
    assert cache.memo(("k",), compute) == 42 and calls == 1


def test_a_failed_computation_is_taken_over(sqlite_url: str) -> None:
    cache = DataCache(make_engine(sqlite_url))
    attempts = 0

    def flaky() -> str:
        nonlocal attempts
        attempts += 1
        if attempts == 1:
            time.sleep(0.1)
            raise RuntimeError("boom")
        return "ok"

    with ThreadPoolExecutor(max_workers=2) as pool:
        first = pool.submit(cache.memo, ("f",), flaky)
        time.sleep(0.02)
        second = pool.submit(cache.memo, ("f",), flaky)
        with pytest.raises(RuntimeError):
            first.result()
        assert second.result() == "ok"
    assert attempts == 2


def test_fresh_answers_only_from_a_recently_checked_version(sqlite_url: str) -> None:
    """What the event loop may serve without a worker thread: a cached value at a data
    version read less than ``version_check_s`` ago; anything else is a miss."""
    cache = DataCache(make_engine(sqlite_url), version_check_s=0.2)
    assert cache.fresh(("k",)) is None  # never computed, version never read
    assert cache.memo(("k",), lambda: "v") == "v"
    assert cache.fresh(("k",)) == "v"
    assert cache.fresh(("other",)) is None
    time.sleep(0.25)
    assert cache.fresh(("k",)) is None  # the version must be read again first
    assert cache.memo(("k",), lambda: "w") == "v"  # same version: the cached value
    assert cache.fresh(("k",)) == "v"
    cache.invalidate()  # a change made through the application
    assert cache.fresh(("k",)) is None


def test_a_served_map_layer_is_answered_without_a_worker_thread(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fastapi.testclient import TestClient

    import gltd.web.routes.map as map_routes
    from gltd.web.app import create_app
    from web_support import login, seed, settings_for, web_settings

    seed(sqlite_url)
    hops: list[str] = []
    real = map_routes.run_in_threadpool

    async def counted(func: Any, *args: Any, **kwargs: Any) -> Any:
        hops.append(getattr(func, "__name__", "?"))
        return await real(func, *args, **kwargs)

    monkeypatch.setattr(map_routes, "run_in_threadpool", counted)
    app = create_app(settings_for(sqlite_url), web=web_settings(tmp_path))
    url = "/api/map/density?du=2018-03-24&au=2018-09-23&cell=250"
    with TestClient(app) as c:
        login(c, "police.analyste")
        first = c.get(url)
        assert first.status_code == 200 and len(hops) == 1  # computed in a worker thread
        again = c.get(url)
        assert again.content == first.content and len(hops) == 1  # from the cache
        other = c.get(url.replace("cell=250", "cell=300"))
        assert other.status_code == 200 and other.content != first.content
        assert len(hops) == 2  # another view: computed
        app.state.gltd.cache.invalidate()
        assert c.get(url).content == first.content and len(hops) == 3  # recomputed
