"""The shape of the hotspot package: a small public face, no import circle between its
modules, no private name imported from another module, no module-presence guard."""

from __future__ import annotations

import ast
from pathlib import Path

import gltd.hotspots

PKG = Path(gltd.hotspots.__file__).parent


def _imports() -> dict[str, list[tuple[str, list[str]]]]:
    """For each module of the package: (module imported, names imported) of gltd modules."""
    out: dict[str, list[tuple[str, list[str]]]] = {}
    for path in sorted(PKG.glob("*.py")):
        name = "gltd.hotspots" if path.stem == "__init__" else f"gltd.hotspots.{path.stem}"
        found = []
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("gltd"):
                found.append((str(node.module), [a.name for a in node.names]))
        out[name] = found
    return out


def test_public_face_is_declared_and_importable() -> None:
    assert gltd.hotspots.__all__
    for name in gltd.hotspots.__all__:
        assert hasattr(gltd.hotspots, name), name
    assert not any(n.startswith("_") for n in gltd.hotspots.__all__)


def test_no_private_name_imported_across_modules() -> None:
    bad = [
        (mod, src, n)
        for mod, imports in _imports().items()
        for src, names in imports
        for n in names
        if n.startswith("_")
    ]
    assert bad == []


def test_no_import_circle_between_the_modules() -> None:
    graph = {
        mod: {src for src, _ in imports if src.startswith("gltd.hotspots.")}
        for mod, imports in _imports().items()
        if mod != "gltd.hotspots"
    }

    def reaches(start: str, target: str, seen: set[str]) -> bool:
        for nxt in graph.get(start, ()):
            if nxt == target or (nxt not in seen and reaches(nxt, target, seen | {nxt})):
                return True
        return False

    assert [m for m in graph if reaches(m, m, set())] == []
    # Nothing inside the package imports its own public face (that is for callers).
    assert all("gltd.hotspots" not in {s for s, _ in imps} for imps in _imports().values())


def test_no_module_presence_guard() -> None:
    for path in PKG.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "find_spec" not in text and "except ImportError" not in text, path.name


def test_callers_of_the_hotspot_map_have_no_module_presence_guard() -> None:
    """The bilan, the web map, the study and the web analyses import gltd's own modules
    plainly: no ``find_spec`` probe, no ``except ImportError`` keeping a dead path."""
    src = PKG.parent
    for rel in (
        "report/hotspots.py",
        "web/map_data.py",
        "cctv/study/surroundings.py",
        "web/analyses.py",
    ):
        text = (src / rel).read_text(encoding="utf-8")
        assert "find_spec" not in text and "except ImportError" not in text, rel
