"""The generation controller: the user's actions become queued jobs; finished jobs become undoable edits.

It owns the worker thread and two helpers. On the GUI thread it only builds plans (pure
Python, from `editor.generation.verbs`) and applies results as `PlaceGeneratedTake` edits.
Everything that waits on the disk happens elsewhere: the journal's open, reads, writes and close
go through `JobQueue` (`job_queue.py`, its own thread); what a model folder can make is read on
the background pool and cached by `ModelSupport` (`model_support.py`); reading frames, running
the model and writing takes happen in the worker (`worker.py`).
Only quitting (`shutdown()`) waits, for the running step and the last journal writes.
The worker reads the project only through a snapshot of its settings and cast that
this controller replaces (never mutates) after each change, so the two threads never share a
mutable object.
"""

from __future__ import annotations

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

from editor.document.context_fingerprint import content_tokens, with_context
from editor.document.document import Change, Document
from editor.document.edits import Composite, EditRefused, PlaceGeneratedTake
from editor.document.journaled_plans import shown_tracks
from editor.document.plans import GenerationPlan, make_plan
from editor.document.plans import Selection as PlanSelection
from editor.document.project import Project
from editor.generation import (
    INTERPOLATE,
    Generated,
    GenerationError,
    model_for,
    plan_of,
    run_job,
    submit,
)
from editor.generation.verbs import Options, Verb
from editor.ui.jobs.job_queue import JobQueue
from editor.ui.jobs.lanes import WorkerLanes
from editor.ui.jobs.model_support import ModelSupport, refusal
from editor.ui.jobs.unplaced import clip_holding, saved_time, take_of, unplaced_jobs
from editor.ui.jobs.where import farm_note
from editor.ui.jobs.worker import JobWorker
from editor.ui.selection import Selection
from model.journal import Job, JobState, Journal
from model.runner import Hooks, Runner  # light: torch is imported when a model loads


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
    """A copy of what a running job may read of the project (size, fps, cast, defaults), and of
    its clips only what an older job's plan needs to read them as shown (`shown_tracks`)."""
    return Project(
        name=project.name, fps=project.fps, width=project.width, height=project.height,
        tracks=shown_tracks(project.tracks),
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
        self._runner = runner if runner is not None else _runner_from(settings, document.project)
        if runner is None and farm_note(settings, document.project):  # a farm asked for, no Ray: say so
            note = farm_note(settings, document.project)
            QTimer.singleShot(0, self, lambda: self.message.emit(note))
        self._snapshot = project_snapshot(document.project)
        self._plans: dict[int, GenerationPlan] = {}
        self._live: dict[int, LiveJob] = {}
        self._models = ModelSupport(self.action_states_changed.emit, owner=self)
        # action_state() answers for one (document edit, selection, model answers) state
        self._states_key: tuple = ()
        self._states: dict[Verb, tuple[bool, str]] = {}
        self._unavailable = ""  # why generation can't run here (the journal could not be opened)
        self._closed = False
        # what the window would queue a verb with (the gap page's Seed/Steps/Guidance), so that
        # the greyed-out reason and the time estimate are for that; `options_changed` says when
        self.options_for: Callable[[Verb], Options] = lambda _verb: Options()
        self._options_revision = 0
        self.held = ""  # why the queue waits for the user's Retry (a farm that can't be reached), or ""
        # the journal's reads and writes, on its own thread; answers come from the event loop,
        # after whoever made us has connected
        self._job_queue = JobQueue(self.folder, journal, owner=self, opened=self._journal_opened,
                                   open_failed=self._journal_failed, jobs_read=self._set_jobs,
                                   error=self.message.emit)
        # Finished takes the timeline may be missing: jobs done between the last save and this
        # opening (the editor stopped before their take was saved in the project), and jobs of
        # this session whose take could not be placed. Filled by the first journal read.
        self._opened_at = time.time()
        self._saved_at = saved_time(self.folder)
        self._unplaced_candidates: set[int] | None = None
        self._unplaced: list[int] = []
        # job id -> the selection when the user asked for it (see take_placed)
        self._asked_on: dict[int, tuple] = {}

        # On a render farm several jobs run at once, one per lane (editor.ui.jobs.lanes).
        lanes = getattr(self._runner, "lanes", 1)
        self._worker = (WorkerLanes(journal, self._execute, self._runner.unload, lanes=lanes) if lanes > 1
                        else JobWorker(journal, self._execute, self._runner.unload))
        w = self._worker
        w.job_started.connect(self._on_started)
        w.progress.connect(self._on_progress)
        w.preview.connect(self._on_preview)
        w.measured.connect(self.measured)
        w.job_finished.connect(self._on_finished)
        w.job_failed.connect(self._on_failed)
        w.job_cancelled.connect(self._on_cancelled)
        w.job_requeued.connect(self._on_requeued)
        w.job_held.connect(self._on_held)
        w.idle.connect(self._job_queue.refresh)
        self._unsubscribe = document.subscribe(self._on_document_changed)
        selection.changed.connect(self.action_states_changed)
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.shutdown)
        # A controller dropped without shutdown(), or deleted with its window before a
        # shutdown(wait=False) has ended, must not leave its threads running (Qt aborts when a
        # running QThread is destroyed) nor its journal open.
        self._leftovers = _Leftovers(self._worker, self._job_queue)
        self.destroyed.connect(functools.partial(_Leftovers.release, self._leftovers))  # held strongly

        self._worker.start(self)
        self._job_queue.open()

    @property
    def journal(self) -> Journal:
        """The project's job journal. Right after construction it may still be opening: this
        then waits for it (for tests and scripts; the controller itself never does on the GUI
        thread). Raises JournalError when it could not be opened."""
        return self._job_queue.journal

    @property
    def runner(self) -> Any:
        """What runs the jobs (a model.runner.Runner, or a farm's); the enhancer borrows its loaded model."""
        return self._runner

    @property
    def farm(self) -> Any:
        """The farm's runner (model.farm.client.FarmRunner) when jobs run on a Ray cluster, else None."""
        return self._runner if hasattr(self._runner, "for_job") else None

    @property
    def interrupted(self) -> list[Job]:
        """Jobs a process that died left running, found when the journal was opened."""
        return self._job_queue.interrupted

    def _journal_opened(self, journal: Journal) -> None:
        self._worker.set_journal(journal)
        if self.farm is not None and self.interrupted:
            # a crash left them interrupted here, but on the farm they went on: collect them
            from model.farm.ledger import requeue_sent

            ids = [j.id for j in self.interrupted]
            self._job_queue.run(lambda: requeue_sent(journal, ids), self._collecting)
            return
        if self.interrupted:
            n = len(self.interrupted)
            text = (f"{n} job{'s' if n > 1 else ''} stopped when Shotline last closed; "
                    "see Jobs to run {0} again.".format("them" if n > 1 else "it"))
            # after the event loop turns, so the window that made us has connected `message`
            QTimer.singleShot(0, self, lambda: self.message.emit(text))
        self._worker.wake()

    def _collecting(self, ids: list[int]) -> None:
        """Farm jobs a crash interrupted are queued again to collect their results (journal answer)."""
        if ids:
            n = len(ids)
            self.message.emit(f"{n} job{'s' if n > 1 else ''} went on on the farm after Shotline stopped; "
                              "collecting the result" + ("s." if n > 1 else "."))
            self._job_queue.refresh()
        self._worker.wake()

    def _journal_failed(self, error: Exception) -> None:
        self._unavailable = f"Generation is unavailable for this project: {error}"
        self.message.emit(self._unavailable)
        self.action_states_changed.emit()

    # --- the user's actions -------------------------------------------------------------------
    def queue(self, verb: Verb, options: Options | None = None) -> bool:
        """Queue `verb` on the selection (for Generate: one job per selected shot).

        True when its job was planned and is being queued (`job_queued` brings its id once it
        is on disk), False when the selection can't be used (`message` says why). A model
        folder not read yet is read first, off the GUI thread; if it then can't make the verb,
        `message` says so and nothing is queued.
        """
        try:
            selections = verb.plan_selections(self.selection, self.document.project.fps, options or Options())
        except EditRefused as exc:
            self.message.emit(str(exc))
            return False
        return any([self._queue(s, (options or Options()).plan_options) for s in selections])

    def action_state(self, verb: Verb) -> tuple[bool, str]:
        """(enabled, tooltip): whether `verb` can run on the selection, and why not / what it does.

        Answers are kept per document edit, selection and model-folder answer, so asking again
        (every menu, toolbar and context menu does) costs a dictionary lookup. A model folder
        not read yet is read off the GUI thread; meanwhile the verb waits greyed out, and
        `action_states_changed` follows when the answer is in.
        """
        key = self.state_key
        if key != self._states_key:
            self._states_key, self._states = key, {}
        state = self._states.get(verb)
        if state is None:
            state = self._states[verb] = self._evaluate(verb)
        return state

    @property
    def state_key(self) -> tuple:
        """Changes whenever an action_state() answer may change (edits, selection, model folders)."""
        return (self.document.edit_count, self.selection.revision, self._models.revision, self._unavailable,
                self._options_revision)

    def options_changed(self) -> None:
        """What `options_for` answers changed (a field typed on the gap page): estimate again."""
        self._options_revision += 1
        self.action_states_changed.emit()

    def _evaluate(self, verb: Verb) -> tuple[bool, str]:
        if self._unavailable:
            return False, self._unavailable
        try:
            sel = verb.plan_selection(self.selection, self.document.project.fps, self.options_for(verb))
            plan = make_plan(self.document.project, sel, seed=0)
            model = model_for(plan)
            support = self._models.answer(model)
            if support is None:
                self._models.read(model)
                return False, f"Reading the model folder {Path(model).name}…"
            reason = refusal(support, plan.action)
            if reason:
                return False, reason
        except (EditRefused, GenerationError) as exc:
            return False, str(exc)
        engine = "the built-in interpolation" if model == INTERPOLATE else Path(model).name
        from editor.generation.estimates import plan_estimate  # the plan before it is queued

        note = plan_estimate(support, plan, getattr(self._runner, "overrides", None), self.jobs())
        return True, f"{plan.summary} (with {engine})." + (f" {note.text()}" if note is not None else "")

    # --- the queue ------------------------------------------------------------------------------
    def jobs(self) -> list[Job]:
        """Every job of this project, in queue order (as last read)."""
        return self._job_queue.jobs()

    def waiting_ids(self) -> list[int]:
        """Ids of waiting jobs in the order they will run (the index `move` takes)."""
        return self._job_queue.waiting_ids()

    def live(self, job_id: int) -> LiveJob | None:
        return self._live.get(job_id)

    def title_of(self, job_id: int) -> str:
        return self._job_queue.title_of(job_id)

    @property
    def running_job(self) -> int | None:
        return self._worker.running_job

    @property
    def paused(self) -> bool:
        return self._worker.paused

    def cancel(self, job_id: int) -> None:
        """A waiting job is dropped now; a running one stops within one step (no take is kept)."""
        if job_id == self._worker.running_job or job_id in getattr(self._worker, "running_jobs", ()):
            live = self._live.setdefault(job_id, LiveJob())
            if live.stopping:
                return  # asked already; it stops at its next step
            self._worker.cancel(job_id)
            live.stopping = True
            self.job_live.emit(job_id)
            self.message.emit(f"Stopping: {self.title_of(job_id)}…")  # titles quote the shot's name already
            return
        self._job_queue.run(lambda: self.journal.cancel(job_id), lambda _job: self._job_queue.refresh())

    def retry(self, job_id: int) -> None:
        """Run a job again (its id comes back with `job_queued`). A done job is run with a new
        seed, so it makes a different take; the others are run as they were asked for."""
        seed = random.SystemRandom().randrange(2**31)

        def write() -> Job:
            job = self.journal.get(job_id)
            if job.state is JobState.DONE:
                return submit(self.journal, replace(plan_of(job, self._snapshot), seed=seed))
            return self.journal.requeue(job_id)

        self._job_queue.run(write, self._queued)

    def retry_interrupted(self) -> None:
        for job in [j for j in self._job_queue.jobs() if j.state is JobState.INTERRUPTED]:
            self.retry(job.id)

    def unplaced_results(self) -> list[Job]:
        """Finished jobs whose take is in media/ but in no clip of the project, oldest first.

        These are jobs that finished after the project was last saved, in a session that ended
        before the project was saved again (a crash, a kill, "Don't save"), and jobs whose take
        could not be placed. A take the user removed and then saved the project without is not
        offered again. `place_unplaced()` puts them in the timeline.
        """
        return unplaced_jobs(self._job_queue.jobs(), self._unplaced_candidates or set(), self.document.project,
                             self.folder)

    def place_unplaced(self) -> int:
        """Put every unplaced finished take into the timeline as one undoable step; how many."""
        edits, first_job = [], None
        for job in self.unplaced_results():
            plan = self._plan(job.id)
            if plan is None:
                continue
            edits.append(PlaceGeneratedTake(plan=plan, take=take_of(job, plan, self.folder)))
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
        clip_id = clip_holding(self.document.project, edits[0].take.id)
        if clip_id is not None:
            self.take_placed.emit(clip_id)
        self._check_unplaced()
        return n

    def show_result(self, job_id: int) -> bool:
        """Select the clip showing a finished job's take (Jobs ▸ Show); False, and `message`
        says why, when the take is in no clip (undone or deleted since)."""
        job = self._job_queue.find(job_id)
        result = job.result if job is not None and isinstance(job.result, dict) else {}
        clip_id = clip_holding(self.document.project, str(result["take_id"])) if result.get("take_id") else None
        if clip_id is None:
            self.message.emit("That take is in no clip of the timeline now (undone or deleted).")
            return False
        self.take_placed.emit(clip_id)
        return True

    def move(self, job_id: int, index: int) -> None:
        """Put a waiting job at `index` of the waiting jobs (0 runs next)."""
        self._job_queue.run(lambda: self.journal.move(job_id, index), lambda _jobs: self._job_queue.refresh())

    def pause_queue(self) -> None:
        """Stop the running job (back to the front of the queue) and free the model's memory."""
        if self.paused:
            return
        running = self._worker.running_job
        self._worker.set_paused(True)
        if running is not None:
            self._live.setdefault(running, LiveJob()).stopping = True
            self.job_live.emit(running)
        self.message.emit("Queue paused; jobs running on the farm were stopped." if self.farm is not None
                          else "Queue paused; the model is unloaded.")
        self._job_queue.refresh()
        self.action_states_changed.emit()

    def resume_queue(self) -> None:
        self.held = ""
        if not self.paused:
            return
        self._worker.set_paused(False)
        self.message.emit("Queue resumed.")
        self._job_queue.refresh()
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
        self._job_queue.closed = True  # answers still on their way change nothing
        self._models.closed = True  # a model folder's answer arriving now changes nothing
        self._unsubscribe()
        detach = getattr(self._runner, "detach", None)
        if detach is not None:  # a farm: jobs running there go on and are collected on the next open
            detach()
        if not wait:
            self.blockSignals(True)  # the window listens to the next project's controller now
            if not self._worker.stop_later(self._worker_ended):
                self._worker_ended()
            return
        self._worker.stop()
        try:
            self._runner.unload()
        except Exception:
            pass  # quitting anyway
        self._job_queue.close()  # queued rows are written before we go

    def _worker_ended(self) -> None:
        """After shutdown(wait=False), once the worker thread has ended: close the journal behind
        the writes still queued for it, on its own thread, and go."""
        self._worker.thread_ended()
        self._job_queue.close_later()
        self.deleteLater()

    # --- internals ------------------------------------------------------------------------------
    def queue_plans(self, plans: list[GenerationPlan]) -> bool:
        """Queue ready-made plans (variations of a shot, a stale take made again), in order.
        True when they are being queued; False, and `message` says why, when one can't be."""
        try:
            models = [model_for(plan) for plan in plans]
        except GenerationError as exc:
            self.message.emit(str(exc))
            return False
        return all([self._queue_plan(plan, model) for plan, model in zip(plans, models, strict=True)])

    def _queue(self, selection: PlanSelection | None, extra: dict | None = None) -> bool:
        try:
            if selection is None:
                raise EditRefused("Nothing is selected.")
            plan = make_plan(self.document.project, selection)
            if extra:  # e.g. the enhanced prompt's record, kept in the take's recipe
                plan = replace(plan, options={**plan.options, **extra})
            # what the take is conditioned on, so it can be told stale later (context_fingerprint)
            plan = with_context(plan, self.document.project, content_tokens(self.folder))
            model = model_for(plan)
        except (EditRefused, GenerationError) as exc:
            self.message.emit(str(exc))
            return False
        return self._queue_plan(plan, model)

    def _queue_plan(self, plan: GenerationPlan, model: str) -> bool:
        if self._unavailable:
            self.message.emit(self._unavailable)
            return False
        from editor.generation.project_speed import with_project_speed

        plan = with_project_speed(plan, self.document.project)  # Project Settings ▸ Speed, else Settings'
        asked_on = self._selection_key()
        if self._models.answer(model) is None:
            # the model folder was not read yet: read it off the GUI thread, then queue or say why not
            self._models.read(model, then=lambda: self._submit(plan, model, asked_on))
            return True
        return self._submit(plan, model, asked_on)

    def _submit(self, plan: GenerationPlan, model: str, asked_on: tuple | None = None) -> bool:
        """Write the job to the journal unless the model refuses it (the message says why)."""
        reason = self._models.refusal(model, plan.action)
        if reason:
            self.message.emit(reason)
            return False
        self._job_queue.run(lambda: submit(self.journal, plan), lambda job: self._queued(job, asked_on))
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
        self._job_queue.refresh()
        self._worker.wake()
        self.job_queued.emit(job.id)

    def _execute(self, journal: Journal, job: Job, hooks: Hooks) -> Generated:
        # worker thread: everything it reads is its own or the immutable snapshot
        runner = self._runner
        if hasattr(runner, "for_job"):  # a farm: where each try went is written beside the job
            runner = runner.for_job(journal.path, job.id, job.title)
        return run_job(journal, job, runner, self._snapshot, self.folder, hooks)

    def _on_document_changed(self, change: Change) -> None:
        if (change.settings_changed or change.cast_added or change.cast_removed or change.cast_changed
                or change.clips_added or change.clips_removed or change.clips_changed or change.tracks_touched):
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
            job = self._job_queue.find(job_id)
            if job is None:
                return None  # not read yet; the next refresh brings it
            try:
                plan = plan_of(job)
            except GenerationError:
                return None
            self._plans[job_id] = plan
        return plan

    def _set_jobs(self, jobs: list[Job]) -> None:
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
            text = f"{n} finished result{'s are' if n > 1 else ' is'} not in the timeline; see Jobs to place {'them' if n > 1 else 'it'}."
            # after the event loop turns: a fast first read lands inside __init__, before the
            # window has connected `message`
            QTimer.singleShot(0, self, lambda: self.message.emit(text))

    def _on_started(self, job_id: int) -> None:
        self._live[job_id] = LiveJob(started=time.monotonic())
        self._job_queue.refresh()
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
        redo = self.document.redo_steps()
        try:
            # steps the user undid stay redoable unless the take lands where they change
            self.document.request(PlaceGeneratedTake(plan=result.plan, take=result.take), beside_redo=True)
        except EditRefused as exc:
            self.message.emit(f"The take was made ({result.take.media}) but could not be placed: {exc}")
            # kept on offer in the jobs panel ("Place them"), so the take is never lost
            if self._unplaced_candidates is None:
                self._unplaced_candidates = set()
            self._unplaced_candidates.add(job_id)
            self._job_queue.refresh()
            self.job_ended.emit(job_id, "failed")
            return
        clip_id = clip_holding(self.document.project, result.take.id)
        lost = redo and not self.document.redo_steps()
        self.message.emit(f"Done: {self.title_of(job_id)}" + (
            " · Redo history cleared: the take landed where the undone edits change" if lost else ""))
        self._job_queue.refresh()
        if clip_id is not None and unmoved:
            self.take_placed.emit(clip_id)
        self.job_ended.emit(job_id, "done")

    def _on_failed(self, job_id: int, message: str) -> None:
        self._live.pop(job_id, None)
        self.message.emit(f"Failed: {self.title_of(job_id)}: {message}" if job_id >= 0 else message)
        self._job_queue.refresh()
        self.job_ended.emit(job_id, "failed")

    def _on_cancelled(self, job_id: int) -> None:
        self._live.pop(job_id, None)
        self.message.emit(f"Cancelled: {self.title_of(job_id)}")
        self._job_queue.refresh()
        self.job_ended.emit(job_id, "cancelled")

    def _on_held(self, job_id: int, message: str) -> None:
        """The farm can't be reached: the job waits at the front of the queue, the queue waits
        for Retry (resume_queue), and the user reads one line saying what to check."""
        self._live.pop(job_id, None)
        self.held = message
        self._worker.set_paused(True)  # the other lanes would only meet the same wall
        self.message.emit(message)
        self._job_queue.refresh()
        self.action_states_changed.emit()
        self.job_ended.emit(job_id, "requeued")

    def _on_requeued(self, job_id: int) -> None:
        self._live.pop(job_id, None)
        self._job_queue.refresh()
        self.job_ended.emit(job_id, "requeued")


class _Leftovers:
    """What a controller's `destroyed` must still let go of: it holds no reference to the
    controller (whose C++ side is gone by then), only its worker and its job queue."""

    def __init__(self, worker: JobWorker, job_queue: JobQueue) -> None:
        self.worker, self.job_queue = worker, job_queue

    def release(self, *_args: object) -> None:
        self.worker.stop()
        self.job_queue.release()


def _runner_from(settings: Any, project: Project | None = None) -> Any:
    """A Runner honouring the user's device, memory and speed settings (no torch imported here), or
    a farm's runner when jobs run on a Ray cluster (the project's choice, else the Settings')."""
    from editor.ui.jobs.where import farm_runner

    farm = farm_runner(settings, project)
    if farm is not None:
        return farm
    device = memory = None
    extras: dict[str, Any] = {}
    if settings is not None:
        device = None if settings.device() == "auto" else settings.device()
        mode = settings.memory_mode()
        memory = None if mode == "auto" else mode
        if hasattr(settings, "speed_cache"):  # issue 11's settings (model.speed, model.quantize)
            from model.speed import Speed

            tiling = settings.vae_tiling()
            extras = {"vae_tiling": None if tiling == "auto" else tiling == "on", "quantize": settings.quantize(),
                      "speed": Speed(cache=settings.speed_cache(), compile=settings.compile_blocks()),
                      "upsampler": settings.upsampler()}
    return Runner(device=device, memory=memory, **extras)
