"""Open video decoders kept per file, so that scrubbing and playback never reopen a file."""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from editor.media.video import VideoReader

DEFAULT_OPEN = 8


class DecoderPool:
    """At most `max_open` VideoReaders, the least recently used closed first.

    Keyed by path and modification time, so a file replaced on disk is reopened. Use
    `with pool.reader(path) as r:` from any thread: each reader is locked while in use.
    """

    def __init__(self, max_open: int = DEFAULT_OPEN) -> None:
        self.max_open = max_open
        self._readers: OrderedDict[tuple, VideoReader] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, path: str | os.PathLike) -> VideoReader:
        """The open reader for `path` (opened now if needed). Lock `reader.lock` while reading."""
        p = Path(path)
        st = p.stat() if p.exists() else None
        key = (str(p), st.st_mtime_ns if st else 0, st.st_size if st else 0)
        with self._lock:
            reader = self._readers.get(key)
            if reader is not None:
                self._readers.move_to_end(key)
                return reader
        reader = VideoReader(p)  # may raise MediaError; opened outside the pool lock
        with self._lock:
            self._readers[key] = reader
            stale = [k for k in self._readers if k[0] == key[0] and k != key]
            for k in stale:
                self._close(self._readers.pop(k))
            while len(self._readers) > max(1, self.max_open):  # never the one just opened
                _, oldest = self._readers.popitem(last=False)
                self._close(oldest)
        return reader

    @contextmanager
    def reader(self, path: str | os.PathLike) -> Iterator[VideoReader]:
        """The open reader for `path`, locked for this caller while the block runs."""
        while True:
            reader = self.get(path)
            reader.lock.acquire()
            if not reader.closed:
                break
            reader.lock.release()  # evicted by another thread between get and lock: reopen
        try:
            yield reader
        finally:
            reader.lock.release()

    def discard(self, path: str | os.PathLike) -> None:
        """Close the decoder of `path` if one is open (the preview moved to its proxy)."""
        with self._lock:
            stale = [k for k in self._readers if k[0] == str(Path(path))]
            readers = [self._readers.pop(k) for k in stale]
        for reader in readers:
            self._close(reader)

    def close(self) -> None:
        with self._lock:
            while self._readers:
                self._close(self._readers.popitem()[1])

    @staticmethod
    def _close(reader: VideoReader) -> None:
        with reader.lock:  # wait for a reader that is in use on another thread
            reader.close()

    @property
    def open_paths(self) -> list[str]:
        """The files that have an open decoder, least recently used first."""
        with self._lock:
            return [key[0] for key in self._readers]

    def __len__(self) -> int:
        return len(self._readers)

