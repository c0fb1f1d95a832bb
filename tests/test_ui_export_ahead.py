"""The Export dialog is built ahead, a part per idle moment (editor.ui.idle_build), so the first
File ▸ Export only shows it; a dialog built ahead or in parts is the same dialog as one built at
once; a hidden dialog does no work when the window opens another project, and shows that
project when opened. Also: start-up's objects are kept out of the garbage collector's walks
while the window lives (gc_guard.settled) and given back when it closes."""

from __future__ import annotations

import gc

from editor.ui.export_dialog import ExportDialog
from editor.ui.playhead import Playhead
from editor.ui.settings import Settings

WAIT_MS = 20000


def _window():
    from editor.ui.main_window import MainWindow

    w = MainWindow(restore_layout=False, ask=False)
    w.ask_save_changes = lambda: "discard"
    return w


def test_the_window_builds_the_export_dialog_while_idle_and_file_export_shows_it(qtbot, ui_document):
    w = _window()
    w.show()
    try:
        assert w.open_project_path(ui_document.folder)
        qtbot.waitUntil(lambda: w.export_dialog is not None and w.export_dialog.built, timeout=WAIT_MS)
        dialog = w.export_dialog
        assert not dialog.isVisible()  # built, not shown
        w.actions["file.export"].trigger()
        assert w.export_dialog is dialog and dialog.isVisible() and dialog.page == "settings"
        assert "Film" in dialog.title_label.text() and dialog.export_button.isEnabled()
        assert dialog.out_edit.text().endswith("Film.mp4")
        dialog.hide()
    finally:
        w.close()


def test_a_hidden_dialog_waits_for_its_show_to_follow_another_project(qtbot, ui_document):
    w = _window()
    w.show()
    try:
        assert w.open_project_path(ui_document.folder)
        qtbot.waitUntil(lambda: w.export_dialog is not None and w.export_dialog.built, timeout=WAIT_MS)
        dialog = w.export_dialog
        w.new_project()  # an empty, untitled project
        assert "Film" in dialog.title_label.text()  # nothing done in the turn that swapped the projects
        w.export_cut()
        assert "Untitled" in dialog.title_label.text() and not dialog.out_edit.text().endswith("Film.mp4")
        assert not dialog.export_button.isEnabled() and "The cut is empty" in dialog.issue_label.text()
        dialog.hide()
    finally:
        w.close()


def test_a_dialog_built_in_parts_is_the_dialog_built_at_once(qtbot, ui_document, make_session):
    settings = Settings()
    session = make_session(settings)
    session.open(ui_document.folder)
    playhead = Playhead(session.document.project.fps)
    playhead.set_end(session.document.project.duration)
    whole = ExportDialog(session, playhead, settings)
    parts = ExportDialog(session, playhead, settings, staged=True)
    try:
        assert whole.built and not parts.built
        steps = 1
        while not parts.build_step():
            steps += 1
        assert steps >= 4  # several small parts, not one big one
        assert parts.values() == whole.values()
        half = ExportDialog(session, playhead, settings, staged=True)
        half.build_step()
        half.open_for_export()  # asked for before it was complete: completed first
        qtbot.waitExposed(half)
        assert half.built and half.values() == whole.values() and half.export_button.isEnabled()
        half.shutdown()
        half.hide()
        half.deleteLater()
    finally:
        for dialog in (whole, parts):
            dialog.shutdown()
            dialog.deleteLater()


def test_a_build_cut_short_leaves_no_widget_outside_the_dialog(qtbot, ui_document, make_session):
    """The window can close between two idle parts; everything built so far must go with the
    dialog, not linger parentless for Python's exit to delete in no fixed order (a crash risk)."""
    from PySide6.QtWidgets import QApplication, QGroupBox

    settings = Settings()
    session = make_session(settings)
    session.open(ui_document.folder)
    playhead = Playhead(session.document.project.fps)
    half = ExportDialog(session, playhead, settings, staged=True)
    half.build_step()
    half.build_step()  # into the settings page: its Output group is built, the page not finished
    assert not half.built
    output = half.output_box
    assert output.window() is half  # inside the dialog already
    half.shutdown()
    half.deleteLater()
    qtbot.waitUntil(lambda: not any(isinstance(w, QGroupBox) and w.title() == "Output"
                                    for w in QApplication.allWidgets()))


def test_start_up_objects_are_frozen_while_the_window_lives(qtbot):
    w = _window()
    try:
        assert gc.get_freeze_count() > 10000  # modules, classes, the window: never walked again
    finally:
        w.close()  # shuts it down
    assert gc.get_freeze_count() == 0  # collectable again once the window has gone
