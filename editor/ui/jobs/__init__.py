"""Generation in the editor: the job controller, its worker thread, the jobs panel and monitor.

What the main window uses (exact signatures; everything else in this package is internal):

    GenerationController(document: Document, selection: Selection, *, folder: Path | str,
                         journal: Journal | None = None, runner: Runner | None = None,
                         settings: Settings | None = None, parent: QObject | None = None)
        # folder: the project folder (Name.shotline/); the journal defaults to folder/jobs.sqlite
        # and takes are written to folder/media/.
        queue(verb: Verb, options: Options | None = None) -> bool
            # verb: one of editor.generation.verbs.VERBS; queue a job for the selection (Generate:
            # one per selected shot). True: planned, being written to the journal (its id arrives
            # with `job_queued`); False: the selection can't be used, `message` says why.
            # options: Options(seconds=...) for extend/loop, Options(strength=...) for restyle
        queue_plans(plans: list[GenerationPlan]) -> bool
            # ready-made plans (editor.generation.recipes: variations, a stale take made again)
        cancel(job_id: int) -> None            # a waiting job is dropped; a running one stops within one step
        retry(job_id: int) -> None             # run a failed/cancelled/interrupted job again (a done one:
                                               # again with a new seed, so a new take); id via job_queued
        retry_interrupted() -> None            # "Run them again" for every interrupted job
        move(job_id: int, index: int) -> None  # reorder waiting jobs; 0 runs next
        show_result(job_id: int) -> bool       # select the clip holding a done job's take (take_placed)
        pause_queue() -> None                  # see "Pause" below
        resume_queue() -> None
        action_state(verb: Verb) -> tuple[bool, str]
            # (enabled, reason) where reason is the tooltip text (why it is greyed out, or what
            # it will do). Answers are cached per document edit, selection and model-folder answer.
        state_key: tuple                       # property; changes whenever an answer may change
        jobs() -> list[Job]                    # model.journal.Job, queue order (as last read)
        paused: bool                           # property
        journal: Journal                       # property; right after construction it may still be
                                               # opening (on the journal thread): reading it then waits
        shutdown(*, wait: bool = True) -> None # wait=True (closeEvent, quit): the running job goes back
                                               # to the front of the queue (it runs when the project is
                                               # opened again); it stops the thread (waits at most one step), writes what
                                               # is queued and closes the journal; wait=False (another
                                               # project opens): returns at once, does the same on its
                                               # threads, then deletes itself
      signals:
        job_progress(object target, float fraction, object image)   # image: QImage or None;
            # target is the plan's target (editor.document.plans), for the timeline to draw a
            # progress overlay on the clip or gap being made
        jobs_changed()                          # the job list changed (state, order, new job)
        message(str)                            # one line for the status bar
        take_placed(str clip_id)                # a finished job's take is now in the timeline and the
                                                # selection is what it was when the job was asked for
                                                # (the window selects it); never when the user moved on
        action_states_changed()                 # re-read action_state() (selection/doc/queue moved,
                                                # a model folder's answer came in)
        job_queued(int job_id)                  # a job is on disk and waiting
        job_ended(int job_id, str how)          # "done" (take placed), "failed", "cancelled", "requeued"
        job_started(int), job_live(int), measured(int, int, float, float, float)  # for the panels

    JobsPanel(controller: GenerationController, parent: QWidget | None = None)      # QWidget
    MonitorPanel(controller: GenerationController | None = None, parent: QWidget | None = None)
        set_controller(controller: GenerationController | None) -> None
        # one per window: its plots are built when first shown, then kept across projects

Pause: pausing the queue stops the running job within one step and puts it back at the front
of the queue (its sampling restarts on resume), then unloads the model so the GPU memory is
free at once. Nothing queued runs until resume_queue().

The worker never touches the Document: it returns a Take and the plan's target, and the GUI
thread applies `PlaceGeneratedTake` (one undoable edit). Opening the journal, its reads and
writes and closing it run on a journal thread, so `jobs()` is what was last read (`jobs_changed`
says when it changes); a journal that can't be opened turns generation off for the project
(`message` and every `action_state` say why). Model folders are read on the background pool
(`editor.ui.background`) and cached; until a folder's answer is in, its actions wait greyed out
("Reading the model folder …") and `action_states_changed` follows the answer.

Inside the package, one job per module: `controller.py` (the thin controller the window talks
to), `job_queue.py` (the journal on its own thread, the last-read job list, jobs found
interrupted), `model_support.py` (what each model folder can make, cached), `unplaced.py`
(finished takes the timeline is missing), `worker.py` (the job thread; it reports through one
`model.runner.Hooks`, and a cancel is always `model.runner.Cancelled`).
When the project's jobs run on a Ray cluster (`where.py`: the project's choice, else Settings;
model.farm), the runner is a `FarmRunner`, `lanes.py` runs several job threads so jobs go to
several GPUs at once, and the jobs panel adds `farm_view.py` (which node runs what).

Once our background threads exist, Python's automatic garbage collection is moved to the GUI
thread (`gc_guard`): otherwise a worker thread could destroy a GUI-thread Qt object.
"""

from __future__ import annotations

from editor.ui.jobs.controller import GenerationController, LiveJob
from editor.ui.jobs.jobs_panel import JobsPanel
from editor.ui.jobs.monitor import MonitorPanel

__all__ = ["GenerationController", "JobsPanel", "LiveJob", "MonitorPanel"]
