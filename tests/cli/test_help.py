"""Every command's help and Click's usage errors speak French, without Python types."""

from __future__ import annotations

import re
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from gltd.cli.main import app


def _paths(cmd: Any, prefix: list[str]) -> list[list[str]]:
    out = [prefix]
    for name, sub in getattr(cmd, "commands", {}).items():
        out += _paths(sub, [*prefix, name])
    return out


def _leaves(cmd: Any, prefix: list[str]) -> list[list[str]]:
    subs = getattr(cmd, "commands", None)
    if not subs:
        return [prefix]
    return [p for name, sub in subs.items() for p in _leaves(sub, [*prefix, name])]


ROOT = typer.main.get_command(app)
ALL = _paths(ROOT, [])
LEAVES = _leaves(ROOT, [])

#: Click's and Typer's English words, and Python type labels, that must not show.
ENGLISH = re.compile(
    r"Show this message|Usage:|\[required\]|\[default:|env var|\bCommands\b|\bError\b"
    r"|\bARGS\b|\bCOMMAND\b|<(bool|str|int|float|path|list\[[^]]*\]|file|datetime)>"
    r"|\b(INTEGER|TEXT|FLOAT|BOOLEAN|PATH|FILENAME)\b|[{\[](file|files|username|status)[}\]]"
)


def _help(path: list[str]) -> str:
    res = CliRunner().invoke(app, [*path, "--help"], env={"COLUMNS": "100", "NO_COLOR": "1"})
    assert res.exit_code == 0, res.output
    return res.output


def test_every_command_is_walked() -> None:
    assert len(ALL) > 30 and len(LEAVES) > 25


@pytest.mark.parametrize("path", ALL, ids=lambda p: " ".join(p) or "gltd")
def test_help_is_in_french_without_python_types(path: list[str]) -> None:
    text = _help(path)
    assert "Afficher cette aide" in text
    assert "Utilisation :" in text
    found = ENGLISH.findall(text)
    assert not found, f"gltd {' '.join(path)} --help shows {found}"


def test_required_and_default_markers_are_french() -> None:
    text = _help(["report"])
    assert "[obligatoire]" in text
    assert "[défaut : pdf]" in text
    assert "[variable : GLTD_DB_URL]" in text


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["report"], "Option manquante '--from'"),
        (["report", "--fro", "x"], "Option inconnue : --fro"),
        (["hotspots", "--cell", "abc"], "Valeur invalide pour '--cell' : un nombre est attendu"),
        (["nosuchcommand"], "Commande inconnue : 'nosuchcommand'"),
    ],
    ids=["missing", "unknown-option", "invalid", "unknown-command"],
)
def test_usage_errors_are_french(args: list[str], expected: str) -> None:
    res = CliRunner().invoke(app, args, env={"COLUMNS": "200", "NO_COLOR": "1"})
    assert res.exit_code == 2
    assert expected in res.output
    assert "Erreur" in res.output
    assert not re.search(r"Missing|No such|Invalid value|Try '|Usage:|Input should", res.output)


def _command(path: list[str]) -> Any:
    cmd = ROOT
    for name in path:
        cmd = cmd.commands[name]
    return cmd


@pytest.mark.parametrize("path", LEAVES, ids=" ".join)
def test_every_command_has_a_true_example(path: list[str]) -> None:
    cmd = _command(path)
    assert "Exemple" in _help(path)
    m = re.search(r"Exemple : (gltd .*)", " ".join((cmd.help or "").split()))
    assert m, f"gltd {' '.join(path)}: no « Exemple : gltd … » in its help"
    example = m.group(1)
    shown = [w for w in example.split()[1:] if not w.startswith("-")][: len(path)]
    # ``gltd near-repeat FICHIER …`` stands for ``gltd near-repeat run``.
    assert shown == path or (path == ["near-repeat", "run"] and shown[0] == "near-repeat")
    flags = {o for p in cmd.params for o in (*p.opts, *p.secondary_opts)}
    unknown = [w for w in re.findall(r"(?<!\S)--[\w-]+", example) if w not in flags]
    assert not unknown, f"gltd {' '.join(path)}: the example uses {unknown}"
