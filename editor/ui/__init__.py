"""Qt widgets and views of the editor.

Importing this package makes `None` immortal on CPython 3.11. Why: PySide6 6.12.0 (shiboken)
returns `None` from every void C++ method without taking a reference (QPainter.setPen, fillRect,
QWidget.update, ...), so each call drops None's reference count by one; after some tens of
thousands of calls — a few seconds of timeline painting — the interpreter aborts with
"Fatal Python error: none_dealloc". From Python 3.12 on None is immortal and the bug is harmless;
here we give it the same property by lifting its count far out of reach. None is never freed
in a running interpreter anyway, so this changes nothing else. Every Qt module of the editor
lives under this package, so the fix is in place before the first Qt call.
"""

from __future__ import annotations

import sys

if sys.implementation.name == "cpython" and sys.version_info < (3, 12):
    import ctypes

    # ob_refcnt is the first field of every PyObject in release builds of CPython 3.11
    ctypes.c_ssize_t.from_address(id(None)).value += 1 << 40
