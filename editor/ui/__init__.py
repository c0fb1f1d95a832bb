"""Qt widgets and views of the editor.

Importing this package makes Python's shared singletons immortal on CPython 3.11. Why: PySide6
6.12.0 (shiboken) hands back objects that CPython 3.12+ treats as immortal — None from every void
C++ method (QPainter.setPen, fillRect, QWidget.update, ...), True/False on some signal paths
(seen as "bool_dealloc" when bool signals reach Python slots) — without taking a reference. On 3.11 each such call drops the object's reference count by one, and
after some tens of thousands of calls (a few seconds of timeline painting) the interpreter aborts
with "Fatal Python error: none_dealloc" (or bool_dealloc, at exit). We give these objects the
immortality 3.12 gives them by lifting their counts far out of reach. They are never freed in a
running interpreter anyway, so nothing else changes. Every Qt module of the editor lives under
this package, so this runs before the first Qt call.
"""

from __future__ import annotations

import sys


def _immortalise_singletons() -> None:
    import ctypes

    # the objects CPython 3.12 made immortal (PEP 683) that C extensions built for it may
    # return without a new reference
    shared = [None, True, False, Ellipsis, NotImplemented, (), "", b""]
    shared += list(range(-5, 257))  # the small-int cache
    shared += [chr(i) for i in range(256)]  # one-character latin-1 strings are cached too
    for obj in shared:
        # ob_refcnt is the first field of every PyObject in release builds of CPython 3.11
        ctypes.c_ssize_t.from_address(id(obj)).value += 1 << 40


if sys.implementation.name == "cpython" and sys.version_info < (3, 12):
    _immortalise_singletons()
