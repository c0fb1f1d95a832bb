"""Autosave and crash recovery: timestamped copies in the project's autosave/ folder.

`autosave(doc)` writes the document, atomically, to `autosave/project-<timestamp>.json` and
keeps the newest few; `find_recovery(folder)` returns an autosave that is newer than
project.json (the user's last save) so the editor can offer it after a crash. The timer that
calls `autosave` lives in the UI; these functions never touch project.json itself.

An autosave/ folder that is a link out of the project is refused (editor.document.subfolders):
nothing is written or pruned there, the user gets the reason, and no recovery is read from it.
"""

from __future__ import annotations

import datetime as _dt
from pathlib import Path

from editor.document.document import Document
from editor.document.storage import (
    PROJECT_FILE,
    ProjectError,
    create_folder,
    encode,
    project_folder,
    read_project_file,
    write_atomic,
)
from editor.document.subfolders import FolderRefused, project_subfolder

AUTOSAVE_DIR = "autosave"
KEEP = 5
_PREFIX, _SUFFIX = "project-", ".json"


def autosaves(folder: Path | str) -> list[Path]:
    """The project's autosaves, oldest first (the timestamped names sort by time)."""
    try:
        d = project_subfolder(project_folder(folder), AUTOSAVE_DIR, create=False)
    except FolderRefused:
        return []  # a link out of the project: not this project's autosaves
    if not d.is_dir():
        return []
    return sorted(p for p in d.iterdir() if p.name.startswith(_PREFIX) and p.name.endswith(_SUFFIX))


def autosave(doc: Document, *, keep: int = KEEP) -> Path:
    """Write the document to a new autosave file and drop all but the newest `keep`."""
    if doc.folder is None:
        raise ProjectError("Save the project once first: autosaves go into its folder.")
    if keep < 1:
        raise ValueError("keep at least one autosave")
    folder = project_folder(doc.folder)
    project_subfolder(folder, AUTOSAVE_DIR, create=False)  # refused before anything is made
    create_folder(folder)
    target = project_subfolder(folder, AUTOSAVE_DIR)
    stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    path = target / f"{_PREFIX}{stamp}{_SUFFIX}"
    n = 1
    while path.exists() or path.is_symlink():  # two autosaves within a microsecond (a fast clock or a test)
        path = target / f"{_PREFIX}{stamp}-{n}{_SUFFIX}"
        n += 1
    write_atomic(path, encode(doc.project, folder))
    for old in autosaves(folder)[:-keep]:
        try:
            old.unlink()  # a link among them is removed itself, never the file it points at
        except OSError:
            pass
    return path


def find_recovery(folder: Path | str) -> Path | None:
    """The newest readable autosave written after project.json was last saved, or None.

    An autosave that can't be read (cut short by the crash) is passed over for an older one.
    """
    folder = project_folder(folder)
    main = folder / PROJECT_FILE
    saved_ns = main.stat().st_mtime_ns if main.exists() else -1
    for path in reversed(autosaves(folder)):
        try:
            if path.stat().st_mtime_ns <= saved_ns:
                return None
            read_project_file(path)
        except (OSError, ProjectError):
            continue
        return path
    return None


def drop_recovery(folder: Path | str) -> None:
    """Remove the autosaves newer than project.json (what find_recovery would offer): the user
    chose Discard, and the next open offered the changes they had thrown away."""
    folder = project_folder(folder)
    main = folder / PROJECT_FILE
    try:
        saved_ns = main.stat().st_mtime_ns if main.exists() else -1
    except OSError:
        return  # can't tell which are newer: keep them all
    for path in autosaves(folder):
        try:
            if path.stat().st_mtime_ns > saved_ns:
                path.unlink()  # a link among them is removed itself, never the file it points at
        except OSError:
            pass


def recover_document(folder: Path | str, autosave_path: Path | str) -> Document:
    """A document holding an autosave's state, in its project folder, marked unsaved so that the
    user saves it over project.json (or discards it)."""
    doc = Document(read_project_file(autosave_path), project_folder(folder))
    doc.mark_unsaved()
    return doc
