"""Switching projects in one window is one step: the whole new project, or the old one whole.

Real windows on the offscreen platform, real project folders, the real journal and the built-in
interpolation for the job that must land in the project the user is looking at.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest

from editor.document.project import Clip, Project, ShotSettings, Take, Track
from editor.document.storage import save_project
from editor.ui.main_window import MainWindow
from editor.ui.selection import GapRef

WAIT_MS = 60_000


def close(window: MainWindow) -> None:
    window.ask_save_changes = lambda: "discard"
    window.close()


@pytest.fixture
def other_project(gap_document, tmp_path) -> Path:
    """A second project, like `gap_document` but with its own track id (as real projects have):
    clip "x" [0,24), a gap [24,34), clip "y" [34,58) on track "other"."""
    folder = tmp_path / "Other.shotline"
    (folder / "media").mkdir(parents=True)
    for name in ("a.mkv", "b.mkv"):
        (folder / "media" / name).write_bytes((gap_document.folder / "media" / name).read_bytes())
    project = Project(name="Other", fps=Fraction(24), width=64, height=64, tracks=[
        Track(id="other", name="V1", clips=[
            Clip(id="x", start=0, length=24, name="X", takes=[Take(id="tx", media="media/a.mkv", frames=24)],
                 shot=ShotSettings(prompt="red")),
            Clip(id="y", start=34, length=24, name="Y", takes=[Take(id="ty", media="media/b.mkv", frames=24)],
                 shot=ShotSettings(prompt="blue")),
        ]),
    ])
    save_project(project, folder)
    return folder


def panel_documents(w: MainWindow) -> dict[str, object]:
    """Every place in the window that holds a document."""
    docs = {
        "session": w.session.document, "timeline": w.timeline.document, "storyboard": w.storyboard.document,
        "inspector": w.inspector.document, "history": w.history.document, "media_bin": w.media_bin.document,
        "cast": w.cast_panel.document, "preview": w.preview.document, "proxies": w.proxies._document,
        "subscription": w._subscription.document,
    }
    if w.controller is not None:
        docs["controller"] = w.controller.document
    return docs


def open_recent(w: MainWindow, folder: Path, qtbot=None) -> None:
    """File ▸ Open Recent ▸ the project at `folder`, as the user picks it; with `qtbot`, until it is shown
    (the menu's open reads the project off the GUI thread and shows it a few event-loop turns later)."""
    w._fill_recent_menu()
    action = next(a for a in w.recent_menu.actions() if a.toolTip() == str(folder))
    action.trigger()
    if qtbot is not None:
        qtbot.waitUntil(lambda: not w.opening, timeout=20000)


def test_switching_with_a_gap_selected_moves_every_panel_and_the_next_job_to_the_new_project(
        qtbot, gap_document, other_project):
    save_project(gap_document.project, gap_document.folder)
    w = MainWindow(restore_layout=False, ask=False)
    w.resize(1200, 800)
    w.show()
    try:
        assert w.open_project_path(other_project)  # now in the recent list
        assert w.open_project_path(gap_document.folder)
        old = w.document
        w.selection.set_gap(GapRef("v1", 24, 10))
        assert w.inspector.page == "gap"
        open_recent(w, other_project, qtbot)  # a Qt exception here fails the test (pytest-qt)
        new = w.document
        assert new is not old and new.folder == other_project
        assert {name: d is new for name, d in panel_documents(w).items()} == dict.fromkeys(panel_documents(w), True)
        assert w.controller.folder == other_project and w.selection.is_empty()
        assert "Other" in w.windowTitle()
        # the next action works on the project on screen, and its result lands there
        w.selection.set_gap(GapRef("other", 24, 10))
        qtbot.waitUntil(lambda: w.actions["gen.infill"].isEnabled(), timeout=WAIT_MS)
        w.actions["gen.infill"].trigger()
        qtbot.waitUntil(lambda: len(new.project.track("other").clips) == 3, timeout=WAIT_MS)
        assert len(old.project.track("v1").clips) == 2 and not old.dirty
    finally:
        close(w)


def test_a_project_that_fails_to_open_leaves_the_old_one_whole(qtbot, gap_document, tmp_path):
    save_project(gap_document.project, gap_document.folder)
    broken = tmp_path / "Broken.shotline"
    broken.mkdir()
    (broken / "project.json").write_text("{ not json")
    w = MainWindow(restore_layout=False, ask=False)
    w.show()
    try:
        assert w.open_project_path(gap_document.folder)
        before = panel_documents(w)
        controller = w.controller
        w.selection.set_gap(GapRef("v1", 24, 10))
        assert not w.open_project_path(broken)
        assert panel_documents(w) == before and w.controller is controller
        assert w.selection.gap == GapRef("v1", 24, 10)  # nothing the user had is lost
        assert "Broken" in w.statusBar().currentMessage() or "project.json" in w.statusBar().currentMessage()
    finally:
        close(w)


def test_a_part_that_fails_to_build_keeps_the_old_project(qtbot, gap_document, other_project, monkeypatch):
    """Anything failing while the new project is being built: the old session stays, the user is told."""
    from editor.ui import player

    save_project(gap_document.project, gap_document.folder)
    w = MainWindow(restore_layout=False, ask=False)
    w.show()
    try:
        assert w.open_project_path(gap_document.folder)
        before = panel_documents(w)
        controller = w.controller

        class Broken(player.PreviewPanel):
            def __init__(self, *args, **kwargs):
                raise OSError("no decoder")

        monkeypatch.setattr(player, "PreviewPanel", Broken)
        assert not w.open_project_path(other_project)
        assert panel_documents(w) == before and w.controller is controller and w.controller.document is w.document
        assert "no decoder" in w.statusBar().currentMessage()
        monkeypatch.undo()
        assert w.open_project_path(other_project)  # and the next try works
        assert w.document.folder == other_project
    finally:
        close(w)
