"""Lower layers name the quantity at fault, never a CLI flag; the CLI maps the field."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from gltd.analysis.events import EventSet
from gltd.analysis.kde import kde_events
from gltd.cli.common import FLAGS, error_text
from gltd.errors import InputError

SRC = Path(__file__).resolve().parent.parent / "src" / "gltd"
FLAG = re.compile(r"--[a-z]")


def _strings(path: Path) -> list[tuple[int, str]]:
    """String literals of a module, docstrings left out (they are for developers)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docs = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs
    ]


@pytest.mark.parametrize("package", ["analysis", "cctv", "displacement", "interventions"])
def test_no_message_of_a_lower_layer_names_a_cli_flag(package: str) -> None:
    found = [
        f"{path.relative_to(SRC)}:{line}: {text!r}"
        for path in sorted((SRC / package).rglob("*.py"))
        for line, text in _strings(path)
        if FLAG.search(text)
    ]
    assert not found, "name the quantity and raise InputError(field=...):\n" + "\n".join(found)


def test_a_parameter_error_has_no_column_prefix_and_the_cli_adds_its_flag() -> None:
    one = EventSet.from_arrays([650_000.0], [6_860_000.0], crs="EPSG:2154")
    with pytest.raises(InputError) as info:
        kde_events(one, cell=100.0)
    exc = info.value
    assert exc.field == "bandwidth" and exc.parameter == "bandwidth"
    assert str(exc).startswith("un seul fait : la largeur de bande ne peut pas être estimée")
    assert error_text(exc) == f"--bandwidth : {exc}"


def test_a_file_column_keeps_its_location_and_gets_no_flag() -> None:
    exc = InputError("date manquante", file="faits.csv", row=3, field="cell")
    assert str(exc) == "fichier faits.csv, ligne 3, colonne « cell » : date manquante"
    assert exc.parameter is None and error_text(exc) == str(exc)


def test_every_flag_is_a_flag() -> None:
    assert all(flag.startswith("--") for flag in FLAGS.values())
