"""A least-recently-used cache of decoded frames bounded by bytes, shared by the preview's readers."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

import numpy as np

DEFAULT_BYTES = 256 * 1024 * 1024  # ~170 frames at 1080p, ~650 at a 960x540 preview


class FrameCache:
    """Thread-safe LRU map key -> frame; the oldest frames go when `max_bytes` would be exceeded.

    Cached arrays are made read-only, so a caller that draws on a frame gets an error instead
    of silently changing what the next reader sees.
    """

    def __init__(self, max_bytes: int = DEFAULT_BYTES) -> None:
        self.max_bytes = int(max_bytes)
        self._items: OrderedDict[Hashable, np.ndarray] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: Hashable) -> np.ndarray | None:
        with self._lock:
            frame = self._items.get(key)
            if frame is None:
                self.misses += 1
                return None
            self._items.move_to_end(key)
            self.hits += 1
            return frame

    def put(self, key: Hashable, frame: np.ndarray) -> np.ndarray:
        """Store `frame` (read-only from now on) and return it."""
        frame.flags.writeable = False
        size = frame.nbytes
        if size > self.max_bytes:
            return frame  # larger than the whole cache: serve it, keep nothing
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._bytes -= old.nbytes
            self._items[key] = frame
            self._bytes += size
            while self._bytes > self.max_bytes:
                _, dropped = self._items.popitem(last=False)
                self._bytes -= dropped.nbytes
        return frame

    def get_or_make(self, key: Hashable, make: Callable[[], np.ndarray]) -> np.ndarray:
        frame = self.get(key)
        if frame is None:
            frame = self.put(key, make())
        return frame

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._bytes = 0

    @property
    def nbytes(self) -> int:
        return self._bytes

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, key: Hashable) -> bool:
        return key in self._items
