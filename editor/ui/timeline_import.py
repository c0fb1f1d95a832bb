"""File ▸ Import Timeline…: a new project from a cut made in another editor (.otio, .otioz,
FCP 7 XML, FCPXML, EDL), built by editor.media.interchange.create (the folder appears whole or
not at all) on a background thread — the window keeps painting while a large .otioz unpacks,
under a busy cursor and an "Importing…" line — then opened in place of the open project.

The user chooses the cut, then the new project's name and place (the New Project dialog, named
after the cut); only then, when the import is really going to replace the open project, is the
user asked about its unsaved changes (cancelling either dialog asks nothing). A bad file changes nothing: the status line (and a message box when dialogs are
allowed) says what is wrong, and the open project stays open. What the import could not keep
(transitions, effects, offline files) is said once it is open.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog, QFileDialog, QMessageBox

from editor.document.storage import ProjectError
from editor.media.errors import MediaError
from editor.media.interchange.formats import TIMELINE_SUFFIXES
from editor.ui.background import run_in_background

if TYPE_CHECKING:
    from editor.ui.main_window import MainWindow

CUT_FILTER = "Timelines ({})".format(" ".join(f"*{s}" for s in TIMELINE_SUFFIXES))


def import_timeline(window: MainWindow) -> None:
    """The menu command: ask for the cut and the new project's place, then (the open project is
    about to be replaced) about its unsaved changes, then make and open it."""
    cut = choose_cut(window)
    if cut is None:
        return
    folder = choose_project_folder(window, cut)
    if folder is None or not window.may_discard():
        return
    open_cut(window, cut, folder)


def choose_cut(window: MainWindow) -> Path | None:
    """The cut file to import, None when cancelled (a dialog; tests replace this)."""
    path, _ = QFileDialog.getOpenFileName(window, "Import Timeline", str(start_folder(window)),
                                          f"{CUT_FILTER};;All files (*)")
    return Path(path) if path else None


def start_folder(window: MainWindow) -> Path:
    """Where the file dialog opens: beside the open project (where Export writes its cut), else the
    projects folder, else home. A folder that doesn't exist made Qt open in the working directory
    with its name typed in as the file name."""
    session = getattr(window, "session", None)
    folder = getattr(session, "folder", None)
    for place in ((Path(folder).parent if folder else None), window.settings.projects_folder()):
        if place is not None and place.is_dir():
            return place
    return Path.home()


def choose_project_folder(window: MainWindow, cut: Path) -> Path | None:
    """The NAME.shotline folder the new project goes in, named after the cut; None when
    cancelled (a dialog; tests replace this)."""
    from editor.ui.new_project_dialog import NewProjectDialog, free_name

    location = window.settings.projects_folder()
    dialog = NewProjectDialog(location, window)
    dialog.setWindowTitle("Import Timeline as a New Project")
    dialog.name_edit.setText(free_name(location, cut.stem or "Imported cut"))
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return dialog.target()


def open_cut(window: MainWindow, cut: Path, folder: Path) -> None:
    """Make the project `folder` from `cut` off the GUI thread, then open it. Returns at once;
    while it runs the window shows a busy cursor and "Importing…" and keeps painting (a large
    .otioz unpacks for a while). If it can't be made, the user is told why, nothing is made and
    the open project stays open."""
    from editor.media.interchange.create import create_project_from_cut
    from editor.ui.project_session import LOCK_APP

    if window.importing_timeline is not None:
        window.show_message(f"{window.importing_timeline.name} is still being imported: wait for it to finish.",
                            error=True)
        return
    window.importing_timeline = cut
    doc, edits = window.document, window.document.edit_count
    QApplication.setOverrideCursor(Qt.CursorShape.BusyCursor)
    window.show_message(f"Importing {cut.name}… (its files are read{' and unpacked' if cut.suffix == '.otioz' else ''})")

    def finish() -> bool:
        """The busy state ends; False when the window went meanwhile."""
        QApplication.restoreOverrideCursor()
        if not shiboken6.isValid(window):
            return False
        window.importing_timeline = None
        return True

    # no `owner`: an import answered after the window went must still let go of its lock
    def then(result) -> None:
        lock, imported = result
        lock.release()  # opening takes it again, as for any project
        if not finish():
            return
        if (window.document is not doc or doc.edit_count != edits) and not window.may_discard():
            # edited while it was imported, and the user keeps those edits: the new project waits
            window.show_message(f"Imported {cut.name} into {Path(folder).name}: open it with File ▸ Open when ready.")
            return
        opened(window, cut, folder, imported)

    def failed(exc: BaseException) -> None:
        if not finish():
            return
        if not isinstance(exc, (MediaError, ProjectError, OSError)):
            raise exc
        text = str(exc) if not isinstance(exc, OSError) else f"Could not import {cut.name}: {exc.strerror or exc}."
        window.show_message(text, error=True)
        if _asks(window):
            QMessageBox.warning(window, "Can't import the timeline", text)

    run_in_background(lambda: create_project_from_cut(cut, folder, app=LOCK_APP), then, failed=failed)


def opened(window: MainWindow, cut: Path, folder: Path, imported) -> bool:
    """Open the project just made from `cut` and say what the import could not keep."""
    if not window.open_project_path(folder):
        return False
    window.settings.set_projects_folder(Path(folder).parent)
    window.show_message(f"Imported {cut.name}: {imported.describe()}" +
                        (f" — {imported.notes[0]}" if imported.notes else ""))
    if imported.notes and _asks(window):
        QMessageBox.information(window, "Timeline imported", "\n\n".join(imported.notes))
    return True


def _asks(window: MainWindow) -> bool:
    """Whether the window may block on a dialog (not in scripted or test runs)."""
    return bool(getattr(window, "_ask", False)) and window.isVisible()
