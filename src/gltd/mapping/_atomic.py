"""Former home of the write-then-rename helper, now :mod:`gltd.fileio` (kept until the
hotspot output module, which is being moved, imports it from there)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from gltd.fileio import atomic_path as _atomic_path

__all__ = ["atomic_path"]


@contextmanager
def atomic_path(target: str | Path) -> Iterator[Path]:
    """:func:`gltd.fileio.atomic_path` creating missing folders, as this helper always did."""
    with _atomic_path(target, parents=True) as tmp:
        yield tmp
