"""Helpers for the editor-window tests: real mouse, wheel and drop events sent to real widgets."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent, QMouseEvent, QWheelEvent
from PySide6.QtWidgets import QApplication, QWidget

LEFT = Qt.MouseButton.LeftButton
NO_MOD = Qt.KeyboardModifier.NoModifier


def _mouse(widget: QWidget, kind, pos: QPoint, button, buttons, mods=NO_MOD) -> None:
    local = QPointF(pos)
    event = QMouseEvent(kind, local, QPointF(widget.mapToGlobal(pos)), button, buttons, mods)
    QApplication.sendEvent(widget, event)


def press(widget: QWidget, pos: QPoint, mods=NO_MOD) -> None:
    _mouse(widget, QMouseEvent.Type.MouseButtonPress, pos, LEFT, LEFT, mods)


def move(widget: QWidget, pos: QPoint, *, held: bool = True, mods=NO_MOD) -> None:
    _mouse(widget, QMouseEvent.Type.MouseMove, pos, Qt.MouseButton.NoButton,
           LEFT if held else Qt.MouseButton.NoButton, mods)


def release(widget: QWidget, pos: QPoint, mods=NO_MOD) -> None:
    _mouse(widget, QMouseEvent.Type.MouseButtonRelease, pos, LEFT, Qt.MouseButton.NoButton, mods)


def click(widget: QWidget, pos: QPoint, mods=NO_MOD) -> None:
    press(widget, pos, mods)
    release(widget, pos, mods)


def drag(widget: QWidget, start: QPoint, end: QPoint, *, steps: int = 6, mods=NO_MOD) -> None:
    """Press at start, move in steps to end (past the drag threshold), release at end."""
    press(widget, start, mods)
    for i in range(1, steps + 1):
        p = start + (end - start) * (i / steps)
        move(widget, QPoint(round(p.x()), round(p.y())), mods=mods)
    release(widget, end, mods)


def wheel(widget: QWidget, pos: QPoint, dy: int, mods=NO_MOD) -> None:
    event = QWheelEvent(QPointF(pos), QPointF(widget.mapToGlobal(pos)), QPoint(0, 0), QPoint(0, dy),
                        Qt.MouseButton.NoButton, mods, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(widget, event)


def drop_files(widget: QWidget, pos: QPoint, paths: list[str | Path], mods=NO_MOD) -> bool:
    """What a file manager does: drag enter, drag move, drop, with file URLs. True when accepted."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    return drop_mime(widget, pos, mime, mods)


def drop_mime(widget: QWidget, pos: QPoint, mime: QMimeData, mods=NO_MOD) -> bool:
    actions = Qt.DropAction.CopyAction | Qt.DropAction.MoveAction
    enter = QDragEnterEvent(QPoint(pos), actions, mime, Qt.MouseButton.NoButton, mods)
    QApplication.sendEvent(widget, enter)
    if not enter.isAccepted():
        return False
    moving = QDragMoveEvent(QPoint(pos), actions, mime, Qt.MouseButton.NoButton, mods)
    QApplication.sendEvent(widget, moving)
    drop = QDropEvent(QPointF(pos), actions, mime, Qt.MouseButton.NoButton, mods)
    QApplication.sendEvent(widget, drop)
    return drop.isAccepted()
