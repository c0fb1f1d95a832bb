"""The New Project dialog: a name and a place, so the project's folder exists from the start.

A project needs its folder before the first edit: autosave writes there and generation jobs
keep their takes and journal there. The dialog proposes a free name ("Untitled", "Untitled 2",
...) in the last place a project was made (first ~/Videos/Shotline) and shows the folder it
will create; Create is offered only when that folder is free.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from editor.document.storage import folder_for_name


def free_name(location: Path, base: str = "Untitled") -> str:
    """`base`, or `base 2`, `base 3`, ... : the first whose project folder is not in `location`."""
    name, n = base, 1
    while folder_for_name(location, name).exists():
        n += 1
        name = f"{base} {n}"
    return name


class NewProjectDialog(QDialog):
    """Ask for the new project's name and location; `target()` is the folder to create."""

    def __init__(self, location: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("new_project_dialog")
        self.setWindowTitle("New Project")
        self.setMinimumWidth(520)
        self.name_edit = QLineEdit(free_name(location))
        self.name_edit.setObjectName("new_project.name")
        self.name_edit.selectAll()
        self.location_edit = QLineEdit(str(location))
        self.location_edit.setObjectName("new_project.location")
        choose = QPushButton("Choose…")
        choose.clicked.connect(self._choose_location)
        where = QHBoxLayout()
        where.addWidget(self.location_edit, 1)
        where.addWidget(choose)
        form = QFormLayout()
        form.addRow("Name", self.name_edit)
        form.addRow("Location", where)
        self.path_label = QLabel()
        self.path_label.setProperty("role", "hint")
        self.path_label.setWordWrap(True)
        self.problem = QLabel()
        self.problem.setProperty("role", "error")
        self.problem.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.create_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.create_button.setText("Create")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.path_label)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        self.name_edit.textChanged.connect(self._check)
        self.location_edit.textChanged.connect(self._check)
        self._check()

    @property
    def name(self) -> str:
        return self.name_edit.text().strip()

    def target(self) -> Path:
        """The NAME.shotline folder that Create makes."""
        return folder_for_name(Path(self.location_edit.text().strip()).expanduser(), self.name)

    def _check(self) -> None:
        problem = ""
        if not self.name:
            problem = "Give the project a name."
        elif not self.location_edit.text().strip():
            problem = "Choose where the project folder goes."
        elif self.target().exists():
            problem = f"There is already a project called “{self.name}” there; choose another name."
        self.problem.setText(problem)
        self.problem.setVisible(bool(problem))
        self.path_label.setText("" if problem else f"Creates {self.target()}")
        self.path_label.setVisible(not problem)  # one line under the fields: the folder or the problem
        self.create_button.setEnabled(not problem)

    def _choose_location(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Where the project folder goes", self.location_edit.text())
        if folder:
            self.location_edit.setText(folder)
