"""Projects in the window: new/open/save, autosave every N edits and on a timer, crash recovery, settings."""

from __future__ import annotations

import os

import pytest

from editor.document.autosave import autosaves
from editor.document.edits import AddTrack, RenameClip
from editor.document.storage import load_project
from editor.ui.settings import EditorDefaults, Settings, config_dir


@pytest.fixture
def settings(tmp_path):
    return Settings()


def test_settings_live_under_the_test_config_dir(settings):
    assert str(settings.path).startswith(os.environ["SHOTLINE_CONFIG_DIR"])
    assert config_dir() == settings.path.parent
    settings.set_device("cpu")
    settings.set_memory_mode("group_offload")
    settings.add_recent_project(settings.path.parent)
    again = Settings()
    assert (again.device(), again.memory_mode()) == ("cpu", "group_offload")
    with pytest.raises(ValueError, match="Memory mode must be one of"):
        again.set_memory_mode("turbo")


def test_autosave_after_n_edits_and_on_the_timer_never_touches_project_json(qtbot, settings, ui_document, make_session):
    settings.set_defaults(EditorDefaults(autosave_every_edits=3, autosave_every_s=60))
    session = make_session(settings)
    session.open(ui_document.folder)
    saved = (ui_document.folder / "project.json").read_bytes()
    doc = session.document
    doc.request(AddTrack(name="V3"))
    doc.request(RenameClip(clip_id="a", name="Dawn"))
    assert autosaves(session.folder) == []
    doc.request(RenameClip(clip_id="a", name="Dawn 2"))
    assert len(autosaves(session.folder)) == 1  # the third edit
    doc.request(RenameClip(clip_id="a", name="Dawn 3"))
    assert session.autosave_now() is not None  # what the minute timer calls
    assert session.autosave_now() is None  # nothing new since
    assert len(autosaves(session.folder)) == 2
    assert (ui_document.folder / "project.json").read_bytes() == saved
    assert session._timer.interval() == 60_000


def test_opening_after_a_crash_offers_the_autosave_and_keeps_it_unsaved(qtbot, settings, ui_document, make_session):
    session = make_session(settings)
    session.open(ui_document.folder)
    session.document.request(RenameClip(clip_id="a", name="Recovered name"))
    session.autosave_now()
    # "crash": a new session opens the same folder
    offered = []
    later = make_session(settings, ask_recover=lambda path: offered.append(path) or True)
    later.open(ui_document.folder)
    assert offered and offered[0].parent.name == "autosave"
    assert later.document.project.find_clip("a")[1].name == "Recovered name"
    assert later.dirty  # differs from project.json until saved
    assert later.save()
    assert not later.dirty
    assert load_project(ui_document.folder).tracks[1].clips[0].name == "Recovered name"
    # saved: no more recovery to offer
    offered.clear()
    make_session(settings, ask_recover=lambda path: offered.append(path) or True).open(ui_document.folder)
    assert offered == []


def test_declining_recovery_opens_the_saved_project(qtbot, settings, ui_document, make_session):
    session = make_session(settings)
    session.open(ui_document.folder)
    session.document.request(RenameClip(clip_id="a", name="Unsaved"))
    session.autosave_now()
    later = make_session(settings, ask_recover=lambda path: False)
    later.open(ui_document.folder)
    assert later.document.project.find_clip("a")[1].name == "A"
    assert not later.dirty


def test_new_project_uses_the_defaults_and_save_as_names_it(qtbot, settings, tmp_path, make_session):
    settings.set_defaults(EditorDefaults(fps=30, width=960, height=540))
    session = make_session(settings)
    session.new_project()
    p = session.document.project
    assert (p.fps, p.width, p.height) == (30, 960, 540)
    assert [t.name for t in p.tracks] == ["V2", "V1"]
    assert session.folder is None and not session.save()  # needs a folder first
    session.save_as(tmp_path / "Trip")
    assert session.folder == tmp_path / "Trip.shotline"
    assert session.name == "Trip" and not session.dirty
    assert load_project(session.folder).name == "Trip"
    assert str(session.folder.resolve()) in settings.recent_projects()


def test_opening_something_that_is_not_a_project_says_what_to_do(qtbot, settings, tmp_path, make_session):
    from editor.document.storage import ProjectError

    session = make_session(settings)
    (tmp_path / "holiday").mkdir()
    with pytest.raises(ProjectError, match="not a Shotline project"):
        session.open(tmp_path / "holiday")


def test_the_demo_opens_from_a_private_copy(qtbot, settings, make_session):
    session = make_session(settings)
    session.open_demo()
    assert session.document.project.name == "Demo"
    assert session.folder is not None and str(session.folder).startswith(str(config_dir()))


def test_settings_dialog_says_how_to_add_a_model_and_lists_added_folders(qtbot, settings, tiny_ltx_dir):
    from editor.ui.settings_dialog import SettingsDialog

    dialog = SettingsDialog(settings)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.model_help.isVisible()  # nothing set up: the dialog says how
    assert "Add folder" in dialog.model_help.text()
    with qtbot.waitSignal(dialog.models_listed):  # model folders are read off the GUI thread
        dialog.add_folder(str(tiny_ltx_dir))
    names = [dialog.model_tree.topLevelItem(i).text(0) for i in range(dialog.model_tree.topLevelItemCount())]
    assert any("LTX" in n for n in names)
    assert not dialog.model_help.isVisible()
    dialog.device_combo.setCurrentIndex(dialog.device_combo.findData("cpu"))
    dialog.accept()
    again = Settings()
    assert again.model_folders() == [str(tiny_ltx_dir)] and again.device() == "cpu"


def test_new_projects_go_to_the_videos_folder_until_the_user_picks_another(qtbot, settings, tmp_path):
    from pathlib import Path

    import platformdirs

    assert settings.projects_folder() == Path(platformdirs.user_videos_dir()) / "Shotline"
    settings.set_projects_folder(tmp_path)
    assert Settings().projects_folder() == tmp_path


def test_the_new_project_dialog_proposes_a_free_name_and_refuses_a_taken_one(qtbot, tmp_path):
    from editor.ui.new_project_dialog import NewProjectDialog

    (tmp_path / "Untitled.shotline").mkdir()
    dialog = NewProjectDialog(tmp_path)
    qtbot.addWidget(dialog)
    assert dialog.name == "Untitled 2" and dialog.target() == tmp_path / "Untitled 2.shotline"
    assert dialog.create_button.isEnabled() and str(dialog.target()) in dialog.path_label.text()
    dialog.name_edit.setText("Untitled")
    assert not dialog.create_button.isEnabled() and "already a project" in dialog.problem.text()
    dialog.name_edit.setText("Trip: day 1")
    assert dialog.create_button.isEnabled() and dialog.target() == tmp_path / "Trip day 1.shotline"


def test_new_project_makes_its_folder_at_once_so_autosave_and_jobs_work(qtbot, tmp_path):
    from editor.document.edits import AddTrack
    from editor.ui.main_window import MainWindow

    window = MainWindow(restore_layout=False, ask=True)
    window.show()
    try:
        asked = []
        window.ask_new_project = lambda: asked.append(1) or tmp_path / "Films" / "Trip.shotline"
        window.new_project()
        folder = tmp_path / "Films" / "Trip.shotline"
        assert asked and window.document.folder == folder and (folder / "project.json").exists()
        assert window.document.project.name == "Trip" and not window.isWindowModified()
        assert "Trip" in window.windowTitle() and "not saved yet" not in window.windowTitle()
        assert window.controller is not None and window.jobs_panel is not None  # jobs can run now
        qtbot.waitUntil((folder / "jobs.sqlite").exists)  # the journal is opened on its own thread
        assert Settings().projects_folder() == tmp_path / "Films"  # the next one goes there too
        assert str(folder.resolve()) in Settings().recent_projects()
        window.document.request(AddTrack(name="V3"))
        assert window.session.autosave_now() is not None  # autosave before any manual save
        # a second new project with a taken name is refused, the open one stays
        window.ask_new_project = lambda: folder
        window._ask = False  # no message box in the test; the refusal shows in the status bar
        assert not window.create_project(folder)
        assert "already exists" in window.statusBar().currentMessage()
        assert window.document.folder == folder
    finally:
        window.ask_save_changes = lambda: "discard"
        window.close()


def test_an_edit_is_autosaved_once_editing_pauses_so_a_kill_loses_nothing(qtbot, settings, ui_document, make_session):
    """Walk: rename a shot, kill -9 twenty seconds later, reopen: the recovery offered lacked the
    rename (the autosave came every 20 edits or every minute)."""
    session = make_session(settings)
    session.open(ui_document.folder)
    messages = []
    session.message.connect(messages.append)
    session.document.request(RenameClip(clip_id="a", name="Cat shot"))
    qtbot.waitUntil(lambda: len(autosaves(session.folder)) == 1, timeout=20_000)
    assert "Autosaved" not in messages  # quietly: the status line keeps what the user did
    later = make_session(settings, ask_recover=lambda path: True)  # the "crash": opened again
    later.open(ui_document.folder)
    assert later.document.project.find_clip("a")[1].name == "Cat shot"


def test_discarded_changes_are_not_offered_as_a_recovery_next_time(qtbot, settings, ui_document, make_session):
    """Walk: edit the demo, open another project, Discard; opening the demo again offered to
    recover the changes just discarded."""
    from editor.ui.main_window import MainWindow

    window = MainWindow(restore_layout=False, ask=False)
    qtbot.addWidget(window)
    try:
        assert window.open_project_path(ui_document.folder)
        window.document.request(RenameClip(clip_id="a", name="Thrown away"))
        assert window.session.autosave_now() is not None
    finally:
        window.ask_save_changes = lambda: "discard"
        window.close()
    offered = []
    later = make_session(settings, ask_recover=lambda path: offered.append(path) or True)
    later.open(ui_document.folder)
    assert offered == []
    assert later.document.project.find_clip("a")[1].name == "A"
