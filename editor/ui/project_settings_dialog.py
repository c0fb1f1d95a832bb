"""File ▸ Project Settings: the open project's name and default video model, as one undoable edit.

The project's default model is what every shot uses unless the shot picks its own (Inspector ▸
Model), so adding a model once is enough to generate. The dialog only builds the edit; the
window requests it, so a refusal is reported like any other and undo takes it back.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from editor.document.edits import Composite, Edit, SetProjectSettings
from editor.document.project import Project


def model_name(model: str | None) -> str:
    """How a model folder is shown: its folder name ("none set" when there is none)."""
    if not model:
        return "none set"
    return Path(model).name or model


def default_model_edit(project: Project, model: str | None) -> Edit:
    """The undoable edit that makes `model` the project's default model."""
    defaults = dataclasses.replace(project.defaults, model=model or None)
    return Composite("Set the project's model", [SetProjectSettings(defaults=defaults)])


def first_model(folders: list[str]) -> str | None:
    """The first folder that is itself a diffusers model (holds model_index.json), else None."""
    for folder in folders:
        if Path(folder, "model_index.json").is_file():
            return folder
    return None


class ProjectSettingsDialog(QDialog):
    """Name and default model of one project; `edit()` is what OK asks the document for."""

    def __init__(self, project: Project, models: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("project_settings_dialog")
        self.setWindowTitle("Project Settings")
        self._project = project
        form = QFormLayout()
        self.name_edit = QLineEdit(project.name)
        self.name_edit.setObjectName("project_settings.name")
        form.addRow("Name", self.name_edit)
        self.model_combo = QComboBox()
        self.model_combo.setObjectName("project_settings.model")
        self.model_combo.addItem("None (Infill and Loop use interpolation)", None)
        current = project.defaults.model
        for m in dict.fromkeys([*models, *([current] if current else [])]):
            self.model_combo.addItem(model_name(m), m)
            self.model_combo.setItemData(self.model_combo.count() - 1, m, 3)  # tooltip: the full path
        self.model_combo.setCurrentIndex(max(0, self.model_combo.findData(current)) if current else 0)
        form.addRow("Video model", self.model_combo)
        hint = QLabel("Every shot uses this model unless it picks its own in the Inspector. Add model "
                      "folders in File ▸ Settings ▸ Models.")
        hint.setWordWrap(True)
        hint.setProperty("role", "hint")
        form.addRow(hint)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)

    def edit(self) -> Edit | None:
        """The one edit for what was changed, None when nothing was."""
        p = self._project
        fields: dict = {}
        name = self.name_edit.text().strip()
        if name and name != p.name:
            fields["name"] = name
        model = self.model_combo.currentData()
        if model != p.defaults.model:
            fields["defaults"] = dataclasses.replace(p.defaults, model=model)
        if not fields:
            return None
        return Composite("Change project settings", [SetProjectSettings(**fields)])
