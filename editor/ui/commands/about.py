"""Help menu commands: adding a model, the shortcut table, About."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QDialog, QHBoxLayout, QMessageBox, QTableWidget, QTableWidgetItem

if TYPE_CHECKING:
    from collections.abc import Iterable

    from editor.ui.actions import ActionSpec
    from editor.ui.main_window import MainWindow


def show_model_help(window: MainWindow) -> None:
    from editor.ui.settings_dialog import NO_MODEL_HELP

    QMessageBox.information(window, "How to add a model", NO_MODEL_HELP)


def show_shortcuts(window: MainWindow) -> None:
    rows = shortcut_table(window.actions.specs.values())
    dialog = QDialog(window)
    dialog.setWindowTitle("Keyboard shortcuts")
    dialog.resize(520, 560)
    table = QTableWidget(len(rows), 3, dialog)
    table.setHorizontalHeaderLabels(["Menu", "Command", "Keys"])
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            table.setItem(r, c, QTableWidgetItem(text))
    table.resizeColumnsToContents()
    table.verticalHeader().hide()
    layout = QHBoxLayout(dialog)
    layout.addWidget(table)
    dialog.exec()


def show_about(window: MainWindow) -> None:
    QMessageBox.about(window, "About Shotline",
                      "<b>Shotline</b><br>A desktop editor for AI video: shots, keyframes, takes and local "
                      f"diffusion models.<br><br>Python {sys.version.split()[0]}")


def shortcut_table(specs: Iterable[ActionSpec]) -> list[tuple[str, str, str]]:
    """(menu, title, shortcuts) rows for the Help ▸ Keyboard Shortcuts dialog."""
    rows = []
    for s in specs:
        if s.shortcut:
            keys = ", ".join(QKeySequence(k).toString(QKeySequence.SequenceFormat.NativeText) for k in s.shortcut)
            rows.append((s.menu or "—", s.title.replace("&", "").rstrip("…"), keys))
    return rows
