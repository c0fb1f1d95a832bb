"""Interchange in the window (F24): File ▸ Import Timeline…, Edit ▸ Relink Media… on an offline clip,
and the timeline formats of the Export dialog. Real window, real OTIO files, real media."""

from __future__ import annotations

import shutil

import opentimelineio as otio
import pytest
from PySide6.QtCore import Qt

from editor.document.media_paths import locate_media
from editor.media.interchange.write import export_timeline
from editor.ui import relink, timeline_import
from editor.ui.main_window import MainWindow


@pytest.fixture
def window(qtbot, ui_document):
    w = MainWindow(restore_layout=False, ask=False)
    w.resize(1200, 800)
    w.show()
    assert w.open_project_path(ui_document.folder)
    qtbot.waitExposed(w)
    yield w
    import shiboken6

    if shiboken6.isValid(w):
        if w.export_dialog is not None:
            w.export_dialog.hide()
        w.ask_save_changes = lambda: "discard"
        w.close()


def test_import_timeline_makes_a_project_opens_it_and_an_offline_clip_is_relinked(
        qtbot, window, ui_document, tmp_path, monkeypatch):
    # a cut whose City file is somewhere the new project can't find
    footage = tmp_path / "footage"
    footage.mkdir()
    city = footage / "city_night.mp4"
    shutil.copy(ui_document.folder / "media" / "city_night.mp4", city)
    project = ui_document.project
    project.find_clip("city")[1].takes[1].media = str(city)
    project.find_clip("city")[1].takes[1].metadata["imported"] = True
    cut = tmp_path / "cut.otio"
    export_timeline(project, ui_document.folder, cut)
    moved = tmp_path / "moved.mp4"
    city.rename(moved)

    monkeypatch.setattr(timeline_import, "choose_cut", lambda w: cut)
    monkeypatch.setattr(timeline_import, "choose_project_folder", lambda w, c: tmp_path / "Imported.shotline")
    window.actions["file.import_timeline"].trigger()
    qtbot.waitUntil(lambda: window.session.folder == tmp_path / "Imported.shotline")
    opened = window.document.project
    assert [c.name for c in opened.tracks[1].clips] == ["A", "Boat", "Lake", "City"]
    assert "Imported cut.otio" in window.statusBar().currentMessage()
    assert "offline" in window.statusBar().currentMessage()
    city_clip = opened.find_clip("city")[1]
    assert locate_media(window.document.folder, city_clip.take.media).offline_reason == "the file is missing"
    window.timeline.set_zoom(3.0)
    window.settle()
    assert window.thumbnails.failed(city_clip.take.media)  # the timeline says "Offline: … Relink Media…"

    # Relink… on the offline clip: it shows the file the user picks, in one undoable step
    window.selection.set_clips(["city"])
    menu = window.timeline_menu(window.timeline.rect().center())
    assert window.actions["edit.relink"] in menu.actions()
    menu.close()
    monkeypatch.setattr(relink, "choose_file", lambda w, stored: str(moved))
    window.actions["edit.relink"].trigger()
    take = window.document.project.find_clip("city")[1].take
    assert take.media == str(moved) and locate_media(window.document.folder, take.media).offline_reason == ""
    window.document.undo()
    assert window.document.project.find_clip("city")[1].take.media == str(city)


def test_a_bad_timeline_changes_nothing_and_says_why(qtbot, window, ui_document, tmp_path, monkeypatch):
    bad = tmp_path / "broken.xml"
    bad.write_text("<xmeml><sequence>")
    monkeypatch.setattr(timeline_import, "choose_cut", lambda w: bad)
    monkeypatch.setattr(timeline_import, "choose_project_folder", lambda w, c: tmp_path / "Nope.shotline")
    window.actions["file.import_timeline"].trigger()
    qtbot.waitUntil(lambda: window.importing_timeline is None)
    assert window.session.folder == ui_document.folder  # the open project stays open
    assert "broken.xml can't be read" in window.statusBar().currentMessage()
    assert not any(p.name.startswith((".Nope", "Nope")) for p in tmp_path.iterdir())


def test_importing_a_bundle_keeps_the_window_working_and_busy_until_it_opens(
        qtbot, window, ui_document, tmp_path, monkeypatch):
    """The .otioz is unpacked on a background thread: while it is (held here by a gate the test
    opens), the window's event loop runs, the status line and the cursor say it is busy, and a
    second import is refused in one line; then the new project opens and the cursor comes back."""
    import threading

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from editor.media.interchange import create

    bundle = tmp_path / "cut.otioz"
    export_timeline(ui_document.project, ui_document.folder, bundle)
    gate, reading = threading.Event(), threading.Event()
    real = create.create_project_from_cut

    def held(*args, **kwargs):  # the real import, started only when the test says so
        reading.set()
        assert gate.wait(60)
        return real(*args, **kwargs)

    monkeypatch.setattr(create, "create_project_from_cut", held)
    monkeypatch.setattr(timeline_import, "choose_cut", lambda w: bundle)
    monkeypatch.setattr(timeline_import, "choose_project_folder", lambda w, c: tmp_path / "Bundle.shotline")
    try:
        window.actions["file.import_timeline"].trigger()
        assert window.session.folder == ui_document.folder and window.importing_timeline == bundle
        assert window.statusBar().currentMessage() == "Importing cut.otioz… (its files are read and unpacked)"
        assert QApplication.overrideCursor().shape() == Qt.CursorShape.BusyCursor
        ticks = []
        QTimer.singleShot(0, lambda: ticks.append("painted"))
        qtbot.waitUntil(lambda: reading.is_set() and bool(ticks))  # the import is running and the window is not stuck
        window.actions["file.import_timeline"].trigger()
        assert window.statusBar().currentMessage() == "cut.otioz is still being imported: wait for it to finish."
    finally:
        gate.set()  # never leave the pool thread waiting, even when an assert fails
    qtbot.waitUntil(lambda: window.session.folder == tmp_path / "Bundle.shotline")
    assert window.importing_timeline is None and QApplication.overrideCursor() is None
    assert [c.name for c in window.document.project.tracks[1].clips] == ["A", "Boat", "Lake", "City"]
    assert window.statusBar().currentMessage().startswith("Imported cut.otioz")


def test_the_export_dialog_writes_a_timeline_by_its_format(qtbot, window, tmp_path):
    window.actions["file.export"].trigger()
    dialog = window.export_dialog
    dialog.out_edit.setText(str(tmp_path / "film.mp4"))
    dialog.format_combo.setCurrentIndex(dialog.format_combo.findData(".otio"))
    assert dialog.out_edit.text() == str(tmp_path / "film.otio")
    assert not dialog.video_box.isEnabled() and not dialog.range_box.isEnabled()
    assert not dialog.preset_combo.isEnabled()
    assert not dialog.c2pa_check.isEnabled() and not dialog.c2pa_prompts_check.isEnabled()  # not signed
    assert "OpenTimelineIO" in dialog.summary_label.text() and dialog.export_button.isEnabled()
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    assert dialog.page == "result" and dialog.folder_url().toLocalFile() == str(tmp_path)
    timeline = otio.adapters.read_from_file(str(tmp_path / "film.otio"))
    assert [c.name for c in timeline.find_clips()] == ["A", "Lake", "City"]
    assert "Exported film.otio" in window.statusBar().currentMessage()

    # typing a suffix picks the format; a file inside the project's media is refused at once
    dialog.back_to_settings()
    dialog.out_edit.setText(str(window.session.folder / "media" / "cut.xml"))
    dialog.refresh()
    assert dialog.format_combo.currentData() == ".xml" and not dialog.export_button.isEnabled()
    assert "media/ folder" in dialog.issue_label.text()
    dialog.format_combo.setCurrentIndex(dialog.format_combo.findData(".mp4"))
    assert dialog.out_edit.text().endswith("cut.mp4") and dialog.video_box.isEnabled()
    assert dialog.c2pa_check.isEnabled()
    assert dialog.c2pa_prompts_check.isEnabled() == dialog.c2pa_check.isChecked()
    dialog.hide()


def test_import_timeline_opens_beside_the_project_never_in_a_missing_folder(window, tmp_path):
    # Found in a walk: with no projects folder yet, Qt opened the working directory with
    # "Shotline" typed in as the file name.
    from editor.ui.timeline_import import start_folder

    assert start_folder(window) == window.session.folder.parent  # where Export writes the cut
    from pathlib import Path
    from types import SimpleNamespace

    window.settings.set_projects_folder(tmp_path / "not-made-yet")
    no_project = SimpleNamespace(session=None, settings=window.settings)
    assert start_folder(no_project) == Path.home()
