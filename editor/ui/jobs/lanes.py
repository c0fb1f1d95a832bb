"""Several job threads behind the one JobWorker interface, so farm jobs run side by side.

On this computer one job runs at a time (one model in memory). When jobs run on a render farm
(model.farm), each job thread only waits on its remote job, so the controller runs `lanes` of
them: each claims the next queued job from the journal (claims are atomic, so no two lanes take
the same job) and the farm spreads them over its GPUs. Variations and storyboard draft shots,
queued as separate jobs, so run at once; a long shot is one job and stays on one worker.

`WorkerLanes` has JobWorker's signals and methods (the controller drives either the same way);
each lane's signals are forwarded, and stop/pause/cancel go to every lane.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QObject, QThread, Signal, Slot
from PySide6.QtGui import QImage

from editor.ui.jobs.worker import Execute, JobWorker, Unload
from model.journal import Journal


class WorkerLanes(QObject):
    """`lanes` JobWorkers sharing one journal; see the module docstring."""

    job_started = Signal(int)
    progress = Signal(int, int, int, float)
    preview = Signal(int, QImage)
    measured = Signal(int, int, float, float, float)
    job_finished = Signal(int, object)
    job_failed = Signal(int, str)
    job_cancelled = Signal(int)
    job_requeued = Signal(int)
    job_held = Signal(int, str)
    idle = Signal()
    unloaded = Signal()

    def __init__(self, journal: Journal | None, execute: Execute, unload: Unload | None = None, *,
                 lanes: int = 4) -> None:
        super().__init__()
        self.lanes = [JobWorker(journal, execute, unload) for _ in range(max(1, lanes))]
        for w in self.lanes:
            for name in ("job_started", "progress", "preview", "measured", "job_finished", "job_failed",
                         "job_cancelled", "job_requeued", "job_held", "idle", "unloaded"):
                getattr(w, name).connect(getattr(self, name))
        self._ended: Callable[[], None] | None = None
        self._stopping = 0

    # --- life cycle (GUI thread) ----------------------------------------------------------------
    def start(self, parent: QObject | None = None) -> QThread:
        threads = [w.start(parent) for w in self.lanes]
        return threads[0]

    def stop(self, timeout_ms: int = 30_000) -> bool:
        # every lane is asked before any is waited for, under one deadline: a quit with four lanes
        # stuck (a farm that can't be reached) froze the window for four timeouts, not one
        for w in self.lanes:
            w._ask_to_stop()
        deadline = time.monotonic() + timeout_ms / 1000
        return all([w.stop(max(0, int((deadline - time.monotonic()) * 1000))) for w in self.lanes])

    def stop_later(self, ended: Callable[[], None]) -> bool:
        self._ended = ended
        self._stopping = sum(1 for w in self.lanes if w.stop_later(self._lane_ended))
        return self._stopping > 0

    @Slot()
    def _lane_ended(self) -> None:
        self._stopping -= 1
        if self._stopping == 0 and self._ended is not None:
            ended, self._ended = self._ended, None
            ended()

    def thread_ended(self) -> None:
        for w in self.lanes:
            w.thread_ended()

    def set_journal(self, journal: Journal) -> None:
        for w in self.lanes:
            w.set_journal(journal)

    # --- requests ------------------------------------------------------------------------------
    @property
    def running_job(self) -> int | None:
        """The first running job (JobWorker's answer); `running_jobs` has them all."""
        running = self.running_jobs
        return running[0] if running else None

    @property
    def running_jobs(self) -> list[int]:
        return [j for j in (w.running_job for w in self.lanes) if j is not None]

    def is_running(self, job_id: int) -> bool:
        return job_id in self.running_jobs

    @property
    def paused(self) -> bool:
        return self.lanes[0].paused

    def wake(self) -> None:
        for w in self.lanes:
            w.wake()

    def cancel(self, job_id: int) -> None:
        for w in self.lanes:
            if w.running_job == job_id:
                w.cancel(job_id)

    def set_paused(self, paused: bool) -> None:
        for w in self.lanes:
            w.set_paused(paused)

    def unload(self) -> None:
        for w in self.lanes:
            w.unload()
