"""Defects found by trying the editor as a new user would (a real X server, mouse and keyboard),
each reproduced here offscreen with the real widgets."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("typed", ["/", ".", " / "])
def test_typing_a_bare_root_or_dot_in_the_export_file_field_says_it_is_a_folder(make_dialog, typed):
    # Selecting the File field's text and starting to type a new absolute path passes through "/":
    # the check behind the field raised ValueError (a traceback on stderr at each keystroke).
    dialog = make_dialog()
    dialog.out_edit.setText(typed)
    assert not dialog.export_button.isEnabled()
    assert "is a folder" in dialog.issue_label.text()


def test_a_project_made_with_file_new_uses_the_model_set_up_in_settings(window, tmp_path):
    # Settings ▸ Models ▸ Add folder, OK, then File ▸ New Project: Generate stayed disabled with
    # "needs a video model" until the model was also picked in File ▸ Project Settings.
    from editor.document.storage import load_project

    model = tmp_path / "my-model"
    model.mkdir()
    (model / "model_index.json").write_text("{}")
    window.settings.set_model_folders([str(tmp_path / "not-a-model"), str(model)])
    assert window.create_project(tmp_path / "Second.shotline")
    assert window.document.project.defaults.model == str(model)
    assert load_project(tmp_path / "Second.shotline").defaults.model == str(model)  # saved as made
    assert not window.document.can_undo  # the project starts so: nothing to undo
