"""Thumbnails for the timeline and storyboard, made off the UI thread and painted when ready.

`ThumbnailProvider.get(media, frame, height)` answers at once: the picture if it is already in
memory, else None after queueing a load on a small thread pool. When loads finish, `ready`
fires (once for the pictures that arrived together) and views repaint. The actual decoding
(and the on-disk cache) is the media layer's job; the provider only keeps decoded QImages in
memory and keeps the UI thread free.
"""

from __future__ import annotations

import threading
from collections import OrderedDict, deque
from collections.abc import Callable

import numpy as np
from PySide6.QtCore import QObject, QRunnable, QThreadPool, QTimer, Signal
from PySide6.QtGui import QImage, QPixmap

from editor.ui.images import rgb_to_qimage
from editor.ui.threads import gc_guard
from editor.ui.threads.priority import lower_this_thread

# (media path, frame index, height in px) -> RGB uint8 array (H, W, 3), or raise
Loader = Callable[[str, int, int], np.ndarray]
Key = tuple[str, int, int]


class _Signals(QObject):
    done = Signal(object, object)  # key, QImage | None


class _Drain(QRunnable):
    """Loads queued keys until the queue is empty. One runnable per pool thread, not one per
    picture: starting a runnable hands the GIL to the new thread, and a project's first paint
    asks for dozens of pictures (each start cost the GUI thread up to 5 ms)."""

    def __init__(self, provider: ThumbnailProvider) -> None:
        super().__init__()
        self._provider = provider

    def run(self) -> None:
        lower_this_thread()  # decoding pictures must not take the core a GUI turn waits for
        provider = self._provider
        while True:
            key = provider._next_key()
            if key is None:
                return
            try:
                image = rgb_to_qimage(provider._loader(*key))
            except Exception:  # a missing or unreadable file shows as "no picture", not a crash
                image = None
            provider._signals.done.emit(key, image)


class ThumbnailProvider(QObject):
    """In-memory thumbnails keyed by (media, frame, height), loaded in the background."""

    ready = Signal()

    def __init__(self, loader: Loader, *, capacity: int = 3000, threads: int = 2,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._loader = loader
        self._capacity = capacity
        self._cache: OrderedDict[Key, QPixmap] = OrderedDict()
        # (media, height) -> {frame: pixmap}: finds a stand-in picture without scanning the cache
        self._by_media: dict[tuple[str, int], dict[int, QPixmap]] = {}
        self._failed: set[Key] = set()
        self._failed_media: set[str] = set()  # files no picture could be read from (offline)
        self._pending: set[Key] = set()
        # the loads run Python on pool threads: garbage must be collected on the GUI thread
        gc_guard.acquire()
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(threads)
        self._threads = threads
        self._queue: deque[Key] = deque()  # asked for, not taken by a drain yet
        self._queue_lock = threading.Lock()
        self._draining = 0  # drains running or started
        self._signals = _Signals(self)
        self._signals.done.connect(self._on_done)
        # One `ready` for the pictures that arrive together (a project's first paint loads
        # dozens): every listener redraws all it shows, once, not once per picture.
        self._ready_soon = QTimer(self)
        self._ready_soon.setSingleShot(True)
        self._ready_soon.setInterval(0)
        self._ready_soon.timeout.connect(self.ready)
        # Loads asked for during a paint start when the paint's turn is over: started at once,
        # the drains' Python (decoding, converting) would share the GIL and the cores with the
        # rest of that paint, which on a project's first paint made it the longest GUI stall.
        self._start_soon = QTimer(self)
        self._start_soon.setSingleShot(True)
        self._start_soon.setInterval(0)
        self._start_soon.timeout.connect(self._start_drains)

    def get(self, media: str, frame: int, height: int) -> QPixmap | None:
        key = (media, int(frame), int(height))
        pixmap = self._cache.get(key)
        if pixmap is not None:
            self._cache.move_to_end(key)
            return pixmap
        if key not in self._pending and key not in self._failed:
            self._pending.add(key)
            with self._queue_lock:
                self._queue.append(key)
            if not self._start_soon.isActive():
                self._start_soon.start()
        return None

    def _start_drains(self) -> None:
        """Start a drain per idle pool thread, as many as there are queued keys."""
        with self._queue_lock:
            count = min(self._threads - self._draining, len(self._queue))
            self._draining += max(0, count)
        for _ in range(count):
            self._pool.start(_Drain(self))

    def _next_key(self) -> Key | None:
        """The next key to load (pool threads); None ends the calling drain."""
        with self._queue_lock:
            if self._queue:
                return self._queue.popleft()
            self._draining -= 1
            return None

    def cached(self, media: str, frame: int, height: int) -> QPixmap | None:
        """The picture if it is in memory; never starts a load."""
        return self._cache.get((media, int(frame), int(height)))

    def nearest(self, media: str, frame: int, height: int) -> QPixmap | None:
        """Any in-memory picture of `media` at this height, nearest to `frame`: shown while
        the exact one loads, so a strip fills in instead of flashing empty."""
        frames = self._by_media.get((media, int(height)))
        if not frames:
            return None
        return frames[min(frames, key=lambda f: abs(f - frame))]

    def wait(self, msecs: int = 5000) -> bool:
        """Block until queued loads finish (tests, screenshots). True when all finished."""
        self._start_soon.stop()
        self._start_drains()  # those asked for in this turn too
        return self._pool.waitForDone(msecs)

    def failed(self, media: str) -> bool:
        """True when a picture of `media` could not be read (the file is missing or unreadable)."""
        return media in self._failed_media

    @property
    def pending(self) -> int:
        return len(self._pending)

    def clear(self) -> None:
        self._cache.clear()
        self._by_media.clear()
        self._failed.clear()
        self._failed_media.clear()

    def _on_done(self, key: Key, image: QImage | None) -> None:
        self._pending.discard(key)
        if image is None or image.isNull():
            self._failed.add(key)
            if key[0] not in self._failed_media:  # once per file: views repaint to say it is offline
                self._failed_media.add(key[0])
                if not self._ready_soon.isActive():
                    self._ready_soon.start()
            return
        pixmap = QPixmap.fromImage(image)
        self._cache[key] = pixmap
        self._by_media.setdefault((key[0], key[2]), {})[key[1]] = pixmap
        while len(self._cache) > self._capacity:
            (media, frame, height), _ = self._cache.popitem(last=False)
            self._by_media.get((media, height), {}).pop(frame, None)
        if not self._ready_soon.isActive():
            self._ready_soon.start()

    def shutdown(self) -> None:
        """Drop queued loads and wait for running ones (called when the window closes)."""
        self._start_soon.stop()
        with self._queue_lock:
            self._queue.clear()
        self._pool.clear()
        self._pool.waitForDone(3000)
        with self._queue_lock:
            self._draining = 0  # drains cleared before they started never said so
