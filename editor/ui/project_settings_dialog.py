"""File ▸ Project Settings: name, frame rate, size and default video model, as one undoable edit.

The project's default model is what every shot uses unless the shot picks its own (Inspector ▸
Model), so adding a model once is enough to generate. A new frame rate keeps real time: clip
positions and lengths are converted (`ChangeFrameRate`); video files are not re-encoded, their
frames are picked by time until they are conformed again. The dialog only builds the edit; the
window requests it, so a refusal is reported like any other and undo takes it back.
"""

from __future__ import annotations

import dataclasses
from fractions import Fraction
from pathlib import Path

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from editor.document.edits import ChangeFrameRate, Composite, Edit, SetProjectSettings
from editor.document.project import Project
from editor.ui.export_form import RATES
from editor.ui.wheel_guard import guard_wheel

SIZES = (("1280×720 (HD)", 1280, 720), ("1920×1080 (Full HD)", 1920, 1080), ("3840×2160 (4K UHD)", 3840, 2160),
         ("1024×576", 1024, 576), ("768×512", 768, 512), ("640×360", 640, 360),
         ("720×1280 (vertical)", 720, 1280), ("1080×1920 (vertical)", 1080, 1920), ("1024×1024 (square)", 1024, 1024))


def model_name(model: str | None) -> str:
    """How a model folder is shown: its folder name ("none set" when there is none)."""
    if not model:
        return "none set"
    return Path(model).name or model


def default_model_edit(project: Project, model: str | None) -> Edit:
    """The undoable edit that makes `model` the project's default model."""
    defaults = dataclasses.replace(project.defaults, model=model or None)
    return Composite("Set the project's model", [SetProjectSettings(defaults=defaults)])


def _rate_text(fps: Fraction) -> str:
    fps = Fraction(fps)
    return f"{fps.numerator}/{fps.denominator}"


def first_model(folders: list[str]) -> str | None:
    """The first folder that is itself a diffusers model (holds model_index.json), else None."""
    for folder in folders:
        if Path(folder, "model_index.json").is_file():
            return folder
    return None


class ProjectSettingsDialog(QDialog):
    """Name, frame rate, size and default model of one project; `edit()` is what OK asks for."""

    def __init__(self, project: Project, models: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("project_settings_dialog")
        self.setWindowTitle("Project Settings")
        self._project = project
        form = QFormLayout()
        self.name_edit = QLineEdit(project.name)
        self.name_edit.setObjectName("project_settings.name")
        form.addRow("Name", self.name_edit)
        self.fps_combo = QComboBox()
        self.fps_combo.setObjectName("project_settings.fps")
        for text, rate in RATES:
            self.fps_combo.addItem(f"{text} fps", _rate_text(rate))  # text data, as Qt compares it
        if self.fps_combo.findData(_rate_text(project.fps)) < 0:
            self.fps_combo.addItem(f"{float(project.fps):g} fps", _rate_text(project.fps))
        self.fps_combo.setCurrentIndex(self.fps_combo.findData(_rate_text(project.fps)))
        form.addRow("Frame rate", self.fps_combo)
        self.size_combo = QComboBox()
        self.size_combo.setObjectName("project_settings.size")
        for text, w, h in SIZES:
            self.size_combo.addItem(text, f"{w}x{h}")  # text data: findData can't match tuples
        self.size_combo.addItem("Custom", None)
        self.width_spin, self.height_spin = QSpinBox(), QSpinBox()
        for spin, value, name in ((self.width_spin, project.width, "width"), (self.height_spin, project.height, "height")):
            spin.setObjectName(f"project_settings.{name}")
            spin.setRange(16, 8192)
            spin.setSingleStep(2)
            spin.setValue(value)
            spin.valueChanged.connect(self._size_typed)
        size_row = QHBoxLayout()
        size_row.addWidget(self.size_combo, 1)
        size_row.addWidget(self.width_spin)
        size_row.addWidget(QLabel("×"))
        size_row.addWidget(self.height_spin)
        self.size_combo.activated.connect(self._size_picked)
        self._size_typed()
        form.addRow("Size", size_row)
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
        self.timing_hint = QLabel("Changing the frame rate keeps every clip's time in seconds: positions "
                                  "and lengths are converted and rounded to whole frames.")
        self.timing_hint.setWordWrap(True)
        self.timing_hint.setProperty("role", "hint")
        form.addRow(self.timing_hint)
        from editor.ui.where_jobs_run import WhereJobsRun

        chosen = project.metadata.get("where_jobs_run")
        self.where_jobs_run = WhereJobsRun(chosen if isinstance(chosen, str) else None, form)
        from editor.generation.project_speed import project_speed
        from editor.ui.project_speed_row import ProjectSpeed

        self.speed = ProjectSpeed(project_speed(project), form)  # this project's Speed, else the Settings'
        guard_wheel(self.speed.cache, self.fps_combo, self.size_combo, self.model_combo, self.width_spin, self.height_spin)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)

    def accept(self) -> None:
        problem = self.where_jobs_run.error()
        if problem:  # stays open, nothing asked for, until the address can be used
            self.where_jobs_run.show_problem(problem)
            return
        super().accept()

    def _size_picked(self) -> None:
        size = self.size_combo.currentData()
        if size:
            w, h = size.split("x")
            self.width_spin.setValue(int(w))
            self.height_spin.setValue(int(h))

    def _size_typed(self) -> None:
        i = self.size_combo.findData(f"{self.width_spin.value()}x{self.height_spin.value()}")
        self.size_combo.setCurrentIndex(i if i >= 0 else self.size_combo.count() - 1)

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
        chosen = p.metadata.get("where_jobs_run")
        where = self.where_jobs_run.value()
        if where != (chosen if isinstance(chosen, str) else None):
            fields["where_jobs_run"] = where
        from editor.generation.project_speed import project_speed

        if self.speed.value() != project_speed(p):
            fields["speed"] = self.speed.value()
        size = (self.width_spin.value(), self.height_spin.value())
        if size != (p.width, p.height):
            fields["width"], fields["height"] = size
        edits: list[Edit] = []
        fps = Fraction(self.fps_combo.currentData())
        if fps != p.fps:
            edits.append(ChangeFrameRate(fps=fps))
        if fields:
            edits.append(SetProjectSettings(**fields))
        if not edits:
            return None
        return Composite("Change project settings", edits)
