"""The documentation keeps up with the code: every command and setting is documented."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import typer

from gltd.cli.main import app

ROOT = Path(__file__).resolve().parent.parent
DOCS = "\n".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "docs").rglob("*.md")))
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _commands(cmd: Any, prefix: str) -> list[str]:
    out = []
    for name, sub in getattr(cmd, "commands", {}).items():
        path = f"{prefix} {name}"
        if getattr(sub, "commands", None):
            out += _commands(sub, path)
        else:
            out.append(path)
    return out


def test_every_command_is_documented_in_french_docs() -> None:
    commands = _commands(typer.main.get_command(app), "gltd")
    assert len(commands) > 20
    missing = []
    for c in commands:
        words = c.split()
        # "gltd cctv requisitions add" may appear as such or as "requisitions add" in a
        # page of its group.
        if c not in DOCS and " ".join(words[-2:]) not in DOCS:
            missing.append(c)
    assert not missing, f"commands without documentation in docs/: {missing}"


def test_every_setting_is_documented() -> None:
    src = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "src/gltd").rglob("*.py"))
    literals = set(re.findall(r"\"(GLTD_[A-Z_]+)\"", src))
    constants = set(re.findall(r"^\s*(GLTD_[A-Z_]+)\s*[:=]", src, flags=re.M))
    settings = literals - constants
    assert "GLTD_DB_URL" in settings
    missing = sorted(s for s in settings if s not in README and s not in DOCS)
    assert not missing, f"settings not documented in README.md or docs/: {missing}"


def test_readme_first_screen_gives_the_two_commands() -> None:
    first_screen = "\n".join(README.splitlines()[:30])
    assert "make demo" in first_screen and "make test" in first_screen
