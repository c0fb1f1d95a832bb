"""The window never waits on the disk, ffmpeg or a model folder: opening projects and the Export dialog,
the job journal, cast pictures; actions are evaluated once per change. Real widgets, files, SQLite, ffmpeg.

These tests assert where work happens (which thread, what has not happened yet when a call
returns), never how many milliseconds it took: the timings are bench/bench_open_stall.py's and
bench/bench_responsiveness.py's, measured on a quiet machine.
"""

from __future__ import annotations

import sqlite3
import threading

import numpy as np
import pytest
from PIL import Image

from editor.document.edits import RenameClip
from editor.generation import verbs
from editor.generation.verbs import VERBS
from editor.ui import export_form
from editor.ui.cast_panel import CastPanel
from editor.ui.jobs import GenerationController, job_queue
from editor.ui.selection import GapRef, Selection
from model.journal import JobState, Journal

WAIT_MS = 30_000


def test_opening_projects_and_the_export_dialog_leaves_the_disk_and_ffmpeg_to_other_threads(
        qtbot, tmp_path, monkeypatch):
    """The window opens the demo copy, the Export dialog, then another project: the job journals
    are opened and the first one closed, and ffmpeg is asked for its encoders, each on a thread
    other than the GUI thread (a call that waits there freezes the window)."""
    from bench.bench_open_stall import demo_copy
    from editor.ui.main_window import MainWindow

    calls: list[tuple[str, bool]] = []  # (what, on the GUI thread)

    def spied(name, fn):
        def call(*args, **kwargs):
            calls.append((name, threading.current_thread() is threading.main_thread()))
            return fn(*args, **kwargs)
        return call

    monkeypatch.setattr(job_queue, "_open_journal", spied("open journal", job_queue._open_journal))
    monkeypatch.setattr(Journal, "close", spied("close journal", Journal.close))
    monkeypatch.setattr(export_form, "_codecs", None)  # as in the first moment after start
    monkeypatch.setattr(export_form, "_ask_ffmpeg", spied("ask ffmpeg", export_form._ask_ffmpeg))
    other = demo_copy(tmp_path)
    window = MainWindow(restore_layout=False, ask=False)
    try:
        window.resize(1200, 800)
        window.show()
        window.open_demo()
        window.export_cut()
        assert window.open_project_path(other)
        qtbot.waitUntil(lambda: [n for n, _ in calls].count("open journal") == 2 and ("close journal", False) in calls
                        and export_form.known_codecs() is not None, timeout=WAIT_MS)
        assert {n for n, _ in calls} == {"open journal", "close journal", "ask ffmpeg"}
        assert not [n for n, on_gui in calls if on_gui], calls
    finally:
        if window.export_dialog is not None:
            window.export_dialog.hide()
        window.ask_save_changes = lambda: "discard"
        window.close()


@pytest.fixture
def locked_journal(gap_document):
    """The project's journal file, with another connection holding its write lock (as a
    second Shotline or a slow disk would) until `release()`."""
    path = gap_document.folder / "jobs.sqlite"
    Journal(path).close()  # an existing job list, so opening it must recover (write) under the lock
    other = sqlite3.connect(path, isolation_level=None, timeout=0)
    other.execute("BEGIN IMMEDIATE")

    class Lock:
        held = True

        def release(self) -> None:
            if self.held:
                self.held = False
                other.execute("ROLLBACK")
                other.close()

    lock = Lock()
    yield path, lock
    lock.release()


def test_the_journal_is_opened_and_closed_off_the_gui_thread(qtbot, gap_document, locked_journal):
    path, lock = locked_journal
    ctl = GenerationController(gap_document, Selection())  # returns: the open waits for the lock on its thread
    assert lock.held
    assert ctl.jobs() == [] and not ctl.paused and ctl.running_job is None
    ctl.selection.set_gap(GapRef("v1", 24, 10))
    assert ctl.action_state(verbs.INFILL)[0]  # planning needs no journal
    assert ctl.queue(verbs.INFILL)  # written once the journal is open
    io = ctl._job_queue._io
    with qtbot.waitSignal(ctl.destroyed, timeout=WAIT_MS):
        ctl.shutdown(wait=False)  # another project opens: nothing waits for the locked file
        assert lock.held  # returned while the file is still locked
    lock.release()
    io.shutdown(wait=True)  # the test waits for the journal thread; the window never does
    with Journal(path) as journal:
        [job] = journal.jobs()  # the queued job reached the disk before the journal was closed
        assert job.state is JobState.QUEUED and job.title.startswith("Infill")


def test_a_journal_that_cannot_be_opened_turns_generation_off_with_the_reason(qtbot, gap_document):
    (gap_document.folder / "jobs.sqlite").write_bytes(b"not a database, " * 100)
    ctl = GenerationController(gap_document, Selection())
    try:
        with qtbot.waitSignal(ctl.action_states_changed, timeout=WAIT_MS):
            pass
        ctl.selection.set_gap(GapRef("v1", 24, 10))
        enabled, reason = ctl.action_state(verbs.INFILL)
        assert not enabled and reason.startswith("Generation is unavailable for this project:")
        with qtbot.waitSignal(ctl.message) as said:
            assert not ctl.queue(verbs.INFILL)
        assert said.args[0] == reason
    finally:
        ctl.shutdown()


def test_export_pressed_before_ffmpeg_answered_starts_once_it_has(qtbot, ui_document, tmp_path, monkeypatch,
                                                                   make_session):
    from editor.ui.export_dialog import ExportDialog
    from editor.ui.playhead import Playhead
    from editor.ui.settings import Settings

    monkeypatch.setattr(export_form, "_codecs", None)  # as in the first moment after start
    settings = Settings()
    session = make_session(settings)
    session.open(ui_document.folder)
    playhead = Playhead(session.document.project.fps)
    dialog = ExportDialog(session, playhead, settings)
    try:
        assert not dialog.codecs_known  # widgets only: ffmpeg answers later, from the pool
        dialog.out_edit.setText(str(tmp_path / "early.mp4"))
        dialog.width_spin.setValue(160)
        dialog.height_spin.setValue(90)
        dialog.speed_combo.setCurrentText("ultrafast")
        with qtbot.waitSignal(dialog.runner.succeeded, timeout=WAIT_MS):
            assert dialog.start_export()
            assert dialog.page == "settings" and not dialog.export_button.isEnabled()
        assert dialog.codecs_known and (tmp_path / "early.mp4").stat().st_size > 0
    finally:
        dialog.shutdown()
        dialog.deleteLater()


def _big_jpeg(path, width=4000, height=3000):
    """A 12-megapixel JPEG (a phone photo): decoding it takes a good part of a second."""
    x = np.linspace(0, 255, width, dtype=np.uint8)
    y = np.linspace(0, 255, height, dtype=np.uint8)[:, None]
    rgb = np.dstack([np.broadcast_to(x, (height, width)), np.broadcast_to(y, (height, width)),
                     np.full((height, width), 90, np.uint8)])
    Image.fromarray(rgb).save(path, quality=90)
    return path


def test_cast_pictures_are_checked_off_the_gui_thread_and_the_refusal_comes_back(qtbot, ui_document, tmp_path):
    panel = CastPanel(ui_document, Selection())
    qtbot.addWidget(panel)
    panel.show()
    qtbot.waitExposed(panel)
    try:
        photo = _big_jpeg(tmp_path / "mara_photo.jpg")
        with qtbot.waitSignal(panel.added, timeout=WAIT_MS) as added:
            panel.add_files([photo])
            # decoding and copying happen on the pool: not yet, the member comes with `added`
            assert ui_document.project.cast == []
        [cast_id] = added.args[0]
        assert panel.member(cast_id).image == "media/cast/mara_photo.jpg"

        damaged = tmp_path / "damaged.jpg"
        damaged.write_bytes(photo.read_bytes()[: photo.stat().st_size // 3])
        with qtbot.waitSignal(panel.added, timeout=WAIT_MS) as refused:
            panel.add_files([damaged])
            assert not panel.notice.isVisible()
        assert refused.args[0] == []
        text = panel.notice.text()
        assert panel.notice.isVisible() and text.startswith("Not added:") and "damaged.jpg could not be read" in text
        assert [m.id for m in ui_document.project.cast] == [cast_id]
    finally:
        panel.shutdown()


def test_a_change_evaluates_the_actions_once_and_plans_are_kept(window):
    controller = window.controller
    refreshes, plans = [0], [0]
    refresh, evaluate = window.actions.refresh, controller._evaluate

    def counting_refresh(ctx):
        refreshes[0] += 1
        refresh(ctx)

    def counting_evaluate(action):
        plans[0] += 1
        return evaluate(action)

    window.actions.refresh = counting_refresh
    controller._evaluate = counting_evaluate

    window.selection.set_gap(GapRef("v1", 72, 24))  # heard by the window and by the controller
    assert refreshes[0] == 1 and plans[0] == len(VERBS)
    enabled, reason = controller.action_state(verbs.INFILL)
    assert window.actions["gen.infill"].isEnabled() == enabled and reason in window.actions["gen.infill"].toolTip()
    for verb in VERBS:  # menus and tooltips ask again: answered from the cache
        controller.action_state(verb)
    assert plans[0] == len(VERBS)

    window.document.request(RenameClip(clip_id="a", name="Dawn"))
    assert refreshes[0] == 2 and plans[0] == 2 * len(VERBS)
    window.refresh_actions()  # nothing changed since: nothing evaluated
    assert refreshes[0] == 2 and plans[0] == 2 * len(VERBS)


def test_a_dropped_video_is_read_off_the_gui_thread(qtbot, window, ui_document):
    from PySide6.QtCore import QPoint
    from ui_helpers import drop_files

    view = window.timeline
    video = ui_document.folder / "media" / "city_night.mp4"  # its length needs a pass over the file
    with qtbot.waitSignal(view.dropped, timeout=WAIT_MS) as dropped:
        assert drop_files(view.viewport(), QPoint(view.frame_x(10), view.track_y(0)), [video])
        assert window.document.project.track("v2").clips == []  # not yet: the file is being read
    assert dropped.args == [True]
    [clip] = window.document.project.track("v2").clips
    assert (clip.start, clip.length) == (10, 72) and window.document.undo_label == "Undo Add clip"
