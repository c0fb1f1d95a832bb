"""Spin boxes and combo boxes that ignore the mouse wheel unless they have focus.

A settings panel in a scroll area is scrolled with the wheel; Qt's fields take the wheel when
the pointer passes over them, so scrolling the panel silently changed a shot's seed, steps or
model. Guarded fields take focus only by click or Tab (`Qt.StrongFocus`) and pass an unfocused
wheel on to their parent, which scrolls the panel.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QAbstractScrollArea, QApplication, QWidget


class _WheelGuard(QObject):
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if event.type() != QEvent.Type.Wheel or not isinstance(watched, QWidget) or watched.hasFocus():
            return False
        area = watched.parentWidget()
        while area is not None and not isinstance(area, QAbstractScrollArea):
            area = area.parentWidget()
        if area is None:
            event.ignore()  # Qt hands an ignored wheel from the system to the parent
            return True
        # Handed to the scroll area itself: Qt does not pass on wheels that were sent by code
        # (so a scroll area's own forwarding can't loop), which would leave them unscrolled.
        QApplication.sendEvent(area.viewport(), event)
        event.accept()
        return True


def guard_wheel(*widgets: QWidget) -> None:
    """Make each widget take the wheel only while it has focus (see the module docstring)."""
    for widget in widgets:
        guard = widget.findChild(_WheelGuard)
        if guard is None:
            guard = _WheelGuard(widget)
            widget.installEventFilter(guard)
        widget.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
