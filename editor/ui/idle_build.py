"""Building ahead of being asked, a small part per idle moment of the GUI thread.

Why: the Export dialog built its ~100 widgets, its style sheet and its first form check in the
one call that File ▸ Export made: 15-20 ms of GUI-thread time, which a loaded 2-core machine
stretched to a 65-114 ms frozen window. Built ahead, in parts of a few milliseconds each with
event-loop turns between them, the first open is only a show.

`IdleBuild.start(step)`: `step()` builds the next part and returns True once everything is
built. A part runs only when `busy()` is False (a project being opened, pictures still loading:
the window has better things to do); otherwise the builder asks again a little later. Each part
has its own turn, so input, paints and timers run between parts.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer

FIRST_MS = 400  # after `start`: the open that started it has repainted and settled by then
NEXT_MS = 30  # between parts: a turn or more for whatever else the window does
BUSY_MS = 250  # when busy: ask again this much later


class IdleBuild(QObject):
    """Runs one builder's parts on the GUI thread while the window is idle (see the module doc)."""

    def __init__(self, busy: Callable[[], bool], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._busy = busy
        self._step: Callable[[], bool] | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._run)

    @property
    def active(self) -> bool:
        """Parts are still to be built."""
        return self._step is not None

    def start(self, step: Callable[[], bool]) -> None:
        """Build with `step` from now on (replacing a builder not finished)."""
        self._step = step
        self._timer.start(FIRST_MS)

    def stop(self) -> None:
        self._step = None
        self._timer.stop()

    def _run(self) -> None:
        step = self._step
        if step is None:
            return
        if self._busy():
            self._timer.start(BUSY_MS)
            return
        if step():
            self._step = None
        else:
            self._timer.start(NEXT_MS)
