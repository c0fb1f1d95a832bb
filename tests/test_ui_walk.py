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
