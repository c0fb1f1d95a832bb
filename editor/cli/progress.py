"""A one-line terminal progress bar with ETA for headless commands (quiet when not a terminal)."""

from __future__ import annotations

import time
from typing import TextIO


class ProgressBar:
    def __init__(self, title: str, stream: TextIO, width: int = 30) -> None:
        self.title, self.stream, self.width = title, stream, width
        self.started = time.monotonic()
        self.tty = stream.isatty()
        self._last = 0.0
        self._shown = False

    def update(self, done: int, total: int, *_: object) -> None:
        now = time.monotonic()
        if total <= 0 or (now - self._last < 0.1 and done < total):
            return
        self._last = now
        frac = min(1.0, done / total)
        elapsed = now - self.started
        eta = elapsed / frac - elapsed if frac > 0 else 0.0
        bar = "#" * int(frac * self.width) + "-" * (self.width - int(frac * self.width))
        line = f"{self.title} [{bar}] {done}/{total} {frac:4.0%} ETA {eta:5.1f}s"
        if self.tty:
            self.stream.write("\r" + line)
        elif done >= total or not self._shown:
            self.stream.write(line + "\n")
        self._shown = True
        self.stream.flush()

    def close(self) -> None:
        if self.tty and self._shown:
            self.stream.write("\n")
            self.stream.flush()
