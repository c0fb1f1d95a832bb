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
    return _ask(parent, "A job is running", f"“{title}” is still running{more}.",
                "Finish first: Shotline closes when it is done.\n"
                "Quit, resume next time: it stops now and starts again when you open this "
                "project; nothing in the queue is lost.",
                "Quit, resume next time", QUEUE)


def ask_running_export(parent: QWidget, file_name: str) -> str:
    """FINISH (close once the file is written), CANCEL (stop it; nothing is written) or KEEP."""
    return _ask(parent, "An export is running", f"{file_name} is still being exported.",
                "Finish first: Shotline closes when the file is written.\n"
                "Cancel export: it stops now and no file is written.",
                "Cancel export", CANCEL)


def _ask(parent: QWidget, title: str, text: str, informative: str, stop_label: str, stop: str) -> str:
    """The one shape of every question here, so they look and answer alike: "Finish first"
    (the default, FINISH), a destructive stop button (`stop`), and "Keep working" (Escape, KEEP)."""
    box = QMessageBox(QMessageBox.Icon.Question, title, text, parent=parent)
    box.setInformativeText(informative)
    finish = box.addButton("Finish first", QMessageBox.ButtonRole.AcceptRole)
    stopping = box.addButton(stop_label, QMessageBox.ButtonRole.DestructiveRole)
    keep = box.addButton("Keep working", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(finish)
    box.setEscapeButton(keep)
    box.exec()
    return {finish: FINISH, stopping: stop}.get(box.clickedButton(), KEEP)
