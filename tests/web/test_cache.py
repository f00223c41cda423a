"""The web cache computes a key once when concurrent requests miss it together."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

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
