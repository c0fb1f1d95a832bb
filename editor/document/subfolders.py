"""The project's own folders (autosave/, cache/, media/ ...), refused when a link leads them outside.

A project folder can arrive from anywhere (a download, a colleague's disk). If its `autosave/`,
`cache/` or `media/` (or any folder on the way) is a symlink to a place outside the project,
writing or pruning there would change files the project does not own: autosave pruning once
deleted files outside the folder that way. Every place that writes or deletes inside a project
asks `project_subfolder` for the folder first; it answers the real folder inside the project,
or raises `FolderRefused` (a ProjectError, so the editor shows it as a one-line message) and
nothing is written or deleted.

Reading media follows the separate rule in editor.document.media_paths.
"""

from __future__ import annotations

import os
from pathlib import Path

from editor.document.media_paths import real_inside
from editor.document.storage import ProjectError


class FolderRefused(ProjectError):
    """A project subfolder leads outside the project (a symlink); nothing is written there."""


def project_subfolder(folder: Path | str, name: str | os.PathLike, *, create: bool = True) -> Path:
    """`folder/name` (e.g. "autosave", "cache/thumbnails", "media/cast"), made when `create`;
    FolderRefused when it, or any folder on the way, is a link that resolves outside `folder`."""
    root = Path(os.path.abspath(folder))
    path = root / name
    _check(root, path, name)
    if create:
        try:
            path.mkdir(parents=True, exist_ok=True)
        except FileExistsError:
            raise FolderRefused(f"{path} is a file, not a folder; move it away so Shotline can use "
                                f"the project's {Path(name).as_posix()}/ folder.") from None
        _check(root, path, name)  # a link swapped in while the folder was made
    return path


def inside_project(folder: Path | str, path: Path | str) -> bool:
    """True when `path` (links followed) lies inside the project folder: safe to write or delete."""
    return real_inside(os.path.abspath(folder), os.path.abspath(path))


def _check(root: Path, path: Path, name: str | os.PathLike) -> None:
    if not real_inside(root, path):
        where = os.path.realpath(path)
        raise FolderRefused(
            f"The project's {Path(name).as_posix()}/ folder leads outside the project (to {where}); Shotline "
            f"does not write or delete there. Replace the link in {root} with a real folder."
        )
