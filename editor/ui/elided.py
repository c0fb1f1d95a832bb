"""Text cut short to fit ("Sunrise over the…") keeps a way to read it whole: a tooltip.

`ElidedLabel` is a one-line label that elides to its width (instead of being clipped, or of
widening a fixed-width card) and shows the full text as its tooltip while it is cut short.
`fit_columns` sizes a tree's columns to their contents (capped, so one long path can't push the
others out of sight), stretches the last one, and gives every cell whose text may be elided a
tooltip with its full text.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QSize, Qt
from PySide6.QtGui import QFontMetrics, QResizeEvent
from PySide6.QtWidgets import QHeaderView, QLabel, QTreeWidget, QWidget


class ElidedLabel(QLabel):
    """A one-line label: `setText` takes the full text, the label shows as much as fits."""

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._full = ""
        self.setText(text)

    def full_text(self) -> str:
        return self._full

    def setText(self, text: str) -> None:  # noqa: N802 - Qt override
        self._full = text
        self._elide()

    def is_elided(self) -> bool:
        return super().text() != self._full

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt override
        # a few characters' room: the rest is elided rather than widening what holds the label
        hint = super().minimumSizeHint()
        return QSize(min(hint.width(), QFontMetrics(self.font()).horizontalAdvance("Mm…")), hint.height())

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return QSize(QFontMetrics(self.font()).horizontalAdvance(self._full) + 2, super().sizeHint().height())

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self._elide()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:  # a style sheet's bold arrives at polish
            self._elide()

    def _elide(self) -> None:
        shown = QFontMetrics(self.font()).elidedText(self._full, Qt.TextElideMode.ElideRight, max(0, self.width()))
        super().setText(shown)
        self.setToolTip(self._full if shown != self._full else "")


def fit_columns(tree: QTreeWidget, *, most: float = 0.3) -> None:
    """Each column but the last as wide as its contents (at most `most` of the view), the last
    stretched; every cell without a tooltip of its own gets its full text as one."""
    header = tree.header()
    header.setStretchLastSection(True)
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)  # the user may still drag them
    for i in range(tree.topLevelItemCount()):
        item = tree.topLevelItem(i)
        for column in range(tree.columnCount()):
            if item.text(column) and not item.toolTip(column):
                item.setToolTip(column, item.text(column))
    # the view's width; before the dialog is shown, the dialog's (less its margins)
    widest = int(max(tree.viewport().width(), tree.window().width() - 60, 400) * most)
    for column in range(tree.columnCount() - 1):
        tree.resizeColumnToContents(column)
        tree.setColumnWidth(column, min(tree.columnWidth(column), widest))
