"""Media paths as a project stores them: relative inside the project folder, absolute outside it."""

from __future__ import annotations

import os
from pathlib import Path


def resolve_media(project_root: str | os.PathLike | None, path: str | os.PathLike) -> Path:
    """The file a stored media path points at: relative paths are read from the project folder."""
    p = Path(path).expanduser()
    if p.is_absolute() or project_root is None:
        return p
    return Path(project_root) / p


def stored_media_path(project_root: str | os.PathLike | None, path: str | os.PathLike) -> str:
    """How a project records `path`: project-relative (POSIX slashes) when inside the folder,
    absolute otherwise, so a project folder can be moved or copied with its media."""
    p = Path(path).expanduser().absolute()
    if project_root is not None:
        root = Path(project_root).expanduser().absolute()
        try:
            return p.relative_to(root).as_posix()
        except ValueError:
            pass
    return str(p)
