"""Text cut short to fit ("Sunrise over the…") keeps a way to read it whole: a tooltip.

`ElidedLabel` is a one-line label that elides to its width (instead of being clipped, or of
widening a fixed-width card) and shows the full text as its tooltip while it is cut short.
`WrappedElidedLabel` wraps at spaces like a word-wrapped QLabel, but elides (in the middle, so
"…_v2" still tells takes apart) any one word too long for its width, which a plain wrapped label
can't break: it widened whatever held it, pushing buttons out of sight. `fit_columns` sizes a tree's columns to their contents (capped, so one long path can't push the
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


def elide_long_words(text: str, fm: QFontMetrics, width: int) -> str:
    """`text` with each word wider than `width` pixels elided in its middle to fit."""
    if width <= 0:
        return text
    return " ".join(w if fm.horizontalAdvance(w) <= width else fm.elidedText(w, Qt.TextElideMode.ElideMiddle, width)
                    for w in text.split(" "))


class WrappedElidedLabel(QLabel):
    """A word-wrapped label that never asks for more width than it has: `setText` takes the full
    text; words too long for the width are elided. The full text is its tooltip while it is cut,
    unless the owner set a tooltip of its own (`setToolTip`, which should then hold it)."""

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._full = ""
        self._own_tip = False
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setText(text)

    def full_text(self) -> str:
        return self._full

    def is_elided(self) -> bool:
        return super().text() != self._full

    def setText(self, text: str) -> None:  # noqa: N802 - Qt override
        self._full = text
        self._elide()

    def setToolTip(self, tip: str) -> None:  # noqa: N802 - Qt override
        self._own_tip = bool(tip)
        super().setToolTip(tip)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt override
        hint = super().minimumSizeHint()
        return QSize(min(hint.width(), QFontMetrics(self.font()).horizontalAdvance("Mm…")), hint.height())

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        hint = super().sizeHint()
        return QSize(min(hint.width(), max(self.width(), self.minimumSizeHint().width())), hint.height())

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self._elide()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:  # a style sheet's bold arrives at polish
            self._elide()

    def _elide(self) -> None:
        shown = elide_long_words(self._full, QFontMetrics(self.font()), self.contentsRect().width())
        if shown != super().text():
            super().setText(shown)
        if not self._own_tip:
            super().setToolTip(self._full if shown != self._full else "")


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
