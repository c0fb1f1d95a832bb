"""The history panel: every undo step of the open project as a list; click a row to go back to it.

Like Qt's QUndoView: the first row is the project as opened; the current state is selected;
steps that were undone (and can be redone) are shown faint until a new edit discards them.
"""

from __future__ import annotations

from PySide6.QtGui import QColor
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from editor.document.document import Change, Document
from editor.document.edits import EditRefused
from editor.ui.following import FollowsDocument
from editor.ui.theme import COLORS

ORIGIN = "Project opened"


class HistoryPanel(FollowsDocument, QWidget):
    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("history")
        self.list = QListWidget(self)
        self.list.setObjectName("history.list")
        self.list.setUniformItemSizes(True)
        self.list.itemClicked.connect(self._on_clicked)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.list)
        self.set_document(document)

    def show_document(self) -> None:
        self.refresh()

    def refresh(self) -> None:
        history = self.document.history
        self.list.blockSignals(True)
        self.list.clear()
        faint = QColor(COLORS.text_faint)
        for row, title in enumerate((ORIGIN, *history.titles)):
            item = QListWidgetItem(title)
            if row > history.index:
                item.setForeground(faint)
                item.setToolTip("Undone: click to redo up to here")
            self.list.addItem(item)
        self.list.setCurrentRow(history.index)
        self.list.blockSignals(False)
        self.list.scrollToItem(self.list.item(history.index))

    def _on_change(self, change: Change) -> None:
        self.refresh()

    def _on_clicked(self, item: QListWidgetItem) -> None:
        row = self.list.row(item)
        try:
            self.document.go_to(row)
        except EditRefused:
            self.refresh()

    def titles(self) -> list[str]:
        return [self.list.item(i).text() for i in range(self.list.count())]

    def current_row(self) -> int:
        return self.list.currentRow()
