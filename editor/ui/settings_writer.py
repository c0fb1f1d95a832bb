"""Settings that change as a side effect of opening a project are written to disk off the GUI thread, a little later.

Why: writing the settings file syncs it to disk (QSettings.sync: write, fsync, rename), 11-16 ms
of waiting here; done by QSettings from the event loop right after an open (the recent-projects
list), it froze the window in the turns that show the new project. Written on another thread
at once, it still did: Qt shares the file's contents between a process's QSettings objects
behind one mutex, held for the whole sync, so the GUI thread reading any setting in the turns
after the open waited for the disk anyway. So the writes wait until the open has settled
(QUIET_S), are coalesced (the last value of a key wins), and go, in order, to one writer thread
that uses its own QSettings object for the same file. `wait()` writes what is pending now and
returns once it is on disk (quit, a reader in another object); the thread also finishes its
queue before the interpreter exits (atexit).
"""

from __future__ import annotations

import atexit
import concurrent.futures
import queue
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings

QUIET_S = 3.0  # after an open: its turns, first paints and background answers are done by then

# one thread for the whole process, like the background pool (hence its name); a daemon, so that
# the interpreter's exit runs `wait` (atexit, below) instead of waiting out QUIET_S
_queue: queue.SimpleQueue | None = None
_pending: dict[tuple[str, str], Any] = {}  # (file, key) -> the value to write
_flush: concurrent.futures.Future | None = None  # the flush that will write `_pending`
_last: concurrent.futures.Future | None = None  # the latest flush asked for (they run in order)
_now = threading.Event()  # set: the flush waiting for quiet writes at once
_lock = threading.Lock()


def _run(jobs: queue.SimpleQueue) -> None:  # writer thread
    while True:
        future, work = jobs.get()
        try:
            work()
        except BaseException as exc:  # noqa: BLE001 - a settings file that can't be written loses that write only
            future.set_exception(exc)
        else:
            future.set_result(None)


def _submit(work: Callable[[], None]) -> concurrent.futures.Future:
    global _queue
    future: concurrent.futures.Future = concurrent.futures.Future()
    if _queue is None:
        _queue = queue.SimpleQueue()
        threading.Thread(target=_run, args=(_queue,), name="shotline-background-settings", daemon=True).start()
    _queue.put((future, work))
    return future


def start() -> None:
    """Start the writer thread now (any thread): starting it waits until it runs, which a busy
    machine made a stall of the turn that opened a project and wrote the first recent entry."""
    with _lock:
        _submit(lambda: None)


def _write_when_quiet() -> None:  # writer thread
    global _flush
    _now.wait(QUIET_S)
    files: dict[str, QSettings] = {}
    with _lock:
        # set while holding the lock: a reader finds each value pending or set, never neither
        for (path, key), value in _pending.items():
            q = files.get(path) or files.setdefault(path, QSettings(path, QSettings.Format.IniFormat))
            q.setValue(key, value)
        _pending.clear()
        _flush = None  # a write asked for from now on schedules the next flush (it runs after this one)
        _now.clear()
    for q in files.values():
        q.sync()


def write_later(path: Path, key: str, value: Any) -> None:
    """Set `key` to `value` in the settings file at `path` and sync it, on the writer thread,
    once the window has been quiet a moment (see the module doc)."""
    global _flush, _last
    with _lock:
        _pending[(str(path), key)] = value
        if _flush is None:
            _flush = _last = _submit(_write_when_quiet)


def pending(path: Path, key: str) -> tuple[bool, Any]:
    """(True, value) while `key` of `path` waits to be written, else (False, None)."""
    with _lock:
        found = (str(path), key) in _pending
        return found, _pending.get((str(path), key))


def wait() -> None:
    """Write what is pending now and block until it is on disk (quit, or a reader elsewhere)."""
    with _lock:
        last = _last
    if last is None or last.done():
        return
    _now.set()
    concurrent.futures.wait([last])


atexit.register(wait)  # a process ending right after an open still records it
