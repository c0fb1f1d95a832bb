"""The main window: opens the demo, actions table, keys, undo/redo, saving, closing, layout, screenshot."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QWidget
from ui_helpers import click

from editor.generation.verbs import VERBS
from editor.ui.actions import ACTIONS, MENUS, RULES, Actions, ActionSpec
from editor.ui.commands import edit
from editor.ui.main_window import MainWindow

ROOT = Path(__file__).resolve().parents[1]


def close(window: MainWindow) -> None:
    import shiboken6

    if not shiboken6.isValid(window):
        return  # the test closed it already: a closed window is deleted
    window.ask_save_changes = lambda: "discard"
    window.close()


@pytest.fixture
def window(qtbot, ui_document):
    w = MainWindow(restore_layout=False, ask=False)
    w.resize(1400, 900)
    w.show()
    assert w.open_project_path(ui_document.folder)
    qtbot.waitExposed(w)
    w.timeline.set_zoom(3.0)
    yield w
    close(w)


def test_actions_are_declared_once_and_every_callback_exists(qtbot):
    ids = [a.id for a in ACTIONS]
    assert len(ids) == len(set(ids))
    keys = [QKeySequence(k).toString() for a in ACTIONS for k in a.shortcut]
    assert len(keys) == len(set(keys)), "two actions share a shortcut"
    assert all(a.menu in MENUS or a.menu == "" for a in ACTIONS)
    assert all(a.enabled_when in RULES or a.verb is not None for a in ACTIONS)
    w = MainWindow(restore_layout=False, ask=False)
    try:
        titles = {m.title().replace("&", "") for m in w.menus.values()}
        assert titles == set(MENUS)
        in_menus = {act.objectName() for m in w.menus.values() for act in m.actions()}
        assert {a.id for a in ACTIONS if a.menu} <= in_menus
    finally:
        w.shutdown()
        w.deleteLater()


def test_every_action_calls_a_function_not_a_name(qtbot):
    """Callbacks are functions the window is passed to (editor.ui.commands), never names of
    window methods looked up at run time."""
    for a in ACTIONS:
        assert callable(a.callback) and not isinstance(a.callback, str), a.id
    bad = (ActionSpec("test.bad", "Bad", "undo"),)
    holder = QWidget()
    try:
        with pytest.raises(TypeError, match="callback must be a function of the window"):
            Actions(holder, bad)
    finally:
        holder.deleteLater()


def test_every_generation_verb_is_in_the_menus_exactly_once(qtbot):
    """The verbs table is the one declaration: each verb is one action, in one menu entry, and
    nothing else in the Generate menu claims to be a verb."""
    assert [a.verb for a in ACTIONS if a.verb is not None] == list(VERBS)
    w = MainWindow(restore_layout=False, ask=False)
    try:
        entries = [act.objectName() for m in w.menus.values() for act in m.actions()]
        for verb in VERBS:
            assert entries.count(verb.action_id) == 1, verb.action_id
            assert w.actions[verb.action_id].text() == verb.title
    finally:
        w.shutdown()
        w.deleteLater()


def test_the_window_opens_with_the_demo_project(qtbot):
    w = MainWindow(restore_layout=False, ask=False)
    w.resize(1400, 900)
    w.show()
    try:
        w.open_demo()
        project = w.document.project
        assert project.name == "Demo"
        assert "Demo" in w.windowTitle()
        assert sum(len(t.clips) for t in project.tracks) >= 3
        assert len(w.storyboard.cards) == len(w.storyboard.main_track().clips) >= 3
        assert w.preview is not None
        # the demo is a private copy: editing it never writes into the install
        assert not str(w.document.folder).startswith(str(ROOT / "resources"))
        w.settle()
        image = w.grab().toImage()
        assert image.width() == 1400
    finally:
        close(w)


def test_window_title_marks_unsaved_changes_and_save_clears_it(window):
    assert not window.isWindowModified()
    assert "Film" in window.windowTitle()
    window.actions["edit.add_track"].trigger()
    assert window.isWindowModified()
    window.actions["file.save"].trigger()
    assert not window.isWindowModified()
    assert len(window.document.project.tracks) == 3


def test_split_delete_and_ripple_through_actions_with_undo_and_redo(window):
    doc = window.document
    window.playhead.set_frame(36)
    window.selection.set_clips(["a"])
    window.actions["edit.split"].trigger()
    def v1_ids():  # undo/redo put back copies of tracks: look the track up each time
        return [c.id for c in doc.project.track("v1").clips]

    assert [(c.start, c.length) for c in doc.project.track("v1").clips[:2]] == [(0, 36), (36, 36)]
    window.actions["edit.undo"].trigger()
    assert doc.project.find_clip("a")[1].length == 72
    window.actions["edit.redo"].trigger()
    assert doc.project.find_clip("a")[1].length == 36

    window.selection.set_clips(["lake"])
    assert window.actions["edit.delete"].isEnabled()
    window.actions["edit.delete"].trigger()
    assert "lake" not in v1_ids() and doc.project.find_clip("city")[1].start == 216
    window.actions["edit.undo"].trigger()
    window.selection.set_clips(["lake"])
    window.actions["edit.ripple_delete"].trigger()
    assert doc.project.find_clip("city")[1].start == 168  # closed up by Lake's 48 frames
    assert window.actions["edit.undo"].text().startswith("&Undo Ripple")


def test_keys_drive_playback_marks_and_editing(window, qtbot):
    window.timeline.setFocus()
    QTest.keyClick(window, Qt.Key.Key_Right)
    QTest.keyClick(window, Qt.Key.Key_Right)
    assert window.playhead.frame == 2
    QTest.keyClick(window, Qt.Key.Key_Left)
    assert window.playhead.frame == 1
    QTest.keyClick(window, Qt.Key.Key_I)
    assert window.playhead.in_mark == 1
    QTest.keyClick(window, Qt.Key.Key_Space)
    assert window.playhead.playing
    QTest.keyClick(window, Qt.Key.Key_L)
    assert window.playhead.rate == 2
    QTest.keyClick(window, Qt.Key.Key_K)
    assert not window.playhead.playing
    window.playhead.set_frame(120)
    window.selection.set_clips(["boat"])
    QTest.keyClick(window, Qt.Key.Key_S)
    assert len(window.document.project.track("v1").clips) == 5
    QTest.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert len(window.document.project.track("v1").clips) == 4
    QTest.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert len(window.document.project.track("v1").clips) == 5


def test_typing_in_the_prompt_does_not_trigger_single_key_shortcuts(window, qtbot):
    window.selection.set_clips(["boat"])
    box = window.inspector.prompt_edit
    box.setFocus()
    box.selectAll()
    QTest.keyClicks(box, "sails ")
    assert box.toPlainText() == "sails "
    assert len(window.document.project.track("v1").clips) == 4  # "s" did not split
    assert not window.playhead.playing


def test_a_refused_edit_shows_its_reason_and_changes_nothing(window):
    window.playhead.set_frame(500)  # past every clip
    window.actions["edit.split"].trigger()  # disabled: nothing under the playhead
    assert not window.document.can_undo
    edit.split_at_playhead(window)
    assert "split" in window.statusBar().currentMessage().lower()
    assert window.statusBar().property("error") is True  # shown in red
    assert not window.document.can_undo


def test_history_panel_lists_steps_and_jumps_back(window):
    window.actions["edit.add_track"].trigger()
    window.selection.set_clips(["lake"])
    window.actions["edit.delete"].trigger()
    history = window.history
    assert history.titles() == ["Project opened", "Add track", "Delete clip"]
    click(history.list.viewport(), history.list.visualItemRect(history.list.item(0)).center())
    assert len(window.document.project.tracks) == 2 and window.document.history.index == 0
    assert history.current_row() == 0


def test_closing_with_unsaved_changes_asks_and_cancel_keeps_the_window(window):
    window.actions["edit.add_track"].trigger()
    asked = []
    window.ask_save_changes = lambda: asked.append(1) or "cancel"
    assert not window.close()
    assert asked and window.isVisible()
    window.ask_save_changes = lambda: "save"
    assert window.close()
    from editor.document.storage import load_project

    assert len(load_project(window.session.folder).tracks) == 3


def test_dock_layout_is_remembered(qtbot, ui_document):
    w = MainWindow(ask=False)
    w.show()
    w.docks["storyboard"].hide()
    w.docks["history"].raise_()
    close(w)
    again = MainWindow(ask=False)
    again.show()
    try:
        assert not again.docks["storyboard"].isVisible()
        again.reset_layout()
        assert again.docks["storyboard"].isVisible()
    finally:
        close(again)


def test_save_as_and_open_recent(window, tmp_path):
    target = tmp_path / "Copy"
    assert window.save_to(target)
    assert window.session.folder == tmp_path / "Copy.shotline"
    assert (tmp_path / "Copy.shotline" / "media" / "sunrise.mp4").exists()
    assert str((tmp_path / "Copy.shotline").resolve()) in window.session.recent_projects()


def test_generation_actions_ask_the_controller_and_say_why_when_greyed(window):
    window.selection.set_gap(None)
    window.selection.clear()
    action = window.actions["gen.infill"]
    assert not action.isEnabled()
    assert action.toolTip().count("\n") >= 1  # the controller's reason is in the tooltip
    from editor.document.edits import DeleteClips
    from editor.ui.selection import GapRef

    window.document.request(DeleteClips(clip_ids=("boat",)))  # a gap between two clips with media
    window.selection.set_gap(GapRef("v1", 72, 96))
    assert window.actions["gen.infill"].isEnabled(), action.toolTip()  # interpolation needs no model
    assert "interpolation" in window.actions["gen.infill"].toolTip()
    window.selection.set_clips(["a"])  # a new take of a video clip needs a model: none is set up
    assert not window.actions["gen.generate"].isEnabled()
    assert "model" in window.actions["gen.generate"].toolTip()


def test_screenshot_command_writes_a_png(qtbot, tmp_path, ui_document):
    from editor.ui.app import run

    out = tmp_path / "shot.png"
    assert run("screenshot", [str(ui_document.folder), "-o", str(out), "--size", "900x600", "--select", "gap"]) == 0
    from PySide6.QtGui import QImage

    image = QImage(str(out))
    assert (image.width(), image.height()) == (900, 600)
    assert run("screenshot", [str(tmp_path / "nope.shotline"), "-o", str(out)]) == 2


def test_opening_the_editor_does_not_import_torch(tmp_path):
    code = (
        "import os, sys; os.environ['QT_QPA_PLATFORM'] = 'offscreen'\n"
        "from PySide6.QtWidgets import QApplication\n"
        "app = QApplication([])\n"
        "from editor.ui.main_window import MainWindow\n"
        "w = MainWindow(restore_layout=False, ask=False); w.show(); w.open_demo(); w.settle(); w.grab()\n"
        "w.shutdown()\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('torch', 'diffusers', 'transformers')))\n"
    )
    env = {**__import__("os").environ, "SHOTLINE_CONFIG_DIR": str(tmp_path / "cfg")}
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, env=env,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_drop_on_the_window_timeline_then_undo_through_the_window(window, ui_document):
    from ui_helpers import drop_files

    view = window.timeline
    pos = QPoint(view.frame_x(20), view.track_y(0))
    assert drop_files(view.viewport(), pos, [ui_document.folder / "media" / "lake_at_dawn.png"])
    assert len(window.document.project.track("v2").clips) == 1
    window.actions["edit.undo"].trigger()
    assert window.document.project.track("v2").clips == []


def test_infill_from_the_window_marks_the_gap_then_fills_it(qtbot, gap_document):
    """A real job: select the gap, Generate ▸ Infill (built-in interpolation), watch it land."""
    from editor.document.storage import save_project
    from editor.ui.selection import GapRef

    save_project(gap_document.project, gap_document.folder)
    w = MainWindow(restore_layout=False, ask=False)
    w.resize(1200, 800)
    w.show()
    seen = []
    original = w.timeline.set_job_overlay

    def spy(target, progress, image=None, label=""):
        seen.append((target.start, target.length, progress))
        original(target, progress, image, label)

    w.timeline.set_job_overlay = spy
    try:
        assert w.open_project_path(gap_document.folder)
        w.selection.set_gap(GapRef("v1", 24, 10))
        assert w.actions["gen.infill"].isEnabled(), w.actions["gen.infill"].toolTip()
        w.actions["gen.infill"].trigger()
        qtbot.waitUntil(lambda: len(w.document.project.track("v1").clips) == 3, timeout=60_000)
        filled = w.document.project.track("v1").clips[1]
        assert (filled.start, filled.length) == (24, 10) and filled.take.generated
        assert seen and all(start <= 24 and start + length >= 34 for start, length, _ in seen)
        qtbot.waitUntil(lambda: not w.timeline.job_overlays, timeout=10_000)
        w.actions["edit.undo"].trigger()  # the result is one ordinary undo step
        assert len(w.document.project.track("v1").clips) == 2
    finally:
        close(w)


def test_media_bin_imports_into_the_project_and_drags_out_file_urls(qtbot, window, tmp_path):
    from PySide6.QtGui import QImage

    outside = tmp_path / "poster.png"
    QImage(32, 18, QImage.Format.Format_RGB888).save(str(outside))
    bin_ = window.media_bin
    with qtbot.waitSignal(bin_.imported) as imported:  # copied off the GUI thread
        bin_.import_files([str(outside)])
    added = imported.args[0]
    assert added == [str(window.session.folder / "media" / "poster.png")]
    assert (window.session.folder / "media" / "poster.png").exists()
    paths = bin_.paths()
    assert added[0] in paths and any(p.endswith("sunrise.mp4") for p in paths)
    items = [bin_.list.item(i) for i in range(bin_.list.count())]
    mime = bin_.list.mimeData(items[:1])
    assert mime.urls()[0].toLocalFile() == items[0].data(Qt.ItemDataRole.UserRole)


def test_the_media_bin_keeps_its_order_and_the_source_of_a_deleted_clip(qtbot, window, tmp_path):
    import shutil

    from ui_helpers import drop_files

    from editor.document.edits import DeleteClips, MoveClips

    bin_ = window.media_bin
    names = lambda: [bin_.list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(bin_.list.count())]  # noqa: E731
    before = names()
    assert any(p.endswith("sunrise.mp4") for p in before)
    window.request(MoveClips(clip_ids=("a",), delta=300))  # A goes after City: the cut's order changes
    assert names() == before  # the bin's doesn't
    # a file from outside the project, dropped straight on the timeline, joins the bin...
    outside = tmp_path / "elsewhere" / "dawn.png"
    outside.parent.mkdir()
    shutil.copy(window.session.folder / "media" / "lake_at_dawn.png", outside)
    view = window.timeline
    assert drop_files(view.viewport(), QPoint(view.frame_x(600), view.track_y(0)), [outside])
    assert str(outside) in names()
    dropped = next(c.id for c in window.document.project.track("v2").clips)
    # ...and stays there when its clip is deleted
    window.request(DeleteClips(clip_ids=(dropped,)))
    assert str(outside) in names()
    assert [p for p in names() if p in before] == before


def test_a_sound_file_in_the_media_bin_shows_as_sound_not_as_a_black_picture(window):
    import shutil

    from conftest import DEMO_MEDIA
    from PySide6.QtGui import QColor

    from editor.ui.theme import COLORS

    shutil.copy(Path(DEMO_MEDIA) / "lake_ambience.m4a", window.session.folder / "media")
    bin_ = window.media_bin
    bin_.refresh()  # the media/ folder is listed as it is now
    items = [bin_.list.item(i) for i in range(bin_.list.count())]
    sound = next(i for i in items if i.data(Qt.ItemDataRole.UserRole).endswith(".m4a"))
    tile = sound.icon().pixmap(bin_.list.iconSize()).toImage()
    corner = tile.pixelColor(1, 1)
    assert corner == QColor(COLORS.clip_audio)  # the audio lanes' green, not black
    # the sound mark is drawn in the middle (white strokes)
    middle = [tile.pixelColor(x, tile.height() // 2) for x in range(tile.width())]
    assert any(c.lightness() > 200 for c in middle)


def test_preview_transport_buttons_are_not_painted_over(window, ui_document):
    """Opening a project replaces the preview panel; the old one must not keep painting under
    the new one (its "In" button drew over "Out", which read "Oub" in screenshots)."""
    from PySide6.QtCore import QRect
    from PySide6.QtWidgets import QWidget

    from editor.ui.player import PreviewPanel

    assert window.open_project_path(ui_document.folder)  # a second open: a second replacement
    window.settle()
    shown = [p for p in window.findChildren(PreviewPanel) if p.isVisible()]
    assert shown == [window.preview]
    for button in (window.preview.in_button, window.preview.out_button):
        area = QRect(button.mapTo(window, QPoint(0, 0)), button.size())
        ancestors = set()
        w = button
        while w is not None:
            ancestors.add(w)
            w = w.parentWidget()
        over = [w for w in window.findChildren(QWidget)
                if w.isVisible() and w not in ancestors and not button.isAncestorOf(w)
                and QRect(w.mapTo(window, QPoint(0, 0)), w.size()).intersects(area)]
        assert over == [], [(type(w).__name__, w.objectName()) for w in over]
        assert button.width() >= button.sizeHint().width()  # the whole word fits


def test_the_terminal_gets_real_qt_warnings_but_not_the_offscreen_noise(capfd):
    from PySide6.QtCore import qInstallMessageHandler, qWarning

    from editor.ui.app import install_qt_message_filter

    previous = install_qt_message_filter()
    try:
        qWarning("This plugin does not support propagateSizeHints()")
        qWarning("QPainter::begin: Paint device returned engine == 0, type: 2")
    finally:
        qInstallMessageHandler(previous)
    err = capfd.readouterr().err
    assert "propagateSizeHints" not in err
    assert "Paint device returned engine == 0" in err


def test_a_screenshot_run_prints_nothing_but_its_result(tmp_path):
    env = {**__import__("os").environ, "SHOTLINE_CONFIG_DIR": str(tmp_path / "cfg")}
    out = subprocess.run([sys.executable, "main.py", "screenshot", "DEMO", "-o", str(tmp_path / "x.png"),
                          "--size", "800x500"], cwd=ROOT, capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stderr == "" and out.stdout.strip() == f"wrote {tmp_path / 'x.png'}"


def test_track_header_menu_moves_the_track_up_and_down(window):
    from PySide6.QtGui import QMouseEvent
    from PySide6.QtWidgets import QApplication

    view = window.timeline
    names = lambda: [t.name for t in window.document.project.tracks]  # noqa: E731
    window.selection.set_clips(["a"])  # a clip on V1 is selected; the header click must win
    at = QPoint(40, view.track_y(0))  # V2's header
    right = Qt.MouseButton.RightButton
    QApplication.sendEvent(view.viewport(), QMouseEvent(QMouseEvent.Type.MouseButtonPress, at,
                                                        view.viewport().mapToGlobal(at), right, right,
                                                        Qt.KeyboardModifier.NoModifier))
    menu = window.timeline_menu(view.viewport().mapTo(view, at))
    items = {a.objectName(): a for a in menu.actions() if a.objectName()}
    assert list(items)[:2] == ["edit.move_track_up", "edit.move_track_down"]
    assert not items["edit.move_track_up"].isEnabled()  # V2 is the top track
    assert items["edit.move_track_down"].isEnabled() and items["edit.remove_track"].isEnabled()
    items["edit.move_track_down"].trigger()
    assert names() == ["V1", "V2"]
    assert window.document.undo_label == "Undo Move track"
    assert window.actions["edit.move_track_up"].isEnabled()  # V2 is below V1 now
    assert not window.actions["edit.move_track_down"].isEnabled()
    window.actions["edit.move_track_up"].trigger()
    assert names() == ["V2", "V1"]
    edit.undo(window)
    edit.undo(window)
    assert names() == ["V2", "V1"] and not window.document.can_undo
    menu.close()


def test_no_stray_dock_tab_bars_paint_over_the_panels(qtbot, tmp_path):
    """Qt leaves copies of dock tab bars behind when it lays out several tabbed groups; only
    one bar per group may show, flush against its panel (a second "Timeline | Storyboard"
    strip used to show through the empty Media panel of a new project)."""
    from PySide6.QtWidgets import QTabBar

    w = MainWindow(restore_layout=False, ask=False)
    w.resize(1600, 1000)
    w.show()
    try:
        qtbot.waitExposed(w)
        w.create_project(tmp_path / "Empty.shotline")
        w.settle()
        bars = [b for b in w.findChildren(QTabBar, options=Qt.FindChildOption.FindDirectChildrenOnly)
                if b.isVisible()]
        groups = sorted(tuple(b.tabText(i) for i in range(b.count())) for b in bars)
        assert groups == [("Inspector", "Cast", "Jobs", "Monitor"), ("Media", "History"),
                          ("Timeline", "Storyboard")]
        w.reset_layout()
        w.settle()
        assert sum(b.isVisible() for b in w.findChildren(QTabBar)) == 3
    finally:
        close(w)


def test_every_image_the_stylesheet_names_exists():
    """Qt draws no CSS border triangles, so spin box and combo box arrows are image files."""
    import re

    from editor.ui.theme import stylesheet

    text = stylesheet()
    urls = re.findall(r"url\(([^)]+)\)", text)
    assert any(u.endswith("arrow-down.svg") for u in urls)
    assert all(Path(u).is_file() for u in urls), [u for u in urls if not Path(u).is_file()]
    assert "4px solid transparent" not in text  # the CSS triangle trick Qt draws as a bar


def test_the_status_line_follows_edits_and_times_out(qtbot, window, monkeypatch):
    import editor.ui.main_window as main_window

    bar = window.statusBar()
    edit.split_at_playhead(window)  # nothing selected: refused, in red
    refusal = bar.currentMessage()
    assert refusal and bar.property("error") is True
    window.storyboard.move_card("lake", 0)  # a storyboard reorder replaces the stale refusal
    title = window.document.undo_label.removeprefix("Undo ")
    assert bar.currentMessage() == title and bar.property("error") is False
    window.selection.set_clips(["boat"])
    window.inspector.prompt_edit.setFocus()
    window.inspector.prompt_edit.setPlainText("a paper boat drifts at dusk")
    window.inspector.prompt_edit.clearFocus()  # a prompt edit commits when the box is left
    assert window.document.project.find_clip("boat")[1].shot.prompt == "a paper boat drifts at dusk"
    assert bar.currentMessage() == window.document.undo_label.removeprefix("Undo ") != title
    edit.undo(window)
    assert bar.currentMessage().startswith("Undone: ")
    monkeypatch.setattr(main_window, "STATUS_MS", 50)
    window.show_message("Refused for a moment", error=True)
    qtbot.waitUntil(lambda: bar.currentMessage() == "", timeout=2000)  # lines time out
    assert bar.property("error") is False


def test_a_model_added_in_settings_becomes_the_projects_default_and_generate_works(window, qtbot, tiny_ltx_dir):
    window.selection.set_clips(["boat"])  # a draft shot: needs a model
    generate = window.actions["gen.generate"]
    assert not generate.isEnabled()
    reason = generate.statusTip()
    assert "File ▸ Project Settings" in reason and "Inspector ▸ Model" in reason  # names real UI
    assert "Project settings)" not in reason
    window.settings.set_model_folders([str(tiny_ltx_dir)])
    window.settings_saved()  # what Settings ▸ OK does
    assert window.document.project.defaults.model == str(tiny_ltx_dir)
    qtbot.waitUntil(generate.isEnabled, timeout=30_000)  # the model folder is read off the GUI thread
    combo = window.inspector.model_combo
    assert combo.itemText(0) == f"Project default ({tiny_ltx_dir.name})" and combo.currentIndex() == 0
    edit.undo(window)  # one undoable edit
    assert window.document.project.defaults.model is None
    edit.redo(window)
    window.settings_saved()  # a project with a model keeps it
    assert window.document.history.titles.count("Set the project's model") == 1


def test_project_settings_dialog_sets_the_default_model_as_one_edit(window, qtbot, tiny_ltx_dir):
    from editor.ui.project_settings_dialog import ProjectSettingsDialog

    dialog = ProjectSettingsDialog(window.document.project, [str(tiny_ltx_dir)], window)
    qtbot.addWidget(dialog)
    assert dialog.edit() is None  # nothing changed
    dialog.model_combo.setCurrentIndex(dialog.model_combo.findData(str(tiny_ltx_dir)))
    dialog.name_edit.setText("Film 2")
    assert window.request(dialog.edit())
    p = window.document.project
    assert (p.name, p.defaults.model) == ("Film 2", str(tiny_ltx_dir))
    edit.undo(window)
    assert (window.document.project.name, window.document.project.defaults.model) == ("Film", None)
    assert window.actions["file.project_settings"] in window.menus["File"].actions()


def test_a_window_that_must_not_ask_removes_a_track_without_a_dialog(window):
    from editor.ui.timeline.hits import header_buttons

    assert window.timeline.confirm is None  # ask=False: no dialog may block
    view = window.timeline
    bx, by, bw, bh = header_buttons(view.geo, 1)["header_remove"]
    click(view.viewport(), QPoint(bx + bw // 2, by + bh // 2))
    assert [t.id for t in window.document.project.tracks] == ["v2"]
    edit.undo(window)
    assert [t.id for t in window.document.project.tracks] == ["v2", "v1"]


def test_project_settings_change_fps_and_size_as_one_edit_keeping_real_time(window, qtbot):

    from editor.media.cut import CutReader
    from editor.ui.project_settings_dialog import ProjectSettingsDialog

    doc = window.document
    dialog = ProjectSettingsDialog(doc.project, [], window)
    qtbot.addWidget(dialog)
    assert dialog.size_combo.currentText() == "640×360"  # the preset that matches
    dialog.size_combo.setCurrentIndex(dialog.size_combo.findData("1920x1080"))
    dialog.size_combo.activated.emit(dialog.size_combo.currentIndex())
    assert (dialog.width_spin.value(), dialog.height_spin.value()) == (1920, 1080)
    dialog.fps_combo.setCurrentIndex(dialog.fps_combo.findData("48/1"))
    assert window.request(dialog.edit())
    p = doc.project
    assert (p.fps, p.width, p.height) == (48, 1920, 1080)
    assert doc.history.titles[-1] == "Change project settings" and len(doc.history.titles) == 1
    city = p.find_clip("city")[1]
    assert (city.start, city.length) == (432, 144)  # 9 s in, 3 s long, as before
    assert window.playhead.fps == 48 and "48 fps" in window.format_label.text()
    with CutReader(p, doc.folder) as reader:  # the 24 fps file is read by time
        assert reader.shown_at(432 + 10).source_frame == 5
    edit.undo(window)
    assert (doc.project.fps, doc.project.width, doc.project.find_clip("city")[1].start) == (24, 640, 216)


def test_the_open_dialog_opens_a_shotline_folder_instead_of_walking_into_it(window, qtbot, ui_document, tmp_path):
    from editor.ui.open_project_dialog import OpenProjectDialog, chosen_project

    folder = ui_document.folder
    assert chosen_project(folder / "project.json") == folder
    assert chosen_project(folder / "media") == folder
    assert chosen_project(tmp_path) == tmp_path
    dialog = OpenProjectDialog(folder.parent, window)
    qtbot.addWidget(dialog)
    dialog.open()  # the same dialog File ▸ Open runs, not blocking here
    with qtbot.waitSignal(dialog.finished):
        _double_click_entry(qtbot, dialog, folder.name)
    assert not dialog.isVisible() and dialog.chosen() == folder
    window.document.request(__import__("editor.document.edits", fromlist=["AddTrack"]).AddTrack(name="V9"))
    window.ask_save_changes = lambda: "discard"
    assert window.open_project_path(dialog.chosen())
    assert window.session.folder == folder and window.document.project.name == "Film"
    other = OpenProjectDialog(folder.parent, window)
    qtbot.addWidget(other)
    other.open()
    (folder.parent / "plain").mkdir()
    _double_click_entry(qtbot, other, "plain")  # an ordinary folder is walked into as usual
    assert other.isVisible() and other.chosen() is None
    assert other.directory().dirName() == "plain"
    other.reject()


def _double_click_entry(qtbot, dialog, name: str) -> None:
    """What a double-click on `name` in a (Qt, non-native) file dialog's list does."""
    from PySide6.QtWidgets import QListView

    view = dialog.findChild(QListView, "listView")
    model = view.model()

    def index():
        root = view.rootIndex()
        return next((model.index(r, 0, root) for r in range(model.rowCount(root))
                     if model.index(r, 0, root).data() == name), None)

    qtbot.waitUntil(lambda: index() is not None)  # the folder is listed off the GUI thread
    view.activated.emit(index())


def test_a_missing_xcb_cursor_library_is_named_with_its_fix_before_qt_aborts(capsys, monkeypatch):
    import main
    from editor.ui import platform_check
    from editor.ui.platform_check import missing_library_message, uses_xcb

    none = lambda name: None  # noqa: E731 - a system without the library
    found = lambda name: f"lib{name}.so.0"  # noqa: E731
    x11 = {"DISPLAY": ":0"}
    message = missing_library_message(x11, find_library=none, platform="linux")
    assert "sudo apt-get install libxcb-cursor0 " in message
    # Debian 12 with only libxcb-cursor0: Qt still says "libxcb-cursor0"; we name what is missing
    partly = lambda name: None if name in ("xcb-icccm", "xcb-keysyms") else found(name)  # noqa: E731
    hint = missing_library_message(x11, find_library=partly, platform="linux")
    assert "sudo apt-get install libxcb-icccm4 libxcb-keysyms1 " in hint and "cursor0" not in hint
    assert missing_library_message(x11, find_library=found, platform="linux") is None
    assert missing_library_message({"QT_QPA_PLATFORM": "offscreen"}, find_library=none, platform="linux") is None
    assert missing_library_message(x11, find_library=none, platform="darwin") is None
    assert uses_xcb({"QT_QPA_PLATFORM": "xcb"}, "linux")
    assert not uses_xcb({"WAYLAND_DISPLAY": "wayland-0", "XDG_SESSION_TYPE": "wayland"}, "linux")
    # the GUI entry point prints the fix and stops instead of letting Qt abort
    monkeypatch.setattr(platform_check, "missing_library_message",
                        lambda: missing_library_message({"QT_QPA_PLATFORM": "xcb"}, find_library=none,
                                                        platform="linux"))
    assert main.main(["--no-such-project"]) == 1
    assert "libxcb-cursor0" in capsys.readouterr().err
    readme = (ROOT / "README.md").read_text()
    assert "libxcb-cursor0" in readme.split("## Using it")[0]
