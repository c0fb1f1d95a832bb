"""File menu commands: projects, media, export and settings."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QDialog

if TYPE_CHECKING:
    from editor.ui.main_window import MainWindow


def new_project(window: MainWindow) -> None:
    window.new_project()


def open_project(window: MainWindow) -> None:
    if not window.may_discard():
        return
    from editor.ui.open_project_dialog import OpenProjectDialog

    dialog = OpenProjectDialog(window.projects_folder(), window)
    dialog.exec()
    folder = dialog.chosen()  # a .shotline folder opens when entered, not walked into
    if folder is not None:
        window.request_open(folder)


def save(window: MainWindow) -> None:
    window.save_project()


def save_as(window: MainWindow) -> None:
    window.save_project_as()


def import_media(window: MainWindow) -> None:
    window.docks["media"].show()
    window.docks["media"].raise_()
    window.media_bin.import_dialog()


def export(window: MainWindow) -> None:
    window.export_cut()


def import_timeline(window: MainWindow) -> None:
    from editor.ui.timeline_import import import_timeline as run

    run(window)


def settings(window: MainWindow) -> None:
    from editor.ui.settings_dialog import SettingsDialog

    dialog = SettingsDialog(window.settings, window)
    if dialog.exec() == QDialog.DialogCode.Accepted:
        window.settings_saved()


def project_settings(window: MainWindow) -> None:
    from editor.ui.project_settings_dialog import ProjectSettingsDialog

    dialog = ProjectSettingsDialog(window.document.project, window.settings.model_folders(), window)
    if dialog.exec() == QDialog.DialogCode.Accepted:
        edit = dialog.edit()
        if edit is not None:
            window.request(edit)


def quit_window(window: MainWindow) -> None:
    window.close()
