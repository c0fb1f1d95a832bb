"""An output never replaces one of its own inputs: the one check every writer of user files calls.

An export written onto a clip the cut shows, or `extend -o clip.mp4 --clip clip.mp4`, would
destroy the very file being read (and, for the export, the project that names it). So before
anything is written, the target is compared with every file the job reads, and refused when it
is one of them.

Paths are compared as the file system sees them, not as strings: `./a/../a.mp4`, a symlink to
the file, a hard link to it and (on a case-insensitive disk) `A.MP4` all name the same file.
When the target exists, its device and inode are compared with each input's (`os.path.samefile`
semantics, one stat per input); when it does not exist yet, it can only clash with an input that
is missing too, which is compared by real path.

For a project the protected set is every media file it names (takes, keyframe and cast images,
the originals conformed copies were made from), its own bookkeeping (project.json, the job
journal, hidden files at its top level such as locks and temporaries) and everything under its
media/, cache/ and autosave/ folders.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from editor.document.project import Project
from editor.document.storage import media_items, resolve_media
from editor.media.errors import MediaError

# What a project folder holds that an export must never replace (see editor.document.storage).
PROJECT_FILES = ("project.json", "jobs.sqlite", "jobs.sqlite-wal", "jobs.sqlite-shm", "jobs.sqlite-journal")
PROJECT_SUBFOLDERS = ("media", "cache", "autosave")


class OutputRefused(MediaError):
    """The output would replace a file the job reads or the project uses; nothing was written."""


def refuse_overwrite(
    output: str | os.PathLike,
    inputs: Iterable[tuple[str | os.PathLike, str]],
    *,
    project_folder: str | os.PathLike | None = None,
    error: type[MediaError] = OutputRefused,
) -> None:
    """Raise `error` when `output` is one of `inputs` ((path, what it is in words) pairs) or, with
    `project_folder`, a file that project keeps; return quietly otherwise. Never writes."""
    out = Path(output).expanduser()
    try:
        out_stat = out.stat()
    except OSError:
        out_stat = None
    out_real = _real(out)
    for path, what in inputs:
        if _same(out, out_stat, out_real, Path(path).expanduser()):
            raise error(f"{out} is {what}: writing there would destroy it. Choose another file name.")
    if project_folder is not None:
        reason = _project_owned(out, out_real, Path(project_folder).expanduser())
        if reason:
            raise error(f"{out} is {reason}: writing there would damage the project. "
                        "Choose another file, outside the project's own files and its media, cache and autosave folders.")


def project_inputs(project: Project, project_folder: str | os.PathLike | None) -> list[tuple[Path, str]]:
    """Every media file `project` names, with what it is in words, resolved against its folder."""
    found: list[tuple[Path, str]] = []
    for path, what, metadata, _ in media_items(project):
        found.append((Path(resolve_media(project_folder, path)), f"{what} in this project"))
        original = metadata.get("original") if isinstance(metadata, dict) else None
        if isinstance(original, str) and original:  # the file a conformed copy was made from
            found.append((Path(original), f"the original file of {what} in this project"))
    return found


# --- helpers ------------------------------------------------------------------------------
def _real(path: Path) -> str:
    return os.path.normcase(os.path.realpath(path))


def _same(out: Path, out_stat: os.stat_result | None, out_real: str, other: Path) -> bool:
    try:
        st = other.stat()
    except OSError:
        st = None
    if st is not None:  # an existing input: the same file only if the target is that very inode
        return out_stat is not None and (st.st_dev, st.st_ino) == (out_stat.st_dev, out_stat.st_ino)
    # A missing input (offline media, or written `gone/../a.mp4`): compared by real path. Only these
    # pay for realpath, so checking a project of thousands of takes costs a stat each.
    return _real(other) == out_real


def _project_owned(out: Path, out_real: str, folder: Path) -> str:
    """What `out` is to the project in `folder` ("" when it is none of its files)."""
    root = Path(_real(folder))
    try:
        rel = Path(out_real).relative_to(root)
    except ValueError:
        return _owned_by_identity(out, folder)
    return _describe(rel)


def _owned_by_identity(out: Path, folder: Path) -> str:
    # The real path may differ in case (a case-insensitive disk) or by a bind mount: compare the
    # folders above the target with the project folder by identity as well.
    try:
        root = folder.stat()
    except OSError:
        return ""
    parts: list[str] = []
    here = Path(os.path.realpath(out))
    while True:
        parent = here.parent
        parts.insert(0, here.name)
        try:
            st = parent.stat()
        except OSError:
            st = None
        if st is not None and (st.st_dev, st.st_ino) == (root.st_dev, root.st_ino):
            return _describe(Path(*parts))
        if parent == here or len(parts) > 64:
            return ""
        here = parent


def _describe(rel: Path) -> str:
    parts = rel.parts
    if not parts:
        return "the project folder itself"
    if len(parts) == 1:
        name = parts[0]
        if name.lower() in PROJECT_FILES:
            return f"the project's own {name}"
        if name.startswith("."):
            return f"one of the project's own hidden files ({name})"
        return ""
    if parts[0].lower() in PROJECT_SUBFOLDERS:
        return f"inside the project's {parts[0]}/ folder"
    return ""
