"""Preview proxies made in the background for the open project's long-GOP videos, one at a time.

When a project is opened and whenever its clips change (a video imported, a take added or
switched), `ProxyBuilder` lists the project's video takes (`editor.media.proxies.project_videos`)
and hands them to its own thread. That thread checks each one (`wants_proxy`: a long-GOP video
taller than a proxy; proxies already made and videos that need none are skipped) and makes the
missing proxies one at a time with `build_proxy(background=True)`: the thread and its ffmpeg run
at the lowest CPU priority, so the window and the generation jobs always come first. While a
generation job runs (`generating()`, polled on the GUI thread) ffmpeg is stopped outright and no
new proxy is started. `proxy_ready(media)` says when the preview may switch a video to its proxy;
`message` gives the status-bar line ("Making preview proxies 1/3: phone.mp4 40%").

Proxies live in the project's `cache/proxies/`, safe to delete: the next scan makes them again,
and until then the preview reads the original files. Another project opened, or the window
closing, cancels the proxy being made (its partial file is removed).
"""

from __future__ import annotations

import functools
import os
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QMetaObject, QObject, Qt, QThread, QTimer, Signal, Slot

from editor.document.document import Change, Document
from editor.media.errors import MediaError
from editor.media.proxies import (
    PROXY_HEIGHT,
    ProxyCancelled,
    build_proxy,
    existing_proxy,
    project_videos,
    wants_proxy,
)
from editor.ui.following import DocumentSubscription
from editor.ui.threads import gc_guard

# How often the GUI thread asks whether a generation job runs, while proxies are being made.
GENERATION_POLL_MS = 250
# Edits arrive in bursts (a drag, an undo run): the project is scanned once they settle.
SCAN_DELAY_MS = 150
WAIT_POLL_S = 0.05


class _Worker(QObject):
    """Lives in the builder's thread: checks videos and makes their proxies, reporting by signals."""

    started = Signal(str, int, int)  # media, number of this proxy (1-based), proxies to make
    progress = Signal(str, int)  # media, percent done
    ready = Signal(str)  # media whose proxy now exists
    failed = Signal(str, str)  # media, message
    finished = Signal(int)  # nothing left to do; how many proxies this run made

    def __init__(self, min_height: int) -> None:
        super().__init__()
        self.min_height = min_height
        self._lock = threading.Lock()
        self._pending: list[tuple[int, Path, Path]] = []  # (epoch, project folder, media)
        self._epoch = 0
        self._scheduled = False
        self._stopping = False
        self.pause = threading.Event()  # set while a generation job runs
        self._skip: set[tuple[str, int, int]] = set()  # checked: needs no proxy, or can't have one
        self._niced = False

    # --- GUI thread ---------------------------------------------------------------------------
    def submit(self, root: Path, media: list[Path]) -> None:
        """Replace what waits with these videos of the project at `root` (same epoch)."""
        with self._lock:
            self._pending = [(self._epoch, root, m) for m in media]
            start = bool(media) and not self._scheduled and not self._stopping
            if start:
                self._scheduled = True
        if start:
            QMetaObject.invokeMethod(self, "run", Qt.ConnectionType.QueuedConnection)

    def cancel_all(self) -> None:
        """Another project: drop what waits and stop the proxy being made (within 0.1 s)."""
        with self._lock:
            self._epoch += 1
            self._pending = []

    def stop(self) -> bool:
        """Cancel everything for good; False if already stopped."""
        with self._lock:
            if self._stopping:
                return False
            self._stopping = True
            self._epoch += 1
            self._pending = []
            return True

    @property
    def busy(self) -> bool:
        with self._lock:
            return self._scheduled

    # --- builder thread -----------------------------------------------------------------------
    @Slot()
    def run(self) -> None:
        self._lower_priority()
        made = tried = 0
        while True:
            with self._lock:
                batch, self._pending = self._pending, []
                if not batch or self._stopping:
                    self._scheduled = False
                    break
            todo = [(epoch, root, m) for epoch, root, m in batch if not self._cancelled(epoch) and self._needs(root, m)]
            first = tried
            for epoch, root, media in todo:
                if not self._wait_while_paused(epoch):
                    break
                tried += 1
                self.started.emit(str(media), tried, first + len(todo))
                made += self._make(epoch, root, media)
        self.finished.emit(made)

    def _make(self, epoch: int, root: Path, media: Path) -> bool:
        last = [-1]

        def on_progress(done: int, total: int) -> None:
            percent = 100 * done // max(1, total)
            if percent != last[0]:
                last[0] = percent
                self.progress.emit(str(media), percent)

        try:
            build_proxy(root, media, on_progress=on_progress, should_cancel=lambda: self._cancelled(epoch),
                        should_pause=self.pause.is_set, background=True)
        except ProxyCancelled:
            return False
        except (MediaError, OSError) as exc:
            self._skip.add(_identity(media))  # not again this session: the message said why
            self.failed.emit(str(media), str(exc))
            return False
        self.ready.emit(str(media))
        return True

    def _needs(self, root: Path, media: Path) -> bool:
        """True when `media` wants a proxy that isn't made yet (reads the file: builder thread only)."""
        ident = _identity(media)
        if ident in self._skip or existing_proxy(root, media) is not None:
            return False
        try:
            wanted = wants_proxy(media, min_height=self.min_height)
        except MediaError:
            wanted = False  # missing or unreadable: the preview shows an offline card
        if not wanted:
            self._skip.add(ident)
        return wanted

    def _cancelled(self, epoch: int) -> bool:
        return self._stopping or epoch != self._epoch

    def _wait_while_paused(self, epoch: int) -> bool:
        """Start no proxy while a generation job runs; False when cancelled meanwhile."""
        while self.pause.is_set():
            if self._cancelled(epoch):
                return False
            time.sleep(WAIT_POLL_S)
        return not self._cancelled(epoch)

    def _lower_priority(self) -> None:
        """The lowest CPU priority for this thread; on Linux the ffmpeg it starts inherits it."""
        if self._niced:
            return
        self._niced = True
        if sys.platform.startswith("linux"):
            try:
                os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)
            except (OSError, AttributeError):
                pass  # build_proxy(background=True) still lowers ffmpeg itself


def _identity(media: Path) -> tuple[str, int, int]:
    try:
        st = media.stat()
    except OSError:
        return str(media), 0, 0
    return str(media), st.st_mtime_ns, st.st_size


class ProxyBuilder(QObject):
    """Makes the open project's preview proxies in the background. See the module docstring.

    `generating()` (GUI thread) says whether a generation job runs; `min_height`: videos up to
    this tall need no proxy (tests use small videos).
    """

    message = Signal(str)  # one line for the status bar
    proxy_ready = Signal(str)  # a media file (path) whose preview proxy now exists
    idle = Signal()  # every video of the project that wants a proxy has one (or failed)

    def __init__(self, *, generating: Callable[[], bool] | None = None, min_height: int = PROXY_HEIGHT,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._generating = generating
        self._document: Document | None = None
        self._subscription = DocumentSubscription(self._on_change)
        self._current = ""
        self._count = (0, 0)
        self.made: list[str] = []  # media whose proxies this builder made, oldest first
        self.failures: dict[str, str] = {}  # media -> why its proxy could not be made

        self._scan_timer = QTimer(self)
        self._scan_timer.setSingleShot(True)
        self._scan_timer.setInterval(SCAN_DELAY_MS)
        self._scan_timer.timeout.connect(self.scan)
        self._poll = QTimer(self)
        self._poll.setInterval(GENERATION_POLL_MS)
        self._poll.timeout.connect(self._check_generation)

        gc_guard.acquire()  # garbage is collected on the GUI thread while the builder thread runs
        # Parented, so Python never deletes a running thread at exit; shutdown() stops it first.
        self._thread = QThread(self)
        self._thread.setObjectName("shotline-proxies")
        self._worker = _Worker(min_height)
        self._worker.moveToThread(self._thread)
        self._worker.started.connect(self._on_started)
        self._worker.progress.connect(self._on_progress)
        self._worker.ready.connect(self._on_ready)
        self._worker.failed.connect(self._on_failed)
        self._worker.finished.connect(self._on_finished)
        self._thread.start(QThread.Priority.LowestPriority)  # honoured on Windows and macOS
        self._running = True
        # Stop the thread whatever ends first: the builder (destroyed is emitted before its
        # children, the thread among them, are deleted) or the application (a method: Qt drops
        # that connection with the builder, which a partial would outlive).
        self.destroyed.connect(functools.partial(_stop_thread, self._worker, self._thread))
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.shutdown)

    # --- public -------------------------------------------------------------------------------
    def set_document(self, document: Document | None) -> None:
        """Follow this document from now on (a project was opened): cancel the old one's proxies,
        scan a moment later (the window first shows the project; the scan's reading would
        compete with that for the CPU)."""
        self._subscription.follow(document)
        self._worker.cancel_all()
        self._document = document
        self._scan_timer.start()

    def scan(self) -> None:
        """Look for videos of the project that still need a proxy and make them (in the background)."""
        self._scan_timer.stop()
        doc = self._document
        if doc is None or doc.folder is None or not self._running:
            return  # an unsaved project has no cache folder yet
        media = project_videos(doc.project, doc.folder)
        if media:
            self._check_generation()
            self._worker.submit(Path(doc.folder), media)
            self._poll.start()

    @property
    def busy(self) -> bool:
        """True while videos are being checked or proxies made."""
        return self._worker.busy

    @property
    def paused(self) -> bool:
        """True while proxies wait for a generation job to end."""
        return self._worker.pause.is_set()

    def shutdown(self) -> None:
        """Cancel the proxy being made and stop the thread (the window is closing)."""
        if not self._running:
            return
        self._running = False
        self._subscription.stop()
        self._scan_timer.stop()
        self._poll.stop()
        _stop_thread(self._worker, self._thread)

    # --- internals ----------------------------------------------------------------------------
    def _on_change(self, change: Change) -> None:
        if change.clips_added or change.clips_changed or change.tracks_added:
            self._scan_timer.start()

    def _check_generation(self) -> None:
        generating = bool(self._generating is not None and self._generating())
        if generating != self._worker.pause.is_set():
            if generating:
                self._worker.pause.set()
                if self._current:
                    self.message.emit(f"{self._status()} (waits while a generation job runs)")
            else:
                self._worker.pause.clear()

    def _status(self) -> str:
        i, n = self._count
        return f"Making preview proxies {i}/{n}: {Path(self._current).name}"

    def _on_started(self, media: str, i: int, n: int) -> None:
        self._current, self._count = media, (i, n)
        self.message.emit(self._status())

    def _on_progress(self, media: str, percent: int) -> None:
        if media == self._current and not self.paused:
            self.message.emit(f"{self._status()} {percent}%")

    def _on_ready(self, media: str) -> None:
        self.made.append(media)
        self.proxy_ready.emit(media)

    def _on_failed(self, media: str, text: str) -> None:
        self.failures[media] = text
        self.message.emit(f"No preview proxy for {Path(media).name}; the preview reads the original. {text}")

    def _on_finished(self, made: int) -> None:
        self._current = ""
        if made:
            self.message.emit(f"Preview proxies ready ({made} made)")
        if self._worker.busy:
            return  # a new scan came in as the last one ended
        self._poll.stop()
        self._worker.pause.clear()
        self.idle.emit()


def _stop_thread(worker: _Worker, thread: QThread) -> None:
    if not worker.stop():
        return
    thread.quit()
    thread.wait()  # the proxy being made is cancelled within 0.1 s (ffmpeg killed, partial file removed)
    gc_guard.release()
