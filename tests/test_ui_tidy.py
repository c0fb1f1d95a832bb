"""Walkthrough defects in how screens look and behave: aligned form fields, tooltips on elided
text, a new audio lane scrolled into view, Import Timeline asking in the right order, and audio
track headers that rename and delete like video ones."""

from __future__ import annotations

from fractions import Fraction

from PySide6.QtCore import QPoint


def _left(widget, page) -> int:
    return widget.mapTo(page, QPoint(0, 0)).x()


def test_where_jobs_run_fields_line_up_with_the_other_settings_fields(qtbot):
    from PySide6.QtWidgets import QTabWidget

    from editor.ui.settings import Settings
    from editor.ui.settings_dialog import SettingsDialog

    dialog = SettingsDialog(Settings())
    qtbot.addWidget(dialog)
    dialog.findChild(QTabWidget).setCurrentIndex(1)  # Device, where the choice is
    dialog.show()
    qtbot.waitExposed(dialog)
    page = dialog.device_combo.parentWidget()
    where = dialog.where_jobs_run
    edge = _left(dialog.device_combo, page)
    assert [_left(w, page) for w in (where.where, where.address, where.lanes, dialog.extras.speed_combo)] == [edge] * 4
    dialog.grab().save("/tmp/tidyui-settings-device.png")
    dialog.hide()


def test_project_settings_fields_share_one_label_column(qtbot):
    from editor.document.project import Project
    from editor.ui.project_settings_dialog import ProjectSettingsDialog

    dialog = ProjectSettingsDialog(Project(name="P", fps=Fraction(24), width=64, height=64, tracks=[]), [])
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    edge = _left(dialog.name_edit, dialog)
    fields = (dialog.where_jobs_run.where, dialog.where_jobs_run.address, dialog.speed.cache)
    assert [_left(w, dialog) for w in fields] == [edge] * 3
    dialog.grab().save("/tmp/tidyui-project-settings.png")
    dialog.hide()
