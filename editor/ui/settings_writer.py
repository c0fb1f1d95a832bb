"""Settings that change as a side effect of opening a project are written to disk off the GUI thread.

Why: writing the settings file syncs it to disk (QSettings.sync: write, fsync, rename), 11-16 ms
of waiting here; done by QSettings from the event loop right after an open (the recent-projects
list), it froze the window in the turns that show the new project. The writes go, in the order
asked, to one writer thread that uses its own QSettings object for the same file (Qt shares the
file's contents between a process's QSettings objects and guards them with a mutex, so every
object reads the new value once it is set). `wait()` ends when every write asked so far is on
disk; the thread also finishes its queue before the interpreter exits.
"""

from __future__ import annotations

import concurrent.futures
import threading
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings

# one thread for the whole process, like the background pool (hence its name)
_writer: concurrent.futures.ThreadPoolExecutor | None = None
_last: concurrent.futures.Future | None = None
_lock = threading.Lock()


def _write(path: str, key: str, value: Any) -> None:
    q = QSettings(path, QSettings.Format.IniFormat)
    q.setValue(key, value)
    q.sync()


def _executor() -> concurrent.futures.ThreadPoolExecutor:
    global _writer
    with _lock:
        if _writer is None:
            _writer = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="shotline-background-settings")
        return _writer


def start() -> None:
    """Start the writer thread now (any thread): starting it waits until it runs, which a busy
    machine made a stall of the turn that opened a project and wrote the first recent entry."""
    _executor().submit(lambda: None)


def write_later(path: Path, key: str, value: Any) -> None:
    """Set `key` to `value` in the settings file at `path` and sync it, on the writer thread."""
    global _last
    writer = _executor()
    with _lock:
        _last = writer.submit(_write, str(path), key, value)


def wait() -> None:
    """Block until every write asked for so far is on disk (quit, or a reader in another process)."""
    with _lock:
        last = _last
    if last is not None:
        concurrent.futures.wait([last])
