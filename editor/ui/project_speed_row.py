"""Project Settings ▸ Speed: this project's step cache and compile, or "As in Settings".

Rows added to the dialog's form (like `where_jobs_run`, so the labels share its label column) and
read through `value()`;
the choice becomes `SetProjectSettings(speed=...)`, an undoable edit, and reaches each job queued
from this project through `editor.generation.project_speed`.
"""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QCheckBox, QComboBox, QFormLayout

from model.speed import CACHES, OFFERED

AS_SETTINGS = "settings"


class ProjectSpeed(QObject):
    """A combo (As in Settings / each step cache) and a compile check (enabled with a cache chosen),
    as rows of `form`."""

    def __init__(self, speed: dict | None, form: QFormLayout) -> None:
        super().__init__(form.parentWidget() or form)
        self.cache = QComboBox()
        self.cache.setObjectName("project_settings.speed")
        self.cache.addItem("As in Settings", AS_SETTINGS)
        for key in OFFERED:
            self.cache.addItem(CACHES[key], key)
        chosen = speed.get("cache") if isinstance(speed, dict) else AS_SETTINGS
        self.cache.setCurrentIndex(max(0, self.cache.findData(chosen)))
        self.cache.setToolTip("This project's step cache; a model that refuses one runs without it, and the "
                              "take's recipe says so. As in Settings: File ▸ Settings ▸ Device ▸ Speed.")
        form.addRow("Speed", self.cache)
        self.compile = QCheckBox("Compile the transformer's blocks (NVIDIA GPUs)")
        self.compile.setObjectName("project_settings.compile")
        self.compile.setChecked(bool(isinstance(speed, dict) and speed.get("compile")))
        form.addRow("", self.compile)
        self.cache.currentIndexChanged.connect(self._follow)
        self._follow()

    def _follow(self) -> None:
        self.compile.setEnabled(self.cache.currentData() != AS_SETTINGS)

    def value(self) -> dict | None:
        """The project's speed ({"cache", "compile"}), None to follow Settings."""
        cache = self.cache.currentData()
        if cache == AS_SETTINGS:
            return None
        return {"cache": cache, "compile": self.compile.isChecked()}
