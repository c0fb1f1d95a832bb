"""Edit menu commands: undo, cutting, selecting, shots and tracks."""

from __future__ import annotations

from typing import TYPE_CHECKING

from editor.ui.timeline import commands as timeline

if TYPE_CHECKING:
    from editor.ui.main_window import MainWindow


def undo(window: MainWindow) -> None:
    if window.document.can_undo:
        window.document.undo()


def redo(window: MainWindow) -> None:
    if window.document.can_redo:
        window.document.redo()


def split_at_playhead(window: MainWindow) -> None:
    window.command(lambda: timeline.split_at(window.document.project, window.selection, window.playhead.frame))


def delete_selection(window: MainWindow) -> None:
    if window.command(lambda: timeline.delete_selection(window.document.project, window.selection, ripple=False)):
        window.selection.clear()


def ripple_delete(window: MainWindow) -> None:
    if window.command(lambda: timeline.delete_selection(window.document.project, window.selection, ripple=True)):
        window.selection.clear()


def relink_media(window: MainWindow) -> None:
    from editor.ui.relink import relink_selection

    relink_selection(window)


def select_all(window: MainWindow) -> None:
    window.selection.set_clips([c.id for t in window.document.project.tracks for c in t.clips])


def deselect(window: MainWindow) -> None:
    window.selection.clear()


def add_draft_shot(window: MainWindow) -> None:
    project = window.document.project
    before = {c.id for t in project.tracks for c in t.clips}
    ok = window.command(lambda: timeline.add_draft_shot(
        window.document.project, window.selection, seconds=window.settings.defaults().shot_seconds,
        playhead=window.playhead.frame))
    if not ok:
        return
    project = window.document.project
    new = [c.id for t in project.tracks for c in t.clips if c.id not in before]
    if new:
        window.selection.set_clips(new[:1])
        window.timeline.reveal_clip(new[0])  # it lands after the last clip, often off screen
        window.docks["inspector"].raise_()
        window.inspector.prompt_edit.setFocus()
        name = project.find_clip(new[0])[1].name
        window.show_message(f"Added {name}: describe it in the Inspector, then Generate.")


def add_track(window: MainWindow) -> None:
    window.command(lambda: timeline.add_track(window.document.project))


def link_clips(window: MainWindow) -> None:
    from editor.ui import sound_commands

    window.command(lambda: sound_commands.link(window.document.project, window.selection))


def unlink_clips(window: MainWindow) -> None:
    from editor.ui import sound_commands

    window.command(lambda: sound_commands.unlink(window.document.project, window.selection))


def add_audio_track(window: MainWindow) -> None:
    from editor.ui import sound_commands

    window.command(lambda: sound_commands.add_audio_track(window.document.project))


def remove_track(window: MainWindow) -> None:
    window.command(lambda: timeline.remove_track(window.document.project, window.timeline.selected_track_id()))


def rename_track(window: MainWindow) -> None:
    track_id = window.timeline.selected_track_id()
    if track_id is None:
        window.show_message("Click a track's header to pick the track to rename.", error=True)
        return
    from editor.ui.commands.view import show_timeline

    show_timeline(window)
    window.timeline.start_rename(track_id)


def move_track_up(window: MainWindow) -> None:
    window.command(lambda: timeline.move_track(window.document.project, window.timeline.selected_track_id(), -1))


def move_track_down(window: MainWindow) -> None:
    window.command(lambda: timeline.move_track(window.document.project, window.timeline.selected_track_id(), +1))
