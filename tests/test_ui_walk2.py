"""Defects found by walking through the editor in a real X server (second walk).

Real window on the offscreen platform, real typing and clicks, real project folders; the tiny
random-weight LTX-2 folder (tests/tiny_models.py) stands in for a model.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from editor.document.edits import SetShotSettings
from editor.document.storage import save_project
from editor.ui.main_window import MainWindow

WAIT_MS = 120_000


@pytest.fixture
def window(qtbot, gap_document):
    save_project(gap_document.project, gap_document.folder)
    w = MainWindow(restore_layout=False, ask=False)
    w.resize(1200, 800)
    w.show()
    assert w.open_project_path(gap_document.folder)
    w.activateWindow()
    qtbot.waitUntil(w.isActiveWindow)
    yield w
    w.ask_save_changes = lambda: "discard"
    w.close()


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
