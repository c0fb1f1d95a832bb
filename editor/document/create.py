"""A new project folder appears whole or not at all: built in a hidden sibling, then renamed.

Why: making `Name.shotline/` in place and filling it means a kill -9 (or a full disk) half way
leaves a folder without project.json under the name the user chose, and two runs making the same
name both "succeed" into one folder, so one project is lost. Here:

- the project is built in `.Name.shotline.tmp-<pid>-<random>` next to the final name, holding the
  project lock (see editor.document.lock) from the start;
- `os.rename` then moves it onto the final name in one step. That fails when the name has
  appeared meanwhile (another run won, or the user made it): the temporary folder is removed and
  ProjectError says the name exists. (An *empty* folder of that name is replaced, as the New
  Project dialog may have made one and it holds nothing to lose);
- leftovers from a run that was killed (their lock's process is gone, or they never got a lock
  and are over a minute old) are removed by the next creation in the same parent folder.

Used by the CLI `new` and the editor's New Project, so both behave the same.
"""

from __future__ import annotations

import errno
import os
import secrets
import shutil
import time
from collections.abc import Callable
from pathlib import Path

from editor.document.lock import ProjectLock, read_lock
from editor.document.storage import SUFFIX, ProjectError, create_folder

TEMP_MARK = ".tmp-"
LEFTOVER_AGE_S = 60.0  # a temporary folder with no lock this old was abandoned before its lock was written


def temp_sibling(folder: Path) -> Path:
    """A fresh hidden name next to `folder` that says which process builds it."""
    return folder.with_name(f".{folder.name}{TEMP_MARK}{os.getpid()}-{secrets.token_hex(4)}")


def create_project_atomically(folder: Path | str, write_contents: Callable[[Path], None], *,
                              app: str = "Shotline editor") -> ProjectLock:
    """Make the project folder `folder` from `write_contents(temp_folder)`, all at once.

    `write_contents` gets a folder that already has media/, cache/ and autosave/ and must write
    everything (project.json via save_project, conformed media) into it; paths it stores must be
    relative to that folder (save_project makes them so). Returns the project's lock, held by this
    process (now in `folder`): keep it while the project is open, release it when done.
    Raises ProjectError when `folder` exists already (or appears meanwhile), or can't be made;
    anything `write_contents` raises is passed on. Nothing is left under either name on failure.
    """
    folder = Path(folder)
    parent = folder.parent
    if not parent.is_dir():
        raise ProjectError(f"The folder {parent} does not exist; create it first or choose another place.")
    if _taken(folder):
        raise ProjectError(f"{folder} already exists; choose another name or place for the new project.")
    remove_leftovers(parent)
    tmp = temp_sibling(folder)
    try:
        tmp.mkdir()
    except OSError as exc:
        raise ProjectError(f"Could not create a project in {parent} ({exc.strerror or exc}); choose a folder "
                           "you can write to.") from None
    lock: ProjectLock | None = None
    try:
        lock = ProjectLock.acquire(tmp, app=app)
        try:
            create_folder(tmp)
        except OSError as exc:
            raise ProjectError(f"Could not create a project in {parent} ({exc.strerror or exc}); choose a "
                               "folder you can write to.") from None
        write_contents(tmp)
        try:
            os.rename(tmp, folder)
        except OSError as exc:
            if exc.errno in (errno.EEXIST, errno.ENOTEMPTY, errno.ENOTDIR, errno.EISDIR) or _taken(folder):
                raise ProjectError(f"{folder} already exists (it appeared while the project was being made); "
                                   "choose another name.") from None
            raise ProjectError(f"Could not create {folder} ({exc.strerror or exc}); choose a folder you can "
                               "write to.") from None
    except BaseException:
        if lock is not None:
            lock.release()
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    lock._moved(folder)
    _fsync_dir(parent)
    return lock


def remove_leftovers(parent: Path | str) -> list[Path]:
    """Remove temporary project folders in `parent` left by runs that died; returns what went."""
    removed: list[Path] = []
    try:
        candidates = list(Path(parent).glob(f".*{SUFFIX}{TEMP_MARK}*"))
    except OSError:
        return removed
    for tmp in candidates:
        try:
            if tmp.is_symlink() or not tmp.is_dir():
                continue
            holder = read_lock(tmp)
            if holder is None or holder.pid <= 0:
                # no (readable) lock: either killed before writing it, or being made this instant
                if time.time() - tmp.lstat().st_mtime < LEFTOVER_AGE_S:
                    continue
            elif not holder.stale:
                continue  # still being built (here or on another host sharing the folder)
        except (OSError, ProjectError):
            continue
        shutil.rmtree(tmp, ignore_errors=True)
        if not tmp.exists():
            removed.append(tmp)
    return removed


def _taken(folder: Path) -> bool:
    """True when `folder` names something a new project must not replace (an empty folder is free)."""
    if os.path.lexists(folder) and (folder.is_symlink() or not folder.is_dir()):
        return True
    try:
        return folder.is_dir() and any(folder.iterdir())
    except OSError:
        return True


def _fsync_dir(folder: Path) -> None:
    if os.name != "posix":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
