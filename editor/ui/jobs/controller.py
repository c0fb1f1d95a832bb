"""The generation controller: the user's actions become queued jobs; finished jobs become undoable edits.

It owns the project's job journal and the worker thread. On the GUI thread it only builds plans
(pure Python) and applies results as `PlaceGeneratedTake` edits. Everything that waits on the
disk happens elsewhere: opening the journal (with the project), its writes and reads (fsync'd
SQLite transactions, which a busy disk can hold up for a good part of a second) and closing it
go through a one-thread "journal" executor whose answers come back as queued signals; reading a
model folder's configs (to grey out what its model can't do) runs on the shared background
pool and is cached; reading frames, running the model and writing takes happen in the worker.
Only quitting (`shutdown()`) waits, for the running step and the last journal writes.
The worker reads the project only through a snapshot of its settings and cast that
this controller replaces (never mutates) after each change, so the two threads never share a
mutable object.
"""

from __future__ import annotations

import concurrent.futures
import copy
import functools
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal
from PySide6.QtGui import QImage

from editor.document.document import Change, Document
from editor.document.edits import Composite, EditRefused, PlaceGeneratedTake, Side
from editor.document.media_paths import locate_media
from editor.document.plans import (
    AnimateStill,
    ExtendClip,
    GenerateShot,
    GenerationPlan,
    InfillGap,
    LoopClip,
    RestyleClip,
    make_plan,
)
from editor.document.plans import Selection as PlanSelection
from editor.document.project import Project, Take, new_id
from editor.document.storage import PROJECT_FILE
from editor.document.subfolders import inside_project
from editor.generation import (
    INTERPOLATE,
    Generated,
    GenerationError,
    JobStopped,
    Progress,
    model_for,
    plan_of,
    run_job,
    submit,
)
from editor.media.errors import MediaError
from editor.media.takes import read_sidecar
from editor.ui.jobs.worker import JobCallbacks, JobWorker
from editor.ui.selection import Selection
from model.journal import Job, JobState, Journal, JournalError
from model.models import interpolate_info
from model.request import Action
from model.runner import Runner  # light: torch is imported when a model loads

ACTIONS = ("generate", "animate", "extend_forward", "extend_backward", "infill", "loop", "restyle")
DEFAULT_EXTEND_SECONDS = 2.0
DEFAULT_LOOP_SECONDS = 1.0
DEFAULT_RESTYLE_STRENGTH = 0.6
JOURNAL_NAME = "jobs.sqlite"
# A model folder's cached answer (what it can make) is checked again, off the GUI thread, when it
# is older than this and asked for: a model swapped on disk is noticed without a restart.
MODEL_RECHECK_S = 5.0


@dataclass
class LiveJob:
    """What the GUI knows of the running job between journal writes."""

    step: int = 0
    total: int = 0
    per_step: float = 0.0
    preview: QImage | None = None
    stopping: bool = False
    started: float = 0.0

    @property
    def eta(self) -> float | None:
        """Seconds left, from the mean step time so far (None before the first step)."""
        if self.total <= 0 or self.step <= 0:
            return None
        return (self.total - self.step) * self.per_step

    @property
    def fraction(self) -> float:
        return self.step / self.total if self.total else 0.0


def project_snapshot(project: Project) -> Project:
    """A copy of what a running job may read of the project (size, fps, cast, defaults), no tracks."""
    return Project(
        name=project.name, fps=project.fps, width=project.width, height=project.height, tracks=[],
        cast=[copy.deepcopy(m) for m in project.cast], defaults=copy.copy(project.defaults),
        metadata={},
    )


class GenerationController(QObject):
    """See `editor.ui.jobs` for the public API."""

    job_progress = Signal(object, float, object)  # plan target, fraction, QImage or None
    jobs_changed = Signal()
    message = Signal(str)
    # clip id now showing the new take, when the user's selection is still what it was when the
    # job was asked for (the window then selects it; a job's end never moves a user who moved on)
    take_placed = Signal(str)
    action_states_changed = Signal()
    # finer-grained, for the panels
    job_started = Signal(int)
    job_live = Signal(int)  # the running job's progress or preview changed
    measured = Signal(int, int, float, float, float)  # job, step, s/step, RSS MiB, GPU MiB
    job_ended = Signal(int, str)  # job id, "done" | "failed" | "cancelled" | "requeued"
    job_queued = Signal(int)  # a new job (or a job run again) is on disk, waiting to run
    unplaced_changed = Signal()  # the finished results missing from the timeline changed

    def __init__(
        self,
        document: Document,
        selection: Selection,
        *,
        folder: Path | str | None = None,
        journal: Journal | None = None,
        runner: Any = None,
        settings: Any = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.document = document
        self.selection = selection
        self.folder = Path(folder) if folder is not None else document.folder
        if self.folder is None:
            raise GenerationError("Save the project first: generated takes are stored in its folder.")
        self._journal: Journal | None = journal
        self._owns_journal = journal is None
        self._runner = runner if runner is not None else _runner_from(settings)
        self._snapshot = project_snapshot(document.project)
        self._jobs: list[Job] = []
        self._titles: dict[int, str] = {}
        self._plans: dict[int, GenerationPlan] = {}
        self._live: dict[int, LiveJob] = {}
        # model folder -> (when checked, model_index.json mtime, ModelInfo or why it can't be used)
        self._model_support: dict[str, tuple[float, float, Any]] = {}
        self._model_reading: dict[str, list[Callable[[], None]]] = {}  # folder -> what waits for it
        self._support_revision = 0  # bumped when a model folder's answer arrives or changes
        # action_state() answers for one (document edit, selection, model answers) state
        self._states_key: tuple = ()
        self._states: dict[str, tuple[bool, str]] = {}
        self._unavailable = ""  # why generation can't run here (the journal could not be opened)
        self._closed = False
        self._io = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="shotline-journal")
        # queued even when the work is done before add_done_callback (then called on this thread):
        # answers always come from the event loop, after whoever made us has connected
        from editor.ui.background import gui_caller  # background imports this package (gc_guard)

        self._post = gui_caller(self)
        self._refreshing = False
        self._refresh_again = False
        # Finished takes the timeline may be missing: jobs done between the last save and this
        # opening (the editor stopped before their take was saved in the project), and jobs of
        # this session whose take could not be placed. Filled by the first journal read.
        self._opened_at = time.time()
        self._saved_at = _saved_time(self.folder)
        self._unplaced_candidates: set[int] | None = None
        self._unplaced: list[int] = []
        # job id -> the selection when the user asked for it (see take_placed)
        self._asked_on: dict[int, tuple] = {}

        self._worker = JobWorker(journal, self._execute, self._runner.unload, stopped_types=(JobStopped,))
        w = self._worker
        w.job_started.connect(self._on_started)
        w.progress.connect(self._on_progress)
        w.preview.connect(self._on_preview)
        w.measured.connect(self.measured)
        w.job_finished.connect(self._on_finished)
        w.job_failed.connect(self._on_failed)
        w.job_cancelled.connect(self._on_cancelled)
        w.job_requeued.connect(self._on_requeued)
        w.idle.connect(self._refresh)
        self._unsubscribe = document.subscribe(self._on_document_changed)
        selection.changed.connect(self.action_states_changed)
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.shutdown)
        # A controller dropped without shutdown(), or deleted with its window before a
        # shutdown(wait=False) has ended, must not leave its threads running (Qt aborts when a
        # running QThread is destroyed) nor its journal open.
        self._leftovers = _Leftovers(self._worker, self._io, owns_journal=journal is None)
        self.destroyed.connect(functools.partial(_Leftovers.release, self._leftovers))  # held strongly

        self.interrupted: list[Job] = []
        self._worker.start(self)
        if journal is not None:
            self._opening = concurrent.futures.Future()
            self._opening.set_result(journal)
            self._journal_opened(journal)
        else:
            # Opening creates or checks the file and recovers jobs a dead process left running
            # (fsync'd writes): on the journal thread, ahead of every other journal call.
            path = self.folder / JOURNAL_NAME
            self._opening = self._in_journal(lambda: _open_journal(path), self._journal_opened,
                                             failed=self._journal_failed)
        self._leftovers.opening = self._opening

    @property
    def journal(self) -> Journal:
        """The project's job journal. Right after construction it may still be opening: this
        then waits for it (for tests and scripts; the controller itself never does on the GUI
        thread). Raises JournalError when it could not be opened."""
        if self._journal is not None:
            return self._journal
        return self._opening.result()

    def _journal_opened(self, journal: Journal) -> None:
        self._journal = journal
        self._worker.set_journal(journal)
        self.interrupted = list(journal.interrupted_on_open)
        self._refresh()
        if self.interrupted:
            n = len(self.interrupted)
            text = (f"{n} job{'s' if n > 1 else ''} stopped when Shotline last closed; "
                    "see Jobs to run {0} again.".format("them" if n > 1 else "it"))
            # after the event loop turns, so the window that made us has connected `message`
            QTimer.singleShot(0, self, lambda: self.message.emit(text))
        self._worker.wake()

    def _journal_failed(self, error: Exception) -> None:
        self._unavailable = f"Generation is unavailable for this project: {error}"
        self.message.emit(self._unavailable)
        self.action_states_changed.emit()

    # --- the user's actions -------------------------------------------------------------------
    def generate_shot(self) -> bool:
        """Queue a take for each selected shot (a draft's first take, or another one).

        Every action returns True when its job was planned and is being queued (`job_queued`
        brings its id once it is on disk), False when the selection can't be used (`message`
        says why). A model folder not read yet is read first, off the GUI thread; if it then
        can't make the action, `message` says so and nothing is queued.
        """
        clips = self.selection.clips
        if len(clips) > 1:
            return any([self._queue(GenerateShot(clip_id=c)) for c in clips])
        return self._queue_for("generate")

    def animate(self) -> bool:
        return self._queue_for("animate")

    def extend_forward(self, seconds: float = DEFAULT_EXTEND_SECONDS) -> bool:
        return self._queue_for("extend_forward", seconds=seconds)

    def extend_backward(self, seconds: float = DEFAULT_EXTEND_SECONDS) -> bool:
        return self._queue_for("extend_backward", seconds=seconds)

    def infill(self) -> bool:
        return self._queue_for("infill")

    def loop(self, seconds: float = DEFAULT_LOOP_SECONDS) -> bool:
        return self._queue_for("loop", seconds=seconds)

    def restyle(self, strength: float = DEFAULT_RESTYLE_STRENGTH) -> bool:
        return self._queue_for("restyle", strength=strength)

    def action_state(self, action: str) -> tuple[bool, str]:
        """(enabled, tooltip): whether `action` can run on the selection, and why not / what it does.

        Answers are kept per document edit, selection and model-folder answer, so asking again
        (every menu, toolbar and context menu does) costs a dictionary lookup. A model folder
        not read yet is read off the GUI thread; meanwhile the action waits greyed out, and
        `action_states_changed` follows when the answer is in.
        """
        if action not in ACTIONS:
            raise ValueError(f"Unknown action {action!r}; one of {', '.join(ACTIONS)}.")
        key = self.state_key
        if key != self._states_key:
            self._states_key, self._states = key, {}
        state = self._states.get(action)
        if state is None:
            state = self._states[action] = self._evaluate(action)
        return state

    @property
    def state_key(self) -> tuple:
        """Changes whenever an action_state() answer may change (edits, selection, model folders)."""
        return (self.document.edit_count, self.selection.revision, self._support_revision, self._unavailable)

    def _evaluate(self, action: str) -> tuple[bool, str]:
        if self._unavailable:
            return False, self._unavailable
        try:
            sel = self._selection_for(action)
            plan = make_plan(self.document.project, sel, seed=0)
            model = model_for(plan)
            support = self._support(model)
            if support is None:
                self._read_model(model)
                return False, f"Reading the model folder {Path(model).name}…"
            reason = _refusal(support, plan.action)
            if reason:
                return False, reason
        except (EditRefused, GenerationError) as exc:
            return False, str(exc)
        engine = "the built-in interpolation" if model == INTERPOLATE else Path(model).name
        return True, f"{plan.summary} (with {engine})."

    # --- the queue ------------------------------------------------------------------------------
    def jobs(self) -> list[Job]:
        """Every job of this project, in queue order (as last read)."""
        return list(self._jobs)

    def waiting_ids(self) -> list[int]:
        """Ids of waiting jobs in the order they will run (the index `move` takes)."""
        return [j.id for j in self._jobs if j.state in (JobState.QUEUED, JobState.PAUSED)]

    def live(self, job_id: int) -> LiveJob | None:
        return self._live.get(job_id)

    def title_of(self, job_id: int) -> str:
        return self._titles.get(job_id, f"Job {job_id}")

    @property
    def running_job(self) -> int | None:
        return self._worker.running_job

    @property
    def paused(self) -> bool:
        return self._worker.paused

    def cancel(self, job_id: int) -> None:
        """A waiting job is dropped now; a running one stops within one step (no take is kept)."""
        if job_id == self._worker.running_job:
            live = self._live.setdefault(job_id, LiveJob())
            if live.stopping:
                return  # asked already; it stops at its next step
            self._worker.cancel(job_id)
            live.stopping = True
            self.job_live.emit(job_id)
            self.message.emit(f"Stopping “{self.title_of(job_id)}”…")
            return
        self._in_journal(lambda: self.journal.cancel(job_id), lambda _job: self._refresh())

    def retry(self, job_id: int) -> None:
        """Run a job again (its id comes back with `job_queued`). A done job is run with a new
        seed, so it makes a different take; the others are run as they were asked for."""
        seed = random.SystemRandom().randrange(2**31)

        def write() -> Job:
            job = self.journal.get(job_id)
            if job.state is JobState.DONE:
                return submit(self.journal, replace(plan_of(job), seed=seed))
            return self.journal.requeue(job_id)

        self._in_journal(write, self._queued)

    def retry_interrupted(self) -> None:
        for job in [j for j in self._jobs if j.state is JobState.INTERRUPTED]:
            self.retry(job.id)

    def unplaced_results(self) -> list[Job]:
        """Finished jobs whose take is in media/ but in no clip of the project, oldest first.

        These are jobs that finished after the project was last saved, in a session that ended
        before the project was saved again (a crash, a kill, "Don't save"), and jobs whose take
        could not be placed. A take the user removed and then saved the project without is not
        offered again. `place_unplaced()` puts them in the timeline.
        """
        candidates = self._unplaced_candidates
        if not candidates:
            return []
        used_ids, used_media = _takes_in(self.document.project, self.folder)
        out = []
        for job in self._jobs:
            if job.id not in candidates or job.state is not JobState.DONE:
                continue
            result = job.result if isinstance(job.result, dict) else {}
            media = result.get("take")
            if not media or result.get("take_id") in used_ids:
                continue
            path = locate_media(self.folder, str(media)).path
            if path is None or _media_key(path) in used_media or not path.is_file():
                continue
            out.append(job)
        return sorted(out, key=lambda j: (j.finished_at or 0.0, j.id))

    def place_unplaced(self) -> int:
        """Put every unplaced finished take into the timeline as one undoable step; how many."""
        edits, first_job = [], None
        for job in self.unplaced_results():
            plan = self._plan(job.id)
            if plan is None:
                continue
            edits.append(PlaceGeneratedTake(plan=plan, take=_take_of(job, plan, self.folder)))
            first_job = first_job or job
        if not edits:
            return 0
        n = len(edits)
        try:
            if n == 1:
                self.document.request(edits[0])
            else:
                self.document.request(Composite(f"Place {n} finished results", edits))
        except EditRefused as exc:
            self.message.emit(f"The finished results could not be placed: {exc}")
            return 0
        self.message.emit(f"Placed {n} finished result{'s' if n > 1 else ''} in the timeline.")
        clip_id = _clip_holding(self.document.project, edits[0].take.id)
        if clip_id is not None:
            self.take_placed.emit(clip_id)
        self._check_unplaced()
        return n

    def show_result(self, job_id: int) -> bool:
        """Select the clip showing a finished job's take (Jobs ▸ Show); False, and `message`
        says why, when the take is in no clip (undone or deleted since)."""
        job = next((j for j in self._jobs if j.id == job_id), None)
        result = job.result if job is not None and isinstance(job.result, dict) else {}
        clip_id = _clip_holding(self.document.project, str(result["take_id"])) if result.get("take_id") else None
        if clip_id is None:
            self.message.emit("That take is in no clip of the timeline now (undone or deleted).")
            return False
        self.take_placed.emit(clip_id)
        return True

    def move(self, job_id: int, index: int) -> None:
        """Put a waiting job at `index` of the waiting jobs (0 runs next)."""
        self._in_journal(lambda: self.journal.move(job_id, index), lambda _jobs: self._refresh())

    def pause_queue(self) -> None:
        """Stop the running job (back to the front of the queue) and free the model's memory."""
        if self.paused:
            return
        running = self._worker.running_job
        self._worker.set_paused(True)
        if running is not None:
            self._live.setdefault(running, LiveJob()).stopping = True
            self.job_live.emit(running)
        self.message.emit("Queue paused; the model is unloaded.")
        self._refresh()
        self.action_states_changed.emit()

    def resume_queue(self) -> None:
        if not self.paused:
            return
        self._worker.set_paused(False)
        self.message.emit("Queue resumed.")
        self._refresh()
        self.action_states_changed.emit()

    def shutdown(self, *, wait: bool = True) -> None:
        """Stop the worker and close the journal. The running job stops at its next step and goes
        back to the front of the queue, so it runs again when the project is next opened.

        wait=True (quitting): returns once the thread has stopped, the last journal writes are on
        disk and the journal is closed. wait=False (the window opens another project): returns at
        once and signals nothing more; the worker stops and unloads the model on its own thread,
        then the journal is closed on the journal thread and this controller deletes itself.
        """
        if self._closed:
            return
        self._closed = True
        self._unsubscribe()
        if not wait:
            self.blockSignals(True)  # the window listens to the next project's controller now
            if not self._worker.stop_later(self._worker_ended):
                self._worker_ended()
            return
        self._worker.stop()
        self._io.shutdown(wait=True, cancel_futures=False)  # queued rows are written before we go
        try:
            self._runner.unload()
        except Exception:
            pass  # quitting anyway
        self._close_journal()

    def _close_journal(self) -> None:
        if self._owns_journal and self._opening.done() and self._opening.exception() is None:
            self._opening.result().close()

    def _worker_ended(self) -> None:
        """After shutdown(wait=False), once the worker thread has ended: close the journal behind
        the writes still queued for it, on its own thread, and go."""
        self._worker.thread_ended()
        self._io.submit(self._close_journal)
        self._io.shutdown(wait=False, cancel_futures=False)
        self.deleteLater()

    # --- internals ------------------------------------------------------------------------------
    def _selection_for(self, action: str, *, seconds: float | None = None,
                       strength: float = DEFAULT_RESTYLE_STRENGTH) -> PlanSelection:
        sel = self.selection
        fps = self.document.project.fps
        clip_id = sel.clip
        if clip_id is None and sel.clip_end is not None:
            clip_id = sel.clip_end.clip_id
        if clip_id is None and sel.keyframe is not None:
            clip_id = sel.keyframe.clip_id
        if action == "infill":
            if sel.gap is None:
                raise EditRefused("Select the gap between two clips to infill it.")
            return InfillGap(track_id=sel.gap.track_id, frame=sel.gap.start)
        if clip_id is None:
            raise EditRefused("Select a shot first." if not sel.clips else "Select just one shot.")
        if action == "generate":
            return GenerateShot(clip_id=clip_id)
        if action == "animate":
            return AnimateStill(clip_id=clip_id)
        if action in ("extend_forward", "extend_backward"):
            frames = max(1, round((seconds or DEFAULT_EXTEND_SECONDS) * fps))
            side = Side.END if action == "extend_forward" else Side.START
            return ExtendClip(clip_id=clip_id, side=side, frames=frames)
        if action == "loop":
            return LoopClip(clip_id=clip_id, frames=max(1, round((seconds or DEFAULT_LOOP_SECONDS) * fps)))
        if action == "restyle":
            return RestyleClip(clip_id=clip_id, strength=strength)
        raise ValueError(action)

    def _queue_for(self, action: str, **options: Any) -> bool:
        """Plan `action` on the selection and queue it; False (and `message` says why) when the
        selection can't be used."""
        try:
            selection = self._selection_for(action, **options)
        except EditRefused as exc:
            self.message.emit(str(exc))
            return False
        return self._queue(selection)

    def _queue(self, selection: PlanSelection | None) -> bool:
        try:
            if selection is None:
                raise EditRefused("Nothing is selected.")
            plan = make_plan(self.document.project, selection)
            model = model_for(plan)
        except (EditRefused, GenerationError) as exc:
            self.message.emit(str(exc))
            return False
        if self._unavailable:
            self.message.emit(self._unavailable)
            return False
        asked_on = self._selection_key()
        if self._support(model) is None:
            # the model folder was not read yet: read it off the GUI thread, then queue or say why not
            self._read_model(model, then=lambda: self._submit(plan, model, asked_on))
            return True
        return self._submit(plan, model, asked_on)

    def _submit(self, plan: GenerationPlan, model: str, asked_on: tuple | None = None) -> bool:
        """Write the job to the journal unless the model refuses it (the message says why)."""
        reason = _refusal(self._support(model), plan.action)
        if reason:
            self.message.emit(reason)
            return False
        self._in_journal(lambda: submit(self.journal, plan), lambda job: self._queued(job, asked_on))
        return True

    def _selection_key(self) -> tuple:
        sel = self.selection
        return (sel.clips, sel.gap, sel.keyframe, sel.clip_end)

    def _queued(self, job: Job, asked_on: tuple | None = None) -> None:
        if asked_on is not None:
            self._asked_on[job.id] = asked_on
        try:
            self._plans[job.id] = plan_of(job)
        except GenerationError:
            pass
        self.message.emit(f"Queued: {job.title}")
        self._refresh()
        self._worker.wake()
        self.job_queued.emit(job.id)

    # --- the journal thread -------------------------------------------------------------------
    def _in_journal(self, work: Callable[[], Any], then: Callable[[Any], None], *,
                    failed: Callable[[Exception], None] | None = None) -> concurrent.futures.Future | None:
        """Run `work()` on the journal thread; `then(result)` (or `failed(error)`, else the error
        as a status line) follows on the GUI thread."""
        if self._closed:
            return None
        future = self._io.submit(work)

        def done(f: concurrent.futures.Future) -> None:  # journal thread
            # through the shared relay, not a signal of ours: the GUI thread may be deleting
            # this controller (closed) while the journal thread finishes its last writes
            self._post(lambda: self._on_io_done(f, (then, failed)))

        future.add_done_callback(done)
        return future

    def _on_io_done(self, future: concurrent.futures.Future, handlers: tuple) -> None:
        if self._closed:
            return
        then, failed = handlers
        try:
            result = future.result()
        except (JournalError, GenerationError) as exc:
            if failed is not None:
                failed(exc)
                return
            self.message.emit(str(exc))
            if then == self._set_jobs:
                self._refreshing = False
            else:
                self._refresh()
            return
        then(result)

    # --- model folders (read on the background pool, cached) -------------------------------------
    def _support(self, model: str) -> Any:
        """What `model` can make (a ModelInfo, or why it can't be used), None when not read yet.

        Never touches the disk: a cached answer older than MODEL_RECHECK_S is checked again in the
        background (`action_states_changed` follows when it changed)."""
        if model == INTERPOLATE:
            return interpolate_info()
        cached = self._model_support.get(model)
        if cached is None:
            return None
        if time.monotonic() - cached[0] > MODEL_RECHECK_S:
            self._read_model(model)
        return cached[2]

    def _read_model(self, model: str, then: Callable[[], None] | None = None) -> None:
        """Read `model`'s folder on the background pool (once at a time); then `then()`."""
        from editor.ui.background import run_in_background

        waiting = self._model_reading.get(model)
        if waiting is not None:
            if then is not None:
                waiting.append(then)
            return
        self._model_reading[model] = [then] if then is not None else []
        cached = self._model_support.get(model)
        stamp = cached[1] if cached is not None else None
        run_in_background(lambda: _read_model_folder(model, stamp),
                          lambda answer: self._model_read(model, answer),
                          failed=lambda error: self._model_read(model, (-2.0, f"The model folder {model} can't be "
                                                                        f"read ({error}); check it, or choose another.")),
                          owner=self)

    def _model_read(self, model: str, answer: tuple[float, Any] | None) -> None:
        waiting = self._model_reading.pop(model, [])
        if self._closed:
            return
        cached = self._model_support.get(model)
        if answer is None and cached is not None:  # unchanged on disk: only the check time moves
            self._model_support[model] = (time.monotonic(), cached[1], cached[2])
        elif answer is not None:
            self._model_support[model] = (time.monotonic(), *answer)
            self._support_revision += 1
            self.action_states_changed.emit()
        for then in waiting:
            then()

    def _execute(self, journal: Journal, job: Job, callbacks: JobCallbacks) -> Generated:
        # worker thread: everything it reads is its own or the immutable snapshot
        progress = Progress(callbacks.on_progress, callbacks.on_preview, callbacks.should_cancel)
        return run_job(journal, job, self._runner, self._snapshot, self.folder, progress)

    def _on_document_changed(self, change: Change) -> None:
        if change.settings_changed or change.cast_added or change.cast_removed or change.cast_changed:
            self._snapshot = project_snapshot(self.document.project)  # replaced, never mutated
        if self._unplaced_candidates:
            self._check_unplaced()  # placed, or placed and undone
        self.action_states_changed.emit()

    def _check_unplaced(self) -> None:
        ids = [j.id for j in self.unplaced_results()]
        if ids != self._unplaced:
            self._unplaced = ids
            self.unplaced_changed.emit()

    def _plan(self, job_id: int) -> GenerationPlan | None:
        plan = self._plans.get(job_id)
        if plan is None:
            job = next((j for j in self._jobs if j.id == job_id), None)
            if job is None:
                return None  # not read yet; the next refresh brings it
            try:
                plan = plan_of(job)
            except GenerationError:
                return None
            self._plans[job_id] = plan
        return plan

    def _refresh(self) -> None:
        """Re-read the job list on the journal thread; `jobs_changed` follows."""
        if self._closed:
            return
        if self._refreshing:
            self._refresh_again = True  # one more read after the one in flight, not one per call
            return
        self._refreshing = True
        self._in_journal(lambda: self.journal.jobs(), self._set_jobs)

    def _set_jobs(self, jobs: list[Job]) -> None:
        self._refreshing = False
        if self._refresh_again:
            self._refresh_again = False
            self._refresh()
        self._jobs = jobs
        self._titles = {j.id: j.title for j in jobs}
        first_read = self._unplaced_candidates is None
        if first_read:
            self._unplaced_candidates = {
                j.id for j in jobs if j.state is JobState.DONE and j.finished_at is not None
                and self._saved_at <= j.finished_at <= self._opened_at}
        self._check_unplaced()
        self.jobs_changed.emit()
        waiting = sum(j.state is JobState.QUEUED for j in jobs) if first_read else 0
        if waiting:
            # left queued when the project was last closed ("Quit, resume next time"): they run now
            said = (f"Resuming {waiting} job{'s' if waiting > 1 else ''} left in the queue when this "
                    "project was last closed; see Jobs.")
            QTimer.singleShot(0, self, lambda: self.message.emit(said))
        if first_read and self._unplaced:
            n = len(self._unplaced)
            text = f"{n} finished result{'s are' if n > 1 else ' is'} not in the timeline; see Jobs to place them."
            # after the event loop turns: a fast first read lands inside __init__, before the
            # window has connected `message`
            QTimer.singleShot(0, self, lambda: self.message.emit(text))

    def _on_started(self, job_id: int) -> None:
        self._live[job_id] = LiveJob(started=time.monotonic())
        self._refresh()
        self.job_started.emit(job_id)
        plan = self._plan(job_id)
        if plan is not None:
            self.job_progress.emit(plan.target, 0.0, None)

    def _on_progress(self, job_id: int, step: int, total: int, per_step: float) -> None:
        live = self._live.setdefault(job_id, LiveJob())
        live.step, live.total, live.per_step = step, total, per_step
        self.job_live.emit(job_id)
        plan = self._plan(job_id)
        if plan is not None:
            self.job_progress.emit(plan.target, live.fraction, live.preview)

    def _on_preview(self, job_id: int, image: QImage) -> None:
        live = self._live.setdefault(job_id, LiveJob())
        live.preview = image
        self.job_live.emit(job_id)
        plan = self._plan(job_id)
        if plan is not None:
            self.job_progress.emit(plan.target, live.fraction, image)

    def _on_finished(self, job_id: int, result: object) -> None:
        self._live.pop(job_id, None)
        if not isinstance(result, Generated):
            self._on_failed(job_id, "The job returned nothing to place; run it again.")
            return
        # before the take lands: placing it may change the selection (a filled gap is gone)
        unmoved = self._asked_on.pop(job_id, None) == self._selection_key()
        try:
            self.document.request(PlaceGeneratedTake(plan=result.plan, take=result.take))
        except EditRefused as exc:
            self.message.emit(f"The take was made ({result.take.media}) but could not be placed: {exc}")
            # kept on offer in the jobs panel ("Place them"), so the take is never lost
            if self._unplaced_candidates is None:
                self._unplaced_candidates = set()
            self._unplaced_candidates.add(job_id)
            self._refresh()
            self.job_ended.emit(job_id, "failed")
            return
        clip_id = _clip_holding(self.document.project, result.take.id)
        self.message.emit(f"Done: {self.title_of(job_id)}")
        self._refresh()
        if clip_id is not None and unmoved:
            self.take_placed.emit(clip_id)
        self.job_ended.emit(job_id, "done")

    def _on_failed(self, job_id: int, message: str) -> None:
        self._live.pop(job_id, None)
        self.message.emit(f"Failed: {self.title_of(job_id)}: {message}" if job_id >= 0 else message)
        self._refresh()
        self.job_ended.emit(job_id, "failed")

    def _on_cancelled(self, job_id: int) -> None:
        self._live.pop(job_id, None)
        self.message.emit(f"Cancelled: {self.title_of(job_id)}")
        self._refresh()
        self.job_ended.emit(job_id, "cancelled")

    def _on_requeued(self, job_id: int) -> None:
        self._live.pop(job_id, None)
        self._refresh()
        self.job_ended.emit(job_id, "requeued")


class _Leftovers:
    """What a controller's `destroyed` must still let go of: it holds no reference to the
    controller (whose C++ side is gone by then), only its worker, journal thread and journal."""

    def __init__(self, worker: JobWorker, io: concurrent.futures.ThreadPoolExecutor, *, owns_journal: bool) -> None:
        self.worker, self.io, self.owns_journal = worker, io, owns_journal
        self.opening: concurrent.futures.Future | None = None

    def release(self, *_args: object) -> None:
        self.worker.stop()
        opening = self.opening

        def close() -> None:
            if self.owns_journal and opening is not None and opening.done() and opening.exception() is None:
                opening.result().close()

        try:
            self.io.submit(close)  # behind the writes still queued
        except RuntimeError:
            pass  # shut down already: shutdown() or the end of shutdown(wait=False) closed it
        self.io.shutdown(wait=False)


def _open_journal(path: Path) -> Journal:
    """Open (or create) the journal at `path`; any failure is a JournalError that says what to do."""
    if not inside_project(path.parent, path):  # SQLite would write through a link out of the project
        raise JournalError(f"{path.name} in {path.parent} is a link to a file outside the project; Shotline "
                           "does not write there. Remove the link (the project's jobs start afresh).")
    try:
        return Journal(path)
    except JournalError:
        raise
    except Exception as exc:  # an unreadable folder, a full disk: generation is off, the project opens
        raise JournalError(f"The job list {path} can't be opened ({exc}); check that the project folder "
                           "can be written, then open the project again.") from exc


def _read_model_folder(model: str, known_stamp: float | None) -> tuple[float, Any] | None:
    """Background pool: (model_index.json's mtime, ModelInfo or why the folder can't be used);
    None when the folder is unchanged since `known_stamp`."""
    from model.models import ModelError, inspect_model

    try:
        stamp = Path(model, "model_index.json").stat().st_mtime
    except OSError:
        stamp = -1.0
    if stamp == known_stamp:
        return None
    if stamp < 0:
        return stamp, f"The model folder {model} is missing; choose another model for this shot or project."
    try:
        return stamp, inspect_model(model)
    except ModelError as exc:
        return stamp, str(exc)


def _refusal(support: Any, action: Action) -> str | None:
    """Why a model (its ModelInfo, or why it can't be used at all) can't make `action`; None when it can."""
    if isinstance(support, str):
        return support
    return support.supports(action)


def _clip_holding(project: Project, take_id: str) -> str | None:
    for track in project.tracks:
        for clip in track.clips:
            if any(t.id == take_id for t in clip.takes):
                return clip.id
    return None


def _saved_time(folder: Path) -> float:
    """When the project file was last written (0 when it never was)."""
    try:
        return (folder / PROJECT_FILE).stat().st_mtime
    except OSError:
        return 0.0


def _media_key(path: Path) -> str:
    return str(path.resolve())


def _takes_in(project: Project, folder: Path) -> tuple[set[str], set[str]]:
    """Ids and resolved media paths of every take in the project's clips."""
    ids, media = set(), set()
    for track in project.tracks:
        for clip in track.clips:
            for take in clip.takes:
                ids.add(take.id)
                path = locate_media(folder, take.media).path
                if path is not None:
                    media.add(_media_key(path))
    return ids, media


def _take_of(job: Job, plan: GenerationPlan, folder: Path) -> Take:
    """The Take a finished job wrote, rebuilt from its journal result and its sidecar record."""
    result = job.result
    media = str(result["take"])
    path = locate_media(folder, media).path
    try:
        record = read_sidecar(path) if path is not None else {}
    except MediaError:
        record = {}
    return Take(id=str(result.get("take_id") or new_id("take")), media=media, frames=int(result["frames"]),
                is_still=False, record=record or {"job": job.id}, label=plan.action.title)


def _runner_from(settings: Any) -> Runner:
    """A Runner honouring the user's device and memory-mode settings (no torch imported here)."""
    device = memory = None
    if settings is not None:
        device = None if settings.device() == "auto" else settings.device()
        mode = settings.memory_mode()
        memory = None if mode == "auto" else mode
    return Runner(device=device, memory=memory)
