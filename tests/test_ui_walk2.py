"""Defects found by walking through the editor in a real X server (second walk).

Real window on the offscreen platform, real typing and clicks, real project folders; the tiny
random-weight LTX-2 folder (tests/tiny_models.py) stands in for a model.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from editor.document.edits import SetShotSettings

WAIT_MS = 120_000


@pytest.fixture
def window(gap_window):
    return gap_window


def _add_draft(qtbot, w) -> str:
    before = {c.id for t in w.document.project.tracks for c in t.clips}
    w.actions["edit.add_shot"].trigger()
    new = [c.id for t in w.document.project.tracks for c in t.clips if c.id not in before]
    assert len(new) == 1
    return new[0]


def test_a_prompt_typed_into_a_new_draft_enables_generate_at_once_and_one_click_queues_it(
        qtbot, window, tiny_ltx2_dir):
    # The walk: Generate stayed greyed out ("Write a prompt…") until the focus left the prompt
    # box; the first click on it only committed the prompt, a second one generated.
    from editor.generation import plan_of

    w = window
    w.controller.pause_queue()  # queued, not run: this test is about what is queued
    cid = _add_draft(qtbot, w)
    w.document.request(SetShotSettings(clip_id=cid, model=str(tiny_ltx2_dir)))
    qtbot.waitUntil(lambda: w.inspector.page == "shot")
    box = w.inspector.prompt_edit
    box.setFocus(Qt.FocusReason.MouseFocusReason)
    qtbot.waitUntil(box.hasFocus)
    generate = w.inspector.generate_button
    qtbot.waitUntil(lambda: "prompt" in generate.toolTip().lower() or not generate.isEnabled(), timeout=WAIT_MS)
    assert not generate.isEnabled()
    edits = w.document.edit_count
    qtbot.keyClicks(box, "a green square")
    qtbot.waitUntil(generate.isEnabled, timeout=WAIT_MS)  # while the box still has the focus
    assert box.hasFocus()
    assert w.document.edit_count == edits  # typing made no undo step
    with qtbot.waitSignal(w.controller.job_queued, timeout=WAIT_MS) as queued:
        qtbot.mouseClick(generate, Qt.MouseButton.LeftButton)
    assert plan_of(w.controller.journal.get(queued.args[0])).prompt == "a green square"
    assert w.document.project.find_clip(cid)[1].shot.prompt == "a green square"
    assert w.document.edit_count == edits + 1  # the prompt went in as one edit
    w.inspector.grab().save("/tmp/w2/generate-typed.png")
    QTest.qWait(0)


def test_a_draft_shot_added_past_the_right_edge_is_scrolled_into_view_at_the_same_zoom(qtbot, window):
    # The walk: Add Draft Shot put the shot after the last clip, off screen, and nothing moved.
    w = window
    view = w.timeline
    length = w.document.project.seconds_to_frames(w.settings.defaults().shot_seconds)
    # a zoom at which the new shot fits the view but, placed after the cut (58 frames), runs off it
    view.set_zoom(0.8 * (view.viewport().width() - view.geo.header_w) / length)
    view.horizontalScrollBar().setValue(0)
    w.playhead.set_frame(0)
    zoom = view.geo.px_per_frame
    assert view.frame_x(58 + length) > view.viewport().width()
    cid = _add_draft(qtbot, w)
    clip = w.document.project.find_clip(cid)[1]
    assert clip.start == 58  # after the last clip
    assert view.geo.px_per_frame == zoom  # scrolled, not zoomed
    left, right = view.frame_x(clip.start), view.frame_x(clip.end)
    assert view.geo.header_w <= left and right <= view.viewport().width()  # the whole clip shows
    assert view.horizontalScrollBar().value() == round(view.geo.scroll_x)
    view.grab().save("/tmp/w2/timeline-revealed.png")


def test_a_draft_shot_that_already_shows_does_not_move_the_view(qtbot, window):
    w = window
    view = w.timeline
    view.set_zoom(2.0)  # the whole cut and the new shot fit
    view.horizontalScrollBar().setValue(0)
    _add_draft(qtbot, w)
    assert view.geo.scroll_x == 0


def test_scroll_to_show_moves_as_little_as_it_can():
    from editor.ui.timeline.reveal import scroll_to_show

    assert scroll_to_show(0, 1.0, 100, 10, 50) == 0  # shows already
    assert scroll_to_show(0, 1.0, 100, 150, 180, margin=10) == 90  # off the right: its end at the edge
    assert scroll_to_show(200, 1.0, 100, 50, 80, margin=10) == 40  # off the left: its start at the edge
    assert scroll_to_show(0, 1.0, 100, 300, 500, margin=10) == 300  # wider than the view: its start


@pytest.mark.parametrize("with_model", [False, True])
def test_adding_a_model_folder_does_not_move_the_folder_list(qtbot, tmp_path, with_model, tiny_ltx2_dir):
    # The walk: after Add folder the Model folders list jumped up (the list of recognised models
    # appeared and the page's spare room moved from around the list to it).
    from editor.ui.settings import Settings
    from editor.ui.settings_dialog import SettingsDialog

    settings = Settings()
    settings.set_model_folders([])
    dialog = SettingsDialog(settings)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.folder_list.isVisible())
    with qtbot.waitSignal(dialog.models_listed, timeout=WAIT_MS):
        dialog.refresh_models()
    top, height = dialog.folder_list.geometry().top(), dialog.folder_list.height()
    dialog.grab().save(f"/tmp/w2/settings-before-{with_model}.png")
    folder = tiny_ltx2_dir.parent if with_model else tmp_path
    with qtbot.waitSignal(dialog.models_listed, timeout=WAIT_MS):
        dialog.add_folder(str(folder))
    QTest.qWait(0)
    dialog.grab().save(f"/tmp/w2/settings-after-{with_model}.png")
    assert dialog.folder_list.geometry().top() == top
    assert dialog.folder_list.height() == height
    dialog.close()


def test_project_settings_fields_share_one_left_edge(qtbot, gap_document):
    # The walk saw the Speed combo start left of the other fields (its own row layout).
    from PySide6.QtCore import QPoint

    from editor.ui.project_settings_dialog import ProjectSettingsDialog

    dialog = ProjectSettingsDialog(gap_document.project, [])
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(dialog.isVisible)
    dialog.grab().save("/tmp/w2/project-settings.png")

    def left(widget) -> int:
        return widget.mapTo(dialog, QPoint(0, 0)).x()

    edges = {name: left(w) for name, w in (("name", dialog.name_edit), ("frame rate", dialog.fps_combo),
                                           ("model", dialog.model_combo), ("speed", dialog.speed.cache),
                                           ("where", dialog.where_jobs_run.where))}
    assert len(set(edges.values())) == 1, edges
    dialog.close()


def _infill_after(qtbot, w, undone) -> None:
    """Queue an Infill of the gap (paused), make and undo `undone` edits, then let the job land."""
    from editor.ui.selection import GapRef

    w.selection.set_gap(GapRef("v1", 24, 10))
    qtbot.waitUntil(lambda: w.actions["gen.infill"].isEnabled(), timeout=WAIT_MS)
    w.controller.pause_queue()
    with qtbot.waitSignal(w.controller.job_queued, timeout=WAIT_MS):
        w.actions["gen.infill"].trigger()
    for edit in undone:
        w.document.request(edit)
    for _ in undone:
        w.document.undo()
    with qtbot.waitSignal(w.controller.job_ended, timeout=WAIT_MS) as ended:
        w.controller.resume_queue()
    assert ended.args[1] == "done"


def test_a_take_landing_after_an_undo_on_another_track_leaves_redo_working(qtbot, window):
    # The walk: undo, a job's take lands, and Redo was gone although the take changed nothing
    # the undone edit had changed.
    from editor.document.edits import AddTrack, RenameTrack

    w = window
    w.document.request(AddTrack(name="V2", track_id="v2"))
    _infill_after(qtbot, w, [RenameTrack(track_id="v2", name="Titles")])
    assert w.document.can_redo and "cleared" not in w.statusBar().currentMessage()
    w.actions["edit.redo"].trigger()
    assert w.document.project.track("v2").name == "Titles"
    assert len(w.document.project.track("v1").clips) == 3  # the infill stays


def test_a_take_landing_where_an_undone_edit_changes_says_redo_was_cleared(qtbot, window):
    from editor.document.edits import RenameClip

    w = window
    _infill_after(qtbot, w, [RenameClip(clip_id="b", name="Blue")])
    assert not w.document.can_redo
    assert "Redo history cleared" in w.statusBar().currentMessage()
    w.statusBar().grab().save("/tmp/w2/status-redo-cleared.png")
