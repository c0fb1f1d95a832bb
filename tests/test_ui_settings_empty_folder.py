"""Settings ▸ Models: a folder with no model in it says so (walk: it was listed silently, as if
it held one, and Generate then said no model was set up)."""

from __future__ import annotations

from editor.ui.settings import Settings


def test_a_folder_without_a_model_is_marked_with_one_line_saying_what_to_pick(qtbot, tmp_path, tiny_ltx_dir):
    from editor.ui.settings_dialog import SettingsDialog

    dialog = SettingsDialog(Settings())
    qtbot.addWidget(dialog)
    dialog.show()
    docs = tmp_path / "docs"
    docs.mkdir()
    with qtbot.waitSignal(dialog.models_listed):
        dialog.add_folder(str(docs))
    assert dialog.folder_note.isVisible()
    assert str(docs) in dialog.folder_note.text() and "model_index.json" in dialog.folder_note.text()
    assert "\n" not in dialog.folder_note.text()
    assert dialog.folder_list.item(0).toolTip() == "No model found in this folder"
    with qtbot.waitSignal(dialog.models_listed):
        dialog.add_folder(str(tiny_ltx_dir))  # a real one: not marked
    assert dialog.folder_list.item(1).toolTip() == ""
    assert str(tiny_ltx_dir) not in dialog.folder_note.text()
    dialog.folder_list.item(0).setSelected(True)
    with qtbot.waitSignal(dialog.models_listed):
        dialog._remove_folder()
    assert not dialog.folder_note.isVisible()
    dialog.reject()  # nothing saved
    assert Settings().model_folders() == []
