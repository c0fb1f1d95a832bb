"""One benchmark figure and how it is printed, and the GUI-thread heartbeat the stall figures use."""

from __future__ import annotations

import time
from dataclasses import dataclass
from statistics import median


def quiet_qt_messages() -> None:
    """Keep the bench's output to its figures: drop the Qt lines the editor itself drops (the
    offscreen platform's "does not support propagateSizeHints()", once per shown window);
    real Qt warnings still reach stderr."""
    from editor.ui.app import install_qt_message_filter

    install_qt_message_filter()


def run_loop(ms: int) -> None:
    """Turn the Qt event loop for `ms` milliseconds (the GUI thread does its work meanwhile)."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


class Heartbeat:
    """A precise QTimer ticking every `interval_ms` on the GUI thread that keeps the longest gap
    between two ticks (ms, the interval included, so `interval_ms` is perfect) of each phase.

    Set `phase` before an action: the gap that ends the first tick after it holds the action,
    and is charged to that phase. `start()` starts the clock afresh."""

    def __init__(self, interval_ms: int = 5, phase: str = "all") -> None:
        from PySide6.QtCore import QElapsedTimer, Qt, QTimer

        self.phase = phase
        self.worst: dict[str, float] = {}
        self._clock = QElapsedTimer()
        self._last = 0
        self._timer = QTimer()
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._tick)

    def _tick(self) -> None:
        now = self._clock.nsecsElapsed()
        if self._last:
            gap = (now - self._last) / 1e6
            self.worst[self.phase] = max(self.worst.get(self.phase, 0.0), gap)
        self._last = now

    def start(self) -> None:
        self._last = 0
        self._clock.start()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def max_ms(self, phase: str | None = None) -> float:
        """The longest gap of `phase` (the current one by default); 0 before two ticks."""
        return self.worst.get(self.phase if phase is None else phase, 0.0)


@dataclass(frozen=True)
class Figure:
    name: str
    value: float
    unit: str
    goal: str
    ok: bool

    def line(self) -> str:
        value = f"{self.value:.3f}" if isinstance(self.value, float) else str(self.value)
        return f"{self.name}: {value} {self.unit} (goal: {self.goal}){'' if self.ok else '  MISSED'}"


def timed(fn, repeat: int) -> list[float]:
    """Wall seconds of `repeat` calls of fn()."""
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


def interleaved_ratio(subject, baseline, repeat: int) -> float:
    """median(subject) / median(baseline), the two run alternately so machine noise hits both."""
    a, b = [], []
    for _ in range(repeat):
        b += timed(baseline, 1)
        a += timed(subject, 1)
    return median(a) / median(b)
