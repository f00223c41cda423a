"""The import rule of docs/architecture.md, enforced on the source tree.

Layers, lowest first; a module may import its own layer and the layers below it,
never one above ("nothing imports back up"). The pure analyses import only the
scientific stack and gltd's base modules. Checked on the source (AST), so a lazy
import inside a function counts too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src" / "gltd"

# Top-level names under gltd, by layer (lowest first).
LAYERS: list[set[str]] = [
    # base: settings, errors, time, categories, files, geometry helpers
    {"errors", "config", "timeutil", "taxonomy", "fileio", "spreadsheet", "privacy", "geo"},
    {"analysis"},  # pure functions on arrays
    {"model"},  # ORM classes
    {"store"},  # engine, migrations, events, zones, runs, audit
    # files in and out, the offline basemap, maps, documents
    {"ingest", "export", "basemap", "mapping", "documents"},
    # domain packages: each owns its service functions
    {
        "hotspots",
        "near_repeat",
        "displacement",
        "interventions",
        "steering",
        "accounts",
        "cctv",
        "geocode",
    },
    {"report", "demo", "mapsheet"},  # the bilan; the Orléans scenario; the printable map
    {"web"},
    {"cli"},
]
LAYER_OF = {name: i for i, names in enumerate(LAYERS) for name in names}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> set[str]:
    """Absolute names of the gltd modules that ``path`` imports."""
    mod = _module_name(path)
    package = mod if path.name == "__init__.py" else mod.rsplit(".", 1)[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.split(".")[0] == "gltd"}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                name = ".".join(base + ([node.module] if node.module else []))
            else:
                name = node.module or ""
            if name.split(".")[0] == "gltd":
                found.add(name)
                found |= {f"{name}.{a.name}" for a in node.names}
    return found


def _top(name: str) -> str:
    parts = name.split(".")
    return parts[1] if len(parts) > 1 else ""


SOURCES = sorted(p for p in SRC.rglob("*.py") if "migrations" not in p.parts)


def test_every_top_level_package_has_a_layer() -> None:
    tops = {p.relative_to(SRC).parts[0].removesuffix(".py") for p in SOURCES}
    tops.discard("__init__")
    missing = sorted(tops - LAYER_OF.keys())
    assert not missing, f"add these to LAYERS and docs/architecture.md: {missing}"


def test_nothing_imports_back_up() -> None:
    problems = []
    for path in SOURCES:
        here = _top(_module_name(path))
        for name in _imports(path):
            there = _top(name)
            if there and there in LAYER_OF and LAYER_OF[there] > LAYER_OF.get(here, 99):
                problems.append(f"{_module_name(path)} imports {name}")
    assert not problems, "imports running back up:\n" + "\n".join(sorted(set(problems)))


def test_analysis_imports_no_orm_web_or_cli() -> None:
    heavy = ("sqlalchemy", "fastapi", "starlette", "typer", "jinja2", "weasyprint")
    problems = []
    for path in SOURCES:
        if _top(_module_name(path)) != "analysis":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level:
                names = [node.module or ""]
            problems += [f"{path.name}: {n}" for n in names if n.split(".")[0] in heavy]
    assert not problems, problems


def test_no_private_name_imported_across_modules() -> None:
    problems = []
    for path in SOURCES:
        mod = _module_name(path)
        package = mod if path.name == "__init__.py" else mod.rsplit(".", 1)[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ImportFrom):
                continue
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            if source.split(".")[0] != "gltd":
                continue
            private_module = any(p.startswith("_") and p != "__init__" for p in source.split("."))
            private_names = [
                a.name for a in node.names if a.name.startswith("_") and not a.name.startswith("__")
            ]
            if private_module or private_names:
                problems.append(
                    f"{mod}: from {source} import {', '.join(a.name for a in node.names)}"
                )
    assert not problems, "private names imported across modules:\n" + "\n".join(problems)


def test_no_module_presence_guard() -> None:
    problems = []
    for path in SOURCES:
        text = path.read_text(encoding="utf-8")
        if 'find_spec("gltd' in text or "find_spec('gltd" in text:
            problems.append(_module_name(path))
    assert not problems, f"module-presence guards on gltd's own modules: {problems}"


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(SRC)))
def test_module_under_500_lines(path: Path) -> None:
    n = len(path.read_text(encoding="utf-8").splitlines())
    assert n <= 500, f"{path.relative_to(SRC)} has {n} lines: split it by responsibility"


def _module_graph() -> dict[str, set[str]]:
    """Module -> the gltd modules it imports (lazy imports included)."""
    modules = {_module_name(p): p for p in SOURCES}

    def resolve(name: str) -> str:
        while name and name not in modules:
            name = name.rsplit(".", 1)[0] if "." in name else ""
        return name

    graph: dict[str, set[str]] = {}
    for mod, path in modules.items():
        targets = {resolve(n) for n in _imports(path)}
        # A module importing its own package (or itself) is not a circle of modules.
        graph[mod] = {t for t in targets if t and t != mod and not mod.startswith(t + ".")}
    return graph


def test_no_import_circle() -> None:
    graph = _module_graph()
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles: list[list[str]] = []

    def visit(v: str) -> None:  # Tarjan's strongly connected components
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                circles.append(sorted(comp))

    for v in graph:
        if v not in index:
            visit(v)
    assert not circles, f"import circles: {circles}"
