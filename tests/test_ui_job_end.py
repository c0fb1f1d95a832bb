"""A job's end never takes the user away from what they are doing.

A real window on the offscreen platform, a real Infill job (the built-in interpolation, no
model) run by the worker thread, real key presses in the Inspector's prompt box.
"""

from __future__ import annotations

import pytest
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from editor.ui.inspector import Inspector
from editor.ui.selection import GapRef, Selection

WAIT_MS = 60_000


@pytest.fixture
def window(qtbot, gap_window):
    qtbot.waitUntil(lambda: gap_window.actions["gen.infill"].isEnabled() or gap_window.selection.is_empty(),
                    timeout=WAIT_MS)
    return gap_window


def _new_clip(w):
    return next(c for c in w.document.project.track("v1").clips if c.id not in ("a", "b"))


def test_typing_in_another_clip_while_an_infill_runs_stays_there(qtbot, window):
    w = window
    w.selection.set_gap(GapRef("v1", 24, 10))
    qtbot.waitUntil(lambda: w.actions["gen.infill"].isEnabled(), timeout=WAIT_MS)
    w.actions["gen.infill"].trigger()  # queued on the journal thread; nothing has run yet
    w.selection.set_clips(["b"])  # the user clicks another clip...
    box = w.inspector.prompt_edit
    box.setFocus()
    box.selectAll()
    QTest.keyClicks(box, "a blue square spins")  # ...and types in its prompt
    with qtbot.waitSignal(w.controller.job_ended, timeout=WAIT_MS) as ended:
        pass
    assert ended.args[1] == "done"
    infill = _new_clip(w)
    # still where the user was: the same clip, the same box, the typed text intact
    assert w.selection.clips == ("b",)
    assert QApplication.focusWidget() is box and box.toPlainText() == "a blue square spins"
    assert w.inspector.page == "shot"
    assert w.statusBar().currentMessage().startswith("Done")
    box.clearFocus()  # the prompt commits as the user leaves the box
    assert w.document.project.find_clip("b")[1].shot.prompt == "a blue square spins"
    assert infill.shot.prompt != "a blue square spins"
    # the Jobs panel has it, and goes to it when asked
    row = w.jobs_panel.row(ended.args[0])
    qtbot.waitUntil(lambda: row.state.text().startswith("Done"), timeout=WAIT_MS)
    assert not row.show_take.isHidden()
    row.show_take.click()
    assert w.selection.clips == (infill.id,)


def test_the_new_take_is_selected_when_the_user_has_not_moved(qtbot, window):
    w = window
    w.selection.set_gap(GapRef("v1", 24, 10))
    qtbot.waitUntil(lambda: w.actions["gen.infill"].isEnabled(), timeout=WAIT_MS)
    with qtbot.waitSignal(w.controller.job_ended, timeout=WAIT_MS):
        w.actions["gen.infill"].trigger()
    assert w.selection.clips == (_new_clip(w).id,)


def test_a_selection_change_commits_typed_text_to_the_clip_it_was_typed_for(qtbot, ui_document):
    selection = Selection()
    inspector = Inspector(ui_document, selection)
    qtbot.addWidget(inspector)
    inspector.show()
    inspector.activateWindow()
    qtbot.waitUntil(inspector.isActiveWindow)
    selection.set_clips(["boat"])
    box = inspector.prompt_edit
    box.setFocus()
    box.selectAll()
    QTest.keyClicks(box, "a boat at dusk")
    selection.set_clips(["a"])  # not by the user's hand: focus stays in the box
    project = ui_document.project
    assert project.find_clip("boat")[1].shot.prompt == "a boat at dusk"
    assert box.toPlainText() == project.find_clip("a")[1].shot.prompt == "sunrise over a lake"
    box.clearFocus()
    assert project.find_clip("a")[1].shot.prompt == "sunrise over a lake"
    inspector.hide()
