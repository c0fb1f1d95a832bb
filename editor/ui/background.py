"""Short disk, model-folder and ffmpeg work runs on a pool thread; its answer comes back on the GUI thread.

`run_in_background(work, then, failed=..., owner=...)` returns at once. `work()` runs on one of
a few shared pool threads (it must not touch widgets or the Document); `then(result)` or
`failed(exception)` is called later on the GUI thread, from the event loop, and only while
`owner` (a QObject) still exists, so a panel closed meanwhile is never called back. This is
for work of milliseconds to a second (checking a picture, asking ffmpeg for its encoders,
reading a model folder's configs, copying a file); long jobs have their own threads.
"""

from __future__ import annotations

import concurrent.futures
import functools
import itertools
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor  # loaded now, not with the first call
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, Qt, Signal

from editor.ui.threads import gc_guard
from editor.ui.threads.priority import lower_this_thread

POOL_THREADS = 2


class _Relay(QObject):
    """Lives on the GUI thread; a signal emitted from a pool thread is queued to it."""

    deliver = Signal(object)

    def __init__(self) -> None:
        super().__init__()
        # queued even from the GUI thread (work done before add_done_callback): answers always
        # come from the event loop, never inside run_in_background()
        self.deliver.connect(self._call, Qt.ConnectionType.QueuedConnection)

    def _call(self, call: Callable[[], None]) -> None:
        call()


_pool: ThreadPoolExecutor | None = None
_relay: _Relay | None = None
_lock = threading.Lock()


def _shared() -> tuple[ThreadPoolExecutor, _Relay]:
    global _pool, _relay
    with _lock:
        if _pool is None:
            # below the GUI thread: a busy pool must not take the core a GUI turn waits for
            _pool = ThreadPoolExecutor(max_workers=POOL_THREADS, thread_name_prefix="shotline-background",
                                       initializer=lower_this_thread)
        if _relay is None or not shiboken6.isValid(_relay):
            _relay = _Relay()  # made on the first caller's thread: call from the GUI thread
        return _pool, _relay


def gui_caller(owner: QObject) -> Callable[[Callable[[], None]], None]:
    """`post(call)` for a thread of `owner`'s: `call()` then runs on the GUI thread, from the
    event loop, unless `owner` has been deleted by then. Call this on the GUI thread.

    A thread must never emit a signal of an object the GUI thread may be deleting at that very
    moment (the emit reads the object's connection list while ~QObject frees it: a crash).
    `post` emits on the shared relay instead, which lives as long as the application.
    """
    _, relay = _shared()

    def post(call: Callable[[], None]) -> None:  # any thread
        def guarded() -> None:  # GUI thread
            if shiboken6.isValid(owner):
                call()

        try:
            relay.deliver.emit(guarded)
        except RuntimeError:
            pass  # the application is gone: nobody is left to tell

    return post


# What each running background call will need back on the GUI thread (its work, its answers,
# its owner), by key. Only the GUI thread adds and removes entries, so the pool thread never
# holds the last reference to a Qt object: if it did, the Python wrapper would be freed there
# and shiboken would delete the object from the pool (deferred to the main thread, where a
# widget already deleted by Qt was deleted again: a segfault in runDeletionInMainThread).
_in_flight: dict[int, tuple] = {}
_keys = itertools.count()


def run_in_background(work: Callable[[], Any], then: Callable[[Any], None] | None = None, *,
                      failed: Callable[[BaseException], None] | None = None,
                      owner: QObject | None = None) -> concurrent.futures.Future:
    """Run `work()` off the GUI thread; `then(result)` or `failed(error)` follow on the GUI thread.

    Call from the GUI thread. An exception `work` raises goes to `failed` (re-raised on the GUI
    thread when there is none, so it is not lost). Nothing is called back once `owner` is deleted.
    """
    pool, relay = _shared()
    # while the pool thread allocates, Python's collector must not run there (see gc_guard)
    gc_guard.acquire()
    key = next(_keys)
    _in_flight[key] = (work, then, failed, owner)

    def run() -> Any:  # pool thread: borrows the work, the GUI thread keeps it
        return _in_flight[key][0]()

    def done(future: concurrent.futures.Future) -> None:  # pool thread
        try:
            relay.deliver.emit(functools.partial(_answer, key, future))
        except RuntimeError:
            pass  # the application is gone: nobody is left to tell

    future = pool.submit(run)
    future.add_done_callback(done)
    return future


def _answer(key: int, future: concurrent.futures.Future) -> None:  # GUI thread
    _work, then, failed, owner = _in_flight.pop(key)
    gc_guard.release()
    if owner is not None and not shiboken6.isValid(owner):
        return
    error = future.exception()
    if error is None:
        if then is not None:
            then(future.result())
    elif failed is not None:
        failed(error)
    else:
        raise error
