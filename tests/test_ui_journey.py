"""Whole journeys through the editor window, as a user walks them, with real widgets and events.

1. Open the demo, select its gap, Infill it with the built-in interpolation, play the cut,
   undo/redo, save, reopen: the take is still there.
2. A new project: two stills dropped on the timeline, a draft shot between them, a keyframe
   pinned by dropping an image on the draft, its prompt typed in the inspector, the storyboard's
   cards reordered (the timeline follows), a ripple delete and its undo.

Set SHOTLINE_JOURNEY_SHOTS=/some/folder to keep a screenshot of the window at every stage.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, Qt
from PySide6.QtTest import QTest
from ui_helpers import click, drop_files, drop_mime

from editor.ui.main_window import MainWindow
from editor.ui.storyboard import MIME as CARD_MIME

ROOT = Path(__file__).resolve().parents[1]
DEMO_MEDIA = ROOT / "resources" / "demo" / "Demo.shotline" / "media"
WAIT_MS = 60_000


def snap(window: MainWindow, name: str) -> None:
    """Keep a screenshot of this stage when SHOTLINE_JOURNEY_SHOTS names a folder."""
    folder = os.environ.get("SHOTLINE_JOURNEY_SHOTS")
    if not folder:
        return
    window.settle()
    Path(folder).mkdir(parents=True, exist_ok=True)
    window.grab().save(str(Path(folder) / f"{name}.png"))


@pytest.fixture
def windows(qtbot):
    """windows() -> a new shown 1600x1000 window; all are closed (changes discarded) after."""
    if os.environ.get("SHOTLINE_JOURNEY_SHOTS"):
        from PySide6.QtWidgets import QApplication

        from editor.ui.theme import apply_theme

        apply_theme(QApplication.instance())  # look as the user sees it
    made = []

    def make() -> MainWindow:
        w = MainWindow(restore_layout=False, ask=False)
        w.resize(1600, 1000)
        w.show()
        qtbot.waitExposed(w)
        made.append(w)
        return w

    yield make
    for w in made:
        w.ask_save_changes = lambda: "discard"
        w.close()


def _main_clips(window: MainWindow) -> list:
    return window.storyboard.main_track().clips


def test_demo_infill_play_undo_save_reopen(qtbot, windows):
    window = windows()
    window.open_demo()
    project = window.document.project
    assert project.name == "Demo" and window.controller is not None
    snap(window, "1-01-demo-open")

    # the gap between two clips: click it on the timeline
    track = next(t for t in project.tracks if project.gaps(t.id))
    row = project.tracks.index(track)
    gap = project.gaps(track.id)[0]
    view = window.timeline
    click(view.viewport(), QPoint(view.frame_x(gap.start + gap.length / 2), view.track_y(row)))
    assert window.selection.gap is not None and window.selection.gap.length == gap.length
    assert window.selection_label.text().startswith("Gap")
    infill = window.actions["gen.infill"]
    assert infill.isEnabled() and "interpolation" in infill.toolTip()
    assert window.inspector.isVisible()
    snap(window, "1-02-gap-selected")

    with qtbot.waitSignal(window.controller.job_ended, timeout=WAIT_MS) as ended:
        infill.trigger()
    assert ended.args[1] == "done"
    made = [c for c in track.clips if c.start == gap.start]
    track = window.document.project.track(track.id)
    made = [c for c in track.clips if c.start == gap.start]
    assert len(made) == 1 and made[0].length == gap.length and made[0].take.frames == gap.length
    assert (window.document.folder / made[0].take.media).is_file()
    assert window.selection.clips == (made[0].id,)  # the new take is selected and inspected
    assert not project.gaps(track.id) or all(g.start != gap.start for g in project.gaps(track.id))
    snap(window, "1-03-infilled")

    # play the cut: the playhead keeps time at the project's frame rate
    window.go_to_start()
    fps = float(window.document.project.fps)
    started = time.monotonic()
    window.play_pause()
    qtbot.wait(500)
    elapsed = time.monotonic() - started
    frame = window.playhead.frame
    window.play_pause()
    assert not window.playhead.playing
    assert 0 < frame <= elapsed * fps + 2, (frame, elapsed * fps)  # by the clock, never ahead (late timers lag)
    qtbot.waitUntil(lambda: window.preview.shown_frame == window.playhead.frame, timeout=WAIT_MS)
    assert window.timecode_label.text().endswith(f":{frame % round(fps):02d}")
    snap(window, "1-04-played")

    window.undo()
    assert all(c.start != gap.start for c in window.document.project.track(track.id).clips)
    window.redo()
    assert [c.id for c in window.document.project.track(track.id).clips if c.start == gap.start] == [made[0].id]
    assert window.isWindowModified()
    assert window.save_project() and not window.isWindowModified()
    folder = window.document.folder

    again = windows()
    assert again.open_project_path(folder)
    kept = [c for c in again.document.project.track(track.id).clips if c.start == gap.start]
    assert len(kept) == 1 and kept[0].take.id == made[0].take.id and kept[0].take.frames == gap.length
    qtbot.waitUntil(lambda: again.controller.jobs() != [], timeout=WAIT_MS)
    assert again.jobs_panel.unplaced.isHidden()  # it is in the timeline: nothing to offer
    snap(again, "1-05-reopened")


def test_new_project_stills_draft_keyframe_storyboard_ripple(qtbot, windows, tmp_path):
    for name in ("lake_at_dawn.png", "paper_boat_keyframe.png", "sunrise.mp4"):
        shutil.copy(DEMO_MEDIA / name, tmp_path / name)
    window = windows()
    window._ask = True  # a user at the keyboard: New Project asks where (the dialog is answered here)
    window.ask_new_project = lambda: tmp_path / "Projects" / "Lake.shotline"
    window.new_project()
    doc = window.document
    assert doc.folder == tmp_path / "Projects" / "Lake.shotline" and window.controller is not None
    window._ask = False
    view = window.timeline
    assert "Drop images or videos" in view.paint_state().empty_hint  # the empty cut says what to do
    assert window.preview.view.hint.startswith("Nothing to play yet")
    snap(window, "2-01-new-project")

    # two stills dropped on the bottom track, with room between them
    v1 = len(doc.project.tracks) - 1
    fps = doc.project.fps
    assert drop_files(view.viewport(), QPoint(view.frame_x(0) + 2, view.track_y(v1)), [tmp_path / "lake_at_dawn.png"])
    still = round(window.settings.defaults().still_seconds * fps)
    second_at = still + round(6 * fps)
    view.set_zoom(max(0.5, (view.viewport().width() - 260) / (second_at + still)))
    with qtbot.waitSignal(view.dropped):  # the video is read off the GUI thread first
        assert drop_files(view.viewport(), QPoint(view.frame_x(second_at) + 1, view.track_y(v1)),
                          [tmp_path / "sunrise.mp4"])
    track = doc.project.tracks[v1]
    assert [(c.start, c.length) for c in track.clips][0] == (0, still)
    assert len(track.clips) == 2 and track.clips[1].start >= second_at
    assert view.paint_state().empty_hint == "" and window.preview.view.hint == ""
    snap(window, "2-02-two-clips-dropped")

    # a draft shot in the gap between them
    gap = doc.project.gaps(track.id)[0]
    click(view.viewport(), QPoint(view.frame_x(gap.start + gap.length // 2), view.track_y(v1)))
    assert window.selection.gap is not None
    window.actions["edit.add_shot"].trigger()
    track = doc.project.tracks[v1]
    draft = track.clips[1]
    assert draft.is_draft and draft.start == gap.start and window.selection.clips == (draft.id,)
    assert draft.name == "Shot 2"  # named for its place in the story, as the storyboard numbers it
    assert window.statusBar().currentMessage().startswith("Added Shot 2")
    snap(window, "2-03-draft-added")

    # pin a keyframe by dropping an image on the draft
    at = draft.start + draft.length // 2
    assert drop_files(view.viewport(), QPoint(view.frame_x(at), view.track_y(v1)),
                      [tmp_path / "paper_boat_keyframe.png"])
    draft = doc.project.find_clip(draft.id)[1]
    assert len(draft.keyframes) == 1 and abs(draft.keyframes[0].frame - draft.length // 2) <= 2

    # the prompt, typed in the inspector, lands when the box loses focus
    window.selection.set_clips([draft.id])
    box = window.inspector.prompt_edit
    assert box.isVisible()
    box.setFocus()
    QTest.keyClicks(box, "a paper boat drifts across the lake")
    QTest.keyClick(box, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert doc.project.find_clip(draft.id)[1].shot.prompt == "a paper boat drifts across the lake"
    snap(window, "2-04-keyframe-and-prompt")

    # the storyboard: three cards in story order
    window.show_storyboard()
    board = window.storyboard
    ids = [c.id for c in _main_clips(window)]
    assert board.card_ids() == ids and len(ids) == 3
    assert board.cards[1].prompt.toPlainText() == "a paper boat drifts across the lake"
    assert [c.state.text() for c in board.cards] == ["still", "draft", "video"]  # imported: not "done"
    snap(window, "2-05-storyboard")

    # drag the last card to the front: the timeline follows
    mime = QMimeData()
    mime.setData(CARD_MIME, ids[2].encode())
    first = board.cards[0].geometry()
    assert drop_mime(board.strip, QPoint(first.left() + 10, first.center().y()), mime)
    assert [c.id for c in _main_clips(window)] == [ids[2], ids[0], ids[1]]
    assert board.card_ids() == [ids[2], ids[0], ids[1]]
    assert _main_clips(window)[0].start == 0
    snap(window, "2-06-reordered")

    # ripple delete the first shot: the others close up; undo brings it back
    window.show_timeline()
    window.selection.set_clips([ids[2]])
    before = [(c.id, c.start) for c in _main_clips(window)]
    window.actions["edit.ripple_delete"].trigger()
    after = _main_clips(window)
    assert [c.id for c in after] == [ids[0], ids[1]] and after[0].start == 0
    snap(window, "2-07-ripple-deleted")
    window.undo()
    assert [(c.id, c.start) for c in _main_clips(window)] == before
    snap(window, "2-08-undone")
