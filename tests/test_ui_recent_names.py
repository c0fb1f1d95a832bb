"""File ▸ Open Recent tells two projects of one name apart (found in a walk under X: after Import
Timeline there were two identical "Demo.shotline" entries)."""

from __future__ import annotations

from editor.document.storage import save_project
from editor.ui.main_window import MainWindow


def test_open_recent_names_the_folder_when_two_projects_share_a_name(qtbot, gap_document, tmp_path):
    other = tmp_path / "elsewhere" / gap_document.folder.name
    save_project(gap_document.project, other)
    save_project(gap_document.project, gap_document.folder)
    w = MainWindow(restore_layout=False, ask=False)
    qtbot.addWidget(w)
    w.settings.add_recent_project(other)
    w.settings.add_recent_project(gap_document.folder)
    w._fill_recent_menu()
    shown = {a.toolTip(): a.text() for a in w.recent_menu.actions() if a.toolTip()}
    mine = [shown[str(p)] for p in (other, gap_document.folder) if str(p) in shown]
    assert len(mine) == 2 and mine[0] != mine[1]
    assert mine[0] == f"{other.name}  ({other.parent})"
    w.ask_save_changes = lambda: "discard"
    w.close()
