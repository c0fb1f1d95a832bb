"""What a window holds per project besides the document: its generation controller and its preview.

Switching projects builds a `ProjectParts` for the new project completely (the session's
`OpenedProject`, a preview panel playing its cut, a controller with its own journal and worker
thread) before anything the window shows changes. If building fails, what was built is
disposed of and the open project stays whole; only once the window has swapped to the new parts
are the old ones shut down (`MainWindow._swap`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QWidget

from editor.document.document import Document
from editor.ui.project_session import OpenedProject

NO_FOLDER_NOTE = "Save the project to run generation jobs: generated takes are stored in its folder."


@dataclass
class ProjectParts:
    """One project's parts, built and not shown yet."""

    opened: OpenedProject
    preview: QWidget | None
    controller: Any | None  # a GenerationController, or None when generation is off here
    note: str = ""  # why generation is off ("" when it is on)
    failed: bool = False  # the note is a failure (shown in red), not the usual "save first"
    jobs_panel: QWidget | None = None  # the controller's job list, built with it (not in the swap's turn)


def build_parts(opened: OpenedProject, *, playhead: QObject, selection: QObject, settings: Any,
                parent: QObject, jobs_panel: bool = True) -> ProjectParts:
    """Everything `opened` needs in a window. Raises whatever broke, having disposed of what was built.

    `jobs_panel=False`: without the controller's job list, which `add_jobs_panel` builds in a
    turn of its own (a menu's open: no turn builds all of a project's widgets)."""
    from editor.ui import player

    document = opened.document
    preview = None
    preview_cls = getattr(player, "PreviewPanel", None)
    if preview_cls is not None:
        preview = preview_cls(document, playhead, folder=document.folder)
        preview.setObjectName("preview")
    controller = None
    try:
        if opened.read_only:  # takes and the job list are written into the folder: not ours to write
            controller, note, failed = None, f"{opened.read_only} Jobs run only where the project can be saved.", False
        else:
            controller, note, failed = build_controller(document, selection, settings, parent)
        parts = ProjectParts(opened, preview, controller, note, failed)
        if jobs_panel:
            add_jobs_panel(parts)
    except BaseException:
        if controller is not None:
            controller.shutdown(wait=False)
        if preview is not None:
            preview.shutdown(wait=False)
        raise
    return parts


def add_jobs_panel(parts: ProjectParts) -> None:
    """Build the job list of `parts`' controller (nothing without one, or once it has one)."""
    if parts.controller is not None and parts.jobs_panel is None:
        from editor.ui import jobs

        parts.jobs_panel = jobs.JobsPanel(parts.controller)


def build_controller(document: Document, selection: QObject, settings: Any,
                     parent: QObject) -> tuple[Any | None, str, bool]:
    """(controller, why there is none, whether that is a failure) for `document`.

    A project without a folder has no controller (takes need one); a journal that can't be
    opened turns generation off for the project instead of keeping it from opening."""
    from editor.ui import jobs

    controller_cls = getattr(jobs, "GenerationController", None)
    if controller_cls is None or document.folder is None:
        return None, NO_FOLDER_NOTE, False
    try:
        return controller_cls(document, selection, folder=document.folder, settings=settings, parent=parent), "", False
    except Exception as exc:  # noqa: BLE001 - a broken journal must not keep the project from opening
        return None, f"Generation is unavailable for this project: {exc}", True
