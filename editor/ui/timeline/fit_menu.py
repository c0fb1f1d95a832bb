"""The timeline's right-click ▸ Fit submenu: how the selected clips fill the project's frame.

Letterbox / Crop / Stretch, the selected clips' mode ticked (none ticked when they differ).
Choosing one is one undoable edit (`SetClipFit`); the preview, export and generation context all
read the same `clip.metadata["fit"]`, so what the user picks here is what each of them shows.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QMenu

from editor.document.clip_fit import FIT_MODES, SetClipFit, fit_of
from editor.document.edits import Edit
from editor.document.project import Project

FIT_TITLES = {
    "letterbox": ("Letterbox", "The whole picture, with black bars where its shape differs"),
    "crop": ("Crop", "Fill the frame; the picture's edges are cut off"),
    "stretch": ("Stretch", "Fill the frame; the picture is squeezed or stretched"),
}


def add_fit_menu(menu: QMenu, project: Project, clip_ids: Sequence[str],
                 request: Callable[[Edit], bool]) -> QMenu | None:
    """Add "Fit" (after a separator) to `menu` for the video clips among `clip_ids` (sounds have no picture to fit);
    None (nothing added) when there is none."""
    clips = []
    for clip_id in clip_ids:
        try:
            clips.append(project.find_clip(clip_id)[1])
        except KeyError:
            continue  # a sound clip
    if not clips:
        return None
    ids = tuple(c.id for c in clips)
    current = {fit_of(c) for c in clips}
    if menu.actions():
        menu.addSeparator()
    sub = menu.addMenu("Fit")
    sub.setToolTipsVisible(True)
    group = QActionGroup(sub)
    group.setExclusive(True)
    for mode in FIT_MODES:
        title, tip = FIT_TITLES[mode]
        action = QAction(title, sub)
        action.setCheckable(True)
        action.setChecked(current == {mode})
        action.setToolTip(tip)
        action.setData(mode)
        group.addAction(action)
        sub.addAction(action)
        action.triggered.connect(lambda _=False, m=mode: request(SetClipFit(clip_ids=ids, fit=m)))
    if all(c.is_draft for c in clips):
        sub.setEnabled(False)  # a draft shows a title card, always full frame
        sub.setToolTip("Generate or import the shot first: a draft has no picture to fit.")
    return sub
