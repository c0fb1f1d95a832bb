"""Relink Media…: point a clip whose file is missing (or any clip) at a file the user picks.

One undoable edit (editor.document.edits.RelinkMedia): every take, keyframe, sound and bin entry
that used the old path uses the new one. A file picked outside the project folder stays where it
is and is kept as an import (the user chose it, see editor.document.media_paths); one inside the
folder is stored relative, so the folder can move.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QFileDialog

from editor.document.edits import RelinkMedia
from editor.document.media_paths import locate_media, stored_media_path
from editor.media.audio import AUDIO_SUFFIXES
from editor.ui.media_bin import FILTER

if TYPE_CHECKING:
    from editor.ui.main_window import MainWindow

AUDIO_FILTER = "Sound ({})".format(" ".join(f"*{e}" for e in sorted(AUDIO_SUFFIXES)))


def selected_media(window: MainWindow) -> str | None:
    """The stored path of what the first selected clip shows: a video clip's take, a sound's
    file (None for a draft shot or no clip)."""
    project = window.document.project
    for clip_id in window.selection.clips:
        try:
            take = project.find_clip(clip_id)[1].take
            if take is not None:
                return take.media
        except KeyError:
            try:
                return project.find_audio_clip(clip_id)[1].source
            except KeyError:
                continue
    return None


def relink_selection(window: MainWindow) -> None:
    """Edit ▸ Relink Media…: ask for the file to use instead of the selected clip's."""
    stored = selected_media(window)
    if stored is None:
        window.show_message("Select a clip that shows a file to relink (a draft shot has none yet).", error=True)
        return
    picked = choose_file(window, stored)
    if picked:
        relink(window, stored, picked)


def choose_file(window: MainWindow, stored: str) -> str | None:
    """The file to use instead of `stored`, None when cancelled (a dialog; tests replace this)."""
    where = locate_media(window.document.folder, stored)
    name = Path(stored.replace("\\", "/")).name
    start = where.path.parent if where.path is not None and where.path.parent.is_dir() else Path.home()
    path, _ = QFileDialog.getOpenFileName(window, f"Relink {name}", str(start / name),
                                          f"{FILTER};;{AUDIO_FILTER};;All files (*)")
    return path or None


def relink(window: MainWindow, old: str, picked: str | Path) -> bool:
    """Use the file `picked` wherever the project uses the stored path `old` (one undoable edit)."""
    picked = Path(picked)
    if not picked.is_file():
        window.show_message(f"{picked} is not a file; choose the file itself.", error=True)
        return False
    new = stored_media_path(window.document.folder, picked)
    if new == old:
        window.show_message(f"{picked.name} is the file already in use.")
        return False
    if window.request(RelinkMedia(old=old, new=new)):
        old_name = Path(old.replace("\\", "/")).name
        window.show_message(f"Relinked {old_name} to {picked}")
        return True
    return False
