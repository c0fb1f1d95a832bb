"""The window's sound commands: Link / Unlink, add and remove audio tracks, and an audio track
header's right-click menu (volume, mute, solo).

Each command builds one undoable edit (or raises `EditRefused` saying what to select first);
the window requests it, so a refusal shows in the status bar and nothing changes.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QInputDialog, QMenu, QWidget

from editor.document import limits
from editor.document.edits import (
    AddAudioTrack,
    Edit,
    EditRefused,
    LinkClips,
    RemoveAudioTrack,
    SetAudioTrack,
    UnlinkClips,
)
from editor.document.project import Project
from editor.ui.selection import Selection
from editor.ui.timeline.drops import audio_track_name


def link(project: Project, selection: Selection) -> Edit:
    """Link the selected video clip with the selected sound (they then move and trim together)."""
    ids = tuple(selection.clips)
    sound = {c.id for t in project.audio_tracks for c in t.clips}
    video = [i for i in ids if i not in sound]
    audio = [i for i in ids if i in sound]
    if len(video) != 1 or not audio:
        raise EditRefused("Select one video clip and its sound (Ctrl+click both) to link them.")
    return LinkClips(clip_ids=ids)


def unlink(project: Project, selection: Selection) -> Edit:
    if not selection.clips:
        raise EditRefused("Select a linked clip or sound to unlink it.")
    return UnlinkClips(clip_ids=tuple(selection.clips))


def add_audio_track(project: Project) -> Edit:
    """A new audio track below the others (A1, A2, ...)."""
    return AddAudioTrack(name=audio_track_name(project))


def header_menu(parent: QWidget, project: Project, track_id: str, request: Callable[[Edit], bool], *,
                rename: Callable[[], object] | None = None, remove: Callable[[], object] | None = None) -> QMenu:
    """The right-click menu of an audio track's header: volume, mute, solo, rename, add and
    remove (`rename` / `remove`: the timeline's, which edit in place and ask as the header does)."""
    track = project.audio_track(track_id)
    menu = QMenu(parent)
    volume = menu.addAction(f"Volume… ({track.volume_db:+.1f} dB)")
    volume.triggered.connect(lambda: _ask_volume(parent, project, track_id, request))
    mute = menu.addAction("Mute")
    mute.setCheckable(True)
    mute.setChecked(track.muted)
    mute.triggered.connect(lambda on: request(SetAudioTrack(track_id=track_id, muted=bool(on))))
    solo = menu.addAction("Solo")
    solo.setCheckable(True)
    solo.setChecked(track.solo)
    solo.triggered.connect(lambda on: request(SetAudioTrack(track_id=track_id, solo=bool(on))))
    if rename is not None:
        menu.addAction("Rename Track…").triggered.connect(lambda: rename())
    menu.addSeparator()
    menu.addAction("Add Audio Track").triggered.connect(lambda: request(add_audio_track(project)))
    menu.addAction("Remove Audio Track").triggered.connect(
        (lambda: remove()) if remove is not None else (lambda: request(RemoveAudioTrack(track_id=track_id))))
    return menu


def _ask_volume(parent: QWidget, project: Project, track_id: str, request: Callable[[Edit], bool]) -> None:
    track = project.audio_track(track_id)
    value, ok = QInputDialog.getDouble(parent, "Track volume", f"Volume of {track.name or 'the track'} (dB):",
                                       track.volume_db, limits.MIN_GAIN_DB, limits.MAX_GAIN_DB, 1)
    if ok and value != track.volume_db:
        request(SetAudioTrack(track_id=track_id, volume_db=float(value)))
