"""The layer rules of DESIGN.md, checked on the source and on real imports."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

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


# --- import cycles ---------------------------------------------------------------------------

# Imports inside functions that may close a loop: none (the path rules `ops` needs live in the
# leaf module editor/document/media_paths).
LAZY_LOOPS_ALLOWED: set[tuple[str, str]] = set()


def _module_name(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imported_modules(path: Path, known: set[str], *, in_functions: bool) -> set[str]:
    """The modules of `known` that `path` imports when it runs (never under TYPE_CHECKING).

    `from pkg import sub` depends on the module `pkg.sub`, not on `pkg`'s __init__ (which Python
    runs first for any submodule anyway, so it closes no loop of its own).
    """
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()

    def visit(body: list[ast.stmt]) -> None:
        for node in body:
            if isinstance(node, ast.Import):
                found.update(a.name for a in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parts = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                    base = ".".join(parts + ([node.module] if node.module else []))
                subs = {f"{base}.{a.name}" for a in node.names}
                found.update(subs)
                if not subs <= known:
                    found.add(base)
            elif isinstance(node, ast.If):
                if not _is_type_checking(node):
                    visit(node.body)
                    visit(node.orelse)
            elif isinstance(node, ast.Try):
                for block in (node.body, node.orelse, node.finalbody, *(h.body for h in node.handlers)):
                    visit(block)
            elif in_functions:
                for block in ("body", "orelse", "finalbody", "handlers"):
                    inner = getattr(node, block, None)
                    if inner:
                        visit(inner)

    visit(ast.parse(path.read_text(encoding="utf-8")).body)
    return (found & known) - {name}


def _import_cycles(*, in_functions: bool, allowed: set[tuple[str, str]] = frozenset()) -> list[list[str]]:
    """Each group of editor/ and model/ modules that import one another in a loop (Tarjan)."""
    paths = {_module_name(p): p for p in _py_files("editor", "model")}
    known = set(paths)
    graph = {
        m: sorted(t for t in _imported_modules(p, known, in_functions=in_functions) if (m, t) not in allowed)
        for m, p in paths.items()
    }
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                cycles.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return [[f"{m} -> {', '.join(t for t in graph[m] if t in group)}" for m in group] for group in cycles]


def test_no_import_cycles_among_editor_and_model_modules():
    # a loop of module-level imports works or fails depending on which module is imported first
    cycles = _import_cycles(in_functions=False)
    assert not cycles, "\n\n".join("\n".join(c) for c in cycles)


def test_no_import_cycle_is_hidden_behind_an_import_inside_a_function():
    # moving an import into a function hides a loop without ending it: move the shared piece down
    cycles = _import_cycles(in_functions=True, allowed=LAZY_LOOPS_ALLOWED)
    assert not cycles, "\n\n".join("\n".join(c) for c in cycles)


def _model_modules() -> list[str]:
    return sorted(_module_name(p) for p in _py_files("model"))


@pytest.mark.parametrize("module", _model_modules())
def test_each_model_module_imports_first_in_a_fresh_interpreter(module):
    # a loop of imports only breaks when its modules are imported in the unlucky order; a fresh
    # interpreter that starts with `module` takes the order a script starting there would take
    done = subprocess.run([sys.executable, "-c", f"import {module}"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
