"""Waveforms for the timeline's audio clips, computed on the background pool, never on the GUI thread.

`WaveformProvider.get(source)` answers at once: the source's peaks when they are in memory, else
None after asking the shared background pool (`editor.ui.background`) to read them from the
project's cache/peaks/ or compute them there (`editor.media.peaks`). `ready` fires on the GUI
thread when some arrive, so the timeline repaints; a lane shows a flat line meanwhile.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal

from editor.media.peaks import Peaks
from editor.ui.background import run_in_background

# source path -> (peaks, read from the cache); runs on a pool thread
PeaksLoader = Callable[[str], tuple[Peaks, bool]]


class WaveformProvider(QObject):
    """In-memory peaks per audio source, loaded in the background."""

    ready = Signal()

    def __init__(self, loader: PeaksLoader, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._loader = loader
        self._peaks: dict[str, Peaks] = {}
        self._pending: set[str] = set()
        self._failed: dict[str, str] = {}
        # what the last load did, for tests and the bench: the thread it ran on, from the cache?
        self.last_thread: str | None = None
        self.last_from_cache: bool | None = None
        self._ready_soon = QTimer(self)
        self._ready_soon.setSingleShot(True)
        self._ready_soon.setInterval(0)
        self._ready_soon.timeout.connect(self.ready)
        # Loads asked for during a paint are sent to the pool when the paint's turn is over:
        # reading or computing peaks is Python on a pool thread, which would otherwise share
        # the GIL and the cores with the rest of that paint (a project's first paint).
        self._to_send: list[str] = []
        self._send_soon = QTimer(self)
        self._send_soon.setSingleShot(True)
        self._send_soon.setInterval(0)
        self._send_soon.timeout.connect(self._send)

    def get(self, source: str) -> Peaks | None:
        peaks = self._peaks.get(source)
        if peaks is None and source not in self._pending and source not in self._failed:
            self._pending.add(source)
            self._to_send.append(source)
            if not self._send_soon.isActive():
                self._send_soon.start()
        return peaks

    def _send(self) -> None:
        sources, self._to_send = self._to_send, []
        loader = self._loader
        for source in sources:

            def work(source: str = source) -> tuple[Peaks, bool, str]:
                peaks, cached = loader(source)
                return peaks, cached, threading.current_thread().name

            run_in_background(work, lambda result, source=source: self._done(source, result),
                              failed=lambda exc, source=source: self._fail(source, exc), owner=self)

    def failed(self, source: str) -> str | None:
        """Why the source's waveform can't be shown (a missing or damaged file), else None."""
        return self._failed.get(source)

    @property
    def pending(self) -> int:
        return len(self._pending)

    def clear(self) -> None:
        self._peaks.clear()
        self._failed.clear()

    def _done(self, source: str, result: tuple[Peaks, bool, str]) -> None:
        self._pending.discard(source)
        peaks, cached, thread = result
        self._peaks[source] = peaks
        self.last_thread, self.last_from_cache = thread, cached
        if not self._ready_soon.isActive():
            self._ready_soon.start()

    def _fail(self, source: str, exc: BaseException) -> None:
        self._pending.discard(source)
        self._failed[source] = str(exc)
        if not self._ready_soon.isActive():
            self._ready_soon.start()
