"""The timeline widget: painting on demand and the mouse/keyboard/drop interaction.

Every change goes through `Document.request`; a refused edit emits `message` with the reason
and nothing changes (drag previews are drawn from local state and simply vanish). The widget
holds ids only, so undo/redo never leave it pointing at stale clips.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from PySide6.QtCore import QPoint, QRect, QSize, Qt, Signal
from PySide6.QtGui import (
    QDragEnterEvent,
    QDragLeaveEvent,
    QDragMoveEvent,
    QDropEvent,
    QFontMetrics,
    QImage,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPixmap,
    QResizeEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import QAbstractScrollArea, QApplication, QLineEdit, QMessageBox, QWidget

from editor.document.document import Change, Document
from editor.document.edits import (
    Edit,
    EditRefused,
    MoveClips,
    MoveKeyframe,
    MoveTrack,
    RemoveAudioTrack,
    RenameTrack,
    SetAudioTrack,
    SetTrackHidden,
    Side,
    TrimClip,
)
from editor.ui.background import run_in_background
from editor.ui.following import FollowsDocument
from editor.ui.playhead import Playhead, play_end
from editor.ui.selection import GapRef, Selection
from editor.ui.staleness import stale_in
from editor.ui.timeline import audio_drags, audio_hits, commands, name_tips
from editor.ui.timeline.drops import Probe, describe_drop, drop_edit, kind_of, usable, where_sound_went
from editor.ui.timeline.exposure import PlayheadArea
from editor.ui.timeline.geometry import TimelineGeometry
from editor.ui.timeline.hits import Hit, clip_at, header_buttons, hit_test
from editor.ui.timeline.new_lanes import NewLanes
from editor.ui.timeline.painter import Ghost, JobOverlay, PaintState, TimelinePainter
from editor.ui.timeline.snapping import snap, snap_targets
from editor.ui.timeline.thumbnails import ThumbnailProvider
from editor.ui.timeline.waveforms import WaveformProvider
from editor.words import plural

SNAP_PX = 9
ZOOM_STEP = 1.25
TAIL_SECONDS = 20  # empty room after the cut, so there is somewhere to drop and drag to
EMPTY_HINT = ("Drop images or videos on a track to start the cut, "
              "or add a draft shot to generate (Ctrl+Shift+N).")


@dataclass
class _Drag:
    """A press that may become a drag: what was pressed and what the drag does."""

    kind: str  # move, trim, keyframe, scrub, rubber, track (a header dragged to reorder tracks)
    press: QPoint
    hit: Hit
    active: bool = False
    clip_ids: tuple[str, ...] = ()
    side: str = "end"
    base_selection: tuple[str, ...] = ()
    collapse_to: str | None = None  # a plain click on a multi-selection selects just this clip
    # live result
    delta: int = 0
    to_track: str | None = None
    frame: int = 0
    extra: dict = field(default_factory=dict)


class TimelineView(FollowsDocument, QAbstractScrollArea):
    """Tracks of clips over a timecode ruler; the shared selection and playhead."""

    message = Signal(str)  # what a drag or drop will do / just did
    refused = Signal(str)  # why an edit was refused (nothing changed)
    dropped = Signal(bool)  # dropped files were added (True) or refused; videos are read first, off the GUI thread
    zoom_changed = Signal(float)
    clip_activated = Signal(str)  # double-click on a clip (the window focuses the inspector)
    track_picked = Signal()  # another track was clicked (Remove/Move/Rename Track act on it)

    def __init__(self, document: Document, selection: Selection, playhead: Playhead, *,
                 thumbnails: ThumbnailProvider | None = None, probe: Probe | None = None,
                 still_seconds: float = 3.0, waveforms: WaveformProvider | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("timeline")
        self.geo = TimelineGeometry()
        self.snapping = True
        self.still_seconds = still_seconds
        self._selection = selection
        self._playhead = playhead
        self._thumbnails = thumbnails
        self.waveforms = waveforms
        self._probe = probe
        self._painter = TimelinePainter()
        self._hover: Hit | None = None
        self._drag: _Drag | None = None
        self._drop: tuple[int, int, str] | None = None  # frame, track row, text
        self._overlays: dict[object, JobOverlay] = {}
        self._rename_editor: QLineEdit | None = None
        self._fit_pending = True
        self._last_track_id: str | None = None  # the track last clicked, for track commands
        self._header_picked = False  # its header was clicked: shown highlighted
        # asks before a destructive click (title, text) -> yes; None: never ask (windows made
        # with ask=False, scripts), the edit is undoable either way
        self.confirm: Callable[[str, str], bool] | None = self._ask_yes_no
        self._playhead_area = PlayheadArea()  # a playhead move repaints only where it was and is
        self._new_lanes = NewLanes(document.project)  # an audio lane added is scrolled into view

        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMouseTracking(True)
        self.viewport().setMouseTracking(True)
        self.setAcceptDrops(True)
        self.viewport().setAcceptDrops(True)
        self.viewport().setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.setFrameShape(QAbstractScrollArea.Shape.NoFrame)
        self.horizontalScrollBar().valueChanged.connect(self._on_hscroll)
        self.verticalScrollBar().valueChanged.connect(self._on_vscroll)
        self.horizontalScrollBar().setSingleStep(40)
        self.verticalScrollBar().setSingleStep(20)

        selection.changed.connect(self.viewport().update)
        playhead.changed.connect(self._on_playhead)
        # pictures and waveforms arrive in batches while a project opens: each repaints only the
        # rows that show them, not the other kind's rows, the headers and the ruler
        if thumbnails is not None:
            thumbnails.ready.connect(self._update_picture_rows)
        if waveforms is not None:
            waveforms.ready.connect(self._update_sound_rows)
        self.set_document(document)

    # --- public API ---------------------------------------------------------------------------
    def show_document(self) -> None:
        document = self.document
        self._overlays.clear()
        self._playhead.set_fps(document.project.fps)
        self._playhead.set_end(play_end(document.project))
        self._new_lanes.reset(document.project)
        self._fit_pending = True
        self._update_scrollbars()
        if self.isVisible() and self.viewport().width() > self.geo.header_w + 100:
            self.zoom_to_fit()  # now: fitted in the paint, it would ask for a second full paint
        self.viewport().update()

    def request(self, edit: Edit) -> bool:
        """Apply an edit; on refusal say why in `message` and return False."""
        try:
            self.document.request(edit)
        except EditRefused as exc:
            self.refused.emit(str(exc))
            return False
        return True

    def remove_track_asking(self, track_id: str) -> bool:
        """The header's ×: remove the track (one undoable edit), asking first when it holds clips,
        since the × sits next to the eye toggle and one slip would take every clip with it."""
        project = self.document.project
        try:
            edit = commands.remove_track(project, track_id)
        except EditRefused as exc:
            self.refused.emit(str(exc))
            return False
        track = project.track(track_id)
        clips = len(track.clips)
        if clips and self.confirm is not None and not self.confirm(
                "Remove track?", f"Remove {track.name} and the {plural(clips, 'clip')} on it? "
                "Edit ▸ Undo brings them back."):
            return False
        if not self.request(edit):
            return False
        self.message.emit(f"Removed {track.name}" + (f" and its {plural(clips, 'clip')}" if clips else ""))
        return True

    def remove_audio_track_asking(self, track_id: str) -> bool:
        """An audio header's ×: as a video track's (one undoable edit, asking first when the
        track holds sound)."""
        track = self.document.project.audio_track(track_id)
        sounds = len(track.clips)
        if sounds and self.confirm is not None and not self.confirm(
                "Remove audio track?", f"Remove {track.name} and the {plural(sounds, 'sound')} on it? "
                "Edit ▸ Undo brings them back."):
            return False
        if not self.request(RemoveAudioTrack(track_id=track_id)):
            return False
        self.message.emit(f"Removed {track.name}" + (f" and its {plural(sounds, 'sound')}" if sounds else ""))
        return True

    def _ask_yes_no(self, title: str, text: str) -> bool:
        answer = QMessageBox.question(self, title, text, QMessageBox.StandardButton.Yes
                                      | QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Cancel)
        return answer == QMessageBox.StandardButton.Yes

    def set_job_overlay(self, target: object, progress: float | None, image: QImage | QPixmap | None = None,
                        label: str = "") -> None:
        """Mark a running job's target (a clip, a clip's end, a gap) with progress and a preview.

        `target` is the generation plan's target: anything with `clip_id`, or `track_id` +
        `start` + `length` (a gap), or a clip id. `progress` None removes the mark.
        """
        key = _overlay_key(target)
        if progress is None:
            if self._overlays.pop(key, None) is not None:
                self.viewport().update()
            return
        span = self._overlay_span(target)
        if span is None:
            return
        old = self._overlays.get(key)
        pixmap = QPixmap.fromImage(image) if isinstance(image, QImage) else image
        if pixmap is None and old is not None:
            pixmap = old.image  # keep the last preview until a newer one comes
        self._overlays[key] = JobOverlay(*span, progress=float(progress), image=pixmap, label=label)
        self.viewport().update()

    def clear_job_overlays(self) -> None:
        self._overlays.clear()
        self.viewport().update()

    @property
    def job_overlays(self) -> dict[object, JobOverlay]:
        return dict(self._overlays)

    def zoom_in(self) -> None:
        self._zoom(ZOOM_STEP, self._playhead_anchor())

    def zoom_out(self) -> None:
        self._zoom(1 / ZOOM_STEP, self._playhead_anchor())

    def set_zoom(self, px_per_frame: float) -> None:
        self._fit_pending = False
        self.geo.set_zoom(px_per_frame, anchor_x=self._playhead_anchor())
        self._after_zoom()

    def zoom_to_fit(self) -> None:
        project = self.document.project
        width = max(100, self.viewport().width() - self.geo.header_w - 24)
        frames = max(play_end(project), round(project.fps * 10))
        self.geo.px_per_frame = 1.0  # set_zoom clamps; start from a known zoom
        self.geo.scroll_x = 0.0
        self.geo.set_zoom(width / frames, anchor_x=self.geo.header_w)
        self._fit_pending = False
        self._after_zoom()

    def selected_track_id(self) -> str | None:
        """The track the selection is on (for Remove track / Add draft shot)."""
        sel = self._selection
        project = self.document.project
        if sel.clips:
            try:
                return project.find_clip(sel.clips[0])[0].id
            except KeyError:
                return None
        if sel.gap is not None:
            return sel.gap.track_id
        if not any(t.id == self._last_track_id for t in project.tracks):
            return None  # removed (or undone away) since it was clicked
        return self._last_track_id

    def header_track_at(self, pos: QPoint) -> str | None:
        """The track whose header is at `pos` (widget coordinates), else None."""
        hit = self._hit(self.viewport().mapFrom(self, pos))
        return hit.track_id if hit.kind.startswith("header") else None

    def audio_header_at(self, pos: QPoint) -> str | None:
        """The audio track whose header is at `pos` (widget coordinates), else None."""
        hit = self._hit(self.viewport().mapFrom(self, pos))
        return hit.track_id if hit.kind.startswith("aheader") else None

    def start_rename(self, track_id: str) -> None:
        """Edit the track's name in its header (Enter keeps it, Escape leaves it); a video or an
        audio track."""
        project = self.document.project
        rows = [t.id for t in project.tracks] + [t.id for t in project.audio_tracks]
        if track_id in rows:
            self._start_rename(rows.index(track_id))

    def reveal_clip(self, clip_id: str) -> None:
        """Scroll sideways, and down or up to its track, just enough that the clip shows (a clip a
        command added off screen); the zoom stays as the user set it."""
        project = self.document.project
        try:
            track, clip = project.find_clip(clip_id)
        except KeyError:
            return
        from editor.ui.timeline.new_lanes import scroll_to_rows
        from editor.ui.timeline.reveal import scroll_to_show

        view_w = max(1, self.viewport().width() - self.geo.header_w)
        x = scroll_to_show(self.geo.scroll_x, self.geo.px_per_frame, view_w, clip.start, clip.end)
        row = next(i for i, t in enumerate(project.tracks) if t.id == track.id)
        y = scroll_to_rows(self.geo, row, row, self.viewport().height())
        if x != self.geo.scroll_x:
            self.geo.scroll_x = x
            self._update_scrollbars()
            self.viewport().update()
        if y is not None:
            self.verticalScrollBar().setValue(y)  # _on_vscroll takes it to geo.scroll_y

    def frame_x(self, frame: float) -> int:
        """Viewport x of a frame (tests and tools drive the mouse with it)."""
        return round(self.geo.x_of(frame))

    def track_y(self, index: int) -> int:
        """Viewport y of the middle of track `index`'s clip body."""
        return self.geo.track_top(index) + self.geo.track_h // 2

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        # room for three tracks: a taller default squeezes the preview and inspector on a laptop
        # screen (the view scrolls, and the dock can be dragged taller)
        return QSize(900, self.geo.content_height(3) + 20)

    # --- document and playhead changes --------------------------------------------------------
    def _on_change(self, change: Change) -> None:
        project = self.document.project
        self._playhead.set_end(play_end(project))
        if change.settings_changed:
            self._playhead.set_fps(project.fps)
        if change.tracks_removed or change.clips_removed:
            self._overlays = {k: v for k, v in self._overlays.items()
                              if any(t.id == v.track_id for t in project.tracks)}
        self._update_scrollbars()
        if change.audio_tracks_changed:
            scroll = self._new_lanes.scroll_for(project, self.geo, self.viewport().height())
            if scroll is not None:
                self.verticalScrollBar().setValue(scroll)  # _on_vscroll takes it to geo.scroll_y
        self.viewport().update()

    def _on_playhead(self) -> None:
        # follow the playhead while playing: page forward when it runs off the right edge
        scrolled = False
        if self._playhead.playing:
            x = self.geo.x_of(self._playhead.frame)
            width = self.viewport().width()
            if x > width - 20 or x < self.geo.header_w:
                self.geo.scroll_x = max(0.0, self._playhead.frame * self.geo.px_per_frame - 40)
                self._update_scrollbars()
                scrolled = True
        self._playhead_area.update(self.viewport(), self.geo, self._playhead, scrolled=scrolled)

    def _update_picture_rows(self) -> None:
        self._update_rows(0, len(self.document.project.tracks))

    def _update_sound_rows(self) -> None:
        project = self.document.project
        self._update_rows(len(project.tracks), len(project.tracks) + len(project.audio_tracks))

    def _update_rows(self, first: int, end: int) -> None:
        """Repaint track rows [first, end) right of the headers (with the line above them)."""
        geo = self.geo
        top = max(geo.ruler_h, geo.track_top(first) - geo.track_gap)
        bottom = min(self.viewport().height(), geo.track_top(end))
        if bottom > top:
            self.viewport().update(QRect(geo.header_w, top, self.viewport().width() - geo.header_w, bottom - top))

    # --- scrolling and zoom -------------------------------------------------------------------
    def _content_width(self) -> int:
        project = self.document.project
        frames = play_end(project) + round(project.fps * TAIL_SECONDS)
        return int(frames * self.geo.px_per_frame)

    def _update_scrollbars(self) -> None:
        view_w = max(1, self.viewport().width() - self.geo.header_w)
        hbar = self.horizontalScrollBar()
        content = max(self._content_width(), int(self.geo.scroll_x) + view_w)
        hbar.blockSignals(True)
        hbar.setRange(0, max(0, content - view_w))
        hbar.setPageStep(view_w)
        hbar.setValue(int(self.geo.scroll_x))
        hbar.blockSignals(False)
        vbar = self.verticalScrollBar()
        project = self.document.project
        content_h = self.geo.content_height(len(project.tracks) + len(project.audio_tracks)) + 30
        view_h = self.viewport().height()
        vbar.blockSignals(True)
        vbar.setRange(0, max(0, content_h - view_h))
        vbar.setPageStep(max(1, view_h))
        self.geo.scroll_y = min(self.geo.scroll_y, vbar.maximum())
        vbar.setValue(self.geo.scroll_y)
        vbar.blockSignals(False)

    def _on_hscroll(self, value: int) -> None:
        self.geo.scroll_x = float(value)
        self.viewport().update()

    def _on_vscroll(self, value: int) -> None:
        self.geo.scroll_y = int(value)
        self.viewport().update()

    def _playhead_anchor(self) -> float:
        x = self.geo.x_of(self._playhead.frame)
        return x if self.geo.header_w <= x <= self.viewport().width() else self.geo.header_w

    def _zoom(self, factor: float, anchor_x: float) -> None:
        self._fit_pending = False
        self.geo.set_zoom(self.geo.px_per_frame * factor, anchor_x=anchor_x)
        self._after_zoom()

    def _after_zoom(self) -> None:
        self._update_scrollbars()
        self.geo.scroll_x = float(self.horizontalScrollBar().value())
        self.viewport().update()
        self.zoom_changed.emit(self.geo.px_per_frame)

    # --- painting -----------------------------------------------------------------------------
    def paint_state(self) -> PaintState:
        drag = self._drag
        ghosts: list[Ghost] = []
        dragging: frozenset[str] = frozenset()
        rubber = None
        snap_frame = None
        if drag is not None and drag.active:
            ghosts = drag.extra.get("ghosts", [])
            snap_frame = drag.extra.get("snap")
            if drag.kind in ("move", "trim", "amove", "atrim"):
                dragging = frozenset(drag.clip_ids)
            if drag.kind == "rubber":
                rubber = drag.extra.get("rect")
        drop = self._drop
        track_drag = None
        if drag is not None and drag.active and drag.kind == "track":
            track_drag = (drag.hit.track_index, drag.extra.get("target", drag.hit.track_index))
        sel = self._selection
        nothing_selected = not (sel.clips or sel.gap or sel.keyframe or sel.clip_end)
        picked = self.selected_track_id() if nothing_selected and self._header_picked else None
        empty = not any(t.clips for t in self.document.project.tracks)
        return PaintState(
            project=self.document.project, geo=self.geo,
            width=self.viewport().width(), height=self.viewport().height(),
            selection=self._selection, playhead=self._playhead.frame,
            in_mark=self._playhead.in_mark, out_mark=self._playhead.out_mark,
            hover=self._hover if drag is None or not drag.active else None,
            ghosts=ghosts, dragging_ids=dragging, snap_frame=snap_frame, rubber_band=rubber,
            drop_frame=drop[0] if drop else None, drop_track=drop[1] if drop else None,
            drop_text=drop[2] if drop else "",
            overlays=list(self._overlays.values()), thumbnails=self._thumbnails, has_focus=self.hasFocus(),
            picked_track=picked, track_drag=track_drag, empty_hint=EMPTY_HINT if empty else "",
            waveforms=self.waveforms,
            audio_preview=drag.extra.get("preview", {}) if drag is not None and drag.active else {},
            stale=stale_in(self.document),
        )

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        if self._fit_pending and self.viewport().width() > self.geo.header_w + 100:
            self.zoom_to_fit()
        p = QPainter(self.viewport())
        region = event.region()  # e.g. only the playhead's old and new places while playing
        self._painter.paint(p, self.paint_state(), list(region) if region.rectCount() <= 8 else None)
        p.end()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._update_scrollbars()

    # --- mouse --------------------------------------------------------------------------------
    def _hit(self, pos: QPoint) -> Hit:
        return hit_test(self.document.project, self.geo, pos.x(), pos.y())

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        self.setFocus(Qt.FocusReason.MouseFocusReason)
        pos = event.position().toPoint()
        hit = self._hit(pos)
        self._header_picked = hit.kind.startswith("header")
        if hit.track_id is not None and hit.track_id != self._last_track_id:
            self._last_track_id = hit.track_id
            self.track_picked.emit()
        if event.button() == Qt.MouseButton.RightButton:
            # right-click picks what is under the mouse first, so the context menu acts on it
            if hit.kind in ("clip", "clip_start", "clip_end", "aclip", "aclip_start", "aclip_end", "aclip_gain",
                            "aclip_fade_in", "aclip_fade_out") and hit.clip_id not in self._selection.clips:
                self._selection.set_clips([hit.clip_id])
            elif hit.kind == "gap":
                self._selection.set_gap(GapRef(hit.gap.track_id, hit.gap.start, hit.gap.length))
            elif hit.kind == "keyframe":
                self._selection.set_keyframe(hit.clip_id, hit.keyframe_id)
            elif hit.kind.startswith("header"):
                self._selection.clear()  # the header's track is the one the menu acts on
            self.viewport().update()
            super().mousePressEvent(event)
            return
        if event.button() != Qt.MouseButton.LeftButton:
            super().mousePressEvent(event)
            return
        mods = event.modifiers()
        ctrl = bool(mods & Qt.KeyboardModifier.ControlModifier)
        shift = bool(mods & Qt.KeyboardModifier.ShiftModifier)
        sel = self._selection
        project = self.document.project

        if hit.kind == "ruler":
            self._playhead.pause()
            self._playhead.set_frame(hit.frame)
            self._drag = _Drag("scrub", pos, hit, active=True)
        elif hit.kind == "header":
            # picks the track (Remove/Move Track act on it); dragging it reorders the tracks
            sel.clear()
            self._drag = _Drag("track", pos, hit)
        elif hit.kind == "header_hide":
            track = project.track(hit.track_id)
            self.request(SetTrackHidden(track_id=track.id, hidden=not track.hidden))
        elif hit.kind == "header_remove":
            self.remove_track_asking(hit.track_id)
        elif hit.kind == "aheader_remove":
            self.remove_audio_track_asking(hit.track_id)
        elif hit.kind == "clip":
            collapse = _select_pressed(sel, hit.clip_id, ctrl, shift)
            if hit.clip_id in sel.clips:  # selected sound follows through links, not this drag
                video = tuple(c for c in sel.clips if not _is_audio(project, c))
                self._drag = _Drag("move", pos, hit, clip_ids=video, collapse_to=collapse)
        elif hit.kind in ("clip_start", "clip_end"):
            side = "start" if hit.kind == "clip_start" else "end"
            sel.set_clip_end(hit.clip_id, side)
            self._drag = _Drag("trim", pos, hit, clip_ids=(hit.clip_id,), side=side)
        elif hit.kind == "keyframe":
            sel.set_keyframe(hit.clip_id, hit.keyframe_id)
            self._drag = _Drag("keyframe", pos, hit)
        elif hit.kind == "track_keyframe":
            sel.set_keyframe(None, hit.keyframe_id, track_id=hit.track_id)
            self._drag = _Drag("keyframe", pos, hit)
        elif hit.kind in ("aheader_mute", "aheader_solo"):
            track = project.audio_track(hit.track_id)
            if hit.kind == "aheader_mute":
                self.request(SetAudioTrack(track_id=track.id, muted=not track.muted))
            else:
                self.request(SetAudioTrack(track_id=track.id, solo=not track.solo))
        elif hit.kind == "aheader":
            sel.clear()
        elif hit.kind == "aclip":
            collapse = _select_pressed(sel, hit.clip_id, ctrl, shift)
            audio = tuple(c for c in sel.clips if _is_audio(project, c))
            if hit.clip_id in sel.clips and len(audio) == len(sel.clips):
                self._drag = _Drag("amove", pos, hit, clip_ids=audio, collapse_to=collapse)
        elif hit.kind in ("aclip_start", "aclip_end"):
            sel.set_clips([hit.clip_id])
            side = "start" if hit.kind == "aclip_start" else "end"
            self._drag = _Drag("atrim", pos, hit, clip_ids=(hit.clip_id,), side=side)
        elif hit.kind == "aclip_gain":
            sel.set_clips([hit.clip_id])
            self._drag = _Drag("gain", pos, hit, clip_ids=(hit.clip_id,))
        elif hit.kind in ("aclip_fade_in", "aclip_fade_out"):
            sel.set_clips([hit.clip_id])
            side = "in" if hit.kind == "aclip_fade_in" else "out"
            self._drag = _Drag("fade", pos, hit, clip_ids=(hit.clip_id,), side=side)
        elif hit.kind == "gap" and not (ctrl or shift):
            gap = hit.gap
            sel.set_gap(GapRef(gap.track_id, gap.start, gap.length))
            self._drag = _Drag("rubber", pos, hit, base_selection=())
        elif hit.kind in ("gap", "track", "below", "none", "atrack"):
            base = sel.clips if (ctrl or shift) else ()
            if not base:
                sel.clear()
            self._drag = _Drag("rubber", pos, hit, base_selection=base)
        self.viewport().update()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        pos = event.position().toPoint()
        drag = self._drag
        if drag is None:
            self._update_hover(pos)
            return
        if not drag.active:
            if (pos - drag.press).manhattanLength() < QApplication.startDragDistance():
                return
            drag.active = True
        if drag.kind == "scrub":
            self._playhead.set_frame(self.geo.frame_at(pos.x()))
        elif drag.kind == "move":
            self._drag_move(drag, pos)
        elif drag.kind == "trim":
            self._drag_trim(drag, pos)
        elif drag.kind == "keyframe":
            self._drag_keyframe(drag, pos)
        elif drag.kind == "rubber":
            self._drag_rubber(drag, pos)
        elif drag.kind == "track":
            self._drag_track(drag, pos)
        elif drag.kind in audio_drags.DRAGS:
            audio_drags.DRAGS[drag.kind](self, drag, pos)
        if drag.kind != "track":
            self._autoscroll(pos)
        self.viewport().update()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        drag, self._drag = self._drag, None
        if drag is None or event.button() != Qt.MouseButton.LeftButton:
            return
        if not drag.active:
            if drag.collapse_to is not None:
                self._selection.set_clips([drag.collapse_to])
            self.viewport().update()
            return
        if drag.kind == "move" and (drag.delta or drag.to_track):
            self.request(MoveClips(clip_ids=drag.clip_ids, delta=drag.delta, to_track=drag.to_track))
        elif drag.kind == "trim":
            clip = self.document.project.find_clip(drag.clip_ids[0])[1]
            if drag.frame != (clip.start if drag.side == "start" else clip.end):
                self.request(TrimClip(clip_id=clip.id, side=Side(drag.side), frame=drag.frame))
        elif drag.kind == "keyframe" and "frame" in drag.extra:
            self.request(MoveKeyframe(keyframe_id=drag.hit.keyframe_id, frame=drag.extra["frame"]))
        elif drag.kind == "track" and drag.extra.get("target", drag.hit.track_index) != drag.hit.track_index:
            self.request(MoveTrack(track_id=drag.hit.track_id, index=drag.extra["target"]))
        elif drag.kind in audio_drags.DRAGS:
            edit = audio_drags.release_edit(self, drag)
            if edit is not None and self.request(edit):
                self.message.emit(edit.title)
        self._update_hover(event.position().toPoint())
        self.viewport().update()

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        hit = self._hit(event.position().toPoint())
        if hit.kind in ("header", "aheader"):
            self._start_rename(hit.track_index)
        elif hit.clip_id is not None:
            self.clip_activated.emit(hit.clip_id)

    def leaveEvent(self, event) -> None:  # noqa: N802
        if self._hover is not None:
            self._hover = None
            self.viewport().update()
        super().leaveEvent(event)

    def _update_hover(self, pos: QPoint) -> None:
        hit = self._hit(pos)
        cursor = {
            "clip_start": Qt.CursorShape.SizeHorCursor, "clip_end": Qt.CursorShape.SizeHorCursor,
            "keyframe": Qt.CursorShape.PointingHandCursor, "track_keyframe": Qt.CursorShape.PointingHandCursor,
            "header_hide": Qt.CursorShape.PointingHandCursor, "header_remove": Qt.CursorShape.PointingHandCursor,
            "ruler": Qt.CursorShape.IBeamCursor, "gap": Qt.CursorShape.PointingHandCursor,
            "header": Qt.CursorShape.OpenHandCursor,
            "aclip_start": Qt.CursorShape.SizeHorCursor, "aclip_end": Qt.CursorShape.SizeHorCursor,
            "aclip_gain": Qt.CursorShape.SizeVerCursor, "aclip_fade_in": Qt.CursorShape.SizeHorCursor,
            "aclip_fade_out": Qt.CursorShape.SizeHorCursor, "aheader_mute": Qt.CursorShape.PointingHandCursor,
            "aheader_solo": Qt.CursorShape.PointingHandCursor, "aheader_remove": Qt.CursorShape.PointingHandCursor,
        }.get(hit.kind, Qt.CursorShape.ArrowCursor)
        self.viewport().setCursor(cursor)
        tip = ""
        if hit.kind == "header_hide":
            tip = "Hide or show this track in the preview and export"
        elif hit.kind == "header_remove":
            tip = "Remove this track (undo brings it back)"
        elif hit.kind == "header":
            tip = "Drag up or down to reorder the tracks; double-click to rename"
        elif hit.kind in ("clip_start", "clip_end"):
            tip = "Drag to trim; click to pick this end for Extend"
        elif hit.kind == "gap":
            tip = "Click to select the gap (Generate ▸ Infill gap fills it)"
        elif hit.kind in _AUDIO_TIPS:
            tip = _AUDIO_TIPS[hit.kind]
        elif hit.kind == "clip" and hit.clip_id in stale_in(self.document):
            tip = "Stale take: " + " ".join(stale_in(self.document)[hit.clip_id]) + " (the Inspector makes it again)"
        name = self._name_tip(hit)  # a name the tile shows cut short is told whole
        if name:
            tip = f"{name}\n{tip}" if tip else name
        self.viewport().setToolTip(tip)
        if hit != self._hover:
            self._hover = hit
            self.viewport().update()

    def _name_tip(self, hit: Hit) -> str:
        """The full name of the clip or sound under the mouse when its tile elides it, else ""."""
        project, width = self.document.project, self.viewport().width()
        if hit.kind == "clip" and hit.clip_id is not None:
            clip = project.find_clip(hit.clip_id)[1]
            return name_tips.video_name_tip(clip, self.geo, width, self._painter.fm_name, self._painter.fm_small,
                                            hit.clip_id in stale_in(self.document))
        if hit.kind == "aclip" and hit.clip_id is not None:
            return name_tips.audio_name_tip(project.find_audio_clip(hit.clip_id)[1], self.geo, width,
                                            self._painter.fm_small)
        if hit.kind in ("header", "aheader") and hit.track_index is not None:
            return self._header_name_tip(hit.track_index)
        return ""

    def _header_name_tip(self, row: int) -> str:
        """A track header's full name when the header elides it (the room the painter gives it)."""
        project, fm = self.document.project, QFontMetrics(self._painter.font_header)
        if row < len(project.tracks):
            name = project.tracks[row].name or f"Track {row + 1}"
            name_w = header_buttons(self.geo, row)["header_hide"][0] - 16
        else:
            i = row - len(project.tracks)
            name = project.audio_tracks[i].name or f"A{i + 1}"
            name_w = audio_hits.audio_header_buttons(self.geo, row)["aheader_mute"][0] - 16
        return name_tips.header_name_tip(name, name_w, fm)

    def _autoscroll(self, pos: QPoint) -> None:
        width = self.viewport().width()
        step = 0
        if pos.x() > width - 16:
            step = 24
        elif pos.x() < self.geo.header_w + 8 and self.geo.scroll_x > 0:
            step = -24
        if step:
            bar = self.horizontalScrollBar()
            bar.setValue(bar.value() + step)

    # --- drags --------------------------------------------------------------------------------
    def _snapped_shift(self, edges: list[int], exclude: set[str]) -> tuple[int, int | None]:
        if not self.snapping:
            return 0, None
        targets = snap_targets(self.document.project, playhead=self._playhead.frame, exclude=exclude)
        shift = snap(edges, targets, SNAP_PX / self.geo.px_per_frame)
        if shift == 0:
            hit = next((e for e in edges if e in targets), None)
            return 0, hit
        moved = [e + shift for e in edges]
        return shift, next(e for e in moved if e in targets)

    def _moved_by(self, drag: _Drag, pos: QPoint, clips: list) -> tuple[int, int | None]:
        """How far dragged (track, clip) pairs move, and the snap: with the mouse, snapped by any of
        their edges, never before frame 0. Shared by picture and sound moves (`audio_drags.drag_move`)."""
        delta = self.geo.nearest_frame(pos.x()) - self.geo.nearest_frame(drag.press.x())
        min_start = min(c.start for _, c in clips)
        delta = max(delta, -min_start)
        edges = [e + delta for _, c in clips for e in (c.start, c.end)]
        shift, snapped = self._snapped_shift(edges, set(drag.clip_ids))
        return max(delta + shift, -min_start), snapped

    @staticmethod
    def _drop_track(clips: list, tracks: list, index: int) -> str | None:
        """The id of the track dragged (track, clip) pairs go to: `tracks[index]`, the one under the
        mouse, when they all come from one other track; else None (they stay). Picture and sound alike."""
        source_tracks = {t.id for t, _ in clips}
        if len(source_tracks) == 1 and 0 <= index < len(tracks):
            target = tracks[index]
            if target.id not in source_tracks:
                return target.id
        return None

    def _drag_move(self, drag: _Drag, pos: QPoint) -> None:
        project = self.document.project
        clips = [project.find_clip(cid) for cid in drag.clip_ids]
        delta, snapped = self._moved_by(drag, pos, clips)
        to_track = self._drop_track(clips, project.tracks, self.geo.row_at(pos.y()))
        drag.delta, drag.to_track = delta, to_track
        ghosts = []
        index = {t.id: i for i, t in enumerate(project.tracks)}
        moving = set(drag.clip_ids)
        for track, clip in clips:
            dest = project.track(to_track) if to_track else track
            start = clip.start + delta
            ok = all(o.id in moving or o.end <= start or o.start >= start + clip.length for o in dest.clips)
            ghosts.append(Ghost(index[dest.id], start, clip.length, ok))
        ghosts += audio_drags.partner_ghosts(project, drag.clip_ids, delta)  # the linked sound follows
        drag.extra = {"ghosts": ghosts, "snap": snapped}
        self.message.emit(f"Move {delta:+d} frame{'' if abs(delta) == 1 else 's'}" + (f" to {project.track(to_track).name}" if to_track else ""))

    def _trimmed(self, drag: _Drag, pos: QPoint, track, clip) -> tuple[int, int, int, bool, int | None]:
        """Where a dragged clip edge lands: (frame, start, length, free of the track's other clips,
        snap), snapped and kept at least a frame long. Shared by picture and sound trims
        (`audio_drags.drag_trim`) so both edges move alike."""
        # relative to where the edge was grabbed, so grabbing a few pixels inside it doesn't jump
        edge = clip.start if drag.side == "start" else clip.end
        frame = edge + self.geo.nearest_frame(pos.x()) - self.geo.nearest_frame(drag.press.x())
        shift, snapped = self._snapped_shift([frame], {clip.id})
        frame += shift
        if drag.side == "start":
            frame = min(max(0, frame), clip.end - 1)
            start, length = frame, clip.end - frame
        else:
            frame = max(frame, clip.start + 1)
            start, length = clip.start, frame - clip.start
        ok = all(o.id == clip.id or o.end <= start or o.start >= start + length for o in track.clips)
        return frame, start, length, ok, snapped

    def _drag_trim(self, drag: _Drag, pos: QPoint) -> None:
        project = self.document.project
        track, clip = project.find_clip(drag.clip_ids[0])
        frame, start, length, ok, snapped = self._trimmed(drag, pos, track, clip)
        take = clip.take
        if take is not None and not take.is_still:
            first = clip.start - clip.source_in
            ok = ok and start >= first and start + length <= first + take.frames
        drag.frame = frame
        index = project.tracks.index(track)
        ghosts = [Ghost(index, start, length, ok)] + audio_drags.partner_trim_ghosts(project, clip.id, drag.side, frame)
        drag.extra = {"ghosts": ghosts, "snap": snapped}
        self.message.emit(f"Trim {drag.side} to frame {frame} ({plural(length, 'frame')})")

    def _drag_keyframe(self, drag: _Drag, pos: QPoint) -> None:
        project = self.document.project
        frame = self.geo.frame_at(pos.x())
        hit = drag.hit
        if hit.clip_id is not None:
            _, clip = project.find_clip(hit.clip_id)
            shift, snapped = self._snapped_shift([frame], set())
            offset = min(max(0, frame + shift - clip.start), clip.length - 1)
            drag.extra = {"frame": offset, "snap": clip.start + offset if snapped is not None else None}
            self.message.emit(f"Keyframe at frame {offset} of {clip.name or 'the shot'}")
        else:
            drag.extra = {"frame": max(0, frame), "snap": None}
            self.message.emit(f"Keyframe at frame {max(0, frame)}")
        drag.extra["ghosts"] = []
        self._preview_keyframe(drag)

    def _preview_keyframe(self, drag: _Drag) -> None:
        # the marker follows the mouse: draw it where it would land as a one-frame ghost
        project = self.document.project
        hit = drag.hit
        frame = drag.extra["frame"]
        if hit.clip_id is not None:
            _, clip = project.find_clip(hit.clip_id)
            frame += clip.start
        drag.extra["ghosts"] = [Ghost(hit.track_index, frame, 1, True)]

    def _drag_track(self, drag: _Drag, pos: QPoint) -> None:
        tracks = self.document.project.tracks
        source = drag.hit.track_index
        target = min(max(0, self.geo.row_at(pos.y())), len(tracks) - 1)
        drag.extra = {"target": target, "ghosts": []}
        name = tracks[source].name or "the track"
        if target == source:
            self.message.emit(f"Drag {name} up or down to reorder the tracks")
        else:
            where = "above" if target < source else "below"
            self.message.emit(f"Move {name} {where} {tracks[target].name or 'that track'}")

    def _drag_rubber(self, drag: _Drag, pos: QPoint) -> None:
        rect = QRect(drag.press, pos).normalized()
        project = self.document.project
        first, last = self.geo.frame_at(rect.left()), self.geo.frame_at(rect.right()) + 1
        hits = []
        for i, track in enumerate(project.tracks):
            top = self.geo.track_top(i)
            if top + self.geo.track_h < rect.top() or top > rect.bottom():
                continue
            hits += [c.id for c in track.clips if c.start < last and c.end > first]
        for i, atrack in enumerate(project.audio_tracks, start=len(project.tracks)):
            top = self.geo.track_top(i)
            if top + self.geo.track_h < rect.top() or top > rect.bottom():
                continue
            hits += [c.id for c in atrack.clips if c.start < last and c.end > first]
        self._selection.set_clips(list(drag.base_selection) + hits)
        drag.extra = {"rect": rect}

    # --- keyboard and wheel -------------------------------------------------------------------
    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.key() == Qt.Key.Key_Escape:
            if self._drag is not None:
                self._drag = None
                self.message.emit("Drag cancelled")
            else:
                self._selection.clear()
            self.viewport().update()
            return
        super().keyPressEvent(event)

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802
        mods = event.modifiers()
        delta = event.angleDelta()
        if mods & Qt.KeyboardModifier.ControlModifier:
            steps = delta.y() / 120 if delta.y() else delta.x() / 120
            self._zoom(ZOOM_STEP ** steps, event.position().x())
        elif mods & (Qt.KeyboardModifier.ShiftModifier | Qt.KeyboardModifier.AltModifier):
            bar = self.verticalScrollBar()
            bar.setValue(bar.value() - int((delta.y() or delta.x()) / 2))
        else:  # plain wheel scrolls time, as in Premiere; a touchpad's sideways swipe does too
            bar = self.horizontalScrollBar()
            bar.setValue(bar.value() - int((delta.x() or delta.y()) / 2))
        event.accept()

    # --- track rename -------------------------------------------------------------------------
    def _start_rename(self, index: int) -> None:
        """Rename the track on row `index` in place (an audio lane's row: its audio track)."""
        project = self.document.project
        audio = index >= len(project.tracks)
        track = project.audio_tracks[index - len(project.tracks)] if audio else project.tracks[index]
        editor = QLineEdit(track.name, self.viewport())
        first_button = (audio_hits.audio_header_buttons(self.geo, index)["aheader_mute"][0] if audio else
                        header_buttons(self.geo, index)["header_hide"][0])
        editor.setGeometry(8, self.geo.track_top(index) + 5, first_button - 12, 22)  # the buttons stay in sight
        editor.selectAll()
        editor.show()
        editor.setFocus()
        self._rename_editor = editor

        def finish() -> None:
            if self._rename_editor is not editor:
                return
            self._rename_editor = None
            name = editor.text().strip()
            editor.deleteLater()
            if name and name != track.name:
                self.request(SetAudioTrack(track_id=track.id, name=name) if audio else
                             RenameTrack(track_id=track.id, name=name))
            self.setFocus()

        editor.editingFinished.connect(finish)

    # --- drops --------------------------------------------------------------------------------
    def _drop_paths(self, event: QDropEvent | QDragMoveEvent | QDragEnterEvent) -> list[str]:
        mime = event.mimeData()
        if not mime.hasUrls():
            return []
        return usable([u.toLocalFile() for u in mime.urls() if u.isLocalFile()])

    def _drop_target(self, pos: QPoint, paths: list[str]) -> tuple[Hit, str | None, str | None, int, str | None]:
        """(hit, clip id to pin on, track id to add to, frame, audio track under the drop) for a drop at pos."""
        project = self.document.project
        hit = self._hit(pos)
        frame = self.geo.frame_at(pos.x())
        audio_track = hit.track_id if _is_audio_track(project, hit.track_id) else None
        track_id = hit.track_id if hit.kind not in ("below", "ruler", "none") and audio_track is None else None
        clip = clip_at(project.track(track_id), frame) if track_id is not None else None
        pinning = clip is not None and all(kind_of(p) == "image" for p in paths)
        if not pinning:
            # new clips snap like moved ones (to clip edges, the playhead, keyframes): a drop a
            # pixel off the end of a clip must not leave a one-frame gap or be refused
            frame = max(0, frame + self._snapped_shift([frame], set())[0])
            clip = clip_at(project.track(track_id), frame) if track_id is not None else None
        return hit, clip.id if clip is not None else None, track_id, frame, audio_track

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802
        if self._drop_paths(event):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:  # noqa: N802
        paths = self._drop_paths(event)
        if not paths:
            event.ignore()
            return
        pos = event.position().toPoint()
        hit, clip_id, track_id, frame, audio_track = self._drop_target(pos, paths)
        text = describe_drop(self.document.project, paths, clip_id=clip_id, on_track=track_id is not None)
        if audio_track is not None and any(kind_of(p) != "audio" for p in paths):
            text = "Pictures go on a video track"
        elif audio_track is None and all(kind_of(p) == "audio" for p in paths):
            text += " (on an audio track: sound never goes on a video track)"
        row = hit.track_index if hit.track_index is not None else None
        self._drop = (frame, row, text) if row is not None else None
        self.message.emit(text)
        event.acceptProposedAction()
        self.viewport().update()

    def dragLeaveEvent(self, event: QDragLeaveEvent) -> None:  # noqa: N802
        self._drop = None
        self.viewport().update()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
        self._drop = None
        paths = self._drop_paths(event)
        if not paths:
            event.ignore()
            return
        _hit, clip_id, track_id, frame, audio_track = self._drop_target(event.position().toPoint(), paths)
        alt = bool(event.modifiers() & Qt.KeyboardModifier.AltModifier)
        document = self.document
        if audio_track is not None and any(kind_of(p) != "audio" for p in paths):
            self._drop_failed(EditRefused("An audio track holds sound only: drop pictures and videos on a video "
                                          "track (V1, V2, …)."))
            event.ignore()
            return
        from editor.media.still_check import damaged_stills

        damaged = damaged_stills([p for p in usable(paths) if kind_of(p) == "image"])
        if damaged:  # a damaged picture is refused, not placed black
            self._drop_failed(EditRefused(damaged[0]))
            event.ignore()
            return

        def place(read: tuple[dict[str, int], dict]) -> bool:
            return self._place_drop(document, paths, read[0], track_id=track_id, frame=frame, clip_id=clip_id,
                                    pin_on_track=alt, sounds=read[1], audio_track=audio_track)

        videos = [p for p in usable(paths) if kind_of(p) == "video"]
        sounds = [p for p in usable(paths) if kind_of(p) == "audio"]
        if not videos and not sounds:
            if place(({}, {})):
                event.acceptProposedAction()
            else:
                event.ignore()
            return
        # A video's length comes from demuxing the whole file (seconds for a long one), and
        # sound is decoded whole once to refuse a damaged one: the files are read on the
        # background pool and the clips added when they have been.
        event.acceptProposedAction()
        self.message.emit(f"Reading {plural(len(videos) + len(sounds), 'file')}…")
        run_in_background(lambda: ({p: self._probe_frames(p) for p in videos}, _read_sounds(videos, sounds)),
                          place, failed=self._drop_failed, owner=self)
        self.viewport().update()

    def _place_drop(self, document: Document, paths: list[str], frames: dict[str, int], *, track_id: str | None,
                    frame: int, clip_id: str | None, pin_on_track: bool, sounds: dict | None = None,
                    audio_track: str | None = None) -> bool:
        """Add what was dropped (`frames`: each video's length, read already); False when refused."""
        if document is not self.document:  # another project was opened while the videos were read
            self.dropped.emit(False)
            return False
        try:
            edit = drop_edit(document.project, paths, track_id=track_id, frame=frame, clip_id=clip_id,
                             still_seconds=self.still_seconds, probe=frames.__getitem__, pin_on_track=pin_on_track,
                             sounds=sounds, audio_track_id=audio_track)
        except EditRefused as exc:
            self._drop_failed(exc)
            return False
        ok = self.request(edit)
        if ok:
            lane = where_sound_went(document.project, edit)
            self.message.emit(edit.title + (f" (sound on {lane})" if lane else ""))
            for note in (sounds or {}).get(_DAMAGED, []):
                self.refused.emit(note)  # a video whose sound is damaged came in silent: say so
        self.viewport().update()
        self.dropped.emit(ok)
        return ok

    def _drop_failed(self, exc: BaseException) -> None:
        # an unreadable video: say which and why, keep the editor running
        self.refused.emit(str(exc) if isinstance(exc, EditRefused) else f"Could not add the dropped files: {exc}")
        self.viewport().update()
        self.dropped.emit(False)

    def _probe_frames(self, path: str) -> int:
        if self._probe is None:
            raise EditRefused("Videos can't be read here (no media reader); drop images instead.")
        return self._probe(path)

    # --- overlays -----------------------------------------------------------------------------
    def _overlay_span(self, target: object) -> tuple[str, int, int] | None:
        project = self.document.project
        clip_id = target if isinstance(target, str) else getattr(target, "clip_id", None)
        if clip_id:
            try:
                track, clip = project.find_clip(clip_id)
            except KeyError:
                return None
            return track.id, clip.start, clip.length
        track_id = getattr(target, "track_id", None)
        start = getattr(target, "start", None)
        length = getattr(target, "length", None)
        if track_id is not None and start is not None and length is not None:
            return track_id, int(start), int(length)
        return None


_AUDIO_TIPS = {
    "aheader_mute": "Mute this audio track (M): its sound is left out of playback and export",
    "aheader_solo": "Solo this audio track (S): only solo tracks are heard",
    "aheader_remove": "Remove this audio track (undo brings it back)",
    "aheader": "Double-click to rename; right-click for the track's volume",
    "aclip_gain": "Drag up or down to change the clip's gain",
    "aclip_fade_in": "Drag right to fade the sound in",
    "aclip_fade_out": "Drag left to fade the sound out",
    "aclip_start": "Drag to trim the sound",
    "aclip_end": "Drag to trim the sound",
}


_DAMAGED = "damaged"  # _read_sounds' key for what to tell about videos whose sound can't be read


def _read_sounds(videos: list[str], audio_files: list[str]) -> dict:
    """Runs on a pool thread: each file's sound, decoded whole once (None: a silent video). A
    damaged audio file refuses the drop; a video whose sound is damaged comes in silent."""
    from editor.media.audio import check_sound
    from editor.media.errors import MediaError
    from editor.media.sound_clips import video_sound

    out: dict = {}
    for p in videos:
        try:
            out[p] = video_sound(p)
        except MediaError as exc:
            out[p] = None
            out.setdefault(_DAMAGED, []).append(f"{exc} It was added without sound.")
    for p in audio_files:
        try:
            out[p] = check_sound(p)
        except MediaError as exc:
            raise EditRefused(str(exc)) from None
    return out


def _is_audio_track(project, track_id: str | None) -> bool:
    return track_id is not None and any(t.id == track_id for t in project.audio_tracks)


def _select_pressed(sel, clip_id: str, ctrl: bool, shift: bool) -> str | None:
    """Select as a press on a clip does, picture or sound alike: Ctrl toggles it, Shift adds it, a
    plain press selects it alone unless it is already selected. Returns the clip the selection
    collapses to if the press ends without a drag (a plain press inside a larger selection)."""
    if ctrl:
        sel.toggle_clip(clip_id)
    elif shift:
        sel.set_clips(list(sel.clips) + [clip_id])
    elif clip_id not in sel.clips:
        sel.set_clips([clip_id])
    elif len(sel.clips) > 1:
        return clip_id
    return None


def _is_audio(project, clip_id: str) -> bool:
    return any(c.id == clip_id for t in project.audio_tracks for c in t.clips)


def _overlay_key(target: object) -> object:
    try:
        hash(target)
        return target
    except TypeError:
        return repr(target)
