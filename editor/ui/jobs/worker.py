"""The worker thread that runs queued jobs one at a time and reports back through signals.

`JobWorker` is a QObject moved to its own QThread (superqt style: it reports, it never reaches
into the GUI). The GUI thread only ever *asks* it things through queued calls (`wake`,
`unload`) or thread-safe flags (`cancel`, `set_paused`); it never waits for it, so a model load,
a sampling step or a take being written can't freeze the window.

One job runs per `_run_one` call; the next one is scheduled as a fresh queued call, so requests
that arrive meanwhile (unload after pause) are served between jobs rather than starved.

Pause (chosen behaviour): the running job stops within one step and goes back to the *front* of
the queue (its sampling restarts on resume), then the model is unloaded so its memory is free at
once. Waiting jobs stay waiting. This frees the GPU when the user asks, which is what pause is
for; a job that should finish first can be left running by not pausing.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

import numpy as np
from PySide6.QtCore import QMetaObject, QObject, Qt, QThread, Signal, Slot
from PySide6.QtGui import QImage

from editor.ui.images import rgb_to_qimage
from editor.ui.thread_keeper import keep_until_finished
from editor.ui.threads import gc_guard

try:  # imported with the window, not at the monitor's first sample (it takes ~10 ms)
    import psutil
except ImportError:  # Linux reads /proc instead
    psutil = None
from model.journal import Job, Journal, JournalError
from model.runner import Cancelled, Hooks

# Progress is written to the journal (an fsync'd SQLite write) at most this often: the GUI gets
# every step through signals; the journal's copy only has to survive a crash.
JOURNAL_PROGRESS_EVERY_S = 0.5
# The preview picture sent to the GUI is at most this wide/high (the jobs panel and the
# timeline overlay show thumbnails; a full frame would only cost copies).
PREVIEW_SIDE = 320
# How much lower than the window the job thread runs (Linux nice steps; 5 gives the window about
# three times the CPU share of the job when both want it).
JOB_NICENESS = 5


# execute(journal, job, hooks) -> result; raises to fail (message shown to the user), raises
# Cancelled when hooks.should_cancel() has become true instead of returning a result.
Execute = Callable[[Journal, Job, Hooks], Any]
Unload = Callable[[], None]


def memory_now() -> tuple[float, float]:
    """(process resident memory, GPU memory in use) in MiB; GPU is -1 when not known.

    torch is asked only if the worker already imported it: the monitor must not be the thing
    that loads torch into an editor that never generated anything.
    """
    rss = _rss_mib()
    gpu = -1.0
    torch = sys.modules.get("torch")
    if torch is not None:
        try:
            if torch.cuda.is_available() and torch.cuda.is_initialized():
                gpu = torch.cuda.memory_allocated() / 2**20
        except Exception:  # a broken driver must not break the monitor
            gpu = -1.0
    return rss, gpu


def _rss_mib() -> float:
    try:
        return psutil.Process(os.getpid()).memory_info().rss / 2**20
    except Exception:  # no psutil (None), or it can't read this process
        pass
    try:  # Linux without psutil
        with open("/proc/self/statm") as f:
            pages = int(f.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, AttributeError):
        return 0.0


class JobWorker(QObject):
    """Runs queued jobs of a journal one at a time, in its own thread (see `start`)."""

    job_started = Signal(int)  # job id
    progress = Signal(int, int, int, float)  # job id, step, total, seconds per step
    preview = Signal(int, QImage)  # job id, small picture of the work in progress
    # job id, step, seconds this step took, process RSS MiB, GPU MiB (-1 unknown): for the monitor
    measured = Signal(int, int, float, float, float)
    job_finished = Signal(int, object)  # job id, what execute() returned
    job_failed = Signal(int, str)  # job id, message for the user
    job_cancelled = Signal(int)  # job id; nothing was made
    job_requeued = Signal(int)  # job id; stopped by pause, waiting at the front of the queue
    # job id, message: the job could not start for a reason outside it (a render farm that can't be
    # reached, model.farm.reach); it waits at the front of the queue and this worker pauses
    job_held = Signal(int, str)
    idle = Signal()  # nothing left to run (or paused)
    unloaded = Signal()

    def __init__(self, journal: Journal | None, execute: Execute, unload: Unload | None = None) -> None:
        super().__init__()
        self._journal = journal
        self._execute = execute
        self._unload = unload
        self._lock = threading.Lock()
        self._cancel: set[int] = set()
        self._paused = threading.Event()
        self._scheduled = False  # a _run_one call is queued or running
        self._look_again = False  # wake() came while one was scheduled: look once more before idling
        self._running: int | None = None
        self._given_back: int | None = None  # put back in the queue by stop() while its step ran on
        self._thread: QThread | None = None
        self._niced = False

    # --- life cycle (GUI thread) ----------------------------------------------------------
    def start(self, parent: QObject | None = None) -> QThread:
        """Move to a new thread and start it; returns the thread.

        Give the thread a `parent` that calls `stop()` when it is destroyed (the controller does),
        so Python's clean-up at exit can never delete a thread that still runs.
        """
        gc_guard.acquire()  # from now on garbage is collected on the GUI thread only
        thread = QThread(parent)
        thread.setObjectName("shotline-jobs")
        self.moveToThread(thread)
        thread.start(QThread.Priority.LowPriority)  # honoured on Windows and macOS; Linux: see _lower_priority
        self._thread = thread
        return thread

    def stop(self, timeout_ms: int = 30_000) -> bool:
        """Stop the running job at its next step (it waits in the queue for the next time) and
        end the thread. Call when the window closes.

        This is the one place the GUI thread waits (on quit, nothing else to do); a step of a
        real model can take seconds, which is why the window is already gone by then.
        """
        thread = self._ask_to_stop()
        if thread is None:
            return True
        thread.quit()
        ok = thread.wait(timeout_ms)
        if not ok:  # a step still runs: its owner (and so its parent) may go now, the thread may not
            self._give_back_running()
            keep_until_finished(thread, self)
        self._thread = None
        gc_guard.release()
        return ok

    def _give_back_running(self) -> None:
        """The running job goes to the front of the queue now, while the journal is still open:
        "Quit, resume next time" during a step longer than stop()'s wait left it 'running', and
        the next open showed it as interrupted by a crash instead of resuming it."""
        with self._lock:
            job_id = self._given_back = self._running
        if job_id is None or self._journal is None:
            return
        try:
            self._journal.put_back(job_id)
        except JournalError:
            pass  # it ended meanwhile: its own state stands

    def stop_later(self, ended: Callable[[], None]) -> bool:
        """stop() without waiting: the running job stops at its next step, the model is unloaded
        and the thread ends on its own; then `ended` (a slot of a GUI-thread QObject, so Qt
        queues the call there) runs, and must call `thread_ended()`. False when no thread runs
        (nothing will call `ended`)."""
        thread = self._ask_to_stop()
        if thread is None:
            return False
        thread.finished.connect(ended)  # before the thread can end
        QMetaObject.invokeMethod(self, "_finish", Qt.ConnectionType.QueuedConnection)
        return True

    def _ask_to_stop(self) -> QThread | None:
        """The running job stops at its next step and nothing else starts; the thread, if any.

        Stopping is not cancelling: like a pause, the running job goes back to the front of the
        queue with nothing made, and runs when the project is opened again (the user chose
        "Quit, resume next time", or opened another project)."""
        self._paused.set()
        return self._thread

    def thread_ended(self) -> None:
        """The thread of stop_later() has finished (GUI thread)."""
        if self._thread is not None:
            self._thread = None
            gc_guard.release()

    def set_journal(self, journal: Journal) -> None:
        """The journal, once it is open (GUI thread): jobs are looked for from the next wake()."""
        self._journal = journal

    # --- requests (any thread) -------------------------------------------------------------
    @property
    def running_job(self) -> int | None:
        with self._lock:
            return self._running

    @property
    def paused(self) -> bool:
        return self._paused.is_set()

    def wake(self) -> None:
        """Look for a queued job to run (after one was added, resumed or reordered)."""
        with self._lock:
            if self._paused.is_set():
                return
            if self._scheduled:
                # the scheduled call may already have looked and found nothing: it must look again
                self._look_again = True
                return
            self._scheduled = True
        QMetaObject.invokeMethod(self, "_run_one", Qt.ConnectionType.QueuedConnection)

    def cancel(self, job_id: int) -> None:
        """Ask the running job `job_id` to stop at its next step (a no-op for other jobs)."""
        with self._lock:
            self._cancel.add(job_id)

    def set_paused(self, paused: bool) -> None:
        """Pause: stop the running job (requeued at the front) and unload; resume: run again."""
        if paused:
            self._paused.set()
            QMetaObject.invokeMethod(self, "_unload_model", Qt.ConnectionType.QueuedConnection)
        else:
            self._paused.clear()
            self.wake()

    def unload(self) -> None:
        """Free the model's memory once no job runs."""
        QMetaObject.invokeMethod(self, "_unload_model", Qt.ConnectionType.QueuedConnection)

    # --- worker thread ---------------------------------------------------------------------
    @Slot()
    def _finish(self) -> None:
        """The last call of this thread (after the running job has stopped): free the model, end."""
        self._unload_model()
        thread = self.thread()
        if thread is not None:
            thread.quit()

    @Slot()
    def _unload_model(self) -> None:
        if self._unload is not None:
            try:
                self._unload()
            except Exception as e:  # unloading must never take the worker down
                print(f"shotline: unloading the model failed: {e}", file=sys.stderr)
        self.unloaded.emit()

    def _lower_priority(self) -> None:
        """Run jobs at a lower CPU priority than the window, so a busy CPU never stalls the GUI.

        On Linux the nice value is per thread (and inherited by the threads this one starts, such as
        torch's CPU thread pool when the first job creates it), so only the job work is lowered.
        """
        if self._niced:
            return
        self._niced = True
        if sys.platform.startswith("linux"):
            try:
                tid = threading.get_native_id()
                os.setpriority(os.PRIO_PROCESS, tid, min(19, os.getpriority(os.PRIO_PROCESS, tid) + JOB_NICENESS))
            except (OSError, AttributeError):
                pass  # not allowed here; jobs then run at the window's priority

    def _go_idle(self) -> None:
        with self._lock:
            again = self._look_again and not self._paused.is_set()
            self._look_again = False
            self._scheduled = again
        if again:
            QMetaObject.invokeMethod(self, "_run_one", Qt.ConnectionType.QueuedConnection)
        else:
            self.idle.emit()

    @Slot()
    def _run_one(self) -> None:
        self._lower_priority()
        with self._lock:
            self._look_again = False  # this call looks now; only a later wake() asks again
        if self._paused.is_set() or self._journal is None:  # no journal: not open yet
            self._go_idle()
            return
        try:
            job = self._journal.claim_next()
        except JournalError as e:
            self.job_failed.emit(-1, str(e))
            self._go_idle()
            return
        if job is None:
            self._go_idle()
            return
        with self._lock:
            self._running = job.id
            self._cancel.discard(job.id)
        self._run(job)
        with self._lock:
            self._running = None
            self._cancel.discard(job.id)
        # The next job is a new queued call, so an unload or other request waiting in this
        # thread's queue is served first.
        QMetaObject.invokeMethod(self, "_run_one", Qt.ConnectionType.QueuedConnection)

    def _stop_requested(self, job_id: int) -> bool:
        with self._lock:
            return job_id in self._cancel or self._paused.is_set()

    def _run(self, job: Job) -> None:
        self.job_started.emit(job.id)
        last_write = [0.0]
        last_step = [time.perf_counter(), 0]

        def on_progress(step: int, total: int, per_step: float) -> None:
            self.progress.emit(job.id, step, total, per_step)
            # This step's own time (the runner's figure is the running average, for the ETA).
            now = time.perf_counter()
            if last_step[1] == 0:
                took = per_step  # the first report: the runner timed it from the start of sampling,
                # while our clock also counted loading the model and encoding the prompt
            else:
                took = (now - last_step[0]) / max(1, step - last_step[1])
            last_step[0], last_step[1] = now, step
            rss, gpu = memory_now()
            self.measured.emit(job.id, step, took, rss, gpu)
            if now - last_write[0] >= JOURNAL_PROGRESS_EVERY_S or step >= total:
                last_write[0] = now
                try:
                    self._journal.progress(job.id, step, total)
                except JournalError:
                    pass  # progress is a convenience copy; the job goes on

        def on_preview(rgb: np.ndarray) -> None:
            self.preview.emit(job.id, rgb_to_qimage(rgb, PREVIEW_SIDE))

        def should_cancel() -> bool:
            return self._stop_requested(job.id)

        try:
            result = self._execute(self._journal, job, Hooks(on_progress, on_preview, should_cancel))
        except BaseException as e:  # noqa: BLE001 - every failure becomes a job state, never a crash
            # Cancelled without our asking: the job was cancelled elsewhere (another window)
            if self._stop_requested(job.id) or isinstance(e, Cancelled):
                self._stopped(job.id)
            elif getattr(e, "keep_queued", False):
                self._held(job.id, str(e))
            else:
                self._failed(job.id, e)
            if not isinstance(e, Exception):
                raise
            return
        if self._stop_requested(job.id) and result is None:
            self._stopped(job.id)
            return
        self.job_finished.emit(job.id, result)

    def _stopped(self, job_id: int) -> None:
        with self._lock:
            if job_id == self._given_back:
                return  # stop() put it back in the queue already; cancelling it would lose it
            by_user = job_id in self._cancel
        try:
            if by_user or not self._paused.is_set():
                self._journal.cancel(job_id)
                self.job_cancelled.emit(job_id)
            else:
                # Stopped by pause: back to the front of the queue, to run first on resume.
                self._journal.cancel(job_id)
                self._journal.requeue(job_id)
                self._journal.move(job_id, 0)
                self.job_requeued.emit(job_id)
        except JournalError as e:
            self.job_failed.emit(job_id, str(e))

    def _held(self, job_id: int, message: str) -> None:
        """Not the job's fault (the farm can't be reached): back to the front of the queue, and
        no further job is claimed until the user retries (each would meet the same wall)."""
        self._paused.set()
        try:
            self._journal.cancel(job_id)
            self._journal.requeue(job_id)
            self._journal.move(job_id, 0)
        except JournalError as e:
            self.job_failed.emit(job_id, str(e))
            return
        self.job_held.emit(job_id, message)

    def _failed(self, job_id: int, error: BaseException) -> None:
        message = str(error) or type(error).__name__
        if not isinstance(error, ValueError | RuntimeError | OSError):
            # Not an error the user caused: keep the kind so a bug report says what broke.
            message = f"{type(error).__name__}: {message}"
        try:
            self._journal.fail(job_id, message)
        except JournalError:
            pass
        self.job_failed.emit(job_id, message)
