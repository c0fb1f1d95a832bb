"""Closing the window never throws work away: a running job finishes first or waits in the queue
for the next time, a running export finishes first or is cancelled on purpose, typing is kept.

Real windows on the offscreen platform, a tiny random-weight LTX-Video model sampling in the
worker thread (many steps, so the job is surely running when the window closes), the real
journal read back after the window is gone, a real export through ffmpeg.
"""

from __future__ import annotations

import json

import pytest
from PySide6.QtTest import QTest
from shiboken6 import isValid

from editor.document.edits import SetShotSettings
from editor.document.storage import save_project
from editor.ui.main_window import MainWindow
from editor.ui.selection import GapRef
from model.journal import JobState, Journal


def _shown(widget) -> bool:
    """A closed window is deleted (WA_DeleteOnClose): gone counts as not shown."""
    return isValid(widget) and widget.isVisible()

WAIT_MS = 60_000


@pytest.fixture
def make_window(qtbot):
    """make_window(folder) -> a shown MainWindow on that project, without dialogs; whatever is
    still open after the test is closed with its changes discarded and its jobs left queued."""
    windows = []

    def make(folder):
        w = MainWindow(restore_layout=False, ask=False)
        w.resize(1200, 800)
        w.show()
        windows.append(w)
        assert w.open_project_path(folder)
        return w

    yield make
    for w in windows:
        if _shown(w):
            w.ask_save_changes = lambda: "discard"
            w.ask_running_export = lambda: "cancel"
            w.ask_running_job = lambda: "queue"
            w.close()


def start_infill(qtbot, w, model_dir, steps: int) -> int:
    """Infill the gap with the tiny model at `steps` steps; the job's id once it has made a step."""
    w.document.request(SetShotSettings(clip_id="a", model=str(model_dir), steps=steps))
    assert w.save_project()
    w.selection.set_gap(GapRef("v1", 24, 10))
    qtbot.waitUntil(lambda: w.actions["gen.infill"].isEnabled(), timeout=WAIT_MS)
    with qtbot.waitSignal(w.controller.job_started, timeout=WAIT_MS) as started:
        w.actions["gen.infill"].trigger()
    job_id = started.args[0]
    qtbot.waitUntil(lambda: (w.controller.live(job_id) or w.controller.live(-1) or _Live()).step >= 1,
                    timeout=WAIT_MS)
    return job_id


class _Live:
    step = 0


def journal_job(folder, job_id):
    with Journal(folder / "jobs.sqlite") as journal:
        return journal.get(job_id)


def test_quit_resume_next_time_keeps_the_job_queued_and_the_project_runs_it_on_open(
        qtbot, gap_document, tiny_ltx_dir, make_window):
    save_project(gap_document.project, gap_document.folder)
    folder = gap_document.folder
    w = make_window(folder)
    job_id = start_infill(qtbot, w, tiny_ltx_dir, steps=400)
    asked = []
    w.ask_running_job = lambda: asked.append(w.controller.running_job) or "queue"
    w.close()
    assert asked == [job_id] and not _shown(w)
    job = journal_job(folder, job_id)
    assert job.state is JobState.QUEUED and job.step == 0  # waiting at the front, nothing made
    # opened again: it runs, and the user is told why
    again = make_window(folder)
    messages = []
    again.statusBar().messageChanged.connect(messages.append)
    with qtbot.waitSignal(again.controller.job_started, timeout=WAIT_MS) as started:
        pass
    assert started.args == [job_id]
    qtbot.waitUntil(lambda: any(m.startswith("Resuming 1 job") for m in messages), timeout=WAIT_MS)
    # without dialogs (scripts, screenshots) closing keeps it queued too
    again.close()
    assert not _shown(again)
    assert journal_job(folder, job_id).state is JobState.QUEUED


@pytest.mark.parametrize("unsaved", [True, False])
def test_finish_first_asks_to_save_at_once_then_quits_with_the_take_saved(qtbot, gap_document, tiny_ltx_dir,
                                                                          make_window, unsaved):
    # "Finish first: Shotline closes when it is done": the user may walk away, so the save
    # question comes now, not when the job is done (it waited there, the window open, the take unsaved)
    save_project(gap_document.project, gap_document.folder)
    folder = gap_document.folder
    w = make_window(folder)
    job_id = start_infill(qtbot, w, tiny_ltx_dir, steps=3)
    if unsaved:
        w.document.request(SetShotSettings(clip_id="b", prompt="typed before quitting"))
    w.ask_running_job = lambda: "finish"
    at_save_question = []
    w.ask_save_changes = lambda: at_save_question.append(len(w.document.project.track("v1").clips)) or "save"
    w.close()
    assert at_save_question == ([2] if unsaved else [])  # asked before the take landed, only if needed
    assert w.isVisible() and "closes when" in w.statusBar().currentMessage()
    qtbot.waitUntil(lambda: not _shown(w), timeout=WAIT_MS)
    assert at_save_question == ([2] if unsaved else [])  # and not asked again once it was done
    assert journal_job(folder, job_id).state is JobState.DONE
    saved = json.loads((folder / "project.json").read_text())
    v1 = next(t for t in saved["tracks"] if t["id"] == "v1")["clips"]
    assert len(v1) == 3  # the take is in the saved project
    assert (next(c for c in v1 if c["id"] == "b")["shot"]["prompt"] == "typed before quitting") is unsaved


def test_finish_first_then_discard_quits_when_done_without_saving(qtbot, gap_document, tiny_ltx_dir, make_window):
    save_project(gap_document.project, gap_document.folder)
    folder = gap_document.folder
    w = make_window(folder)
    job_id = start_infill(qtbot, w, tiny_ltx_dir, steps=3)
    w.document.request(SetShotSettings(clip_id="b", prompt="not wanted"))
    w.ask_running_job = lambda: "finish"
    w.ask_save_changes = lambda: "discard"
    w.close()
    qtbot.waitUntil(lambda: not _shown(w), timeout=WAIT_MS)
    assert journal_job(folder, job_id).state is JobState.DONE  # its take is offered when the project opens again
    saved = json.loads((folder / "project.json").read_text())
    assert len(next(t for t in saved["tracks"] if t["id"] == "v1")["clips"]) == 2


def test_finish_first_then_cancel_at_the_save_question_keeps_working(qtbot, gap_document, tiny_ltx_dir,
                                                                     make_window):
    save_project(gap_document.project, gap_document.folder)
    w = make_window(gap_document.folder)
    start_infill(qtbot, w, tiny_ltx_dir, steps=3)
    w.document.request(SetShotSettings(clip_id="b", prompt="still editing"))
    w.ask_running_job = lambda: "finish"
    w.ask_save_changes = lambda: "cancel"
    w.close()
    qtbot.waitUntil(lambda: len(w.document.project.track("v1").clips) == 3, timeout=WAIT_MS)
    qtbot.wait(50)
    assert _shown(w)  # the job's end closes nothing: the user chose to stay


def test_keep_working_leaves_the_window_and_the_job_running(qtbot, gap_document, tiny_ltx_dir, make_window):
    save_project(gap_document.project, gap_document.folder)
    w = make_window(gap_document.folder)
    job_id = start_infill(qtbot, w, tiny_ltx_dir, steps=400)
    w.ask_running_job = lambda: "keep"
    w.close()
    assert w.isVisible() and w.controller.running_job == job_id


def test_an_uncommitted_prompt_is_committed_before_the_save_question(qtbot, ui_document, make_window):
    w = make_window(ui_document.folder)
    w.activateWindow()
    qtbot.waitUntil(w.isActiveWindow)
    w.selection.set_clips(["boat"])
    box = w.inspector.prompt_edit
    box.setFocus()
    box.selectAll()
    QTest.keyClicks(box, "a boat at dusk")
    asked = []
    w.ask_save_changes = lambda: asked.append(w.document.project.find_clip("boat")[1].shot.prompt) or "save"
    w.close()
    assert asked == ["a boat at dusk"] and not _shown(w)
    saved = json.loads((ui_document.folder / "project.json").read_text())
    boat = next(c for t in saved["tracks"] for c in t["clips"] if c["id"] == "boat")
    assert boat["shot"]["prompt"] == "a boat at dusk"


def _export_running(qtbot, w, out):
    """Start exporting the whole cut to `out` and return once its first frames are encoded."""
    w.export_cut()
    dialog = w.export_dialog
    qtbot.waitUntil(lambda: dialog.codecs_known, timeout=WAIT_MS)
    dialog.out_edit.setText(str(out))
    dialog.speed_combo.setCurrentText("ultrafast")
    with qtbot.waitSignal(dialog.runner.progress, timeout=WAIT_MS):
        assert dialog.start_export()
    return dialog


@pytest.mark.parametrize("answer", ["finish", "cancel", "keep"])
def test_closing_during_an_export_finishes_or_cancels_it_never_silently(qtbot, ui_document, make_window, tmp_path,
                                                                        answer):
    w = make_window(ui_document.folder)
    out = tmp_path / "cut.mp4"
    dialog = _export_running(qtbot, w, out)
    w.ask_running_export = lambda: answer
    w.close()
    if answer == "finish":
        assert w.isVisible() and "closes when" in w.statusBar().currentMessage()
        qtbot.waitUntil(lambda: not _shown(w), timeout=WAIT_MS)
        assert out.stat().st_size > 0 and not list(tmp_path.glob(".*partial*"))
    elif answer == "cancel":
        assert not _shown(w)
        # the dialog went with the window; its export thread is stopped and cleans up
        qtbot.waitUntil(lambda: not list(tmp_path.glob(".*partial*")), timeout=WAIT_MS)
        assert not out.exists()
    else:
        assert w.isVisible() and dialog.runner.running
        dialog.cancel_export()
        qtbot.waitUntil(lambda: not dialog.runner.running, timeout=WAIT_MS)
    if isValid(dialog):
        dialog.hide()
