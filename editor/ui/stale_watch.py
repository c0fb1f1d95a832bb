"""Stale badges that follow picture files changed on disk, not only edits.

`editor.ui.staleness.stale_in` answers once per document state (its edit count), so a keyframe
or cast picture replaced in another program would show stale only after the next edit. This
watcher asks again when such a file changes (a QFileSystemWatcher on the project's keyframe and
cast pictures) and when the window becomes active again (the user comes back from the paint
program); the pictures are hashed again only when their size or mtime changed, so asking is
cheap. When the answer differs, `changed` tells the window to repaint the badges and the Inspector.
"""

from __future__ import annotations

from PySide6.QtCore import QFileSystemWatcher, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication

from editor.document.document import Document
from editor.document.media_paths import locate_media
from editor.ui.following import DocumentSubscription
from editor.ui.staleness import forget, stale_in


class StaleWatch(QObject):
    """Watches the open project's keyframe and cast pictures; `changed` when the stale set moved."""

    changed = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.document: Document | None = None
        self._watcher = QFileSystemWatcher(self)
        self._watcher.fileChanged.connect(self._file_changed)
        # a save often writes several times (or replaces the file): ask once, after the burst
        self._soon = QTimer(self, singleShot=True, interval=150)
        self._soon.timeout.connect(self.recheck)
        self._subscription = DocumentSubscription(lambda _change: self._watch_files())
        app = QGuiApplication.instance()
        if app is not None:
            app.applicationStateChanged.connect(self._state_changed)

    def follow(self, document: Document | None) -> None:
        """Watch the pictures of `document` (the one the window shows now)."""
        self.document = document
        self._subscription.follow(document)
        self._watch_files()

    def recheck(self) -> bool:
        """Ask again whether the takes are stale; True (and `changed`) when the answer moved."""
        doc = self.document
        if doc is None:
            return False
        before = stale_in(doc)
        forget(doc)
        after = stale_in(doc)
        self._watch_files()  # a file replaced by a rename is watched afresh
        if after != before:
            self.changed.emit()
            return True
        return False

    def watched(self) -> list[str]:
        return self._watcher.files()

    def _paths(self) -> set[str]:
        doc = self.document
        if doc is None:
            return set()
        project = doc.project
        media = [k.image for t in project.tracks for k in t.keyframes]
        media += [k.image for t in project.tracks for c in t.clips for k in c.keyframes]
        media += [m.image for m in project.cast if m.image]
        out = set()
        for name in media:
            where = locate_media(doc.folder, name).path
            if where is not None:
                out.add(str(where))
        return out

    def _watch_files(self) -> None:
        wanted, now = self._paths(), set(self._watcher.files())
        if now - wanted:
            self._watcher.removePaths(sorted(now - wanted))
        if wanted - now:
            self._watcher.addPaths(sorted(wanted - now))

    def _file_changed(self, _path: str) -> None:
        self._soon.start()

    def _state_changed(self, state: Qt.ApplicationState) -> None:
        if state == Qt.ApplicationState.ApplicationActive:
            self.recheck()

