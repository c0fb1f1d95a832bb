"""Generation in the editor, for real: select a gap, run Infill in the worker thread, see the take land.

Real widgets on the offscreen platform, the real journal, real engines (the built-in
interpolation and a tiny random-weight LTX-Video folder), real lossless takes on disk.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QObject

from editor.document.edits import SetShotSettings
from editor.generation import verbs
from editor.ui.commands import edit, generation
from editor.ui.jobs import GenerationController, JobsPanel, MonitorPanel
from editor.ui.selection import GapRef, Selection
from model.journal import JobState, Journal

ROOT = Path(__file__).resolve().parents[1]
WAIT_MS = 60_000


@pytest.fixture
def controller(qtbot, gap_document):
    selection = Selection()
    ctl = GenerationController(gap_document, selection)
    yield ctl
    ctl.shutdown()


class _Heard(QObject):
    """Counts a signal on the GUI thread (a slot of a GUI-thread object: Qt queues it here)."""

    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def hear(self) -> None:
        self.count += 1


def _layout(doc):
    return [(c.id, c.start, c.length, len(c.takes)) for c in doc.project.track("v1").clips]


def _media(doc):
    return sorted(p.name for p in (doc.folder / "media").iterdir())


def _select_gap(ctl):
    ctl.selection.set_gap(GapRef("v1", 24, 10))


def _use_model(doc, model_dir, steps: int):
    doc.request(SetShotSettings(clip_id="a", model=str(model_dir), steps=steps))


def test_infill_a_gap_with_interpolation_then_undo_and_redo(qtbot, controller):
    doc = controller.document
    _select_gap(controller)
    assert controller.action_state(verbs.INFILL) == (True, controller.action_state(verbs.INFILL)[1])
    assert "interpolation" in controller.action_state(verbs.INFILL)[1]
    before = _layout(doc)
    with qtbot.waitSignal(controller.job_ended, timeout=WAIT_MS) as ended:
        assert controller.queue(verbs.INFILL)
    job_id, state = ended.args
    assert state == "done"
    new = [c for c in doc.project.track("v1").clips if c.id not in ("a", "b")]
    assert len(new) == 1 and (new[0].start, new[0].length) == (24, 10)
    assert new[0].take.frames == 10 and (doc.folder / new[0].take.media).exists()
    assert controller.journal.get(job_id).state is JobState.DONE
    doc.undo()
    assert _layout(doc) == before
    doc.redo()
    assert [(c.start, c.length) for c in doc.project.track("v1").clips] == [(0, 24), (24, 10), (34, 24)]


def test_an_infill_take_claims_no_prompt_or_seed_and_its_record_reads_as_a_sentence(qtbot, controller):
    from editor.ui.inspector import Inspector

    doc = controller.document
    _select_gap(controller)
    with qtbot.waitSignal(controller.job_ended, timeout=WAIT_MS):
        assert controller.queue(verbs.INFILL)
    clip = next(c for c in doc.project.track("v1").clips if c.id not in ("a", "b"))
    shot = clip.shot
    assert (shot.prompt, shot.seed, shot.steps, shot.guidance) == ("", None, None, None)  # none was used
    inspector = Inspector(doc, controller.selection)
    qtbot.addWidget(inspector)
    controller.selection.set_clips([clip.id])
    assert inspector.page == "shot"
    record = inspector.record_label.text()
    assert record.startswith("Made by Optical-flow interpolation (built in) · infill · 10 frames"), record
    assert "seed" not in record.lower() and "Prompt" not in record and "{" not in record
    assert inspector.seed_spin.text() == "random" and inspector.steps_spin.text() == "project default"
    assert "seed" not in inspector.takes_list.item(0).text()


def test_infill_a_gap_with_a_tiny_ltx_model(qtbot, controller, tiny_ltx_dir):
    doc = controller.document
    _use_model(doc, tiny_ltx_dir, steps=2)
    _select_gap(controller)
    # the model folder is read off the GUI thread: greyed out until its answer is in
    assert controller.action_state(verbs.INFILL) == (False, f"Reading the model folder {tiny_ltx_dir.name}…")
    qtbot.waitUntil(lambda: controller.action_state(verbs.INFILL)[0], timeout=WAIT_MS)
    enabled, tip = controller.action_state(verbs.INFILL)
    assert enabled and tiny_ltx_dir.name in tip
    progress = []
    controller.job_progress.connect(lambda target, fraction, image: progress.append(fraction))
    with qtbot.waitSignal(controller.job_ended, timeout=WAIT_MS) as ended:
        controller.queue(verbs.INFILL)
    assert ended.args[1] == "done", controller.jobs()[-1].message
    new = [c for c in doc.project.track("v1").clips if c.id not in ("a", "b")]
    assert [(c.start, c.length, c.take.frames) for c in new] == [(24, 10, 10)]
    assert new[0].take.record["model"]["kind"] == "ltx-condition"
    assert progress and max(progress) == 1.0


def test_cancel_leaves_the_timeline_unchanged_and_writes_no_take(qtbot, controller, tiny_ltx_dir):
    doc = controller.document
    _use_model(doc, tiny_ltx_dir, steps=400)
    _select_gap(controller)
    layout, media = _layout(doc), _media(doc)
    controller.job_live.connect(lambda job_id: controller.cancel(job_id))  # cancel at the first step
    said: list[str] = []
    controller.message.connect(said.append)
    with qtbot.waitSignal(controller.job_ended, timeout=WAIT_MS) as ended:
        controller.queue(verbs.INFILL)
    job_id, state = ended.args
    assert state == "cancelled"
    stopping = [m for m in said if m.startswith("Stopping")]
    assert stopping and stopping[0].startswith("Stopping: ") and "””" not in stopping[0]  # no quotes in quotes
    assert controller.journal.get(job_id).state is JobState.CANCELLED
    assert controller.journal.get(job_id).step < 400
    assert _layout(doc) == layout and _media(doc) == media


def test_pause_stops_the_job_requeues_it_first_and_unloads_the_model(qtbot, controller, tiny_ltx_dir):
    doc = controller.document
    _use_model(doc, tiny_ltx_dir, steps=400)
    _select_gap(controller)
    paused = []

    def pause_once(job_id):
        if not paused:
            paused.append(job_id)
            controller.pause_queue()

    controller.job_live.connect(pause_once)
    # `unloaded` comes from the worker thread: heard by a GUI-thread object (queued here), not by
    # waitSignal, whose slot would run on the worker thread and stop its timer there
    unloads = _Heard()
    controller._worker.unloaded.connect(unloads.hear)
    with qtbot.waitSignal(controller.job_ended, timeout=WAIT_MS) as ended:
        controller.queue(verbs.INFILL)
    qtbot.waitUntil(lambda: unloads.count > 0, timeout=WAIT_MS)
    job_id, state = ended.args
    assert state == "requeued"
    assert controller._runner.loaded_path is None  # the model's memory is free
    qtbot.waitUntil(lambda: controller.waiting_ids()[:1] == [job_id], timeout=WAIT_MS)
    assert controller.journal.get(job_id).state is JobState.QUEUED
    controller.job_live.disconnect(pause_once)
    doc.request(SetShotSettings(clip_id="a", steps=2))  # the queued plan keeps its 400 steps...
    # ...so cancel it and check resume runs what is waiting: a fresh infill with 2 steps
    controller.cancel(job_id)
    with qtbot.waitSignal(controller.job_queued, timeout=WAIT_MS) as queued:
        controller.queue(verbs.INFILL)
    second = queued.args[0]
    assert controller.journal.get(second).state is JobState.QUEUED  # paused: nothing runs
    assert controller.journal.get(job_id).state is JobState.CANCELLED
    with qtbot.waitSignal(controller.job_ended, timeout=WAIT_MS) as ended:
        controller.resume_queue()
    assert ended.args == [second, "done"]


def test_jobs_panel_reorders_waiting_jobs_and_shows_progress(qtbot, controller):
    panel = JobsPanel(controller)
    qtbot.addWidget(panel)
    controller.pause_queue()
    _select_gap(controller)
    ids = []
    controller.job_queued.connect(ids.append)
    for _ in range(3):
        assert controller.queue(verbs.INFILL)
    qtbot.waitUntil(lambda: len(ids) == 3 and panel.shown_ids() == ids, timeout=WAIT_MS)
    assert "3 waiting" in panel.summary.text() and panel.pause_button.text() == "Resume queue"
    panel.row(ids[2]).up.click()
    qtbot.waitUntil(lambda: panel.shown_ids() == [ids[0], ids[2], ids[1]], timeout=WAIT_MS)
    assert controller.waiting_ids() == [ids[0], ids[2], ids[1]]
    panel.row(ids[1]).cancel.click()
    qtbot.waitUntil(lambda: panel.row(ids[1]).job.state is JobState.CANCELLED, timeout=WAIT_MS)
    assert not panel.row(ids[1]).retry.isHidden() and panel.row(ids[1]).cancel.isHidden()
    with qtbot.waitSignal(controller.job_ended, timeout=WAIT_MS):
        panel.pause_button.click()  # resume
    qtbot.waitUntil(lambda: controller.journal.get(ids[2]).state is JobState.DONE, timeout=WAIT_MS)
    assert panel.row(ids[0]).state.text().startswith("Done")


def _crash_while_running(journal_path: Path, plan_payload: dict) -> int:
    """Queue a job and start it in another process that then dies without finishing it."""
    code = (
        "import json, os, sys\n"
        f"sys.path.insert(0, {str(ROOT)!r})\n"
        "from model.journal import Journal\n"
        f"j = Journal({str(journal_path)!r})\n"
        f"job = j.add('infill', 'Infill the 10-frame gap at frame 24', json.loads({plan_payload!r}))\n"
        "j.claim_next()\n"
        "print(job.id, flush=True)\n"
        "os._exit(0)  # the process dies while its job is running\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return int(out.stdout.strip())


def test_an_interrupted_job_is_shown_on_open_and_runs_again(qtbot, gap_document):
    import json

    from editor.document.plans import InfillGap, make_plan
    from editor.generation import GENERATION_KIND

    doc = gap_document
    plan = make_plan(doc.project, InfillGap(track_id="v1", frame=24))
    job_id = _crash_while_running(doc.folder / "jobs.sqlite",
                                  json.dumps({"kind": GENERATION_KIND, "plan": plan.to_dict()}))
    ctl = GenerationController(doc, Selection())
    try:
        with qtbot.waitSignal(ctl.message, timeout=WAIT_MS, check_params_cb=lambda text: "stopped" in text):
            pass  # the status bar hears about it once the window is listening
        panel = JobsPanel(ctl)
        qtbot.addWidget(panel)
        assert [j.id for j in ctl.interrupted] == [job_id]
        qtbot.waitUntil(lambda: panel.row(job_id) is not None, timeout=WAIT_MS)
        assert not panel.interrupted.isHidden() and "interrupted" in panel.interrupted_text.text()
        row = panel.row(job_id)
        assert row.job.state is JobState.INTERRUPTED and not row.retry.isHidden()
        assert row.retry.text() == "Run again"
        with qtbot.waitSignal(ctl.job_ended, timeout=WAIT_MS) as ended:
            row.retry.click()
        assert ended.args == [job_id, "done"]
        assert [c.length for c in doc.project.track("v1").clips] == [24, 10, 24]
        qtbot.waitUntil(panel.interrupted.isHidden, timeout=WAIT_MS)
    finally:
        ctl.shutdown()


def test_monitor_plots_seconds_per_step_of_the_running_job(qtbot, controller, tiny_ltx_dir):
    monitor = MonitorPanel(controller)
    qtbot.addWidget(monitor)
    _use_model(controller.document, tiny_ltx_dir, steps=3)
    _select_gap(controller)
    with qtbot.waitSignal(controller.job_ended, timeout=WAIT_MS):
        controller.queue(verbs.INFILL)
    assert len(monitor.step_seconds) == 3 and all(s > 0 for s in monitor.step_seconds)
    monitor.flush()
    xs, ys = monitor.rss_curve.getData()
    assert len(ys) >= 3 and min(ys) > 10  # MiB of a real Python process


def test_monitor_step_axis_reads_whole_steps_for_a_one_step_job(qtbot, controller, tiny_ltx_dir):
    # Found in a walk: a job of one step drew its step axis from 0.6 to 1.4, as if steps had fractions.
    monitor = MonitorPanel(controller)
    qtbot.addWidget(monitor)
    monitor.resize(400, 300)
    _use_model(controller.document, tiny_ltx_dir, steps=1)
    _select_gap(controller)
    with qtbot.waitSignal(controller.job_ended, timeout=WAIT_MS):
        controller.queue(verbs.INFILL)
    assert len(monitor.step_seconds) == 1
    monitor.flush()
    low, high = monitor.speed_plot.viewRange()[0]
    assert low <= 0 < 1 <= high < 1.5, (low, high)  # 0 .. the one step, not around it
    axis = monitor.speed_plot.getAxis("bottom")
    ticks = [v for _spacing, values in axis.tickValues(low, high, 300) for v in values]
    assert 0 in ticks and 1 in ticks and all(float(v).is_integer() for v in ticks), ticks
    monitor.show()
    qtbot.waitExposed(monitor)
    monitor.grab().save("/tmp/gapui-monitor-1-step.png")
    monitor.hide()


def test_actions_are_greyed_out_with_the_reason(qtbot, controller):
    assert controller.action_state(verbs.INFILL) == (False, "Select the gap between two clips to infill it.")
    controller.selection.set_clips(["a"])
    enabled, reason = controller.action_state(verbs.EXTEND_FORWARD)
    assert not enabled and "model" in reason.lower()
    enabled, reason = controller.action_state(verbs.ANIMATE)
    assert not enabled and "not a still" in reason
    controller.selection.set_gap(GapRef("v1", 24, 10))
    assert controller.action_state(verbs.INFILL)[0]


def test_journal_file_is_the_projects(controller):
    assert Path(controller.journal.path) == controller.document.folder / "jobs.sqlite"
    with Journal(controller.journal.path) as other:  # another reader sees the same queue
        assert other.jobs() == []


def test_the_window_keeps_its_heartbeat_while_a_job_runs(qtbot, tiny_ltx_dir):
    """A 5 ms GUI timer keeps ticking while the worker samples: the jobs run off the GUI thread
    (a job run on it would give a tick or two). The gaps' lengths are bench_responsiveness's."""
    from bench.bench_responsiveness import heartbeat_while_jobs_run

    first, later = heartbeat_while_jobs_run(tiny_ltx_dir, jobs=2, steps=6)
    gaps = [g for run in later for g in run]
    assert len(gaps) > 20


def test_running_a_done_job_again_makes_a_new_take_and_overwrites_nothing(qtbot, controller):
    doc = controller.document
    _select_gap(controller)
    with qtbot.waitSignal(controller.job_ended, timeout=WAIT_MS) as ended:
        controller.queue(verbs.INFILL)
    first_id = ended.args[0]
    first = next(c for c in doc.project.track("v1").clips if c.id not in ("a", "b")).take
    first_bytes = (doc.folder / first.media).read_bytes()
    qtbot.waitUntil(lambda: any(j.id == first_id for j in controller.jobs()), timeout=WAIT_MS)
    with qtbot.waitSignal(controller.job_ended, timeout=WAIT_MS) as again:
        controller.retry(first_id)
    second_id, how = again.args
    assert how == "done" and second_id != first_id
    takes = [t for track in doc.project.tracks for c in track.clips for t in c.takes if t.generated]
    assert len(takes) == 2 and takes[0].media != takes[1].media
    assert (doc.folder / first.media).read_bytes() == first_bytes
    assert controller.journal.get(first_id).state is JobState.DONE


# --- in the window --------------------------------------------------------------------------


@pytest.fixture
def open_window(qtbot):
    """open_window(document) -> a shown MainWindow on that project (saved first when it never
    was); closed, changes discarded, after the test."""
    from editor.document.storage import save_project
    from editor.ui.main_window import MainWindow

    windows = []

    def open_(document):
        folder = document.folder
        if not (folder / "project.json").exists():
            save_project(document.project, folder)
        w = MainWindow(restore_layout=False, ask=False)
        w.resize(1400, 900)
        w.show()
        windows.append(w)
        assert w.open_project_path(folder)
        return w

    yield open_
    for w in windows:
        w.ask_save_changes = lambda: "discard"
        w.close()


def test_a_finished_take_the_project_never_saved_is_offered_and_placed(qtbot, gap_document, open_window):
    from editor.document.plans import InfillGap, make_plan
    from editor.document.storage import save_project
    from editor.generation import run_job, submit
    from model.runner import Runner

    doc = gap_document
    save_project(doc.project, doc.folder)
    # The editor's worker made the take, then Shotline stopped before the project was saved:
    # the journal says done and the take is in media/, but project.json never heard of it.
    with Journal(doc.folder / "jobs.sqlite") as journal:
        submit(journal, make_plan(doc.project, InfillGap(track_id="v1", frame=24)))
        made = run_job(journal, journal.claim_next(), Runner(), doc.project, doc.folder)
    window = open_window(doc)
    panel = window.jobs_panel
    qtbot.waitUntil(lambda: panel.unplaced.isVisible(), timeout=WAIT_MS)
    assert panel.unplaced_text.text().startswith("1 finished result is not in the timeline")
    assert panel.place_unplaced.text() == "Place it"
    # the Jobs panel is brought to the front and the status bar says why
    qtbot.waitUntil(lambda: not window.docks["jobs"].visibleRegion().isEmpty(), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: "not in the timeline" in window.statusBar().currentMessage(), timeout=WAIT_MS)
    assert window.statusBar().currentMessage().endswith("see Jobs to place it.")  # one result: "it"
    before = _layout(window.document)
    panel.place_unplaced.click()
    clips = window.document.project.track("v1").clips
    assert [(c.start, c.length) for c in clips] == [(0, 24), (24, 10), (34, 24)]
    assert clips[1].take.id == made.take.id and clips[1].take.media == made.take.media
    assert clips[1].take.record["plan"]["action"] == "infill"  # the sidecar's record came along
    assert panel.unplaced.isHidden()
    assert window.document.undo_label == "Undo Infill gap result"  # the ordinary edit, one step
    edit.undo(window)
    assert _layout(window.document) == before and not panel.unplaced.isHidden()  # offered again
    edit.redo(window)
    assert panel.unplaced.isHidden()
    assert window.save_project()
    again = open_window(doc)
    qtbot.waitUntil(lambda: again.controller is not None and again.controller.jobs() != [], timeout=WAIT_MS)
    assert again.jobs_panel.unplaced.isHidden()  # saved in the project now: nothing to offer
    assert [c.length for c in again.document.project.track("v1").clips] == [24, 10, 24]


def test_a_take_removed_and_saved_without_is_not_offered_again(qtbot, gap_document, open_window):
    window = open_window(gap_document)
    window.selection.set_gap(GapRef("v1", 24, 10))
    with qtbot.waitSignal(window.controller.job_ended, timeout=WAIT_MS):
        generation.queue(window, verbs.INFILL)
    edit.undo(window)  # the user didn't want it
    assert window.save_project()
    again = open_window(gap_document)
    qtbot.waitUntil(lambda: again.controller is not None and again.controller.jobs() != [], timeout=WAIT_MS)
    assert again.jobs_panel.unplaced.isHidden()


def test_sampling_steps_do_not_re_evaluate_every_action(qtbot, gap_document, open_window, tiny_ltx_dir, capfd):
    """Each step updates the storyboard's percentage; the actions (a plan built per generation
    action) are re-evaluated only when the job list, the selection or the document change.
    The terminal the editor runs in stays quiet: no library warnings or loading bars."""
    window = open_window(gap_document)
    _use_model(window.document, tiny_ltx_dir, steps=8)
    window.selection.set_gap(GapRef("v1", 24, 10))
    refreshes, seen = [0], []
    original = window.actions.refresh

    def counting(ctx):
        refreshes[0] += 1
        original(ctx)

    window.actions.refresh = counting
    window.controller.job_live.connect(lambda job_id: seen.append(refreshes[0]))
    with qtbot.waitSignal(window.controller.job_ended, timeout=WAIT_MS):
        generation.queue(window, verbs.INFILL)
    assert len(seen) >= 8  # one per step at least
    assert seen[-1] - seen[0] <= 2, seen  # at most the job list re-read while it ran
    err = capfd.readouterr().err
    assert "timesteps" not in err and "Loading" not in err and "it/s" not in err, err[-2000:]


def test_monitor_summary_wraps_a_long_title_instead_of_widening_the_dock(qtbot):
    # Found in a walk under X: the one-line "<title>: step 1, 39.5 s/step, process 910 MiB"
    # forced the right dock wider each time a job ran, and it snapped back after.
    monitor = MonitorPanel(None)
    qtbot.addWidget(monitor)
    narrow = monitor.minimumSizeHint().width()
    monitor.summary.setText("Generate “A very long shot name that goes on and on”: 72 frames, 1 keyframe: "
                            "step 1, 39.53 s/step, process 910 MiB, GPU 12,000 MiB")
    assert monitor.minimumSizeHint().width() <= max(narrow, 300)
