"""The lock file pins every dependency that pyproject.toml declares, with hashes.

`make demo`, `make test` and `.ci/run` install from ``requirements.lock`` so that a
fresh machine gets the versions that passed CI; ``make lock`` refreshes it.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent


def _pins() -> dict[str, tuple[Version, int]]:
    """Pinned name -> (version, number of hashes) read from the lock file."""
    text = (ROOT / "requirements.lock").read_text(encoding="utf-8")
    pins: dict[str, tuple[Version, int]] = {}
    for block in re.split(r"\n(?=[A-Za-z0-9])", text):
        m = re.match(r"([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s\\;]+)", block)
        if m:
            pins[canonicalize_name(m.group(1))] = (
                Version(m.group(2)),
                block.count("--hash=sha256:"),
            )
    return pins


def _declared() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    reqs = [Requirement(r) for r in project["dependencies"]]
    for group in project["optional-dependencies"].values():  # dev, addok: CI runs both
        reqs += [Requirement(r) for r in group]
    return reqs


def test_lock_pins_every_declared_dependency_within_its_range() -> None:
    pins = _pins()
    assert len(pins) > 50, "the lock file looks truncated"
    problems = []
    for req in _declared():
        name = canonicalize_name(req.name)
        if name not in pins:
            problems.append(f"{req.name} is declared but not pinned (run `make lock`)")
            continue
        version, _ = pins[name]
        if not req.specifier.contains(version, prereleases=True):
            problems.append(f"{req.name}=={version} does not satisfy {req.specifier}")
    assert not problems, "\n".join(problems)


def test_every_pin_has_a_hash() -> None:
    unhashed = [name for name, (_, n) in _pins().items() if n == 0]
    assert not unhashed, f"pins without --hash (pip --require-hashes refuses them): {unhashed}"


def test_installs_go_through_the_lock() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "--require-hashes -r requirements.lock" in makefile
    assert "--no-deps -e ." in makefile
