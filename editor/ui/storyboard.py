"""The storyboard: the main track's shots as cards in story order; drag a card to reorder the cut.

Each card shows the shot's picture, number, name, an editable prompt, its length and its state
(draft, queued, generating n%, done, failed). Dropping a card elsewhere requests one
`ReorderShot` edit, so the timeline follows and undo puts the order back. Dropping pictures
(from the media bin or a file manager) on a card pins them as that shot's keyframes, as a drop on
the shot in the timeline does.
"""

from __future__ import annotations

from PySide6.QtCore import QMimeData, QPoint, QRectF, Qt, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QDrag,
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QMouseEvent,
    QPainter,
    QPixmap,
)
from PySide6.QtWidgets import (
    QApplication,
    QDoubleSpinBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from editor.document.document import Change, Document
from editor.document.edits import Edit, EditRefused, ReorderShot, SetClipLength, SetShotSettings
from editor.document.project import Clip
from editor.document.timecode import duration_text
from editor.ui.actions import Actions
from editor.ui.elided import ElidedLabel
from editor.ui.following import FollowsDocument
from editor.ui.inspector import PromptEdit, action_button
from editor.ui.selection import Selection
from editor.ui.staleness import stale_in
from editor.ui.theme import COLORS, color, ui_font
from editor.ui.timeline.commands import main_track
from editor.ui.timeline.drops import drop_edit, kind_of, usable
from editor.ui.timeline.thumbnails import ThumbnailProvider
from editor.words import plural

MIME = "application/x-shotline-shot"
CARD_W = 216
THUMB_H = 108
MIN_THUMB_H = 36  # a very short panel scrolls rather than shrink pictures to nothing


class ShotCard(QFrame):
    """One shot. Press and drag anywhere but the prompt box to move it."""

    clicked = Signal(str)
    activated = Signal(str)

    def __init__(self, board: Storyboard, clip_id: str) -> None:
        super().__init__()
        self.board = board
        self.clip_id = clip_id
        self.setProperty("role", "card")
        self.setFixedWidth(CARD_W)
        self.setCursor(Qt.CursorShape.OpenHandCursor)
        self._press: QPoint | None = None
        self.picture_shown: tuple | None = None  # what the picture shows once its thumbnail is in
        v = QVBoxLayout(self)
        v.setContentsMargins(8, 8, 8, 8)
        v.setSpacing(6)
        self.picture = QLabel()
        self.picture.setFixedSize(CARD_W - 18, THUMB_H)
        self.picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        v.addWidget(self.picture)
        top = QHBoxLayout()
        self.number = QLabel()
        self.number.setStyleSheet(f"color: {COLORS.accent}; font-weight: 700;")
        self.title = ElidedLabel()  # a long name is elided, with the full name as its tooltip
        self.title.setObjectName("card.title")
        self.title.setStyleSheet("font-weight: 600;")
        top.addWidget(self.number)
        top.addWidget(self.title, 1)
        v.addLayout(top)
        self.prompt = PromptEdit()
        self.prompt.setObjectName("card.prompt")
        self.prompt.setPlaceholderText("Describe the shot…")
        self.prompt.setFixedHeight(58)
        self.prompt.committed.connect(self._commit_prompt)
        v.addWidget(self.prompt)
        bottom = QHBoxLayout()
        self.length = QDoubleSpinBox()
        self.length.setObjectName("card.length")
        self.length.setRange(0.04, 60.0)
        self.length.setDecimals(1)
        self.length.setSingleStep(0.5)
        self.length.setSuffix(" s")
        self.length.editingFinished.connect(self._commit_length)
        self.length.setMaximumWidth(76)  # "60.0 s" fits; the rest of the row is the state's ("generating 100%")
        self.state = QLabel()
        self.state.setProperty("role", "state")
        self.state.setObjectName("card.state")
        bottom.addWidget(self.length)
        bottom.addStretch(1)
        bottom.addWidget(self.state)
        v.addLayout(bottom)
        self._loading = False

    def load(self, clip: Clip, number: int, state: str) -> None:
        self._loading = True
        fps = self.board.document.project.fps
        self.number.setText(f"{number:02d}")
        self.title.setText(clip.name or "Shot")
        if not self.prompt.hasFocus():
            self.prompt.setPlainText(clip.shot.prompt)
        resizable = clip.take is None or clip.take.is_still
        self.length.setEnabled(resizable)
        self.length.setValue(float(clip.length / fps))
        self.length.setToolTip(duration_text(clip.length, fps) if resizable else
                               "Trim a video clip on the timeline to change its length")
        self.state.setText(state)
        self.state.setToolTip("\n".join(stale_in(self.board.document).get(clip.id, [])))
        colour = {"draft": COLORS.draft_edge, "failed": COLORS.error, "done": COLORS.job,
                  "stale": COLORS.warning}.get(
            state.split(" ")[0], COLORS.warning if state.startswith(("queued", "generating")) else COLORS.text_dim)
        self.state.setStyleSheet(f"color: {colour}; font-weight: 600;")
        self.picture.setPixmap(self.board.picture_for(clip, self.picture.width(), self.picture.height()))
        self.picture_shown = None  # drawn again at the next thumbnail `ready` (see Storyboard._refresh_pictures)
        self._loading = False

    def set_selected(self, selected: bool) -> None:
        if self.property("selected") != selected:
            self.setProperty("selected", selected)
            self.style().unpolish(self)
            self.style().polish(self)

    def _commit_prompt(self, text: str) -> None:
        clip = self.board.clip(self.clip_id)
        if not self._loading and clip is not None and clip.shot.prompt != text:
            self.board.request(SetShotSettings(clip_id=self.clip_id, prompt=text))

    def _commit_length(self) -> None:
        clip = self.board.clip(self.clip_id)
        if self._loading or clip is None:
            return
        frames = max(1, self.board.document.project.seconds_to_frames(self.length.value()))
        if frames != clip.length:
            self.board.request(SetClipLength(clip_id=self.clip_id, length=frames))

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        if event.button() == Qt.MouseButton.LeftButton:
            self._press = event.position().toPoint()
            self.clicked.emit(self.clip_id)
        super().mousePressEvent(event)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        self.activated.emit(self.clip_id)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if self._press is None or not event.buttons() & Qt.MouseButton.LeftButton:
            return
        if (event.position().toPoint() - self._press).manhattanLength() < QApplication.startDragDistance():
            return
        self._press = None
        drag = QDrag(self)
        mime = QMimeData()
        mime.setData(MIME, self.clip_id.encode())
        drag.setMimeData(mime)
        drag.setPixmap(self.grab().scaledToWidth(CARD_W // 2, Qt.TransformationMode.SmoothTransformation))
        drag.exec(Qt.DropAction.MoveAction)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        self._press = None
        super().mouseReleaseEvent(event)


class _Strip(QWidget):
    """The row of cards; it takes card drops and shows where the card will land."""

    def __init__(self, board: Storyboard) -> None:
        super().__init__()
        self.board = board
        self.setAcceptDrops(True)
        self.row = QHBoxLayout(self)
        self.row.setContentsMargins(10, 10, 10, 10)
        self.row.setSpacing(10)
        self.insert_x: int | None = None

    def index_at(self, x: int) -> int:
        """Story position a card dropped at x goes to (before the first card whose middle is right of x)."""
        cards = self.board.cards
        for i, card in enumerate(cards):
            if x < card.geometry().center().x():
                return i
        return max(0, len(cards) - 1)

    @staticmethod
    def _pictures(event: QDropEvent | QDragMoveEvent | QDragEnterEvent) -> list[str]:
        """Image files in a drop from outside (the media bin, a file manager); else []."""
        mime = event.mimeData()
        if mime.hasFormat(MIME) or not mime.hasUrls():
            return []
        paths = usable([u.toLocalFile() for u in mime.urls() if u.isLocalFile()])
        return paths if paths and all(kind_of(p) == "image" for p in paths) else []

    def card_at(self, pos: QPoint) -> ShotCard | None:
        return next((c for c in self.board.cards if c.geometry().contains(pos)), None)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802
        if event.mimeData().hasFormat(MIME) or self._pictures(event):
            event.acceptProposedAction()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:  # noqa: N802
        if self._pictures(event):
            card = self.card_at(event.position().toPoint())
            if card is None:
                event.ignore()
                return
            clip = self.board.clip(card.clip_id)
            self.board.hint.emit(f"Pin keyframe on {clip.name or 'the shot'}" if clip else "")
            event.acceptProposedAction()
            return
        if not event.mimeData().hasFormat(MIME):
            return
        x = event.position().toPoint().x()
        cards = self.board.cards
        i = self.index_at(x)
        if cards:
            g = cards[i].geometry()
            self.insert_x = g.left() - 5 if x < g.center().x() else g.right() + 5
        self.update()
        event.acceptProposedAction()

    def dragLeaveEvent(self, event) -> None:  # noqa: N802
        self.insert_x = None
        self.update()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
        self.insert_x = None
        self.update()
        pictures = self._pictures(event)
        if pictures:
            card = self.card_at(event.position().toPoint())
            if card is not None and self.board.pin_pictures(card.clip_id, pictures):
                event.acceptProposedAction()
            return
        if not event.mimeData().hasFormat(MIME):
            return
        clip_id = bytes(event.mimeData().data(MIME).data()).decode()
        index = self.index_at(event.position().toPoint().x())
        if self.board.move_card(clip_id, index):
            event.acceptProposedAction()

    def paintEvent(self, event) -> None:  # noqa: N802
        super().paintEvent(event)
        if self.insert_x is not None:
            p = QPainter(self)
            p.fillRect(self.insert_x - 2, 8, 4, self.height() - 16, color("accent"))
            p.end()


class Storyboard(FollowsDocument, QWidget):
    """Shot cards of the main track (the lowest with clips, V1 in most cuts), in story order."""

    rebuild_when_shown = True  # a tab behind others while a project opens: built when shown

    message = Signal(str)  # a refusal: shown as an error
    hint = Signal(str)  # what a drop here will do: shown plainly
    shot_activated = Signal(str)

    def __init__(self, document: Document, selection: Selection, *, actions: Actions | None = None,
                 thumbnails: ThumbnailProvider | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("storyboard")
        self._selection = selection
        self._thumbnails = thumbnails
        self._states: dict[str, str] = {}
        self.cards: list[ShotCard] = []
        self.strip = _Strip(self)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        scroll.setWidget(self.strip)
        self.scroll = scroll
        header = QHBoxLayout()
        header.setContentsMargins(10, 6, 10, 0)
        self.summary = QLabel()
        self.summary.setProperty("role", "hint")
        header.addWidget(self.summary, 1)
        self.add_button = action_button(actions["edit.add_shot"] if actions else None)
        self.add_button.setObjectName("storyboard.add_shot")
        header.addWidget(self.add_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(header)
        layout.addWidget(scroll, 1)
        selection.changed.connect(self._sync_selection)
        if thumbnails is not None:
            thumbnails.ready.connect(self._refresh_pictures)
        self.set_document(document)

    # --- model --------------------------------------------------------------------------------
    def show_document(self) -> None:
        self._states.clear()
        self.rebuild()

    def main_track(self):
        return main_track(self.document.project)

    def clip(self, clip_id: str) -> Clip | None:
        try:
            return self.document.project.find_clip(clip_id)[1]
        except KeyError:
            return None

    def card_ids(self) -> list[str]:
        return [c.clip_id for c in self.cards]

    def request(self, edit: Edit) -> bool:
        try:
            self.document.request(edit)
        except EditRefused as exc:
            self.message.emit(str(exc))
            self.rebuild()
            return False
        return True

    def move_card(self, clip_id: str, index: int) -> bool:
        """Put shot `clip_id` at story position `index` (what a card drop does)."""
        ids = self.card_ids()
        if clip_id not in ids:
            return False
        if ids.index(clip_id) == index:
            return False
        return self.request(ReorderShot(clip_id=clip_id, index=index))

    def pin_pictures(self, clip_id: str, paths: list[str]) -> bool:
        """Pin image files as keyframes of shot `clip_id`, from its first frame (a card drop)."""
        clip = self.clip(clip_id)
        if clip is None:
            return False
        try:
            edit = drop_edit(self.document.project, paths, track_id=None, frame=clip.start, clip_id=clip_id,
                             still_seconds=1.0, probe=lambda _path: 1)
        except EditRefused as exc:
            self.message.emit(str(exc))
            return False
        return self.request(edit)

    def set_shot_states(self, states: dict[str, str]) -> None:
        """Job states by clip id ("queued", "generating 42%", "failed"); others show draft/done."""
        if states != self._states:
            self._states = dict(states)
            self._reload_cards()

    def state_of(self, clip: Clip) -> str:
        if clip.id in self._states:
            return self._states[clip.id]
        if clip.is_draft:
            return "draft"
        if not any(t.generated for t in clip.takes):  # imported media: nothing was generated
            return "still" if clip.take is not None and clip.take.is_still else "video"
        if clip.id in stale_in(self.document):  # what it was made from changed (Inspector says what)
            return "stale · make again"
        return f"done · {len(clip.takes)} take{'s' if len(clip.takes) != 1 else ''}"

    # --- view ---------------------------------------------------------------------------------
    def rebuild(self) -> None:
        track = self.main_track()
        clips = list(track.clips) if track is not None else []
        if [c.id for c in clips] != self.card_ids():
            # a shot's card is kept (moved) while the shot exists: making a card costs more than
            # loading one, and a reorder or another project's copy keeps every card
            ids = {clip.id for clip in clips}
            keep = {c.clip_id: c for c in self.cards if c.clip_id in ids}
            for card in self.cards:
                self.strip.row.removeWidget(card)
                if card.clip_id not in keep:
                    card.hide()  # else it paints over the new cards until the event loop deletes it
                    card.deleteLater()
            self.cards = []
            while self.strip.row.count():
                self.strip.row.takeAt(0)
            for clip in clips:
                card = keep.get(clip.id)
                if card is None:
                    card = ShotCard(self, clip.id)
                    card.clicked.connect(self._on_card_clicked)
                    card.activated.connect(self.shot_activated)
                self.cards.append(card)
                self.strip.row.addWidget(card)
            self.strip.row.addStretch(1)
            self._fit_pictures()
        self._reload_cards()

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self._fit_pictures()

    def _fit_pictures(self) -> None:
        """Cards as tall as the panel: in a short panel (the timeline dock on a laptop screen) the
        pictures shrink so that each card's length and job state show without scrolling."""
        if not self.cards:
            return
        margins = self.strip.row.contentsMargins()
        card = self.cards[0]
        rest = card.sizeHint().height() - card.picture.height()  # the card without its picture
        # (less a scroll bar's height: one may appear across the bottom once the cards are laid out)
        bar = self.scroll.horizontalScrollBar().sizeHint().height()
        room = self.scroll.viewport().height() - margins.top() - margins.bottom() - rest - bar
        height = max(MIN_THUMB_H, min(THUMB_H, room))
        if any(c.picture.height() != height for c in self.cards):
            for c in self.cards:
                c.picture.setFixedHeight(height)
            self._refresh_pictures()

    def _reload_cards(self) -> None:
        track = self.main_track()
        for number, card in enumerate(self.cards, start=1):
            clip = self.clip(card.clip_id)
            if clip is not None:
                card.load(clip, number, self.state_of(clip))
        total = sum(c.length for c in track.clips) if track is not None else 0
        fps = self.document.project.fps
        drafts = sum(1 for c in track.clips if c.is_draft) if track is not None else 0
        self.summary.setText(
            f"{track.name if track else 'No track'} · {plural(len(self.cards), 'shot')} · {duration_text(total, fps)}"
            + (f" · {drafts} to generate" if drafts else ""))
        self._sync_selection()

    def _refresh_pictures(self) -> None:
        # `ready` comes for every thumbnail the window loads (dozens while a project opens): a
        # card whose real picture is shown already is not drawn again
        for card in self.cards:
            clip = self.clip(card.clip_id)
            if clip is None:
                continue
            key = (self._source_key(clip), clip.take is None, card.picture.width(), card.picture.height())
            if key[0] is not None and card.picture_shown == key:
                continue
            card.picture.setPixmap(self.picture_for(clip, card.picture.width(), card.picture.height()))
            loaded = key[0] is not None and self._thumbnails is not None and \
                self._thumbnails.cached(*key[0], THUMB_H) is not None
            card.picture_shown = key if loaded else None

    @staticmethod
    def _source_key(clip: Clip) -> tuple[str, int] | None:
        """(media, frame) of the thumbnail a card shows for `clip` (see picture_for); None: none."""
        take = clip.take
        if take is not None:
            return take.media, 0 if take.is_still else clip.source_in
        if clip.keyframes:
            return clip.keyframes[0].image, 0
        return None

    def _sync_selection(self) -> None:
        chosen = set(self._selection.clips)
        for card in self.cards:
            card.set_selected(card.clip_id in chosen)

    def _on_card_clicked(self, clip_id: str) -> None:
        self._selection.set_clips([clip_id])

    def _on_change(self, change: Change) -> None:
        self.rebuild()

    def picture_for(self, clip: Clip, width: int, height: int) -> QPixmap:
        """The shot's first shown frame; for a draft its first keyframe, else a hatched card."""
        out = QPixmap(width, height)
        out.fill(QColor("#000000"))
        p = QPainter(out)
        source: QPixmap | None = None
        take = clip.take
        if self._thumbnails is not None:
            if take is not None:
                frame = 0 if take.is_still else clip.source_in
                source = self._thumbnails.get(take.media, frame, THUMB_H)  # the loader resolves it
            elif clip.keyframes:
                source = self._thumbnails.get(clip.keyframes[0].image, 0, THUMB_H)
        if source is not None:
            # a card shrunk to a short panel (see _fit_pictures) is filled, cropped, not a sliver
            fill = Qt.AspectRatioMode.KeepAspectRatioByExpanding if height < THUMB_H else \
                Qt.AspectRatioMode.KeepAspectRatio
            scaled = source.scaled(width, height, fill, Qt.TransformationMode.SmoothTransformation)
            p.drawPixmap((width - scaled.width()) // 2, (height - scaled.height()) // 2, scaled)
        if take is None:
            if source is None:
                p.fillRect(0, 0, width, height, color("draft"))
                p.fillRect(0, 0, width, height, QBrush(color("draft_edge", 40), Qt.BrushStyle.BDiagPattern))
            p.setPen(color("draft_edge"))
            p.drawRect(QRectF(0.5, 0.5, width - 1, height - 1))
            p.setFont(ui_font(8.0, bold=True))
            p.fillRect(6, 6, 44, 16, QColor(0, 0, 0, 150))
            p.drawText(QRectF(6, 6, 44, 16), Qt.AlignmentFlag.AlignCenter, "DRAFT")
        p.end()
        return out
