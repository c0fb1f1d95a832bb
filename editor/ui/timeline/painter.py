"""Painting the timeline: ruler, track headers, clips with filmstrips, drafts, keyframes, gaps,
job overlays, drag ghosts and the playhead.

Only what is inside the view is painted: each track's visible clips are found by binary search,
so a repaint costs the same with ten clips or ten thousand. Small clips drop their details
(text, thumbnails, badges) rather than drawing them illegibly.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from PySide6.QtCore import QPointF, QRect, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFontMetrics, QPainter, QPainterPath, QPen, QPixmap, QPolygonF

from editor.document.project import Clip, Project, Track
from editor.document.timecode import short_timecode, tick_step, timecode
from editor.ui.selection import Selection
from editor.ui.theme import color, mono_font, ui_font
from editor.ui.timeline.audio_paint import paint_audio_headers, paint_audio_lanes
from editor.ui.timeline.geometry import TimelineGeometry
from editor.ui.timeline.hits import HEADER_BUTTON, KEYFRAME_BAND, Hit, header_buttons, visible_clips
from editor.ui.timeline.thumbnails import ThumbnailProvider
from editor.ui.timeline.waveforms import WaveformProvider

TITLE_H = 17  # the clip's name strip
MIN_TEXT_PX = 28  # narrower clips show no text
MIN_THUMB_PX = 18  # narrower clips show no filmstrip
# How far anything drawn for a frame reaches beyond it (keyframe diamonds, a picked end's arrow,
# the playhead's head): the frames this far around an exposed rect are painted too.
REACH_PX = 16


@dataclass
class Ghost:
    """Where a dragged clip would land (drawn as an outline while dragging)."""

    track_index: int
    start: int
    length: int
    ok: bool = True  # False: the edit would be refused (overlap), drawn in red


STALE_STRIP = QColor(150, 96, 18)  # the name strip of a clip whose take is stale


@dataclass
class JobOverlay:
    """A running job's mark on the timeline: what it will fill, how far it is, its latest preview."""

    track_id: str
    start: int
    length: int
    progress: float
    image: QPixmap | None = None
    label: str = ""


@dataclass
class PaintState:
    """Everything one repaint needs, gathered by the view."""

    project: Project
    geo: TimelineGeometry
    width: int
    height: int
    selection: Selection
    playhead: int = 0
    in_mark: int | None = None
    out_mark: int | None = None
    hover: Hit | None = None
    ghosts: list[Ghost] = field(default_factory=list)
    dragging_ids: frozenset[str] = frozenset()
    snap_frame: int | None = None
    rubber_band: QRect | None = None
    drop_frame: int | None = None
    drop_track: int | None = None
    drop_text: str = ""
    overlays: list[JobOverlay] = field(default_factory=list)
    thumbnails: ThumbnailProvider | None = None
    has_focus: bool = False
    picked_track: str | None = None  # the track Remove/Move Track act on (its header was clicked)
    track_drag: tuple[int, int] | None = None  # a header being dragged: (from row, to row)
    empty_hint: str = ""  # said in the track area while the project has no clips
    waveforms: WaveformProvider | None = None  # peaks of the audio clips' sources
    # audio clips whose gain or fades are being dragged: clip id -> (gain dB, fade in, fade out)
    audio_preview: dict[str, tuple[float, int, int]] = field(default_factory=dict)
    # clips whose active take is stale (its context changed): clip id -> what changed
    stale: dict[str, list[str]] = field(default_factory=dict)


class TimelinePainter:
    """Holds fonts, pens and brushes built once; `paint` draws one frame of the view."""

    def __init__(self) -> None:
        self.font_name = ui_font(8.5, bold=True)
        self.font_small = ui_font(8.0)
        self.font_prompt = ui_font(8.5)
        self.font_prompt.setItalic(True)
        self.font_header = ui_font(9.0, bold=True)
        self.font_ruler = mono_font(8.0)
        self.font_tc = mono_font(12.0)
        self.font_tc.setBold(True)
        self.fm_name = QFontMetrics(self.font_name)
        self.fm_small = QFontMetrics(self.font_small)
        self.fm_prompt = QFontMetrics(self.font_prompt)
        self.fm_ruler = QFontMetrics(self.font_ruler)
        self._hatch = QBrush(color("draft_edge", 38), Qt.BrushStyle.BDiagPattern)
        self._cut_line = color("border")
        self._pens: dict[tuple[str, float, int], QPen] = {}

    def pen(self, name: str, width: float = 1.0, alpha: int = 255, style=Qt.PenStyle.SolidLine) -> QPen:
        key = (name, width, alpha, style)
        pen = self._pens.get(key)
        if pen is None:
            pen = QPen(color(name, alpha), width)
            pen.setStyle(style)
            self._pens[key] = pen
        return pen

    # --- the whole view -----------------------------------------------------------------------
    def paint(self, p: QPainter, s: PaintState, exposed: Sequence[QRect] | None = None) -> None:
        """Draw the view; with `exposed` (the paint event's region, as rects) only what shows
        in it: other tracks, headers, the ruler and clips away from it are skipped."""
        geo = s.geo
        view = QRect(0, 0, s.width, s.height)
        areas = [r.intersected(view) for r in exposed] if exposed is not None else [view]

        def shows(rect: QRect) -> bool:
            return any(a.intersects(rect) for a in areas)

        p.fillRect(0, 0, s.width, s.height, color("window"))
        first, last = geo.visible_frames(s.width)
        spans = exposed_spans(geo, areas, first, last)
        tracks_clip = QRect(geo.header_w, geo.ruler_h, s.width - geo.header_w, s.height - geo.ruler_h)

        p.save()
        p.setClipRect(tracks_clip)
        for index, track in enumerate(s.project.tracks):
            top = geo.track_top(index)
            if top > s.height or top + geo.track_h < geo.ruler_h:
                continue
            if spans and shows(QRect(0, top, s.width, geo.track_h + geo.track_gap)):
                self._paint_track(p, s, index, track, top, spans)
        lanes = len(s.project.audio_tracks)
        if spans and lanes:
            audio_top = geo.track_top(len(s.project.tracks)) - geo.track_gap  # the line above the first lane
            if shows(QRect(0, audio_top, s.width, geo.track_top(len(s.project.tracks) + lanes) - audio_top)):
                paint_audio_lanes(self, p, s, spans)
        self._paint_in_out_range(p, s, tracks_clip)
        self._paint_overlays(p, s)
        self._paint_ghosts(p, s)
        if s.empty_hint and s.drop_frame is None:
            self._paint_empty_hint(p, s)
        self._paint_drop(p, s)
        if s.rubber_band is not None:
            p.setPen(self.pen("accent", 1))
            p.setBrush(color("accent", 40))
            p.drawRect(s.rubber_band)
        if s.snap_frame is not None:
            x = round(geo.x_of(s.snap_frame))
            p.setPen(self.pen("keyframe", 1, 220, Qt.PenStyle.DashLine))
            p.drawLine(x, geo.ruler_h, x, s.height)
        p.restore()

        if shows(QRect(0, geo.ruler_h, geo.header_w, s.height - geo.ruler_h)) or s.track_drag is not None:
            self._paint_headers(p, s)
        if shows(QRect(geo.header_w, 0, s.width - geo.header_w, geo.ruler_h)):
            self._paint_ruler(p, s, first, last)
        self._paint_playhead(p, s)
        if shows(QRect(0, 0, geo.header_w, geo.ruler_h)):
            self._paint_corner(p, s)

    def _paint_empty_hint(self, p: QPainter, s: PaintState) -> None:
        """What to do first, under the (empty) tracks, or over them when there is no room."""
        geo = s.geo
        below = geo.track_top(len(s.project.tracks) + len(s.project.audio_tracks))
        top = below if s.height - below >= 40 else geo.ruler_h
        area = QRect(geo.header_w + 12, top, s.width - geo.header_w - 24, max(40, s.height - top))
        p.setFont(self.font_small)
        p.setPen(color("text_dim"))
        p.drawText(area, Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, s.empty_hint)

    # --- tracks and clips ---------------------------------------------------------------------
    def _paint_track(self, p: QPainter, s: PaintState, index: int, track: Track, top: int,
                     spans: list[tuple[int, int]]) -> None:
        geo = s.geo
        h = geo.track_h
        p.fillRect(geo.header_w, top, s.width - geo.header_w, h,
                   color("track_bg" if index % 2 == 0 else "track_bg_alt"))
        p.fillRect(geo.header_w, top + h, s.width - geo.header_w, geo.track_gap, color("border"))
        self._paint_gaps(p, s, track, top)
        if len(spans) == 1:
            clips = visible_clips(track, *spans[0])
        else:  # a clip under two exposed spans is painted once (its translucent parts stay as they are)
            clips = list({c.id: c for first, last in spans for c in visible_clips(track, first, last)}.values())
        self._paint_clips(p, s, track, clips, top)
        for k in track.keyframes:  # images pinned between shots, for infill to pass through
            if any(first <= k.frame <= last for first, last in spans):
                sel = s.selection.keyframe
                self._paint_keyframe_marker(p, geo.x_of(k.frame + 0.5), top + h,
                                            selected=bool(sel and sel.keyframe_id == k.id), loose=True)

    def _paint_gaps(self, p: QPainter, s: PaintState, track: Track, top: int) -> None:
        geo = s.geo
        hover = s.hover
        selected = s.selection.gap
        hovered = hover.gap if hover is not None and hover.kind == "gap" and hover.track_id == track.id else None
        for gap, is_selected in ((hovered, False), (selected, True)):
            if gap is None or gap.track_id != track.id:
                continue
            x0, x1 = geo.x_of(gap.start), geo.x_of(gap.end)
            r = QRectF(x0 + 1, top + 3, x1 - x0 - 2, geo.track_h - 6)
            p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
            if is_selected:
                p.setBrush(color("accent", 60))
                p.setPen(self.pen("accent", 2))
            else:
                p.setBrush(color("gap_hover", 26))
                p.setPen(self.pen("gap_hover", 1, 160, Qt.PenStyle.DashLine))
            p.drawRoundedRect(r, 4, 4)
            p.setRenderHint(QPainter.RenderHint.Antialiasing, False)
            if r.width() > 60:
                p.setFont(self.font_small)
                p.setPen(color("text") if is_selected else color("gap_hover"))
                seconds = gap.length / s.project.fps
                text = f"Gap · {float(seconds):.1f} s"
                text = self.fm_small.elidedText(text, Qt.TextElideMode.ElideRight, int(r.width() - 12))
                p.drawText(r, Qt.AlignmentFlag.AlignCenter, text)

    def _paint_clips(self, p: QPainter, s: PaintState, track: Track, clips: list[Clip], top: int) -> None:
        """Clips wide enough for words one by one (`_paint_clip`); the narrow ones, of which a
        zoomed-out view holds a thousand, inline here: they are only a body, a name strip and a
        cut line, in colours looked up once per repaint rather than once per clip."""
        geo = s.geo
        hw, px, sx = geo.header_w, geo.px_per_frame, geo.scroll_x
        left, right = hw - 4.0, s.width + 4.0
        y, h = top + 2, geo.track_h - 4
        selected, dragging = s.selection.clips, s.dragging_ids
        fills: dict[tuple[str, bool, bool, bool], QColor] = {}
        darks = {kind: colors[1]() for kind, colors in _KIND_COLORS.items()}
        fill_rect, cut_line = p.fillRect, self._cut_line
        for clip in clips:
            # geo.x_of and _clip_kind inlined: this loop runs per clip per repaint
            start = clip.start
            x0 = hw + start * px - sx
            x1 = hw + (start + clip.length) * px - sx
            if x1 - x0 >= MIN_TEXT_PX:
                self._paint_clip(p, s, track, clip, top)
                continue
            x0c = x0 if x0 > left else left
            w = (x1 if x1 < right else right) - x0c
            w = w if w > 1.0 else 1.0
            takes = clip.takes
            if takes:
                take = takes[clip.active_take]
                kind = "clip_generated" if take.record else "clip_still" if take.is_still else "clip_video"
            else:
                kind = "draft"
            tiny = x1 - x0 < 3  # zoomed far out: one cheap bar per clip
            key = (kind, clip.id in selected, clip.id in dragging, tiny)
            fill = fills.get(key)
            if fill is None:
                fill = fills[key] = _narrow_fill(*key)
            fill_rect(QRectF(x0c, y, w, h), fill)
            if not tiny:  # too narrow for words: body, name strip and a cut line
                fill_rect(QRectF(x0c, y, w, TITLE_H), darks[kind])
                fill_rect(QRectF(x0c, y, 1, h), cut_line)

    def _clip_colors(self, clip: Clip) -> tuple[QColor, QColor]:
        take = clip.take
        if take is None:
            return color("draft"), color("draft_edge")
        name = "clip_generated" if take.generated else "clip_still" if take.is_still else "clip_video"
        base = color(name)
        return base, base.darker(150)

    def _paint_clip(self, p: QPainter, s: PaintState, track: Track, clip: Clip, top: int) -> None:
        geo = s.geo
        x0 = geo.x_of(clip.start)
        x1 = geo.x_of(clip.end)
        # clamp far-off edges so huge zooms don't overflow the painter's integer coordinates
        x0c, x1c = max(x0, geo.header_w - 4.0), min(x1, s.width + 4.0)
        w = x1c - x0c
        y = top + 2
        h = geo.track_h - 4
        selected = clip.id in s.selection.clips
        fill, dark = self._clip_colors(clip)
        if clip.id in s.dragging_ids:
            fill.setAlpha(110)
        rect = QRectF(x0c, y, max(1.0, w), h)
        if x1 - x0 < 3:  # zoomed far out: one cheap bar per clip
            p.fillRect(rect, fill.lighter(130) if selected else fill)
            return
        if x1 - x0 < MIN_TEXT_PX:  # too narrow for words: body, name strip and a cut line
            p.fillRect(rect, fill.lighter(135) if selected else fill)
            p.fillRect(QRectF(x0c, y, max(1.0, w), TITLE_H), STALE_STRIP if clip.id in s.stale else dark)
            p.fillRect(QRectF(x0c, y, 1, h), self._cut_line)
            return
        full_w = x1 - x0
        p.fillRect(rect, fill)
        if clip.is_draft:
            p.fillRect(rect, self._hatch)
        elif full_w >= MIN_THUMB_PX and s.thumbnails is not None:
            self._paint_filmstrip(p, s, clip, QRectF(x0, y + TITLE_H, x1 - x0, h - TITLE_H), rect)
            if s.thumbnails.failed(clip.take.media):  # missing or unreadable: say what to do
                p.setFont(self.font_small)
                p.setPen(color("error"))
                p.drawText(QRectF(x0c + 5, y + TITLE_H, w - 10, h - TITLE_H), Qt.AlignmentFlag.AlignVCenter,
                           self.fm_small.elidedText("Offline: Edit ▸ Relink Media…", Qt.TextElideMode.ElideRight,
                                                    int(w - 10)))
        # the name strip
        strip = QRectF(x0c, y, max(1.0, w), min(TITLE_H, h))
        p.fillRect(strip, STALE_STRIP if clip.id in s.stale  # its take's context changed: amber name strip
                   else dark if not clip.is_draft else color("draft", 255).darker(130))
        if full_w >= MIN_TEXT_PX:
            self._paint_clip_text(p, s, clip, x0, x1, x0c, x1c, y, h)
        for k in clip.keyframes:
            kx = geo.x_of(clip.start + k.frame + 0.5)
            if x0c - 6 <= kx <= x1c + 6:
                sel = s.selection.keyframe
                self._paint_keyframe_marker(p, kx, top + geo.track_h, selected=bool(sel and sel.keyframe_id == k.id))
        # outline: dashed for drafts, bright when selected
        p.setBrush(Qt.BrushStyle.NoBrush)
        if selected:
            p.setPen(self.pen("accent_text", 2))
            p.drawRect(rect.adjusted(1, 1, -1, -1))
        elif clip.is_draft:
            p.setPen(self.pen("draft_edge", 1, 200, Qt.PenStyle.DashLine))
            p.drawRect(rect.adjusted(0.5, 0.5, -0.5, -0.5))
        else:
            p.setPen(self.pen("border", 1))
            p.drawRect(rect.adjusted(0.5, 0.5, -0.5, -0.5))
        end = s.selection.clip_end
        if end is not None and end.clip_id == clip.id:
            self._paint_clip_end(p, x0 if end.side == "start" else x1, y, h, end.side)
        hover = s.hover
        if hover is not None and hover.clip_id == clip.id and hover.kind in ("clip_start", "clip_end"):
            ex = x0 if hover.kind == "clip_start" else x1
            p.fillRect(QRectF(ex - (0 if hover.kind == "clip_start" else 3), y, 3, h), color("accent_text", 150))

    def _paint_clip_text(self, p: QPainter, s: PaintState, clip: Clip, x0: float, x1: float,
                         x0c: float, x1c: float, y: float, h: float) -> None:
        # keep the name readable while the clip's start is scrolled off to the left
        left = max(x0, s.geo.header_w) + 5
        right = min(x1, s.width) - 5
        avail = int(right - left)
        if avail < 12:
            return
        badge = ""
        if clip.takes and (len(clip.takes) > 1 or (clip.take and clip.take.generated)):
            badge = f"take {clip.active_take + 1}/{len(clip.takes)}"
        stale = clip.id in s.stale
        if stale:  # its context changed since it was made: the Inspector says what, and remakes it
            badge = f"⚠ stale · {badge}" if avail > 150 else "⚠ stale"
        badge_w = self.fm_small.horizontalAdvance(badge) + 10 if badge else 0
        if badge and avail > badge_w + (20 if stale else 60):  # the name first; the badge when there is room
            br = QRectF(right - badge_w, y + 2, badge_w, TITLE_H - 4)
            p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(QColor(214, 140, 30, 220) if stale else QColor(0, 0, 0, 110))
            p.drawRoundedRect(br, 3, 3)
            p.setRenderHint(QPainter.RenderHint.Antialiasing, False)
            p.setFont(self.font_small)
            p.setPen(color("text"))
            p.drawText(br, Qt.AlignmentFlag.AlignCenter, badge)
            avail -= badge_w + 6
        name = clip.name or ("Draft shot" if clip.is_draft else "Clip")
        if clip.is_draft:
            name = f"DRAFT · {name}"
        if clip.link:  # its sound is linked: they move and trim together
            name = f"↔ {name}"
        p.setFont(self.font_name)
        p.setPen(color("text"))
        p.drawText(QRectF(left, y, avail, TITLE_H), Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                   self.fm_name.elidedText(name, Qt.TextElideMode.ElideRight, avail))
        if clip.is_draft:
            line_h = self.fm_prompt.lineSpacing()
            lines = int((h - TITLE_H - KEYFRAME_BAND + 6) // line_h)  # whole lines only: no cut-off text
            body = QRectF(left, y + TITLE_H + 3, right - left, lines * line_h)
            if lines >= 1 and body.width() > 20:
                p.setFont(self.font_prompt)
                p.setPen(color("text_dim") if clip.shot.prompt else color("text_faint"))
                prompt = clip.shot.prompt or "No prompt yet: type one in the inspector"
                p.drawText(body, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap,
                           prompt)

    def _paint_filmstrip(self, p: QPainter, s: PaintState, clip: Clip, body: QRectF, visible: QRectF) -> None:
        """Thumbnails side by side, each showing the frame under its left edge."""
        take = clip.take
        assert take is not None and s.thumbnails is not None
        height = int(body.height())
        if height < 12:
            return
        aspect = s.project.width / max(1, s.project.height)
        thumb_w = max(8, round(height * aspect))
        geo = s.geo
        start_i = max(0, int((visible.left() - body.left()) // thumb_w))
        end_x = min(body.right(), visible.right())
        frames_per_thumb = thumb_w / geo.px_per_frame
        # Ask for frames on a coarse grid so zooming doesn't request a new picture per pixel.
        grid = 2 ** max(0, math.ceil(math.log2(max(1.0, frames_per_thumb))))
        p.save()
        p.setClipRect(body.intersected(visible))
        i = start_i
        while body.left() + i * thumb_w < end_x:
            x = body.left() + i * thumb_w
            if take.is_still:
                frame = 0
            else:
                offset = int((x - body.left()) / geo.px_per_frame)
                frame = take.file_frame(min(take.frames - 1, clip.source_in + (offset // grid) * grid), s.project.fps)
            pix = s.thumbnails.get(take.media, frame, height) or s.thumbnails.nearest(take.media, frame, height)
            if pix is not None:
                # centre-crop to the strip's aspect so odd media sizes still tile cleanly
                p.drawPixmap(QRectF(x, body.top(), thumb_w, height), pix,
                             QRectF(max(0, (pix.width() - thumb_w) / 2), 0, min(pix.width(), thumb_w), pix.height()))
            p.fillRect(QRectF(x + thumb_w - 1, body.top(), 1, height), QColor(0, 0, 0, 90))
            i += 1
            if take.is_still and i > 400:
                break
        p.restore()

    def _paint_keyframe_marker(self, p: QPainter, x: float, bottom: float, *, selected: bool,
                               loose: bool = False) -> None:
        cy = bottom - KEYFRAME_BAND / 2 - 1
        r = 6.0 if selected else 5.0
        diamond = QPolygonF([QPointF(x, cy - r), QPointF(x + r, cy), QPointF(x, cy + r), QPointF(x - r, cy)])
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        p.setPen(QPen(color("accent_text") if selected else color("border"), 1.5 if selected else 1))
        p.setBrush(color("keyframe") if not loose else color("keyframe", 170))
        p.drawPolygon(diamond)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        p.setPen(self.pen("keyframe", 1, 110))
        p.drawLine(QPointF(x, bottom - KEYFRAME_BAND - 16), QPointF(x, cy - r))

    def _paint_clip_end(self, p: QPainter, x: float, y: float, h: float, side: str) -> None:
        """A bracket on the picked end, with an arrow pointing the way an extend would grow."""
        sign = 1 if side == "start" else -1
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        pen = QPen(color("keyframe"), 3)
        pen.setCapStyle(Qt.PenCapStyle.FlatCap)
        p.setPen(pen)
        bx = x + sign * 2
        p.drawPolyline(QPolygonF([QPointF(bx + sign * 8, y + 1.5), QPointF(bx, y + 1.5),
                                  QPointF(bx, y + h - 1.5), QPointF(bx + sign * 8, y + h - 1.5)]))
        cy = y + h / 2
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(color("keyframe"))
        tip = x - sign * 9
        p.drawPolygon(QPolygonF([QPointF(x - sign * 2, cy - 6), QPointF(tip, cy), QPointF(x - sign * 2, cy + 6)]))
        p.setRenderHint(QPainter.RenderHint.Antialiasing, False)

    # --- overlays, ghosts, drops --------------------------------------------------------------
    def _track_index(self, s: PaintState, track_id: str) -> int | None:
        for i, t in enumerate(s.project.tracks):
            if t.id == track_id:
                return i
        return None

    def _paint_overlays(self, p: QPainter, s: PaintState) -> None:
        geo = s.geo
        for ov in s.overlays:
            index = self._track_index(s, ov.track_id)
            if index is None:
                continue
            top = geo.track_top(index)
            x0, x1 = geo.x_of(ov.start), geo.x_of(ov.start + ov.length)
            x0, x1 = max(x0, geo.header_w - 2.0), min(x1, s.width + 2.0)
            if x1 <= x0:
                continue
            r = QRectF(x0, top + 2, x1 - x0, geo.track_h - 4)
            p.fillRect(r, QColor(0, 0, 0, 120))
            if ov.image is not None and r.width() > 30:
                ih = r.height() - TITLE_H - 4
                iw = ih * ov.image.width() / max(1, ov.image.height())
                p.drawPixmap(QRectF(r.left() + 4, r.top() + TITLE_H + 2, min(iw, r.width() - 8), ih), ov.image,
                             QRectF(ov.image.rect()))
            done = QRectF(r.left(), r.bottom() - 4, r.width() * max(0.0, min(1.0, ov.progress)), 4)
            p.fillRect(QRectF(r.left(), r.bottom() - 4, r.width(), 4), QColor(0, 0, 0, 160))
            p.fillRect(done, color("job"))
            p.setPen(self.pen("job", 2))
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawRect(r.adjusted(1, 1, -1, -1))
            if r.width() > 50:
                p.setFont(self.font_name)
                p.setPen(color("job").lighter(140))
                text = ov.label or f"Generating {round(ov.progress * 100)}%"
                shown = self.fm_name.elidedText(text, Qt.TextElideMode.ElideRight, int(r.width() - 12))
                # an opaque backing, so the clip's own "take n/m" or "stale" badge doesn't show through
                tw = self.fm_name.horizontalAdvance(shown) + 8
                p.fillRect(QRectF(r.right() - 2 - tw, r.top() + 2, tw, TITLE_H - 3), QColor(24, 26, 30))
                p.drawText(r.adjusted(6, 1, -6, 0), Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignRight, shown)

    def _paint_ghosts(self, p: QPainter, s: PaintState) -> None:
        geo = s.geo
        for g in s.ghosts:
            top = geo.track_top(g.track_index)
            x0, x1 = geo.x_of(g.start), geo.x_of(g.start + g.length)
            r = QRectF(max(x0, geo.header_w - 2.0), top + 2, min(x1, s.width + 2.0) - max(x0, geo.header_w - 2.0),
                       geo.track_h - 4)
            name = "accent_text" if g.ok else "error"
            p.fillRect(r, color(name, 40))
            p.setPen(self.pen(name, 2, 230, Qt.PenStyle.DashLine))
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawRect(r.adjusted(1, 1, -1, -1))

    def _paint_drop(self, p: QPainter, s: PaintState) -> None:
        if s.drop_frame is None or s.drop_track is None:
            return
        geo = s.geo
        x = round(geo.x_of(s.drop_frame))
        top = geo.track_top(s.drop_track)
        p.fillRect(QRect(x - 1, top, 3, geo.track_h), color("keyframe"))
        if s.drop_text:
            p.setFont(self.font_name)
            tw = self.fm_name.horizontalAdvance(s.drop_text) + 14
            r = QRectF(x + 6, top + 4, tw, 20)
            p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(color("raised"))
            p.drawRoundedRect(r, 4, 4)
            p.setRenderHint(QPainter.RenderHint.Antialiasing, False)
            p.setPen(color("text"))
            p.drawText(r, Qt.AlignmentFlag.AlignCenter, s.drop_text)

    def _paint_in_out_range(self, p: QPainter, s: PaintState, area: QRect) -> None:
        if s.in_mark is None and s.out_mark is None:
            return
        start = s.in_mark or 0
        end = s.out_mark if s.out_mark is not None else max(s.project.duration, start + 1)
        x0, x1 = s.geo.x_of(start), s.geo.x_of(end)
        rows = len(s.project.tracks) + len(s.project.audio_tracks)
        bottom = min(area.bottom(), s.geo.track_top(rows))
        p.fillRect(QRectF(x0, area.top(), x1 - x0, bottom - area.top()), color("in_out", 34))

    # --- fixed parts: headers, ruler, playhead ------------------------------------------------
    def _paint_headers(self, p: QPainter, s: PaintState) -> None:
        geo = s.geo
        p.save()
        p.setClipRect(QRect(0, geo.ruler_h, geo.header_w, s.height - geo.ruler_h))
        p.fillRect(0, geo.ruler_h, geo.header_w, s.height - geo.ruler_h, color("panel"))
        for index, track in enumerate(s.project.tracks):
            top = geo.track_top(index)
            if top > s.height or top + geo.track_h < geo.ruler_h:
                continue
            hovered = s.hover is not None and s.hover.track_index == index and s.hover.kind.startswith("header")
            picked = track.id == s.picked_track
            p.fillRect(0, top, geo.header_w, geo.track_h, color("raised" if hovered or picked else "panel_alt"))
            edge = "accent" if picked else "clip_video" if not track.hidden else "text_faint"
            p.fillRect(0, top, 4 if picked else 3, geo.track_h, color(edge))
            p.fillRect(0, top + geo.track_h, geo.header_w, geo.track_gap, color("border"))
            buttons = header_buttons(geo, index)
            name_w = buttons["header_hide"][0] - 16
            p.setFont(self.font_header)
            p.setPen(color("text" if not track.hidden else "text_faint"))
            p.drawText(QRect(12, top + 6, name_w, HEADER_BUTTON), Qt.AlignmentFlag.AlignVCenter,
                       QFontMetrics(self.font_header).elidedText(track.name or f"Track {index + 1}",
                                                                 Qt.TextElideMode.ElideRight, name_w))
            p.setFont(self.font_small)
            p.setPen(color("text_dim"))
            n = len(track.clips)
            drafts = sum(1 for c in track.clips if c.is_draft)
            info = f"{n} clip{'s' if n != 1 else ''}" + (f" · {drafts} draft" if drafts else "")
            if track.hidden:
                info += " · hidden"
            p.drawText(QRect(12, top + 28, geo.header_w - 20, 16), Qt.AlignmentFlag.AlignVCenter, info)
            for kind, (bx, by, bw, bh) in buttons.items():
                hot = s.hover is not None and s.hover.kind == kind and s.hover.track_index == index
                self._paint_header_button(p, QRectF(bx, by, bw, bh), kind, hidden=track.hidden, hot=hot)
        paint_audio_headers(self, p, s)
        p.fillRect(geo.header_w - 1, geo.ruler_h, 1, s.height, color("border"))
        p.restore()
        if s.track_drag is not None:
            self._paint_track_drag(p, s)

    def _paint_track_drag(self, p: QPainter, s: PaintState) -> None:
        """The dragged header dimmed, and a line where the track will go."""
        geo = s.geo
        source, target = s.track_drag
        p.fillRect(0, geo.track_top(source), geo.header_w, geo.track_h, color("window", 150))
        if target == source:
            return
        # moving up: the track lands above the row under the mouse; moving down: below it
        y = geo.track_top(target) if target < source else geo.track_top(target) + geo.track_h
        p.fillRect(0, y - 2, s.width, 4, color("accent"))

    def _paint_header_button(self, p: QPainter, r: QRectF, kind: str, *, hidden: bool, hot: bool) -> None:
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        if hot:
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(color("line"))
            p.drawRoundedRect(r, 3, 3)
        c = r.center()
        p.setPen(QPen(color("text" if hot else "text_dim"), 1.4))
        p.setBrush(Qt.BrushStyle.NoBrush)
        if kind == "header_hide":  # an eye, struck through when the track is hidden
            eye = QPainterPath()
            eye.moveTo(c.x() - 7, c.y())
            eye.quadTo(c.x(), c.y() - 7, c.x() + 7, c.y())
            eye.quadTo(c.x(), c.y() + 7, c.x() - 7, c.y())
            p.drawPath(eye)
            p.setBrush(color("text" if hot else "text_dim"))
            p.drawEllipse(c, 2.2, 2.2)
            if hidden:
                p.setPen(QPen(color("error"), 1.6))
                p.drawLine(QPointF(c.x() - 7, c.y() + 6), QPointF(c.x() + 7, c.y() - 6))
        else:  # remove: a cross
            p.drawLine(QPointF(c.x() - 4, c.y() - 4), QPointF(c.x() + 4, c.y() + 4))
            p.drawLine(QPointF(c.x() - 4, c.y() + 4), QPointF(c.x() + 4, c.y() - 4))
        p.setRenderHint(QPainter.RenderHint.Antialiasing, False)

    def _paint_ruler(self, p: QPainter, s: PaintState, first: int, last: int) -> None:
        geo = s.geo
        p.save()
        p.setClipRect(QRect(geo.header_w, 0, s.width - geo.header_w, geo.ruler_h))
        p.fillRect(geo.header_w, 0, s.width - geo.header_w, geo.ruler_h, color("ruler_bg"))
        major, minor = tick_step(geo.px_per_frame, s.project.fps)
        p.setFont(self.font_ruler)
        bottom = geo.ruler_h - 1
        tick = (first // minor) * minor
        major_pen, minor_pen = self.pen("text_dim", 1), self.pen("text_faint", 1)
        while tick <= last:
            x = round(geo.x_of(tick))
            if tick % major == 0:
                p.setPen(major_pen)
                p.drawLine(x, bottom - 10, x, bottom)
                p.setPen(color("text_dim"))
                p.drawText(x + 4, 4, 120, 14, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop,
                           short_timecode(tick, s.project.fps))
            else:
                p.setPen(minor_pen)
                p.drawLine(x, bottom - 4, x, bottom)
            tick += minor
        if s.in_mark is not None or s.out_mark is not None:
            start = s.in_mark or 0
            end = s.out_mark if s.out_mark is not None else max(s.project.duration, start + 1)
            x0, x1 = geo.x_of(start), geo.x_of(end)
            p.fillRect(QRectF(x0, geo.ruler_h - 6, x1 - x0, 5), color("in_out", 200))
        p.fillRect(geo.header_w, geo.ruler_h - 1, s.width - geo.header_w, 1, color("border"))
        p.restore()

    def _paint_playhead(self, p: QPainter, s: PaintState) -> None:
        geo = s.geo
        x = geo.x_of(s.playhead)
        if x < geo.header_w - 6 or x > s.width + 6:
            return
        p.save()
        p.setClipRect(QRect(geo.header_w - 6, 0, s.width, s.height))
        xi = round(x)
        p.fillRect(xi, geo.ruler_h - 2, 1, s.height, color("playhead"))
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        head = QPolygonF([QPointF(xi - 6, geo.ruler_h - 16), QPointF(xi + 7, geo.ruler_h - 16),
                          QPointF(xi + 7, geo.ruler_h - 7), QPointF(xi + 0.5, geo.ruler_h - 1),
                          QPointF(xi - 6, geo.ruler_h - 7)])
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(color("playhead"))
        p.drawPolygon(head)
        p.restore()

    def _paint_corner(self, p: QPainter, s: PaintState) -> None:
        """Top-left: the playhead's timecode, big, as Premiere shows it above the track headers."""
        geo = s.geo
        p.fillRect(0, 0, geo.header_w, geo.ruler_h, color("ruler_bg"))
        p.fillRect(0, geo.ruler_h - 1, geo.header_w, 1, color("border"))
        p.fillRect(geo.header_w - 1, 0, 1, geo.ruler_h, color("border"))
        p.setFont(self.font_tc)
        p.setPen(color("accent"))
        p.drawText(QRect(10, 0, geo.header_w - 14, geo.ruler_h), Qt.AlignmentFlag.AlignVCenter,
                   timecode(s.playhead, s.project.fps))


def _narrow_fill(kind: str, selected: bool, dragged: bool, tiny: bool) -> QColor:
    """The body colour of a clip too narrow for words (as `_paint_clip` colours it)."""
    fill = _KIND_COLORS[kind][0]()
    if dragged:
        fill.setAlpha(110)
    return fill.lighter(130 if tiny else 135) if selected else fill


# fill and name-strip colour of each kind of clip, read from the theme when painted
_KIND_COLORS = {
    "draft": (lambda: color("draft"), lambda: color("draft_edge")),
    **{name: ((lambda n=name: color(n)), (lambda n=name: color(n).darker(150)))
       for name in ("clip_generated", "clip_still", "clip_video")},
}


def exposed_spans(geo: TimelineGeometry, areas: Sequence[QRect], first: int, last: int) -> list[tuple[int, int]]:
    """The frame ranges (within first..last) whose clips can show in the exposed `areas`, merged."""
    spans = []
    for a in areas:
        if a.isEmpty() or a.right() < geo.header_w:
            continue
        f = max(first, geo.frame_at(a.left() - REACH_PX))
        l_ = min(last, geo.frame_at(a.right() + 1 + REACH_PX) + 1)
        if f < l_:
            spans.append((f, l_))
    spans.sort()
    merged: list[tuple[int, int]] = []
    for f, l_ in spans:
        if merged and f <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], l_))
        else:
            merged.append((f, l_))
    return merged
