"""The inspector: one page per selection; fields commit as undoable edits; refusals put fields back."""

from __future__ import annotations

import pytest
from PySide6.QtTest import QTest

from editor.ui.inspector import Inspector
from editor.ui.selection import GapRef, Selection


@pytest.fixture
def inspector(qtbot, ui_document):
    sel = Selection()
    i = Inspector(ui_document, sel)
    i.messages = []
    i.message.connect(i.messages.append)
    qtbot.addWidget(i)
    i.resize(380, 700)
    i.show()
    return i


def sel(inspector) -> Selection:
    return inspector._selection


def test_pages_follow_the_selection(inspector):
    assert inspector.page == "empty"
    assert "No video model" in inspector.model_hint.text()  # says how to add one
    sel(inspector).set_clips(["boat"])
    assert inspector.page == "shot"
    assert inspector.prompt_edit.toPlainText() == "a paper boat drifts"
    assert "Draft shot" in inspector.shot_kind.text()
    assert not inspector.takes_box.isVisibleTo(inspector)
    sel(inspector).set_gap(GapRef("v1", 72, 24))
    assert inspector.page == "gap"
    assert "24 frames (1.0 s)" in inspector.gap_label.text()
    sel(inspector).set_keyframe("boat", "kf-boat")
    assert inspector.page == "keyframe"
    sel(inspector).set_clip_end("a", "end")
    assert inspector.page == "end"
    assert "End of A" == inspector.end_title.text()
    sel(inspector).set_clips(["a", "lake"])
    assert inspector.page == "empty"


def test_draft_fields_commit_as_shot_settings(inspector, ui_document):
    sel(inspector).set_clips(["boat"])
    box = inspector.prompt_edit
    box.setFocus()
    box.selectAll()
    QTest.keyClicks(box, "a boat at dusk")
    box.clearFocus()
    inspector.seed_spin.setValue(1234)
    inspector.seed_spin.editingFinished.emit()
    inspector.steps_spin.setValue(12)
    inspector.steps_spin.editingFinished.emit()
    inspector.guidance_spin.setValue(4.5)
    inspector.guidance_spin.editingFinished.emit()
    shot = ui_document.project.find_clip("boat")[1].shot
    assert (shot.prompt, shot.seed, shot.steps, shot.guidance) == ("a boat at dusk", 1234, 12, 4.5)
    inspector.seed_spin.setValue(-1)  # "random"
    inspector.seed_spin.editingFinished.emit()
    assert ui_document.project.find_clip("boat")[1].shot.seed is None
    inspector.length_spin.setValue(2.5)
    inspector.length_spin.editingFinished.emit()
    assert ui_document.project.find_clip("boat")[1].length == 60
    ui_document.undo()
    assert ui_document.project.find_clip("boat")[1].length == 72
    assert inspector.length_spin.value() == 3.0  # the field follows undo


def test_a_refused_length_puts_the_field_back_and_says_why(inspector, ui_document):
    sel(inspector).set_clips(["boat"])
    inspector.length_spin.setValue(5.0)  # 120 frames would run into "Lake" at 168
    inspector.length_spin.editingFinished.emit()
    assert ui_document.project.find_clip("boat")[1].length == 72
    assert inspector.length_spin.value() == 3.0
    assert inspector.messages and "overlap" in inspector.messages[-1].lower()


def test_a_clip_shows_its_takes_and_switches_take(inspector, ui_document):
    sel(inspector).set_clips(["city"])
    assert inspector.takes_list.count() == 2
    assert inspector.takes_list.item(1).text().startswith("● Take 2 · generated · seed 7")
    assert "seed" in inspector.record_label.text() and "ltx-tiny" in inspector.record_label.text()
    assert not inspector.length_spin.isEnabled()
    inspector.takes_list.setCurrentRow(0)
    assert "no generation record" in inspector.record_label.text()
    inspector.switch_button.click()
    assert ui_document.project.find_clip("city")[1].active_take == 0
    assert ui_document.history.titles[-1] == "Switch take"


def test_gap_page_closes_the_gap(inspector, ui_document):
    sel(inspector).set_gap(GapRef("v1", 72, 24))
    from PySide6.QtWidgets import QAbstractButton

    inspector.gap_page.findChild(QAbstractButton, "inspector.close_gap").click()
    assert ui_document.project.find_clip("boat")[1].start == 72


def test_keyframe_strength_and_frame(inspector, ui_document):
    sel(inspector).set_keyframe("boat", "kf-boat")
    inspector.keyframe_strength.setValue(0.4)
    inspector.keyframe_strength.editingFinished.emit()
    inspector.keyframe_frame.setValue(30)
    inspector.keyframe_frame.editingFinished.emit()
    k = ui_document.project.find_clip("boat")[1].keyframes[0]
    assert (k.frame, k.strength) == (30, 0.4)
    assert inspector.keyframe_frame.maximum() == 71


def test_the_clip_end_page_picks_the_model_for_the_extend(inspector, ui_document, tmp_path):
    model = str(tmp_path / "my-model")
    inspector.set_models([model])
    sel(inspector).set_clip_end("a", "end")
    combo = inspector.end_model_combo
    assert combo.isVisibleTo(inspector)
    assert combo.itemText(0) == "Project default (none set)" and combo.currentIndex() == 0
    combo.setCurrentIndex(combo.findData(model))
    combo.activated.emit(combo.currentIndex())
    assert ui_document.project.find_clip("a")[1].shot.model == model
    ui_document.undo()
    assert ui_document.project.find_clip("a")[1].shot.model is None
    assert inspector.end_model_combo.currentIndex() == 0


def test_the_wheel_scrolls_the_panel_not_an_unfocused_field(inspector, ui_document, qtbot):
    from PySide6.QtCore import QPoint, Qt
    from ui_helpers import wheel

    inspector.resize(380, 300)  # short: the shot page scrolls
    sel(inspector).set_clips(["boat"])
    qtbot.wait(10)
    scroll = inspector.stack.currentWidget()
    bar = scroll.verticalScrollBar()
    assert bar.maximum() > 0
    fields = (inspector.seed_spin, inspector.steps_spin, inspector.guidance_spin, inspector.model_combo)
    before = [f.value() if hasattr(f, "value") else f.currentIndex() for f in fields]
    for f in fields:
        assert f.focusPolicy() == Qt.FocusPolicy.StrongFocus
        wheel(f, QPoint(5, 5), -120)
    assert [f.value() if hasattr(f, "value") else f.currentIndex() for f in fields] == before
    assert bar.value() > 0  # the panel scrolled instead
    assert ui_document.history.titles == ()
    inspector.steps_spin.setFocus()
    qtbot.waitUntil(inspector.steps_spin.hasFocus)
    wheel(inspector.steps_spin, QPoint(5, 5), 120)  # a focused field still takes the wheel
    assert inspector.steps_spin.value() == before[1] + 1


def test_tab_in_the_prompt_moves_to_the_next_field(inspector, ui_document, qtbot):
    from PySide6.QtCore import Qt

    sel(inspector).set_clips(["boat"])
    inspector.activateWindow()
    inspector.prompt_edit.setFocus()
    qtbot.waitUntil(inspector.prompt_edit.hasFocus)
    QTest.keyClick(inspector.prompt_edit, Qt.Key.Key_Tab)
    assert inspector.negative_edit.hasFocus()
    assert "\t" not in inspector.prompt_edit.toPlainText()
    assert ui_document.project.find_clip("boat")[1].shot.prompt == "a paper boat drifts"


def test_counts_read_as_english(inspector, ui_document):
    """"1 frame", "1 clip selected": never "1 frames" (editor/words.plural everywhere)."""
    from editor.document.edits import SetClipLength
    from editor.ui.timeline.drops import describe_drop
    from editor.words import plural

    assert (plural(1, "frame"), plural(2, "frame"), plural(0, "clip")) == ("1 frame", "2 frames", "0 clips")
    ui_document.request(SetClipLength(clip_id="boat", length=1))
    sel(inspector).set_clips(["boat"])
    assert "·  1 frame (" in inspector.timing_label.text()
    sel(inspector).set_gap(GapRef("v1", 72, 24))
    assert "24 frames" in inspector.gap_label.text()
    sel(inspector).set_clips(["a", "lake"])
    assert inspector.empty_page.findChild(type(inspector.shot_title)).text() == "2 clips selected"
    assert describe_drop(ui_document.project, ["x.png", "y.png"], clip_id="boat", on_track=True) == \
        "Pin 2 keyframes on Boat"


def test_an_imported_take_is_named_by_its_file_not_by_the_word_import(inspector, ui_document):
    # The walk: the demo's clips (made by `shotline import`, take label "import") listed as
    # "Take 1 · imported · import"; the file's name says which media it is.
    ui_document.project.find_clip("a")[1].takes[0].label = "import"
    sel(inspector).set_clips(["a"])
    assert inspector.takes_list.item(0).text() == "● Take 1 · imported · sunrise.mp4"
