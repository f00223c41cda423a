"""Real resources a test needs (PostgreSQL, Chromium, addok and Redis): skipped on a laptop
without them, a failure under ``CI=true`` (CI must provide every one)."""

from __future__ import annotations

import os

import pytest

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def require(condition: bool, why: str) -> None:
    """Skip when a real resource is missing — except in CI, where it is a failure."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"CI=true but {why}: .ci/run must provide it", pytrace=False)
    pytest.skip(why)
