"""The media bin: the pictures and videos of the project, to drag onto the timeline.

It lists the project's media list first (`Project.media`: imports and files dropped on the
timeline, in import order, kept when their clips are deleted; an undoable edit adds to it), then
whatever else the cut uses or the project's media/ folder holds (generated takes), by name. Importing into a
saved project copies the file into media/ (off the GUI thread) so the project stays whole when
moved. Items drag out as file URLs, so the timeline treats them exactly like files dropped from
a file manager.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from PySide6.QtCore import QMimeData, QSize, Qt, QUrl, Signal
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from editor.document.document import Change, Document
from editor.document.edits import EditRefused, ImportMedia
from editor.document.media_paths import locate_media, stored_media_path
from editor.document.storage import media_items
from editor.document.subfolders import FolderRefused, inside_project, project_subfolder
from editor.ui.background import run_in_background
from editor.ui.following import FollowsDocument
from editor.ui.icons import icon
from editor.ui.theme import COLORS
from editor.ui.timeline.drops import IMAGE_EXTS, VIDEO_EXTS, kind_of
from editor.ui.timeline.thumbnails import ThumbnailProvider
from editor.words import plural

THUMB_H = 54
FILTER = "Media ({})".format(" ".join(f"*{e}" for e in sorted(IMAGE_EXTS | VIDEO_EXTS)))


class _BinList(QListWidget):
    """A list whose items drag out as local file URLs."""

    def mimeData(self, items: list[QListWidgetItem]) -> QMimeData:  # noqa: N802 - Qt override
        mime = QMimeData()
        mime.setUrls([QUrl.fromLocalFile(i.data(Qt.ItemDataRole.UserRole)) for i in items])
        return mime

    def mimeTypes(self) -> list[str]:  # noqa: N802
        return ["text/uri-list"]


class MediaBin(FollowsDocument, QWidget):
    message = Signal(str)
    imported = Signal(list)  # after import_files: the paths added to the bin

    def __init__(self, document: Document, thumbnails: ThumbnailProvider | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("media_bin")
        self._thumbnails = thumbnails
        self.list = _BinList(self)
        self.list.setObjectName("media_bin.list")
        self.list.setViewMode(QListWidget.ViewMode.IconMode)
        self.list.setIconSize(QSize(round(THUMB_H * 16 / 9), THUMB_H))
        self.list.setGridSize(QSize(round(THUMB_H * 16 / 9) + 18, THUMB_H + 34))
        self.list.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.list.setMovement(QListWidget.Movement.Static)
        self.list.setWordWrap(True)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.list.setDragEnabled(True)
        self.list.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.list.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.empty = QLabel("No media yet.\nImport images or videos, or drop files on the timeline.", self)
        self.empty.setProperty("role", "hint")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.empty.setMargin(16)  # the wrapped lines keep off the panel's edges
        import_button = QPushButton(icon("import"), "Import…", self)
        import_button.setObjectName("media_bin.import")
        import_button.setToolTip("Add images and videos to the bin (Ctrl+I)")
        import_button.clicked.connect(self.import_dialog)
        self.count_label = QLabel(self)
        self.count_label.setProperty("role", "hint")
        bar = QHBoxLayout()
        bar.setContentsMargins(6, 6, 6, 2)
        bar.addWidget(import_button)
        bar.addStretch(1)
        bar.addWidget(self.count_label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(bar)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.empty, 1)
        if thumbnails is not None:
            thumbnails.ready.connect(self._refresh_icons)
        self.set_document(document)

    def show_document(self) -> None:
        self.refresh()

    # --- contents -----------------------------------------------------------------------------
    def paths(self) -> list[str]:
        """Absolute paths of everything in the bin, in display order: the project's media list
        (import order; it keeps a file whose clips were deleted), then anything else the cut
        uses or the media/ folder holds (generated takes), by name. Edits to the cut never
        reorder it."""
        doc = self.document
        # a refused path is offline (the timeline says why) and never read, so not listed here
        listed = [str(w) for w in (locate_media(doc.folder, m.path).path for m in doc.project.media)
                  if w is not None]
        others: set[str] = set()
        for stored, _, _, _ in media_items(doc.project):
            where = locate_media(doc.folder, stored).path
            if where is not None:
                others.add(str(where))
        if doc.folder is not None and (doc.folder / "media").is_dir():
            for p in (doc.folder / "media").rglob("*"):
                # a link in media/ that leads out of the project is not the project's media
                if p.is_file() and kind_of(p) is not None and locate_media(doc.folder, str(p)).path is not None:
                    others.add(str(p))
        rest = sorted(others.difference(listed), key=lambda p: (Path(p).name.lower(), p))
        return [p for p in dict.fromkeys([*listed, *rest]) if kind_of(p) is not None]

    def refresh(self) -> None:
        paths = self.paths()
        self.list.clear()
        for path in paths:
            item = QListWidgetItem(Path(path).name)
            item.setData(Qt.ItemDataRole.UserRole, path)
            item.setToolTip(path)
            item.setSizeHint(self.list.gridSize())
            if not Path(path).exists():
                item.setText(f"{Path(path).name} (missing)")
            self.list.addItem(item)
        self._refresh_icons()
        self.empty.setVisible(not paths)
        self.list.setVisible(bool(paths))
        self.count_label.setText(plural(len(paths), "item"))

    def _refresh_icons(self) -> None:
        for i in range(self.list.count()):
            item = self.list.item(i)
            path = item.data(Qt.ItemDataRole.UserRole)
            pix = self._thumbnails.get(path, 0, THUMB_H) if self._thumbnails is not None else None
            if pix is not None:
                item.setIcon(QIcon(pix))
            elif item.icon().isNull():
                item.setIcon(self._placeholder(path))

    def _placeholder(self, path: str) -> QIcon:
        """Black until a picture's thumbnail is read; a sound file has no picture, so it shows
        the audio lanes' green with a sound mark, and reads as sound at a glance."""
        size = self.list.iconSize()
        pix = QPixmap(size)
        if kind_of(path) != "audio":
            pix.fill(Qt.GlobalColor.black)
            return QIcon(pix)
        pix.fill(QColor(COLORS.clip_audio))
        mark = min(size.width(), size.height()) * 2 // 3
        painter = QPainter(pix)
        painter.drawPixmap((size.width() - mark) // 2, (size.height() - mark) // 2,
                           icon("sound", "#ffffff").pixmap(mark, mark))
        painter.end()
        return QIcon(pix)

    def _on_change(self, change: Change) -> None:
        if change.clips_added or change.clips_removed or change.clips_changed or change.tracks_changed \
                or change.cast_added or change.cast_changed or change.media_changed:
            self.refresh()

    # --- importing ----------------------------------------------------------------------------
    def import_dialog(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(self, "Import media", str(Path.home()), FILTER)
        if files:
            self.import_files(files)

    def import_files(self, files: list[str]) -> None:
        """Add files to the bin (copied into the project's media/ folder when it has one).

        Copying a video can take seconds: it happens on the background pool, and `imported`
        brings the bin's paths of the files added."""
        document, files = self.document, list(files)
        fps = document.project.fps
        run_in_background(lambda: _copy_in(files, document.folder, fps),
                          lambda result: self._imported_files(document, *result), owner=self)

    def _imported_files(self, document: Document, added: list[str], refused: list[str]) -> None:
        for line in refused:
            self.message.emit(line)
        if document is not self.document:  # another project was opened meanwhile
            self.imported.emit([])
            return
        if added:
            # stored like takes: relative inside the project folder (copied in), else absolute
            stored = tuple(stored_media_path(document.folder, p) for p in added)
            try:
                document.request(ImportMedia(paths=stored))  # one undoable step
            except EditRefused as exc:
                self.message.emit(str(exc))
                self.imported.emit([])
                return
            self.message.emit(f"Imported {plural(len(added), 'file')}")
        self.refresh()
        self.imported.emit(added)


def _copy_in(files: list[str], folder: Path | None, fps=None) -> tuple[list[str], list[str]]:
    """Background pool: (the bin paths of the usable files, a message for each other one). In a
    saved project each file is copied into media/ under a free name (one already there is used);
    an animated WebP is converted there into a video at the project rate, as ffmpeg can't play it."""
    from editor.media.animated import convert_animated_webp, is_animated_webp
    from editor.media.errors import MediaError
    from editor.media.probe import probe

    added, refused = [], []
    for f in files:
        src = Path(f)
        if kind_of(src) is None or not src.is_file():
            refused.append(f"{src.name} is not an image or a video Shotline can use.")
            continue
        if kind_of(src) != "audio" and not is_animated_webp(src):
            try:  # a damaged picture or video is said so now, not listed black and left in the cut
                probe(src)
            except MediaError as exc:
                refused.append(f"{src.name} was not imported: {exc}")
                continue
        if folder is not None and fps is not None and is_animated_webp(src):
            try:
                added.append(str(convert_animated_webp(src, folder, fps)))
            except MediaError as exc:
                refused.append(f"{src.name} was not imported: {exc}")
            continue
        dest = src
        if folder is not None:
            try:
                media = project_subfolder(folder, "media")  # never copies through a link out
            except FolderRefused as exc:
                refused.append(f"{src.name} was not imported: {exc}")
                continue
            dest = media / src.name
            n = 1
            # a name in use by another file, or by a link leading out of the project, is skipped
            while (dest.exists() or dest.is_symlink()) and not (
                    dest.resolve() == src.resolve() and inside_project(folder, dest)):
                dest = media / f"{src.stem}-{n}{src.suffix}"
                n += 1
            if not dest.exists():
                shutil.copy2(src, dest)
        added.append(str(dest))
    return added, refused
