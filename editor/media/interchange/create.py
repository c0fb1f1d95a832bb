"""A new project folder from a cut made elsewhere (`new --from cut.otio`, File ▸ Import Timeline…).

The cut is read and turned into a project before anything is written where the user looks, and
the folder is made by editor.document.create (built hidden, renamed whole): a bad file gives one
line saying what is wrong and leaves nothing behind. A .otioz bundle's media are unpacked into the
new project's media/ folder, so the project owns them; any other cut's files stay where they are,
referenced as imports.
"""

from __future__ import annotations

import os
import zipfile
from fractions import Fraction
from pathlib import Path, PurePosixPath

from editor.document.create import create_project_atomically
from editor.document.lock import ProjectLock
from editor.document.storage import media_items, save_project
from editor.media.interchange.formats import InterchangeError, require_format
from editor.media.interchange.from_otio import ImportedCut, read_cut, timeline_to_project

BUNDLE_MEDIA = "media/"  # where an .otioz keeps its files (OTIO's file bundle layout)


def create_project_from_cut(cut: str | os.PathLike, folder: str | os.PathLike, *, fps: Fraction | None = None,
                            size: tuple[int, int] | None = None, app: str = "shotline new") -> tuple[
                                ProjectLock, ImportedCut]:
    """Make the project `folder` (NAME.shotline, which must not exist) from the cut file `cut`.
    Returns the project's lock (held: release it, or keep it while the project is open) and
    what was imported. InterchangeError or ProjectError, with nothing on disk, when it can't."""
    cut, folder = Path(cut), Path(folder)
    fmt = require_format(cut)
    timeline = read_cut(cut, rate=fps)
    name = folder.name.removesuffix(".shotline") or None
    made: list[ImportedCut] = []
    if not fmt.bundles_media:  # checked before the folder exists
        made.append(timeline_to_project(timeline, cut.parent, fps=fps, size=size, name=name))

    def write(into: Path) -> None:
        if fmt.bundles_media:
            unpacked = _unpack(cut, into / "media" / "bundle")
            made.append(timeline_to_project(timeline, unpacked, fps=fps, size=size, name=name))
            for path, _what, metadata, _set in media_items(made[0].project):
                if _inside(into, path):  # the project's own copy now, not an import
                    metadata.pop("imported", None)
        save_project(made[0].project, into)

    lock = create_project_atomically(folder, write, app=app)
    return lock, made[0]


def _unpack(bundle: Path, into: Path) -> Path:
    """The bundle's media files, unpacked under `into` (as `into/media/...`); returns `into`.
    Only plain files under media/ are taken, and no name may climb out."""
    into.mkdir(parents=True, exist_ok=True)
    try:
        with zipfile.ZipFile(bundle) as zf:
            for info in zf.infolist():
                name = PurePosixPath(info.filename)
                if info.is_dir() or not info.filename.startswith(BUNDLE_MEDIA) or ".." in name.parts \
                        or name.is_absolute():
                    continue
                target = into.joinpath(*name.parts)
                target.parent.mkdir(parents=True, exist_ok=True)
                with zf.open(info) as src, open(target, "wb") as dst:
                    while chunk := src.read(1 << 20):
                        dst.write(chunk)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError) as exc:
        raise InterchangeError(f"{bundle.name} is not a complete .otioz bundle ({exc}); copy it again.") from None
    return into


def _inside(folder: Path, path: str) -> bool:
    try:
        Path(os.path.abspath(path)).relative_to(os.path.abspath(folder))
    except ValueError:
        return False
    return True
