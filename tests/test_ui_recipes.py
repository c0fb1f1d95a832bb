"""Recipes, variations, A/B compare and stale takes in the window, for real.

A real window on the offscreen platform, real jobs in the worker thread (the built-in
interpolation, and a tiny random-weight LTX-Video folder for variations), real takes on disk.
Screenshots go to $SHOTLINE_GRAB_DIR when it is set (to look at what the user sees).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from editor.document.edits import SetShotSettings, Side, TrimClip
from editor.document.recipe import recipe_of
from editor.document.storage import save_project
from editor.ui.inspector import Inspector
from editor.ui.main_window import MainWindow
from editor.ui.selection import GapRef, Selection

WAIT_MS = 120_000


def _grab(widget, name: str) -> None:
    folder = os.environ.get("SHOTLINE_GRAB_DIR")
    if folder:
        for _ in range(3):  # let pending layouts settle, as a paint on screen would
            QApplication.processEvents()
        widget.grab().save(str(Path(folder) / f"{name}.png"))


@pytest.fixture
def window(qtbot, gap_document):
    save_project(gap_document.project, gap_document.folder)
    w = MainWindow(restore_layout=False, ask=False)
    w.resize(1400, 900)
    w.show()
    assert w.open_project_path(gap_document.folder)
    qtbot.waitUntil(lambda: w.controller is not None and w.actions["gen.infill"] is not None, timeout=WAIT_MS)
    yield w
    w.ask_save_changes = lambda: "discard"
    w.close()


def _infill(qtbot, w):
    w.selection.set_gap(GapRef("v1", 24, 10))
    qtbot.waitUntil(lambda: w.actions["gen.infill"].isEnabled(), timeout=WAIT_MS)
    with qtbot.waitSignal(w.controller.job_ended, timeout=WAIT_MS) as ended:
        w.actions["gen.infill"].trigger()
    assert ended.args[1] == "done"
    return next(c for c in w.document.project.track("v1").clips if c.id not in ("a", "b"))


def _card_state(w, clip_id: str) -> str:
    return next(c for c in w.storyboard.cards if c.clip_id == clip_id).state.text()


def test_a_trimmed_neighbour_makes_the_infill_stale_undo_makes_it_fresh_and_make_again_fixes_it(qtbot, window):
    w = window
    infill = _infill(qtbot, w)
    w.selection.set_clips([infill.id])
    tools = w.inspector.take_tools
    assert w.inspector.page == "shot" and not tools.stale_box.isVisibleTo(w.inspector)
    assert infill.id not in w.timeline.paint_state().stale
    assert _card_state(w, infill.id).startswith("done")

    w.document.request(TrimClip(clip_id="a", side=Side.END, frame=20))  # A's last frames change
    assert tools.stale_box.isVisibleTo(w.inspector)
    assert tools.reasons == ["“A” (before) was trimmed: it joins different frames."]
    assert w.timeline.paint_state().stale[infill.id] == tools.reasons  # the badge on the clip
    assert _card_state(w, infill.id) == "stale · make again"  # and on its storyboard card
    w.docks["inspector"].raise_()
    w.timeline.zoom_to_fit()
    _grab(w, "recipes-stale-window")
    _grab(w.inspector.shot_page, "recipes-stale-inspector")
    w.docks["storyboard"].raise_()
    _grab(w.storyboard, "recipes-stale-storyboard")

    w.document.undo()
    assert not tools.stale_box.isVisibleTo(w.inspector) and infill.id not in w.timeline.paint_state().stale
    assert _card_state(w, infill.id).startswith("done")
    w.document.redo()
    assert tools.stale_box.isVisibleTo(w.inspector)

    assert tools.regenerate_button.isEnabled()
    with qtbot.waitSignal(w.controller.job_ended, timeout=WAIT_MS) as ended:
        w.actions["gen.remake_stale"].trigger()  # Generate ▸ Make Stale Takes Again (the button does the same)
    assert ended.args[1] == "done", w.controller.jobs()[-1].message
    clip = w.document.project.find_clip(infill.id)[1]
    assert len(clip.takes) == 2 and clip.active_take == 1 and (clip.start, clip.length) == (24, 10)
    assert not tools.stale_box.isVisibleTo(w.inspector)  # the new take knows the trimmed A
    assert infill.id not in w.timeline.paint_state().stale
    w.actions["gen.remake_stale"].trigger()
    assert w.statusBar().currentMessage() == "No take is stale."

    w.document.request(TrimClip(clip_id="b", side=Side.START, frame=36))  # B's first frames change
    assert tools.reasons == ["“B” (after) was trimmed: it joins different frames."]
    with qtbot.waitSignal(w.controller.job_ended, timeout=WAIT_MS) as ended:
        tools.regenerate_button.click()  # the Inspector's one click
    assert ended.args[1] == "done"
    assert len(clip.takes) == 3 and not tools.stale_box.isVisibleTo(w.inspector)


def _pick_rows(grid, rows):
    grid.clearSelection()
    for i, row in enumerate(rows):
        flags = QItemSelectionModel.SelectionFlag.Select
        if i == 0:
            grid.setCurrentRow(row, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        else:
            grid.selectionModel().select(grid.model().index(row, 0), flags)


def test_variations_queue_one_take_per_seed_and_compare_plays_two_side_by_side(qtbot, window, tiny_ltx_dir):
    w = window
    w.document.request(SetShotSettings(clip_id="a", model=str(tiny_ltx_dir), steps=2))
    w.selection.set_clips(["a"])
    box = w.inspector.variations_box
    box.variation_text.setPlainText("11 12")
    ended = []
    w.controller.job_ended.connect(lambda job, how: ended.append(how))
    box.variations_button.click()
    qtbot.waitUntil(lambda: len(ended) == 2, timeout=WAIT_MS)
    assert ended == ["done", "done"], [j.message for j in w.controller.jobs()]
    clip = w.document.project.find_clip("a")[1]
    assert [recipe_of(t).seed if recipe_of(t) else None for t in clip.takes] == [None, 11, 12]

    # the recipe, readably: the fields this run used, its model's folder hash, time and device
    w.selection.set_clips(["b"])
    w.selection.set_clips(["a"])
    grid = w.inspector.takes_list
    assert grid.count() == 3 and grid.viewMode() == grid.ViewMode.IconMode
    text = w.inspector.record_label.text()
    assert "seed 12" in text and "Prompt</b>: a red square moves" in text
    assert "folder hash" in text and "Took</b>:" in text and " on CPU" in text and "64×64 at 24 fps" in text
    qtbot.waitUntil(lambda: all(not grid.item(i).icon().isNull() for i in range(3)), timeout=WAIT_MS)

    # Compare takes 3 (in use) and 2 side by side, then pick B (take 2)
    _pick_rows(grid, [2, 1])
    assert w.inspector.take_tools.compare_button.isEnabled()
    w.inspector.take_tools.compare_button.click()
    preview = w.preview
    assert preview.comparing is not None and preview.compare_bar.isVisibleTo(preview)
    assert "A = take 3" in preview.compare_label.text() and "B = take 2" in preview.compare_label.text()
    assert preview.wait_shown()
    assert preview.image.width() == 2 * 64 + 4  # two 64-pixel pictures and the line between
    w.docks["inspector"].raise_()
    _grab(w, "recipes-compare-window")
    _grab(w.inspector.shot_page, "recipes-variations-inspector")
    QTest.keyClick(preview, Qt.Key.Key_Escape)  # Esc ends a compare...
    assert preview.comparing is None and preview.compare_bar.isHidden()
    w.inspector.take_tools.compare_button.click()  # ...and Compare starts it again
    assert preview.comparing is not None
    preview.use_b_button.click()
    assert clip.active_take == 1 and preview.comparing is None
    assert w.document.history.titles[-1] == "Switch take"
    assert preview.wait_shown() and preview.image.width() == 64


@pytest.fixture
def inspector(qtbot, ui_document):
    i = Inspector(ui_document, Selection())
    i.messages = []
    i.message.connect(i.messages.append)
    qtbot.addWidget(i)
    i.resize(380, 900)
    i.show()
    return i


def test_reuse_seed_copy_and_paste_a_recipe_are_undoable_edits(inspector, ui_document):
    project = ui_document.project
    inspector._selection.set_clips(["city"])
    tools = inspector.take_tools
    assert inspector.takes_list.currentRow() == 1
    tools.reuse_seed_button.click()
    assert project.find_clip("city")[1].shot.seed == 7
    ui_document.undo()
    assert project.find_clip("city")[1].shot.seed is None
    tools.copy_button.click()
    assert "shotline_recipe" in QApplication.clipboard().text()
    inspector._selection.set_clips(["boat"])  # a draft: Paste Recipe is there too
    inspector.variations_box.paste_button.click()
    shot = project.find_clip("boat")[1].shot
    assert (shot.prompt, shot.seed, shot.steps) == ("city at night", 7, 4)
    assert inspector.prompt_edit.toPlainText() == "city at night"
    ui_document.undo()
    assert project.find_clip("boat")[1].shot.prompt == "a paper boat drifts"
    QApplication.clipboard().setText("hello")
    inspector.variations_box.paste_button.click()
    assert inspector.messages[-1].startswith("The clipboard holds no recipe")
    # an imported take: nothing to reuse or copy
    inspector._selection.set_clips(["city"])
    inspector.takes_list.setCurrentRow(0)
    assert not tools.reuse_seed_button.isEnabled() and not tools.copy_button.isEnabled()
    assert tools.compare_button.isEnabled()  # take 1 against the take in use


def test_variations_say_what_to_fix(inspector):
    inspector._selection.set_clips(["boat"])
    box = inspector.variations_box
    box.variation_text.setPlainText("3 x")
    messages = []
    box.message.connect(messages.append)
    box.variations_button.click()
    assert messages == ["'x' is not a seed: type whole numbers, e.g. 1 2 3."]
    box.variation_text.setPlainText("a boat at dusk\na boat at dawn")
    plans = box.plans()
    assert [p.prompt for p in plans] == ["a boat at dusk", "a boat at dawn"]
    queued = []
    inspector.queue_plans.connect(queued.append)
    box.variations_button.click()
    assert len(queued) == 1 and len(queued[0]) == 2


def test_a_keyframe_picture_changed_on_disk_marks_the_infill_stale_without_an_edit(qtbot, window):
    """A file watcher sees the keyframe picture replaced; coming back to the window re-asks too."""
    from editor.document.context_fingerprint import content_tokens, with_context
    from editor.document.edits import PinKeyframe, PlaceGeneratedTake
    from editor.document.plans import InfillGap, make_plan
    from editor.document.project import Keyframe, Take

    w = window
    doc = w.document
    picture = doc.folder / "media" / "k.png"
    picture.write_bytes(b"first picture")
    doc.request(PinKeyframe(keyframe=Keyframe(id="k1", image="media/k.png", frame=28), track_id="v1"))
    plan = with_context(make_plan(doc.project, InfillGap(track_id="v1", frame=28), seed=3), doc.project,
                        content_tokens(doc.folder))
    take = Take(id="gi", media="media/a.mkv", frames=10,
                record={"engine": "ltx-condition", "action": plan.action.value, "plan": plan.to_dict()})
    doc.request(PlaceGeneratedTake(plan=plan, take=take, new_clip_id="gi"))
    assert "gi" not in w.timeline.paint_state().stale and str(picture) in w.stale_watch.watched()

    picture.write_bytes(b"another picture, painted elsewhere")  # no edit in Shotline
    qtbot.waitUntil(lambda: "gi" in w.timeline.paint_state().stale)
    assert w.timeline.paint_state().stale["gi"] == ["The keyframe picture at frame 28 was replaced."]
    assert _card_state(w, "gi") == "stale · make again"

    # not watched (a network drive, say): the window becoming active again asks once more
    w.stale_watch._watcher.removePaths(w.stale_watch.watched())
    picture.write_bytes(b"first picture")
    assert "gi" in w.timeline.paint_state().stale
    QApplication.instance().applicationStateChanged.emit(Qt.ApplicationState.ApplicationActive)
    assert "gi" not in w.timeline.paint_state().stale and str(picture) in w.stale_watch.watched()
    assert _card_state(w, "gi").startswith("done")
