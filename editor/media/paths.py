"""Media paths for media code: the document layer's one resolver, with its refusal as MediaError.

The resolver and its containment rule live in editor.document.media_paths (one place for every
layer). `media_file` is that resolver for code whose one exception is MediaError.
"""

from __future__ import annotations

import os
from pathlib import Path

from editor.document.media_paths import MediaRefused, resolve_media, stored_media_path
from editor.document.subfolders import FolderRefused, project_subfolder
from editor.media.errors import MediaError

__all__ = ["media_file", "media_subfolder", "resolve_media", "stored_media_path"]


def media_file(project_root: str | os.PathLike | None, path: str | os.PathLike) -> Path:
    """The file a stored media path names; MediaError (never read) when the path is refused."""
    try:
        return resolve_media(project_root, path)
    except MediaRefused as exc:
        raise MediaError(str(exc)) from None


def media_subfolder(project_root: str | os.PathLike, name: str | os.PathLike, *, create: bool = True) -> Path:
    """The project's own folder `name` (cache/thumbnails, media/conformed ...) to write or delete in;
    MediaError when it, or a folder on the way, is a link out of the project
    (editor.document.subfolders.project_subfolder)."""
    try:
        return project_subfolder(project_root, name, create=create)
    except FolderRefused as exc:
        raise MediaError(str(exc)) from None
