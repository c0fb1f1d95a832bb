"""The one place a stored media path becomes a file on disk, and the rule that keeps it inside.

Every layer (document, media, generation, ui, cli) turns a take's, keyframe's or cast member's
stored path into a file through `resolve_media` (or `locate_media`, which never raises), so
every layer agrees on which file that is and on whether it may be read at all.

The rule, in the user's terms:
- An **absolute** path outside the project folder is a reference the user chose: a file they
  imported from elsewhere (saving marks it `"imported": true`, and a project.json holding an
  absolute path without that mark is refused on load by editor.document.storage). It is read
  where it is, symlinks and all.
- A **relative** path (and an absolute one that lies inside the project folder) names a file in
  the project folder and must stay inside it: no `..` that climbs out, no symlink on the way (a
  file or any folder) that points outside the folder. Nothing is expanded: `~/clip.mp4` is a
  file in a folder named `~` inside the project, never the user's home.
- A path that breaks the rule is *refused*: the editor treats that media as offline, shows why
  (`MediaLocation.refused`), and never opens the file. `resolve_media` raises `MediaRefused`;
  nothing else is raised for any string.
- Backslashes in a relative path are folder separators (a project made on Windows).
- Without a project folder (an unsaved project) only absolute paths can be read.

Returned paths are absolute, so a project opened by a relative path (`Film.shotline`) never gets
its folder prepended twice.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path, PurePosixPath


class MediaRefused(ValueError):
    """A stored media path the project may not read; the message says why and what to do."""


@dataclass(frozen=True)
class MediaLocation:
    """Where a stored media path leads: `path` to read, or None and the reason it is refused."""

    stored: str
    path: Path | None
    refused: str = ""

    @property
    def offline_reason(self) -> str:
        """Why the media can't be shown ("" when the file is there and may be read)."""
        if self.path is None:
            return self.refused
        try:
            ok = self.path.is_file()
        except (OSError, ValueError):
            ok = False
        return "" if ok else "the file is missing"


def is_absolute(path: str) -> bool:
    """An absolute path on any system (a project made on Windows is judged the same on Linux)."""
    return path.startswith(("/", "\\")) or (len(path) > 2 and path[1] == ":" and path[2] in "/\\")


def path_escapes(path: str) -> bool:
    """True when a relative path climbs out of the folder it is relative to."""
    return _climbs_out(PurePosixPath(path.replace("\\", "/")).parts)


def _climbs_out(parts: tuple[str, ...]) -> bool:
    depth = 0
    for part in parts:
        if part == "..":
            depth -= 1
            if depth < 0:
                return True
        elif part not in (".", ""):
            depth += 1
    return False


def real_inside(folder: Path | str, path: Path | str) -> bool:
    """True when `path`, with every symlink on the way followed, lies inside `folder` (itself
    followed: a project kept behind a symlinked folder is fine). A path that can't be followed
    (a NUL byte) is outside; a symlink loop inside the folder stays inside (it reads as missing)."""
    try:
        root = os.path.realpath(folder)
        real = os.path.realpath(path)
    except (OSError, ValueError, RuntimeError):
        return False
    return real == root or real.startswith(root.rstrip(os.sep) + os.sep)


def locate_media(folder: Path | str | None, path: str | os.PathLike) -> MediaLocation:
    """Where the stored media `path` of a project in `folder` leads (see the module rule).
    Never raises: a refused path comes back with `path=None` and the reason."""
    stored = os.fspath(path) if isinstance(path, os.PathLike) else path
    if not isinstance(stored, str) or not stored:
        return MediaLocation(str(stored), None, "the media path is empty")
    if "\x00" in stored:
        return MediaLocation(stored, None, "the media path holds a NUL character")
    root = None if folder is None else os.path.abspath(folder)
    if is_absolute(stored):
        if not os.path.isabs(stored):
            return MediaLocation(stored, None, f"{stored} is a path on another system; relink the file")
        full = os.path.abspath(stored)
        if root is None or not (full == root or full.startswith(root.rstrip(os.sep) + os.sep)):
            return MediaLocation(stored, Path(full))  # imported from outside: the user's choice
        parts = Path(full).relative_to(root).parts
    else:
        if root is None:
            return MediaLocation(stored, None, "the project is not saved, so a path inside its folder means nothing")
        parts = PurePosixPath(stored.replace("\\", "/")).parts
    if _climbs_out(parts):
        return MediaLocation(stored, None, f"{stored} climbs out of the project folder; import the file instead")
    full_path = Path(os.path.normpath(os.path.join(root, *parts))) if parts else Path(root)
    if not real_inside(root, full_path):
        return MediaLocation(stored, None,
                             f"{stored} is a link that leads outside the project folder; import the file instead")
    return MediaLocation(stored, full_path)


def resolve_media(folder: Path | str | None, path: str | os.PathLike) -> Path:
    """The absolute file a stored media path names; MediaRefused when the rule forbids it."""
    where = locate_media(folder, path)
    if where.path is None:
        raise MediaRefused(f"Media {where.stored!r} is refused: {where.refused}.")
    return where.path


def stored_media_path(folder: Path | str | None, path: str | os.PathLike) -> str:
    """How a project records the file `path`: project-relative (POSIX slashes) when it lies inside
    the folder, absolute otherwise, so a project folder can be moved or copied with its media."""
    p = os.path.abspath(os.fspath(path))
    if folder is not None:
        root = os.path.abspath(folder)
        try:
            return Path(p).relative_to(root).as_posix()
        except ValueError:
            pass
    return p
