"""Walkthrough defects in how screens look and behave: aligned form fields, tooltips on elided
text, a new audio lane scrolled into view, Import Timeline asking in the right order, and audio
track headers that rename and delete like video ones."""

from __future__ import annotations

from fractions import Fraction

import pytest
from PySide6.QtCore import QPoint, Qt


def _left(widget, page) -> int:
    return widget.mapTo(page, QPoint(0, 0)).x()


def test_where_jobs_run_fields_line_up_with_the_other_settings_fields(qtbot):
    from PySide6.QtWidgets import QTabWidget

    from editor.ui.settings import Settings
    from editor.ui.settings_dialog import SettingsDialog

    dialog = SettingsDialog(Settings())
    qtbot.addWidget(dialog)
    dialog.findChild(QTabWidget).setCurrentIndex(1)  # Device, where the choice is
    dialog.show()
    qtbot.waitExposed(dialog)
    page = dialog.device_combo.parentWidget()
    where = dialog.where_jobs_run
    edge = _left(dialog.device_combo, page)
    assert [_left(w, page) for w in (where.where, where.address, where.lanes, dialog.extras.speed_combo)] == [edge] * 4
    dialog.grab().save("/tmp/tidyui-settings-device.png")
    dialog.hide()


def test_project_settings_fields_share_one_label_column(qtbot):
    from editor.document.project import Project
    from editor.ui.project_settings_dialog import ProjectSettingsDialog

    dialog = ProjectSettingsDialog(Project(name="P", fps=Fraction(24), width=64, height=64, tracks=[]), [])
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    edge = _left(dialog.name_edit, dialog)
    fields = (dialog.where_jobs_run.where, dialog.where_jobs_run.address, dialog.speed.cache)
    assert [_left(w, dialog) for w in fields] == [edge] * 3
    dialog.grab().save("/tmp/tidyui-project-settings.png")
    dialog.hide()


LONG_NAME = "The paper boat drifts past the old lighthouse at dawn"


def test_a_storyboard_card_with_a_long_name_elides_it_and_tooltips_the_full_name(qtbot, ui_document):
    from editor.document.edits import RenameClip
    from editor.ui.selection import Selection
    from editor.ui.storyboard import CARD_W, Storyboard

    board = Storyboard(ui_document, Selection())
    qtbot.addWidget(board)
    board.resize(1200, 320)
    board.show()
    qtbot.waitExposed(board)
    ui_document.request(RenameClip(clip_id="boat", name=LONG_NAME))
    card = next(c for c in board.cards if c.clip_id == "boat")
    qtbot.waitUntil(lambda: card.title.toolTip() == LONG_NAME)
    assert card.width() == CARD_W and card.title.text().endswith("…")  # the card keeps its width
    short = next(c for c in board.cards if c.clip_id == "a")
    assert short.title.text() == "A" and short.title.toolTip() == ""  # whole text: no tooltip needed
    board.grab().save("/tmp/tidyui-storyboard.png")
    board.hide()


def test_the_settings_model_table_fits_its_columns_and_tooltips_each_cell(qtbot, tmp_path):
    from editor.ui.settings import Settings
    from editor.ui.settings_dialog import SettingsDialog

    folder = tmp_path / "models" / ("a-very-long-model-folder-name-" * 3 + "v2")
    folder.mkdir(parents=True)
    (folder / "model_index.json").write_text('{"_class_name": "LTXConditionPipeline"}')  # broken: a row with its error
    dialog = SettingsDialog(Settings())
    qtbot.addWidget(dialog)
    dialog.resize(760, 600)
    dialog.show()
    qtbot.waitExposed(dialog)
    with qtbot.waitSignal(dialog.models_listed):
        dialog.add_folder(str(folder.parent))
    tree = dialog.model_tree
    item = tree.topLevelItem(0)
    assert item.text(0) == folder.name and item.toolTip(0) == folder.name
    assert item.toolTip(2) == str(folder) and "no transformer" in item.toolTip(1)
    assert tree.header().stretchLastSection()
    assert tree.columnWidth(0) < tree.fontMetrics().horizontalAdvance(folder.name)  # elided, and capped
    assert tree.columnWidth(0) + tree.columnWidth(1) < tree.viewport().width()  # the folder column still shows
    dialog.grab().save("/tmp/tidyui-settings-models.png")
    dialog.hide()


def test_a_take_that_brings_sound_scrolls_its_new_audio_lane_into_view(qtbot):
    from editor.document.document import Document
    from editor.document.edits import PlaceGeneratedTake
    from editor.document.plans import GenerateShot, make_plan
    from editor.document.project import AudioClip, AudioTrack, Clip, Project, ShotSettings, Take, Track
    from editor.ui.playhead import Playhead
    from editor.ui.selection import Selection
    from editor.ui.timeline import TimelineView

    v1 = Track(id="v1", name="V1", clips=[
        Clip(id="a", start=0, length=48, takes=[Take(id="ta", media="media/a.mp4", frames=48)]),
        Clip(id="draft", start=60, length=24, shot=ShotSettings(prompt="a fox")),
    ])
    music = AudioTrack(id="a1", name="A1", clips=[  # under the draft: its sound needs a new lane
        AudioClip(id="music", source="/m/song.wav", start=0, length=300, source_frames=300, metadata={"imported": True})])
    doc = Document(Project(fps=Fraction(24), tracks=[v1], audio_tracks=[music]))
    selection = Selection()
    view = TimelineView(doc, selection, Playhead(doc.project.fps))
    qtbot.addWidget(view)
    view.resize(900, 200)  # the ruler, V1 and most of A1: a third lane would be out of sight
    view.show()
    qtbot.waitExposed(view)
    view.set_zoom(20.0)
    view.horizontalScrollBar().setValue(300)
    selection.set_clips(["a"])
    geo = view.geo
    scroll_x, scroll_y = geo.scroll_x, geo.scroll_y
    assert scroll_x == 300 and scroll_y == 0
    plan = make_plan(doc.project, GenerateShot(clip_id="draft"), seed=1)
    take = Take(id="g", media="media/g.mkv", frames=plan.target.take_frames, metadata={"sound": True})
    doc.request(PlaceGeneratedTake(plan=plan, take=take))
    assert len(doc.project.audio_tracks) == 2  # the take's sound went to a new lane, A2 (row 2)
    top = geo.track_top(2)
    assert geo.ruler_h <= top and top + geo.track_h <= view.viewport().height()  # it shows whole
    assert view.verticalScrollBar().value() == geo.scroll_y > scroll_y
    assert geo.scroll_x == scroll_x and selection.clips == ("a",)  # nothing else moved
    view.grab().save("/tmp/tidyui-new-lane.png")
    doc.undo()  # the lane goes: nothing to show
    doc.redo()
    assert geo.ruler_h <= geo.track_top(2) and geo.track_top(2) + geo.track_h <= view.viewport().height()
    view.hide()


def test_import_timeline_chooses_the_file_before_asking_to_save(qtbot, window, tmp_path, monkeypatch):
    from editor.document.edits import RenameClip
    from editor.ui import timeline_import

    asked: list[str] = []
    window.ask_save_changes = lambda: asked.append("save?") or "cancel"
    window.document.request(RenameClip(clip_id="a", name="Dawn"))  # unsaved changes
    assert window.session.dirty
    monkeypatch.setattr(timeline_import, "choose_cut", lambda w: asked.append("file") or None)
    window.actions["file.import_timeline"].trigger()
    assert asked == ["file"]  # the file dialog was cancelled: nothing asked, nothing changed
    cut = tmp_path / "cut.otio"
    monkeypatch.setattr(timeline_import, "choose_cut", lambda w: asked.append("file") or cut)
    monkeypatch.setattr(timeline_import, "choose_project_folder", lambda w, c: asked.append("place") or None)
    asked.clear()
    window.actions["file.import_timeline"].trigger()
    assert asked == ["file", "place"]  # no new project's place: the import won't happen, nothing asked
    monkeypatch.setattr(timeline_import, "choose_project_folder",
                        lambda w, c: asked.append("place") or tmp_path / "Imported.shotline")
    asked.clear()
    window.actions["file.import_timeline"].trigger()
    assert asked == ["file", "place", "save?"]  # asked only now, and Cancel keeps everything
    assert window.importing_timeline is None and not (tmp_path / "Imported.shotline").exists()
    assert window.session.dirty and window.document.project.find_clip("a")[1].name == "Dawn"


@pytest.fixture
def audio_view(qtbot):
    """A timeline with V1 (clip A and its linked sound on A1), A2 holding music, A3 empty."""
    from editor.document.document import Document
    from editor.document.project import AudioClip, AudioTrack, Clip, Project, Take, Track
    from editor.ui.playhead import Playhead
    from editor.ui.selection import Selection
    from editor.ui.timeline import TimelineView

    v1 = Track(id="v1", name="V1", clips=[
        Clip(id="a", start=0, length=72, name="A", link="L1", takes=[Take(id="ta", media="media/a.mp4", frames=72)])])
    tracks = [
        AudioTrack(id="a1", name="A1", clips=[
            AudioClip(id="sa", source="media/a.mp4", start=0, length=72, source_frames=72, name="A", link="L1")]),
        AudioTrack(id="a2", name="A2", clips=[
            AudioClip(id="music", source="/m/song.wav", start=100, length=48, source_frames=48, name="music")]),
        AudioTrack(id="a3", name="A3"),
    ]
    doc = Document(Project(name="Film", fps=Fraction(24), tracks=[v1], audio_tracks=tracks))
    view = TimelineView(doc, Selection(), Playhead(doc.project.fps))
    view.asked = []
    view.answer = False
    view.confirm = lambda title, text: view.asked.append(text) or view.answer
    qtbot.addWidget(view)
    view.resize(900, 400)
    view.show()
    qtbot.waitExposed(view)
    yield view
    view.hide()


def _audio_header(view, index: int, kind: str | None = None) -> QPoint:
    from editor.ui.timeline import audio_hits as ah

    row = len(view.document.project.tracks) + index
    if kind is None:
        return QPoint(30, view.geo.track_top(row) + view.geo.track_h - 12)  # the header, off its buttons
    x, y, w, h = ah.audio_header_buttons(view.geo, row)[kind]
    return QPoint(x + w // 2, y + h // 2)


def test_double_click_on_an_audio_header_renames_it_in_one_undoable_edit(qtbot, audio_view):
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QLineEdit

    view, doc = audio_view, audio_view.document
    QTest.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=_audio_header(view, 1))
    editor = view.viewport().findChild(QLineEdit)
    assert editor is not None and editor.isVisible() and editor.text() == "A2"
    view.grab().save("/tmp/tidyui-audio-rename.png")
    editor.selectAll()
    QTest.keyClicks(editor, "Music")
    QTest.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: view.viewport().findChild(QLineEdit) is None)  # the editor closes
    assert [t.name for t in doc.project.audio_tracks] == ["A1", "Music", "A3"]
    assert doc.undo_label == "Undo Rename track"
    doc.undo()
    assert [t.name for t in doc.project.audio_tracks] == ["A1", "A2", "A3"]
    view.start_rename("a3")  # Edit ▸ Rename Track on an audio track does the same
    editor = view.viewport().findChild(QLineEdit)
    assert editor is not None and editor.text() == "A3"
    QTest.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: view.viewport().findChild(QLineEdit) is None)
    assert doc.project.audio_track("a3").name == "A3" and doc.undo_label == ""  # unchanged: no edit


def test_the_x_on_an_audio_header_removes_the_track_asking_when_it_holds_sound(qtbot, audio_view):
    from ui_helpers import click

    view, doc = audio_view, audio_view.document
    assert view._hit(_audio_header(view, 1, "aheader_remove")).kind == "aheader_remove"
    view.grab().save("/tmp/tidyui-audio-headers.png")
    click(view.viewport(), _audio_header(view, 2, "aheader_remove"))  # A3 is empty: gone at once
    assert [t.id for t in doc.project.audio_tracks] == ["a1", "a2"] and view.asked == []
    click(view.viewport(), _audio_header(view, 1, "aheader_remove"))  # A2 holds music: asked first
    assert len(view.asked) == 1 and "A2" in view.asked[0] and "1 sound" in view.asked[0]
    assert [t.id for t in doc.project.audio_tracks] == ["a1", "a2"]  # "Cancel": nothing changed
    view.answer = True
    click(view.viewport(), _audio_header(view, 1, "aheader_remove"))
    assert [t.id for t in doc.project.audio_tracks] == ["a1"]
    doc.undo()
    assert [t.id for t in doc.project.audio_tracks] == ["a1", "a2"]
    assert [c.id for c in doc.project.audio_track("a2").clips] == ["music"]  # its sound came back
    doc.undo()
    assert [t.id for t in doc.project.audio_tracks] == ["a1", "a2", "a3"]


def test_the_audio_header_menu_renames_in_place_and_removes_asking_as_the_x_does(qtbot, window):
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QLineEdit

    from editor.document.edits import AddAudioClip, AddAudioTrack
    from editor.document.project import AudioClip

    doc, tl = window.document, window.timeline
    doc.request(AddAudioTrack(name="A1", track_id="a1"))
    doc.request(AddAudioClip(track_id="a1", clip=AudioClip(id="s", source="media/sunrise.mp4", start=0, length=24,
                                                             source_frames=72)))
    asked: list[str] = []
    tl.confirm = lambda title, text: asked.append(text) or False
    window.settle()
    row = len(doc.project.tracks)
    tl.verticalScrollBar().setValue(tl.verticalScrollBar().maximum())  # the lane may be below the others
    pos = tl.viewport().mapTo(tl, QPoint(40, tl.track_y(row)))
    menu = window.timeline_menu(pos)
    actions = {a.text(): a for a in menu.actions()}
    actions["Rename Track…"].trigger()
    editor = tl.viewport().findChild(QLineEdit)
    assert editor is not None and editor.text() == "A1"
    editor.selectAll()
    QTest.keyClicks(editor, "Birds")
    QTest.keyClick(editor, Qt.Key.Key_Return)
    assert doc.project.audio_track("a1").name == "Birds"
    actions["Remove Audio Track"].trigger()
    assert len(asked) == 1 and "Birds" in asked[0] and doc.project.audio_tracks  # asked; Cancel kept it
    menu.close()


def test_a_timeline_clip_whose_name_is_cut_short_tells_it_whole_on_hover(qtbot, audio_view):
    from ui_helpers import move

    from editor.document.edits import RenameClip, SetAudioClip

    view, doc = audio_view, audio_view.document
    view.set_zoom(4.0)  # A is 288 px wide: its name shows whole
    move(view.viewport(), QPoint(view.frame_x(36), view.track_y(0)), held=False)
    assert view.viewport().toolTip() == ""
    doc.request(RenameClip(clip_id="a", name=LONG_NAME))
    doc.request(SetAudioClip(clip_id="music", name="Morning chorus, recorded by the lake at first light"))
    view.set_zoom(2.0)  # 144 px: not room enough
    move(view.viewport(), QPoint(view.frame_x(30), view.track_y(0)), held=False)
    assert view.viewport().toolTip() == f"↔ {LONG_NAME}"
    move(view.viewport(), QPoint(view.frame_x(124), view.track_y(2) + 20), held=False)
    assert view.viewport().toolTip() == "Morning chorus, recorded by the lake at first light"
    view.grab().save("/tmp/tidyui-clip-names.png")
