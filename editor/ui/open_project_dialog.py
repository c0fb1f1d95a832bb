"""File ▸ Open: a folder dialog that opens a Name.shotline folder instead of walking into it.

A project is a folder, so a plain directory dialog double-clicked into Name.shotline showed its
media/ and cache/ and left the user wondering what to pick. This one (Qt's own dialog, the same
on every desktop) takes entering a .shotline folder as the choice, and `chosen_project` turns
whatever was picked (the folder, its project.json, a folder inside it) into the project folder.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QDialog, QFileDialog, QWidget

from editor.document.storage import PROJECT_FILE, SUFFIX


def chosen_project(path: str | Path) -> Path:
    """The project folder for what the dialog returned: the nearest Name.shotline folder holding
    it (project.json, media/ inside it, or itself), else the path as given."""
    p = Path(path)
    for candidate in (p, *p.parents):
        if candidate.name.endswith(SUFFIX) and (candidate / PROJECT_FILE).is_file():
            return candidate
    if p.name == PROJECT_FILE:
        return p.parent
    return p


class OpenProjectDialog(QFileDialog):
    """Pick a .shotline project folder; entering one (double-click) chooses it."""

    def __init__(self, start: str | Path, parent: QWidget | None = None) -> None:
        super().__init__(parent, "Open a Shotline project", str(start))
        self.setObjectName("open_project_dialog")
        self.setOption(QFileDialog.Option.DontUseNativeDialog, True)  # native ones can't be taught this
        self.setFileMode(QFileDialog.FileMode.Directory)
        self.setAcceptMode(QFileDialog.AcceptMode.AcceptOpen)
        self.setLabelText(QFileDialog.DialogLabel.Accept, "Open")
        self._chosen: Path | None = None
        self.directoryEntered.connect(self._entered)

    def _entered(self, directory: str) -> None:
        project = chosen_project(directory)
        if project.name.endswith(SUFFIX) and (project / PROJECT_FILE).is_file():
            self._chosen = project
            self.done(QDialog.DialogCode.Accepted)

    def chosen(self) -> Path | None:
        """The project folder picked, None when cancelled."""
        if self.result() != QDialog.DialogCode.Accepted:
            return None
        if self._chosen is not None:
            return self._chosen
        files = self.selectedFiles()
        return chosen_project(files[0]) if files else None
