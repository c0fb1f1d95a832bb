"""The layer rules of DESIGN.md, checked on the source and on real imports."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
QT = ("PySide6", "PyQt5", "PyQt6", "qtpy", "pyqtgraph", "shiboken6")
HEAVY = ("torch", "diffusers", "transformers", "accelerate")


def _imports(path: Path, *, module_level_only: bool) -> list[tuple[str, int]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = tree.body if module_level_only else list(ast.walk(tree))
    found = []
    for node in nodes:
        if isinstance(node, ast.Import):
            found += [(a.name, node.lineno) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.module, node.lineno))
    return found


def _py_files(*dirs: str) -> list[Path]:
    return [p for d in dirs for p in (ROOT / d).rglob("*.py")]


def test_document_and_model_never_import_qt():
    bad = [
        f"{p.relative_to(ROOT)}:{line} imports {name}"
        for p in _py_files("editor/document", "model")
        for name, line in _imports(p, module_level_only=False)
        if name.split(".")[0] in QT
    ]
    assert not bad, "\n".join(bad)


def test_model_never_imports_editor():
    bad = [
        f"{p.relative_to(ROOT)}:{line} imports {name}"
        for p in _py_files("model")
        for name, line in _imports(p, module_level_only=False)
        if name.split(".")[0] == "editor"
    ]
    assert not bad, "\n".join(bad)


def test_heavy_libraries_are_never_imported_at_module_level():
    files = _py_files("editor", "model") + [ROOT / "main.py"]
    bad = [
        f"{p.relative_to(ROOT)}:{line} imports {name} at module level"
        for p in files
        for name, line in _imports(p, module_level_only=True)
        if name.split(".")[0] in HEAVY
    ]
    assert not bad, "\n".join(bad)


def test_importing_the_document_and_model_packages_loads_neither_qt_nor_torch():
    code = (
        "import sys, importlib, pkgutil\n"
        "import editor.document, editor.media, model, model.engines\n"
        "for pkg in (editor.document, editor.media, model, model.engines):\n"
        "    for m in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + '.'):\n"
        "        importlib.import_module(m.name)\n"
        f"bad = [m for m in sys.modules if m.split('.')[0] in {QT + HEAVY!r}]\n"
        "print(','.join(sorted(bad)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"imported: {out.stdout.strip()}"


def test_headless_packages_never_import_qt_or_the_ui():
    """media, generation and the CLI serve render machines with no display: no Qt, no editor.ui."""
    bad = [
        f"{p.relative_to(ROOT)}:{line} imports {name}"
        for p in _py_files("editor/media", "editor/generation", "editor/cli", "editor/document")
        for name, line in _imports(p, module_level_only=False)
        if name.split(".")[0] in QT or name.startswith("editor.ui")
    ]
    assert not bad, "\n".join(bad)
