"""Cyclic garbage is collected on the GUI thread only, once background threads of ours exist.

Python's automatic collector runs in whichever thread happens to allocate when a threshold is
crossed. With a job worker, a decode thread, thumbnail loads, the journal thread and exports
allocating all the time, that is usually one of them, and a Qt object that became garbage on
the GUI side (a widget, a timer in a reference cycle) would then be destroyed from the wrong
thread: Qt refuses to stop its timers there ("Timers cannot be stopped from another thread"),
the dispatcher later fires a timer of a freed object, and the process dies in
`processEvents`. So from the first `acquire()` on, automatic collection is off for the rest of
the application's life and a GUI-thread timer collects with the same generational thresholds
(pyqtgraph's `GarbageCollector` does the same for the same reason).

It stays off after the last thread is released: threads that run Python without counting
themselves here (QThreadPool loads, executors finishing a callback, ffmpeg log readers) are
too many to count reliably, and collecting a moment later on the GUI thread costs nothing.

What start-up made (modules, classes, functions, the window and its panels: ~60,000 objects)
lives as long as the application. A full collection used to walk all of it each time, 50-130
ms on the GUI thread on a 2-core machine, several times during a project open. `settled()`
(the window is built) freezes it (`gc.freeze`): from then on a full collection walks only what
came after, a project's few thousand objects. `unsettled()` (the window closed) gives it back
to the collector, so a process that makes many windows (the tests) frees the closed ones.
"""

from __future__ import annotations

import gc

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, QTimer

CHECK_MS = 100


class _Collector(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.users = 0  # background threads running now (for tests and diagnostics)
        self.threshold = gc.get_threshold()
        self.timer = QTimer(self)
        self.timer.setInterval(CHECK_MS)
        self.timer.timeout.connect(self.check)

    def check(self) -> None:
        c0, c1, c2 = gc.get_count()
        t0, t1, t2 = self.threshold
        if c0 > t0:
            gc.collect(0)
            if c1 > t1:
                gc.collect(1)
                if c2 > t2:
                    gc.collect(2)


_collector: _Collector | None = None


def engage() -> None:
    """Collect on the GUI thread from now on (call on the GUI thread), before any thread of ours
    exists: for objects that own Qt timers (a project session, a window), which a collection
    started on some library's worker thread would otherwise free there."""
    acquire()
    release()


def acquire() -> None:
    """A background thread is about to start (call on the GUI thread): from now on garbage is
    collected on the GUI thread only."""
    global _collector
    if QCoreApplication.instance() is None:
        return  # no event loop to collect from; leave Python's collector as it is
    if _collector is None or not shiboken6.isValid(_collector):
        _collector = _Collector()  # the first, or the application was made anew (tests)
    if not _collector.timer.isActive():
        _collector.threshold = gc.get_threshold()
        gc.disable()
        _collector.timer.start()
    _collector.users += 1


def settled() -> None:
    """Start-up is over (call on the GUI thread once the window is built): collect the young
    garbage start-up left, then keep everything alive now out of every later collection."""
    gc.collect(1)  # not a full collection: start-up's own objects are what is being frozen
    gc.freeze()


def unsettled() -> None:
    """The window that called `settled` is closing: what was frozen may be collected again (on
    the GUI thread, by the collector's timer, like any garbage)."""
    gc.unfreeze()


def release() -> None:
    """A background thread has stopped. Collection stays on the GUI thread (see the module
    docstring); this only keeps the count."""
    c = _collector
    if c is not None and c.users > 0:
        c.users -= 1
