"""Runs one export of the cut on a worker QThread and reports progress, the result or why it stopped.

The GUI thread never waits on decoding or ffmpeg: it takes a private copy of the project when
the user presses Export (`ExportJob.snapshot`), hands it to the thread, and hears back through
queued signals. Edits made while the export runs change the open project, never the copy.
"""

from __future__ import annotations

import copy
import logging
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, QThread, Signal

from editor.document.project import Project
from editor.media.errors import MediaError
from editor.media.export import ExportCancelled, ExportOptions, export_project
from editor.ui.thread_keeper import keep_until_finished
from editor.ui.threads import gc_guard

log = logging.getLogger(__name__)
PROGRESS_EVERY_S = 0.04  # ~25 updates a second: smooth to the eye, no flood of queued signals


@dataclass(frozen=True)
class ExportJob:
    """One export: a private copy of the project, its folder, the target file and the options."""

    project: Project
    folder: Path | None
    out_path: Path
    options: ExportOptions

    @classmethod
    def snapshot(cls, project: Project, folder: Path | None, out_path: Path, options: ExportOptions) -> ExportJob:
        """Copy the project as it is now (call on the GUI thread, where it is edited)."""
        return cls(copy.deepcopy(project), Path(folder) if folder is not None else None, Path(out_path), options)


class _ExportThread(QThread):
    """Calls `export_project` and turns every outcome into one signal; never raises out of run()."""

    progress = Signal(int, int)
    succeeded = Signal(object)  # ExportResult
    failed = Signal(str)
    cancelled = Signal(str)

    def __init__(self, job: ExportJob, cancel: threading.Event, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("export-thread")
        self._job = job
        self._cancel = cancel
        self._last_emit = 0.0

    def _on_progress(self, done: int, total: int) -> None:
        now = time.monotonic()
        if done == 1 or done >= total or now - self._last_emit >= PROGRESS_EVERY_S:
            self._last_emit = now
            self.progress.emit(done, total)

    def run(self) -> None:  # noqa: D401 - Qt override
        job = self._job
        try:
            result = export_project(job.project, job.folder, job.out_path, job.options,
                                    on_progress=self._on_progress, should_cancel=self._cancel.is_set)
        except ExportCancelled as exc:
            self.cancelled.emit(str(exc))
        except MediaError as exc:  # ExportError included: its message says what to do
            self.failed.emit(str(exc))
        except OSError as exc:
            self.failed.emit(f"The export could not write its file ({exc.strerror or exc}); "
                             "check the folder and the free disk space, then export again.")
        except Exception as exc:  # a bug: the user gets one line, the log gets the traceback
            log.exception("export of %s failed", job.out_path)
            self.failed.emit(f"The export stopped on an unexpected error ({type(exc).__name__}: {exc}). "
                             "Please report it; the project itself is unchanged.")
        else:
            self.succeeded.emit(result)


class ExportRunner(QObject):
    """Starts one `ExportJob` at a time off the GUI thread; cancel() stops it within a frame.

    Signals arrive on the GUI thread: `progress(done, total)` while frames are encoded, then
    exactly one of `succeeded(ExportResult)`, `failed(message)` or `cancelled(message)`.
    """

    progress = Signal(int, int)
    succeeded = Signal(object)
    failed = Signal(str)
    cancelled = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._thread: _ExportThread | None = None
        self._cancel = threading.Event()
        self.started_at = 0.0  # time.monotonic() when the running export began

    @property
    def running(self) -> bool:
        return self._thread is not None

    def start(self, job: ExportJob) -> None:
        if self._thread is not None:
            raise RuntimeError("An export is already running; wait for it or cancel it first.")
        self._cancel = threading.Event()
        thread = _ExportThread(job, self._cancel, self)
        thread.progress.connect(self.progress)
        thread.succeeded.connect(lambda result: self._end(self.succeeded, result))
        thread.failed.connect(lambda text: self._end(self.failed, text))
        thread.cancelled.connect(lambda text: self._end(self.cancelled, text))
        self._thread = thread
        self.started_at = time.monotonic()
        gc_guard.acquire()  # the export runs Python on its threads: collect on the GUI thread
        thread.start()

    def cancel(self) -> None:
        """Ask the running export to stop; `cancelled` follows once ffmpeg is gone."""
        self._cancel.set()

    def wait(self, timeout_ms: int = 10000) -> bool:
        """Block until the worker is done (closing the window); True when it finished in time."""
        thread = self._thread
        if thread is None or thread.wait(timeout_ms):
            return True
        # still stopping: the dialog (the runner's parent) may go now, the running thread may not
        for signal in (thread.progress, thread.succeeded, thread.failed, thread.cancelled):
            signal.disconnect()
        self._thread = None
        keep_until_finished(thread)
        return False

    def _end(self, signal, value: object) -> None:
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.wait()  # run() has returned once its last signal arrives; this is immediate
            thread.deleteLater()
        signal.emit(value)
