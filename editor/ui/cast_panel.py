"""The cast panel: reusable character and style references (a picture, a name, a description) for shots.

Each cast member is a card: its picture, a name and a description edited in place, the shots
that use it, and buttons to apply it to (or take it off) the selected shots, replace its picture
or remove it. Cards of the members the selected shots use are highlighted.

Adding a member reads the picture through the media layer first, so a damaged file is refused
with a message and changes nothing; in a saved project the file is then copied into
`media/cast/` under a name no other file has, so the project folder stays whole when moved.
Both happen on the background pool (a large picture takes a good part of a second to decode);
`added` and `replaced` say when the member is in.
Every change is one `Document.request` (one undo step per committed field, not per keystroke),
and the cards follow `Document.subscribe`, so undo/redo from anywhere shows here.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PySide6.QtCore import QEvent, QObject, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QDragEnterEvent, QDragMoveEvent, QDropEvent, QPainter, QPixmap
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from editor.document.document import Change, Document
from editor.document.edits import (
    AddCastMember,
    Composite,
    Edit,
    EditRefused,
    RemoveCastMember,
    SetShotSettings,
    UpdateCastMember,
)
from editor.document.media_paths import locate_media, stored_media_path
from editor.document.project import CastMember, Clip, new_id
from editor.media.errors import MediaError
from editor.media.fit import resize
from editor.media.paths import media_subfolder
from editor.media.probe import is_still_file
from editor.media.stills import STILL_SUFFIXES, read_still
from editor.ui.background import run_in_background
from editor.ui.following import FollowsDocument
from editor.ui.icons import icon
from editor.ui.inspector import PromptEdit
from editor.ui.selection import Selection
from editor.ui.theme import COLORS, color, ui_font
from editor.ui.timeline.thumbnails import ThumbnailProvider
from editor.words import plural

CAST_FOLDER = Path("media") / "cast"
PICTURE = 96  # the square a card's picture is fitted into, in px
THUMB_H = 96  # thumbnail height asked of the provider
CARD_MIN_W = 300  # the width a card wants; columns are added when the panel fits more
FILTER = "Images ({})".format(" ".join(f"*{e}" for e in sorted(STILL_SUFFIXES)))

# (title, question) -> the user's answer; a dialog by default, replaceable for scripted use
Confirm = Callable[[str, str], bool]


# --- the picture file (no widgets) -------------------------------------------------------------


def check_cast_image(path: str | os.PathLike) -> None:
    """Raise MediaError, with what to do, unless `path` is a still picture the media layer can read."""
    p = Path(path)
    if p.suffix.lower() not in STILL_SUFFIXES or (p.is_file() and not is_still_file(p)):
        kinds = "PNG, JPEG, WebP, TIFF or BMP"
        raise MediaError(f"{p.name} is not a still picture; a cast member's reference is an image ({kinds}).")
    read_still(p)  # decodes the whole file: a truncated or damaged one fails here, with its reason


def copy_unique(source: Path, folder: Path) -> Path:
    """Copy `source` into `folder` under its own name, or name-2, name-3 ... : never overwrites."""
    folder.mkdir(parents=True, exist_ok=True)
    stem, suffix = source.stem, source.suffix.lower()
    n = 1
    with open(source, "rb") as src:  # an unreadable source fails here, before any file is made
        while True:
            dest = folder / (f"{stem}{suffix}" if n == 1 else f"{stem}-{n}{suffix}")
            try:
                # "x" mode claims the name atomically: two adds never write the same file
                out = open(dest, "xb")  # noqa: SIM115 - closed just below, with cleanup on failure
            except FileExistsError:
                n += 1
                continue
            try:
                with out:
                    shutil.copyfileobj(src, out)
                shutil.copystat(source, dest)
            except BaseException:
                dest.unlink(missing_ok=True)  # never leave half a picture behind
                raise
            return dest


def store_cast_image(source: str | os.PathLike, folder: Path | None) -> tuple[str, dict, Path | None]:
    """Check the picture and make it part of the project.

    Returns (path as the project stores it, metadata for the member, the copy made or None).
    In a saved project a file from outside its media/ folder is copied into media/cast/; one
    already in media/ is used where it is. Without a folder the absolute path is kept and marked
    imported (what saving does for files outside the folder anyway).
    """
    src = Path(source).expanduser().absolute()
    check_cast_image(src)
    if folder is None:
        return str(src), {"imported": True}, None
    stored = stored_media_path(folder, src)
    if stored.startswith("media/") and locate_media(folder, stored).path is not None:
        return stored, {}, None  # already part of the project (cache/ and autosave/ are not: copied)
    copy = copy_unique(src, media_subfolder(folder, CAST_FOLDER))  # never through a link out
    return stored_media_path(folder, copy), {}, copy


def default_name(path: str | os.PathLike, taken: set[str]) -> str:
    """A readable name from a file name ("mara_portrait-02.png" -> "Mara portrait 02"), unique."""
    words = re.sub(r"[_\-.\s]+", " ", Path(path).stem).strip() or "Cast member"
    name = words[0].upper() + words[1:]
    out, n = name, 2
    while out.lower() in taken:
        out, n = f"{name} {n}", n + 1
    return out


def _thumbnail(media: str, frame: int, height: int) -> np.ndarray:
    """Runs on a pool thread: the picture `height` px tall (used when the window gives no provider)."""
    rgb = read_still(media, at_least=(1, height))  # a large picture is decoded small
    h, w = rgb.shape[:2]
    return resize(rgb, max(1, round(w * height / h)), height)


# --- widgets -----------------------------------------------------------------------------------


def _small_button(text: str, tip: str, name: str) -> QPushButton:
    button = QPushButton(text)
    button.setObjectName(name)
    button.setToolTip(tip)
    button.setStyleSheet("padding: 3px 9px;")
    return button


class CastCard(QFrame):
    """One cast member: picture, name, description, the shots using it, and its buttons."""

    def __init__(self, panel: CastPanel, cast_id: str) -> None:
        super().__init__()
        self.panel = panel
        self.cast_id = cast_id
        self.has_picture = False  # True once the real thumbnail is shown
        self.picture_source = ""  # the file it shows
        self.picture_stored: tuple | None = None  # (project folder, member.image) `picture_path` was resolved from
        self.picture_path: Path | None = None
        self._loading = False
        self.setProperty("role", "card")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(8, 8, 8, 8)
        outer.setSpacing(6)
        row = QHBoxLayout()
        row.setSpacing(10)
        self.picture = QLabel()
        self.picture.setObjectName("cast.picture")
        self.picture.setFixedSize(PICTURE, PICTURE)
        row.addWidget(self.picture, 0, Qt.AlignmentFlag.AlignTop)
        # a tag over the picture's foot: says "used by the selected shot" without taking a line
        self.badge = QLabel(self.picture)
        self.badge.setObjectName("cast.badge")
        self.badge.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.badge.setStyleSheet(f"background: {COLORS.accent}; color: {COLORS.accent_text}; font-weight: 600;"
                                 "font-size: 8pt; border-bottom-left-radius: 2px; border-bottom-right-radius: 2px;")
        self.badge.setGeometry(1, PICTURE - 19, PICTURE - 2, 18)
        self.badge.hide()
        right = QVBoxLayout()
        right.setSpacing(5)
        top = QHBoxLayout()
        top.setSpacing(6)
        self.name_edit = QLineEdit()
        self.name_edit.setObjectName("cast.name")
        self.name_edit.setPlaceholderText("Name")
        self.name_edit.setFont(ui_font(None, bold=True))
        self.name_edit.editingFinished.connect(self._commit_name)
        top.addWidget(self.name_edit, 1)
        right.addLayout(top)
        self.description_edit = PromptEdit()
        self.description_edit.setObjectName("cast.description")
        self.description_edit.setPlaceholderText("Who or what this is: looks, clothes, style…")
        self.description_edit.setFixedHeight(50)
        self.description_edit.setToolTip("Added to the prompt of the shots that use this member "
                                         "(commits when you leave the box, or Ctrl+Enter)")
        self.description_edit.committed.connect(self._commit_description)
        right.addWidget(self.description_edit)
        self.usage = QLabel()
        self.usage.setObjectName("cast.usage")
        self.usage.setProperty("role", "hint")
        self.usage.setWordWrap(True)
        right.addWidget(self.usage)
        right.addStretch(1)
        row.addLayout(right, 1)
        outer.addLayout(row)
        # the buttons get their own row under the picture, so a card fits a narrow side dock
        buttons = QHBoxLayout()
        buttons.setSpacing(6)
        self.apply_button = _small_button("Apply to shot", "", "cast.apply")
        self.apply_button.clicked.connect(lambda: panel.toggle_on_selected(self.cast_id))
        self.replace_button = _small_button("Replace picture…", "Use another picture for this member", "cast.replace")
        self.replace_button.clicked.connect(lambda: panel.replace_dialog(self.cast_id))
        self.remove_button = QToolButton()
        self.remove_button.setObjectName("cast.remove")
        self.remove_button.setIcon(icon("delete"))
        self.remove_button.setToolTip("Remove from the cast")
        self.remove_button.clicked.connect(lambda: panel.remove(self.cast_id))
        buttons.addWidget(self.apply_button)
        buttons.addWidget(self.replace_button)
        buttons.addStretch(1)
        buttons.addWidget(self.remove_button)
        outer.addLayout(buttons)

    def load(self, member: CastMember, shots: list[Clip]) -> None:
        self._loading = True
        if not self.name_edit.hasFocus():
            self.name_edit.setText(member.name)
            self.name_edit.setCursorPosition(0)  # a long name shows its start, not its end
        if not self.description_edit.hasFocus():
            self.description_edit.setPlainText(member.description)
        names = [c.name or f"shot at frame {c.start}" for c in shots]
        if not names:
            self.usage.setText("Not used in any shot yet")
        else:
            shown = ", ".join(names[:4]) + (f" and {len(names) - 4} more" if len(names) > 4 else "")
            self.usage.setText(f"Used in {len(names)} shot{'s' if len(names) != 1 else ''}: {shown}")
        self.remove_button.setToolTip(f"Remove {member.name} from the cast")
        where = locate_media(self.panel.document.folder, member.image)
        self.picture.setToolTip(str(where.path) if where.path is not None else f"{member.image}: {where.refused}")
        self._loading = False

    def set_in_selection(self, used: int, selected: int) -> None:
        """Highlight when the selected shots use this member; set the apply button's words."""
        highlighted = used > 0
        if self.property("selected") != highlighted:
            self.setProperty("selected", highlighted)
            self.style().unpolish(self)
            self.style().polish(self)
        if used == 0:
            self.badge.setText("")
        elif selected == 1:
            self.badge.setText("in this shot")
        else:
            self.badge.setText(f"in {used} of {selected} shots")
        self.badge.setVisible(used > 0)
        shots = "shot" if selected <= 1 else f"{selected} shots"
        self.apply_button.setEnabled(selected > 0)
        if selected and used == selected:
            self.apply_button.setText(f"Take off {shots}")
            self.apply_button.setToolTip("Stop using this member in the selected shots")
        else:
            self.apply_button.setText(f"Apply to {shots}")
            self.apply_button.setToolTip("Use this member in the selected shots" if selected else
                                         "Select shots on the timeline or storyboard first")

    def set_picture(self, pixmap: QPixmap, real: bool, source: str) -> None:
        self.picture.setPixmap(pixmap)
        self.has_picture = real
        self.picture_source = source

    def _commit_name(self) -> None:
        member = self.panel.member(self.cast_id)
        if not self._loading and member is not None and self.name_edit.text().strip() != member.name:
            if not self.panel.rename(self.cast_id, self.name_edit.text()):
                self.name_edit.setText(member.name)  # refused: show what the document holds

    def _commit_description(self, text: str) -> None:
        member = self.panel.member(self.cast_id)
        if not self._loading and member is not None and text != member.description:
            self.panel.describe(self.cast_id, text)


class _Grid(QWidget):
    """The cards, as many columns as fit the panel's width."""

    def __init__(self) -> None:
        super().__init__()
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(10, 8, 10, 10)
        self.grid.setSpacing(8)
        self.grid.setAlignment(Qt.AlignmentFlag.AlignTop)


class CastPanel(FollowsDocument, QWidget):
    """The project's cast. Dock it; every change goes through `Document.request`."""

    rebuild_when_shown = True  # a tab behind others while a project opens: built when shown

    message = Signal(str)
    added = Signal(list)  # after add_files: the new members' ids ([] when none could be added)
    replaced = Signal(str, bool)  # after replace_image: the member, whether its picture changed

    def __init__(self, document: Document, selection: Selection, parent: QWidget | None = None, *,
                 thumbnails: ThumbnailProvider | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("cast_panel")
        self.setAcceptDrops(True)
        self._selection = selection
        # The window's shared provider (disk-cached thumbnails) when given; else our own, so the
        # panel works alone. Either way pictures are decoded on a pool thread, never here.
        self._own_thumbnails = thumbnails is None
        self.thumbnails = thumbnails or ThumbnailProvider(_thumbnail, capacity=200, parent=self)
        self.confirm: Confirm = self._ask
        self.cards: list[CastCard] = []
        self._columns = 1
        self._last_folder: Path | None = None  # where the last picture was picked from

        self.add_button = QPushButton(icon("import"), "Add cast member…", self)
        self.add_button.setObjectName("cast.add")
        self.add_button.setToolTip("Pick a picture of a character or a style; you can also drop image files here")
        self.add_button.clicked.connect(self.add_dialog)
        self.summary = QLabel(self)
        self.summary.setObjectName("cast.summary")
        self.summary.setProperty("role", "hint")
        self.summary.setWordWrap(True)
        self.summary.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        bar = QVBoxLayout()
        bar.setContentsMargins(10, 8, 10, 2)
        bar.setSpacing(4)
        bar.addWidget(self.add_button, 0, Qt.AlignmentFlag.AlignLeft)
        bar.addWidget(self.summary)
        self.notice = QLabel(self)
        self.notice.setObjectName("cast.notice")
        self.notice.setProperty("role", "error")
        self.notice.setWordWrap(True)
        self.notice.setContentsMargins(10, 2, 10, 2)
        self.notice.hide()
        self.empty = QLabel("No cast yet.\n\nAdd a picture of a character, a place or a style "
                            "(or drop image files here), then apply it to shots so they stay consistent.", self)
        self.empty.setObjectName("cast.empty")
        self.empty.setProperty("role", "hint")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.empty.setContentsMargins(24, 12, 24, 12)
        self.body = _Grid()
        self.scroll = QScrollArea(self)
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.scroll.setWidget(self.body)
        self.scroll.viewport().installEventFilter(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(bar)
        layout.addWidget(self.notice)
        layout.addWidget(self.scroll, 1)
        layout.addWidget(self.empty, 1)

        selection.changed.connect(self._sync_selection)
        self.thumbnails.ready.connect(self._refresh_pictures)
        self.set_document(document)

    # --- model --------------------------------------------------------------------------------
    def show_document(self) -> None:
        self._show_notice("")
        self.rebuild()

    def shutdown(self) -> None:
        """Wait for picture loads this panel started itself (a shared provider is its owner's)."""
        if self._own_thumbnails:
            self.thumbnails.shutdown()

    def member(self, cast_id: str) -> CastMember | None:
        return next((m for m in self.document.project.cast if m.id == cast_id), None)

    def card(self, cast_id: str) -> CastCard:
        return next(c for c in self.cards if c.cast_id == cast_id)

    def card_ids(self) -> list[str]:
        return [c.cast_id for c in self.cards]

    def image_path(self, member: CastMember) -> Path | None:
        """The member's picture on disk; None when its path is refused (editor.document.media_paths)."""
        return locate_media(self.document.folder, member.image).path

    def shots_using(self, cast_id: str) -> list[Clip]:
        """Every shot whose settings name this member, in track then time order."""
        return [c for t in self.document.project.tracks for c in t.clips if cast_id in c.shot.cast]

    def selected_shots(self) -> list[Clip]:
        """The selected clips that still exist (the selection may lag an edit by a moment)."""
        out = []
        for clip_id in self._selection.clips:
            try:
                out.append(self.document.project.find_clip(clip_id)[1])
            except KeyError:
                pass
        return out

    def request(self, edit: Edit) -> bool:
        try:
            self.document.request(edit)
        except EditRefused as exc:
            self._show_notice(str(exc))
            self.message.emit(str(exc))
            self.refresh()  # put the fields back to what the document holds
            return False
        self._show_notice("")
        return True

    # --- adding -------------------------------------------------------------------------------
    def add_dialog(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(self, "Add cast member", str(self._start_folder()), FILTER)
        if files:
            self._last_folder = Path(files[0]).parent
            self.add_files(files)

    def add_files(self, paths: list[str | os.PathLike]) -> None:
        """One cast member per readable picture, as one undo step; `added` brings the new ids.

        Each picture is decoded to check it (a 12-megapixel JPEG takes a good part of a second)
        and copied into the project on the background pool; the edit follows on the GUI thread.
        Pictures that can't be read are reported and skipped; when none can, nothing changes.
        """
        document, paths = self.document, list(paths)
        folder = document.folder
        run_in_background(lambda: [_stored(path, folder) for path in paths],
                          lambda results: self._add_stored(document, results),
                          failed=lambda error: self._add_stored(document, [(paths[0], None, error)]),
                          owner=self)

    def _add_stored(self, document: Document, results: list[tuple]) -> None:
        """GUI thread, once the pictures are checked and copied: (path, stored image, problem) each."""
        copies = [stored[2] for _, stored, _ in results if stored is not None and stored[2] is not None]
        if document is not self.document:  # another project was opened meanwhile
            _remove_later(copies)
            self.added.emit([])
            return
        taken = {m.name.lower() for m in document.project.cast}
        members: list[CastMember] = []
        problems: list[str] = []
        for path, stored, problem in results:
            if stored is None:
                problems.append(_media_problem(path, problem))
                continue
            name = default_name(path, taken)
            taken.add(name.lower())
            members.append(CastMember(id=new_id("cast"), name=name, image=stored[0], metadata=stored[1]))
        added: list[str] = []
        if members:
            edit: Edit = AddCastMember(member=members[0]) if len(members) == 1 else Composite(
                f"Add {len(members)} cast members", [AddCastMember(member=m) for m in members])
            if self.request(edit):
                added = [m.id for m in members]
            else:
                _remove_later(copies)  # the member was refused: don't leave its copy behind
        if problems:
            self._show_notice(" ".join(problems))
            self.message.emit(" ".join(problems))
        elif added:
            names = ", ".join(m.name for m in members)
            self.message.emit(f"Added {names} to the cast; edit the name and description on the card.")
        if added and not problems:
            self._focus_name(added[-1])
        self.added.emit(added)

    def replace_dialog(self, cast_id: str) -> None:
        member = self.member(cast_id)
        if member is None:
            return
        current = self.image_path(member)
        start = current.parent if current is not None else (self.document.folder or Path.home())
        path, _ = QFileDialog.getOpenFileName(self, f"New picture for {member.name}", str(start), FILTER)
        if path:
            self.replace_image(cast_id, path)

    def replace_image(self, cast_id: str, path: str | os.PathLike) -> None:
        """Give a member another picture (checked and copied in like an added one, off the GUI
        thread); one undo step. `replaced` follows with whether it was."""
        document = self.document
        folder = document.folder
        run_in_background(lambda: _stored(path, folder),
                          lambda result: self._replace_stored(document, cast_id, result),
                          failed=lambda error: self._replace_stored(document, cast_id, (path, None, error)),
                          owner=self)

    def _replace_stored(self, document: Document, cast_id: str, result: tuple) -> None:
        path, stored, problem = result
        member = self.member(cast_id)
        copy = stored[2] if stored is not None else None
        if document is not self.document or member is None:  # the member or its project went meanwhile
            _remove_later([copy] if copy is not None else [])
            self.replaced.emit(cast_id, False)
            return
        if stored is None:
            text = _media_problem(path, problem)
            self._show_notice(text)
            self.message.emit(text)
            self.replaced.emit(cast_id, False)
            return
        ok = stored[0] == member.image or self.request(UpdateCastMember(cast_id=cast_id, image=stored[0]))
        if not ok and copy is not None:
            _remove_later([copy])
        self.replaced.emit(cast_id, ok)

    # --- editing ------------------------------------------------------------------------------
    def rename(self, cast_id: str, name: str) -> bool:
        return self.request(UpdateCastMember(cast_id=cast_id, name=name))

    def describe(self, cast_id: str, description: str) -> bool:
        return self.request(UpdateCastMember(cast_id=cast_id, description=description))

    def remove(self, cast_id: str) -> bool:
        """Remove a member; when shots use it, say which and ask first (Undo restores both)."""
        member = self.member(cast_id)
        if member is None:
            return False
        shots = self.shots_using(cast_id)
        if shots:
            names = ", ".join(c.name or f"the shot at frame {c.start}" for c in shots)
            count = f"{len(shots)} shot{'s' if len(shots) != 1 else ''}"
            question = (f"{member.name} is used in {count}: {names}.\n\nRemoving {member.name} takes it off "
                        f"{'that shot' if len(shots) == 1 else 'those shots'}. Undo brings both back.")
            if not self.confirm(f"Remove {member.name}?", question):
                return False
        if not self.request(RemoveCastMember(cast_id=cast_id)):
            return False
        self.message.emit(f"Removed {member.name} from the cast"
                          + (f" and from {len(shots)} shot{'s' if len(shots) != 1 else ''}" if shots else ""))
        return True

    def apply_to_selected(self, cast_id: str) -> bool:
        """Add the member to every selected shot that doesn't use it yet, as one undo step."""
        member = self.member(cast_id)
        shots = self.selected_shots()
        if member is None:
            return False
        if not shots:
            self.message.emit("Select shots on the timeline or storyboard first, then apply the cast member.")
            return False
        todo = [c for c in shots if cast_id not in c.shot.cast]
        if not todo:
            self.message.emit(f"{_shots_text(shots)} already use{'s' if len(shots) == 1 else ''} {member.name}.")
            return False
        edits = [SetShotSettings(clip_id=c.id, cast=(*c.shot.cast, cast_id)) for c in todo]
        return self.request(Composite(f"Apply {member.name} to {_shots_text(todo)}", edits))

    def take_off_selected(self, cast_id: str) -> bool:
        """Stop using the member in the selected shots, as one undo step."""
        member = self.member(cast_id)
        todo = [c for c in self.selected_shots() if cast_id in c.shot.cast]
        if member is None or not todo:
            return False
        edits = [SetShotSettings(clip_id=c.id, cast=tuple(x for x in c.shot.cast if x != cast_id)) for c in todo]
        return self.request(Composite(f"Take {member.name} off {_shots_text(todo)}", edits))

    def toggle_on_selected(self, cast_id: str) -> bool:
        """The card's button: take the member off when every selected shot uses it, else apply it."""
        shots = self.selected_shots()
        if shots and all(cast_id in c.shot.cast for c in shots):
            return self.take_off_selected(cast_id)
        return self.apply_to_selected(cast_id)

    # --- view ---------------------------------------------------------------------------------
    def rebuild(self) -> None:
        """Make one card per member (kept when the members are the same), then refresh them."""
        ids = [m.id for m in self.document.project.cast]
        if ids != self.card_ids():
            keep = {c.cast_id: c for c in self.cards if c.cast_id in ids}
            for card in self.cards:
                self.body.grid.removeWidget(card)
                if card.cast_id not in keep:
                    card.hide()
                    card.deleteLater()
            self.cards = [keep.get(i) or CastCard(self, i) for i in ids]
            self._columns = 0  # lay the cards out again
        self._reflow()
        self.refresh()

    def refresh(self) -> None:
        cast = self.document.project.cast
        for card in self.cards:
            member = self.member(card.cast_id)
            if member is not None:
                card.load(member, self.shots_using(card.cast_id))
        self.scroll.setVisible(bool(cast))
        self.empty.setVisible(not cast)
        self._refresh_pictures()
        self._sync_selection()

    def _sync_selection(self) -> None:
        shots = self.selected_shots()
        for card in self.cards:
            card.set_in_selection(sum(1 for c in shots if card.cast_id in c.shot.cast), len(shots))
        cast = self.document.project.cast
        count = f"{len(cast)} cast member{'s' if len(cast) != 1 else ''}"
        if not cast:
            self.summary.setText("")
        elif len(shots) == 1:
            names = [m.name for m in cast if m.id in shots[0].shot.cast]
            who = ", ".join(names) if names else "no cast"
            self.summary.setText(f"{count} · {shots[0].name or 'this shot'} uses {who}")
        elif shots:
            self.summary.setText(f"{count} · {plural(len(shots), 'shot')} selected")
        else:
            self.summary.setText(f"{count} · select shots to apply them")

    def _reflow(self) -> None:
        spacing = self.body.grid.spacing()
        width = self.scroll.viewport().width() - 20
        columns = max(1, (width + spacing) // (CARD_MIN_W + spacing))
        if columns == self._columns and all(self.body.grid.indexOf(c) >= 0 for c in self.cards):
            return
        self._columns = columns
        for card in self.cards:
            self.body.grid.removeWidget(card)
        for i, card in enumerate(self.cards):
            self.body.grid.addWidget(card, i // columns, i % columns)
            card.show()
        grid = self.body.grid
        for col in range(grid.columnCount()):
            grid.setColumnStretch(col, 1 if col < columns else 0)
        rows = -(-len(self.cards) // columns)
        for row in range(grid.rowCount()):
            grid.setRowStretch(row, 0)
        grid.setRowStretch(rows, 1)  # spare height goes below the last card, never into the cards

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if watched is self.scroll.viewport() and event.type() == QEvent.Type.Resize:
            self._reflow()
        return super().eventFilter(watched, event)

    def _refresh_pictures(self) -> None:
        for card in self.cards:
            member = self.member(card.cast_id)
            if member is None:
                continue
            # A shared provider says `ready` for every timeline thumbnail: redraw only what is
            # new, and don't resolve a shown picture's path again each time (realpath is a
            # system call per folder level, and `ready` comes dozens of times while a project opens).
            stored = (self.document.folder, member.image)
            if card.has_picture and card.picture_stored == stored:
                continue
            if card.picture_stored != stored:
                card.picture_stored, card.picture_path = stored, self.image_path(member)
            path = str(card.picture_path or "")
            if not (card.has_picture and card.picture_source == path):
                card.set_picture(*self._picture(member, card.picture_path), path)

    def _picture(self, member: CastMember, path: Path | None) -> tuple[QPixmap, bool]:
        """The member's picture (at `path`, see image_path) fitted into the card's square (dark
        bars), and whether it is real."""
        out = QPixmap(PICTURE, PICTURE)
        out.fill(QColor("#000000"))
        exists = path is not None and path.is_file()
        source = self.thumbnails.get(str(path), 0, THUMB_H) if exists else None
        p = QPainter(out)
        p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        if source is not None:
            scaled = source.scaled(PICTURE, PICTURE, Qt.AspectRatioMode.KeepAspectRatio,
                                   Qt.TransformationMode.SmoothTransformation)
            p.drawPixmap((PICTURE - scaled.width()) // 2, (PICTURE - scaled.height()) // 2, scaled)
        else:
            p.setPen(color("warning") if not exists else color("text_faint"))
            p.setFont(ui_font(8.0, bold=not exists))
            p.drawText(QRectF(4, 4, PICTURE - 8, PICTURE - 8), Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                       "picture missing" if not exists else "loading…")
        p.setPen(color("line"))
        p.drawRect(QRectF(0.5, 0.5, PICTURE - 1, PICTURE - 1))
        p.end()
        return out, source is not None

    def _on_change(self, change: Change) -> None:
        if change.cast_added or change.cast_removed or change.cast_changed:
            self.rebuild()
        elif change.clips_added or change.clips_removed or change.clips_changed or change.tracks_removed:
            self.refresh()  # which shots use whom, and the shots' names

    def _show_notice(self, text: str) -> None:
        self.notice.setText(text)
        self.notice.setVisible(bool(text))

    def _focus_name(self, cast_id: str) -> None:
        card = self.card(cast_id)
        self.scroll.ensureWidgetVisible(card)
        if self.isVisible():
            card.name_edit.setFocus()
            card.name_edit.selectAll()

    def _start_folder(self) -> Path:
        """Where the last picture came from (this session), else the home folder."""
        last = self._last_folder
        return last if last is not None and last.is_dir() else Path.home()

    def _ask(self, title: str, question: str) -> bool:
        answer = QMessageBox.question(self, title, question,
                                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
                                      QMessageBox.StandardButton.Cancel)
        return answer == QMessageBox.StandardButton.Yes

    # --- dropping files from a file manager or the media bin ----------------------------------
    def _dropped_files(self, event: QDragEnterEvent | QDragMoveEvent | QDropEvent) -> list[str]:
        mime = event.mimeData()
        if not mime.hasUrls():
            return []
        return [u.toLocalFile() for u in mime.urls() if u.isLocalFile()]

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 - Qt override
        if any(Path(p).suffix.lower() in STILL_SUFFIXES for p in self._dropped_files(event)):
            event.acceptProposedAction()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:  # noqa: N802
        if any(Path(p).suffix.lower() in STILL_SUFFIXES for p in self._dropped_files(event)):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
        files = self._dropped_files(event)
        if files:
            event.acceptProposedAction()
            self.add_files(files)


def _stored(path: str | os.PathLike, folder: Path | None) -> tuple:
    """Background pool: (path, store_cast_image's answer or None, the problem or None)."""
    try:
        return path, store_cast_image(path, folder), None
    except (MediaError, OSError) as exc:
        return path, None, exc


def _remove_later(copies: list[Path]) -> None:
    """Delete copies made for members that were not added, off the GUI thread."""
    if copies:
        run_in_background(lambda: [c.unlink(missing_ok=True) for c in copies])


def _media_problem(path: str | os.PathLike, exc: BaseException) -> str:
    text = str(exc)
    if isinstance(exc, MediaError):
        return f"Not added: {text}"
    return f"Not added: {Path(path).name} could not be copied into the project ({text}); check the disk and try again."


def _shots_text(shots: list[Clip]) -> str:
    if len(shots) == 1:
        return shots[0].name or "the shot"
    return f"{len(shots)} shots"
