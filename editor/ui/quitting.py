"""The questions the window asks before it closes while work is under way.

Closing never throws work away silently: a running generation job may finish first, or stop and
wait in the project's queue for the next time it is opened; a running export may finish first
or be cancelled on purpose. Each question returns a word the window acts on, so tests and
scripts can answer in its place (`MainWindow.ask_running_job` / `ask_running_export`).
"""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget

FINISH, QUEUE, CANCEL, KEEP = "finish", "queue", "cancel", "keep"


def ask_running_job(parent: QWidget, title: str, waiting: int) -> str:
    """FINISH (close once it is done), QUEUE (stop it now; it runs again when the project is
    next opened) or KEEP (don't close)."""
    more = f" ({waiting} more waiting)" if waiting else ""
    box = QMessageBox(QMessageBox.Icon.Question, "A job is running",
                      f"“{title}” is still running{more}.", parent=parent)
    box.setInformativeText("Finish first: Shotline closes when it is done.\n"
                           "Quit, resume next time: it stops now and starts again when you open this "
                           "project; nothing in the queue is lost.")
    finish = box.addButton("Finish first", QMessageBox.ButtonRole.AcceptRole)
    queue = box.addButton("Quit, resume next time", QMessageBox.ButtonRole.DestructiveRole)
    keep = box.addButton("Keep working", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(finish)
    box.setEscapeButton(keep)
    box.exec()
    return {finish: FINISH, queue: QUEUE}.get(box.clickedButton(), KEEP)


def ask_running_export(parent: QWidget, file_name: str) -> str:
    """FINISH (close once the file is written), CANCEL (stop it; nothing is written) or KEEP."""
    box = QMessageBox(QMessageBox.Icon.Question, "An export is running",
                      f"{file_name} is still being exported.", parent=parent)
    box.setInformativeText("Finish first: Shotline closes when the file is written.\n"
                           "Cancel export: it stops now and no file is written.")
    finish = box.addButton("Finish first", QMessageBox.ButtonRole.AcceptRole)
    cancel = box.addButton("Cancel export", QMessageBox.ButtonRole.DestructiveRole)
    keep = box.addButton("Keep working", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(finish)
    box.setEscapeButton(keep)
    box.exec()
    return {finish: FINISH, cancel: CANCEL}.get(box.clickedButton(), KEEP)
