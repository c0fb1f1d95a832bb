"""One benchmark figure and how it is printed."""

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
