"""The real questions the window asks before closing mid-work (editor/ui/quitting.py): their words,
and the answer each button (and Escape) gives."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from editor.ui import quitting


def answer_with(qtbot, ask, button: str | None) -> tuple[str, str, str]:
    """Run `ask(parent)`; once its box is up, press `button` (None: Escape). Returns (answer, title, text)."""
    parent = QWidget()
    qtbot.addWidget(parent)
    seen = {}

    def press() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(10, press)
            return
        seen.update(title=box.windowTitle(), text=box.text())
        if button is None:
            qtbot.keyClick(box, Qt.Key.Key_Escape)
        else:
            next(b for b in box.buttons() if b.text() == button).click()

    QTimer.singleShot(0, press)
    return ask(parent), seen["title"], seen["text"]


@pytest.mark.parametrize(("button", "word"), [("Finish first", quitting.FINISH),
                                              ("Quit, resume next time", quitting.QUEUE),
                                              ("Keep working", quitting.KEEP), (None, quitting.KEEP)])
def test_a_running_job_question_answers_with_the_button_pressed(qtbot, button, word):
    answer, title, text = answer_with(qtbot, lambda p: quitting.ask_running_job(p, "Infill", 2), button)
    assert (answer, title, text) == (word, "A job is running", "“Infill” is still running (2 more waiting).")


@pytest.mark.parametrize(("button", "word"), [("Finish first", quitting.FINISH),
                                              ("Cancel export", quitting.CANCEL),
                                              ("Keep working", quitting.KEEP), (None, quitting.KEEP)])
def test_a_running_export_question_answers_with_the_button_pressed(qtbot, button, word):
    answer, title, text = answer_with(qtbot, lambda p: quitting.ask_running_export(p, "Film.mp4"), button)
    assert (answer, title, text) == (word, "An export is running", "Film.mp4 is still being exported.")
