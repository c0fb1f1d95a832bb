"""Cyclic garbage is collected on the GUI thread only, while background threads run.

Python's automatic collector runs in whichever thread happens to allocate when a threshold is
crossed. With a job worker and a decode thread allocating all the time, that is usually one of
them, and a Qt object that became garbage on the GUI side (a widget, a timer in a reference
cycle) would be destroyed from the wrong thread: Qt warns "Timers cannot be stopped from
another thread" and may crash. So while any background thread of ours runs, automatic collection
is off and a GUI-thread timer collects with the same generational thresholds (pyqtgraph's
`GarbageCollector` does the same for the same reason).
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QCoreApplication, QObject, QTimer

CHECK_MS = 100


class _Collector(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.users = 0
        self.was_enabled = gc.isenabled()
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


def acquire() -> None:
    """A background thread is about to start: collect on the GUI thread from now on."""
    global _collector
    if QCoreApplication.instance() is None:
        return  # no event loop to collect from; leave Python's collector as it is
    if _collector is None:
        _collector = _Collector()
    if _collector.users == 0:
        _collector.was_enabled = gc.isenabled()
        gc.disable()
        _collector.timer.start()
    _collector.users += 1


def release() -> None:
    """A background thread has stopped; the last one gives collection back to Python."""
    c = _collector
    if c is None or c.users == 0:
        return
    c.users -= 1
    if c.users == 0:
        try:
            c.timer.stop()
        except RuntimeError:
            pass  # Qt already tore the timer down (interpreter exit); nothing left to stop
        if c.was_enabled:
            gc.enable()
