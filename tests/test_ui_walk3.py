"""Defects found by walking through the editor in a real X server (third walk: storyboard,
animate a still, sound, export, keyboard).

Real window on the offscreen platform, real clicks, real project folders; the tiny random-weight
LTX-2 folder (tests/tiny_models.py) stands in for a model.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from editor.document.edits import SetShotSettings
from editor.document.storage import save_project
from editor.ui.main_window import MainWindow

WAIT_MS = 20_000


@pytest.fixture
def window(qtbot, gap_document):
    save_project(gap_document.project, gap_document.folder)
    w = MainWindow(restore_layout=False, ask=False)
    w.resize(1200, 800)
    w.show()
    assert w.open_project_path(gap_document.folder)
    yield w
    w.ask_save_changes = lambda: "discard"
    w.close()


def test_a_queued_generate_shows_on_its_storyboard_card(qtbot, window, tiny_ltx2_dir):
    # The walk: Generate from the storyboard ran for minutes while the card still said "draft"
    # (the job's target was read from where the journal no longer keeps it).
    w = window
    w.controller.pause_queue()  # queued, not run: this test is about what the card says
    before = {c.id for t in w.document.project.tracks for c in t.clips}
    w.actions["edit.add_shot"].trigger()
    (cid,) = [c.id for t in w.document.project.tracks for c in t.clips if c.id not in before]
    w.document.request(SetShotSettings(clip_id=cid, model=str(tiny_ltx2_dir)))
    generate = w.inspector.generate_button
    qtbot.waitUntil(lambda: w.inspector.page == "shot")
    qtbot.keyClicks(w.inspector.prompt_edit, "a red square")
    qtbot.waitUntil(generate.isEnabled, timeout=WAIT_MS)
    with qtbot.waitSignal(w.controller.job_queued, timeout=WAIT_MS):
        qtbot.mouseClick(generate, Qt.MouseButton.LeftButton)
    card = next(c for c in w.storyboard.cards if c.clip_id == cid)
    qtbot.waitUntil(lambda: card.state.text() == "queued")


def test_an_existing_folder_typed_as_the_export_file_says_it_is_a_folder(make_dialog, tmp_path):
    # The walk: typing a folder (".../demo") exported to ".../demo.mp4" beside it, while a folder
    # named "x.mp4" was refused with "is a folder: add a file name"; both say so now.
    folder = tmp_path / "renders"
    folder.mkdir()
    dialog = make_dialog()
    dialog.out_edit.setText(str(folder))
    assert not dialog.export_button.isEnabled()
    assert "is a folder" in dialog.issue_label.text() and str(folder / "film.mp4") in dialog.issue_label.text()
    dialog.out_edit.setText(str(tmp_path / "film"))  # a new name without a suffix still gets ".mp4"
    assert dialog.export_button.isEnabled()


def test_a_finished_job_without_a_live_preview_shows_its_takes_picture(qtbot, window):
    # The walk: a 2-step Animate (and every job after the project was opened again) kept a grey
    # box saying "animate" in the Jobs panel: the row's picture came only from live previews.
    from editor.ui.selection import GapRef

    w = window
    w.selection.set_gap(GapRef("v1", 24, 10))
    qtbot.waitUntil(lambda: w.actions["gen.infill"].isEnabled(), timeout=WAIT_MS)
    with qtbot.waitSignal(w.controller.job_ended, timeout=WAIT_MS) as ended:
        w.actions["gen.infill"].trigger()  # the built-in interpolation: no model, no step previews
    assert ended.args[1] == "done"
    w.actions["file.save"].trigger()
    folder = w.document.folder
    assert w.open_project_path(folder)  # opened again: the job is listed, its live preview is gone
    qtbot.waitUntil(lambda: w.jobs_panel.row(ended.args[0]) is not None, timeout=WAIT_MS)
    row = w.jobs_panel.row(ended.args[0])

    def pictured() -> bool:
        pm = row.thumb.pixmap()
        return pm is not None and not pm.isNull()

    qtbot.waitUntil(pictured, timeout=WAIT_MS)
    row.grab().save("/tmp/walk3-job-row.png")
