"""Painting the audio lanes (A1, A2, ... below the video tracks): sound clips with their waveform,
gain line and fade handles, and the lane headers with M (mute) and S (solo) buttons.

Waveforms come from the `WaveformProvider` (peaks computed in the background); a clip whose
peaks are not there yet shows a flat line, and one whose file can't be read says so. Only the
visible columns of a clip are reduced from the peaks, once per repaint.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QLineF, QPointF, QRect, QRectF, Qt
from PySide6.QtGui import QColor, QFontMetrics, QPainter, QPen, QPolygonF

from editor.document.project import AudioClip
from editor.media.audio import RATE, frame_to_sample
from editor.ui.theme import color
from editor.ui.timeline import audio_hits as ah

if TYPE_CHECKING:
    from editor.ui.timeline.painter import PaintState, TimelinePainter


def db_to_gain(db: float) -> float:
    return float(10 ** (db / 20))


def paint_audio_lanes(tp: TimelinePainter, p: QPainter, s: PaintState, spans: list[tuple[int, int]]) -> None:
    geo = s.geo
    base = len(s.project.tracks)
    for i, track in enumerate(s.project.audio_tracks):
        row = base + i
        top = geo.track_top(row)
        if top > s.height or top + geo.track_h < geo.ruler_h:
            continue
        h = geo.track_h
        p.fillRect(geo.header_w, top, s.width - geo.header_w, h, color("track_bg" if row % 2 == 0 else "track_bg_alt"))
        p.fillRect(geo.header_w, top + h, s.width - geo.header_w, geo.track_gap, color("border"))
        if i == 0:  # a stronger line between picture and sound
            p.fillRect(geo.header_w, top - geo.track_gap, s.width - geo.header_w, geo.track_gap, color("line"))
        silent = track.muted or (any(t.solo for t in s.project.audio_tracks) and not track.solo)
        seen: set[str] = set()
        for first, last in spans:
            for clip in ah.visible_audio_clips(track, first, last):
                if clip.id not in seen:
                    seen.add(clip.id)
                    _paint_audio_clip(tp, p, s, row, clip, silent, spans)


def _paint_audio_clip(tp: TimelinePainter, p: QPainter, s: PaintState, row: int, clip: AudioClip,
                      silent: bool, spans: list[tuple[int, int]]) -> None:
    geo = s.geo
    x0, x1 = geo.x_of(clip.start), geo.x_of(clip.end)
    x0c, x1c = max(x0, geo.header_w - 4.0), min(x1, s.width + 4.0)
    if x1c <= x0c:
        return
    y = geo.track_top(row) + 2
    h = geo.track_h - 4
    selected = clip.id in s.selection.clips
    fill = color("clip_audio")
    if silent:
        fill = fill.darker(170)
    if clip.id in s.dragging_ids:
        fill.setAlpha(110)
    rect = QRectF(x0c, y, max(1.0, x1c - x0c), h)
    p.fillRect(rect, fill.lighter(125) if selected else fill)
    if x1 - x0 < 3:
        return
    gain_db, fade_in, fade_out = s.audio_preview.get(clip.id, (clip.gain_db, clip.fade_in, clip.fade_out))
    top, bh = ah.body(geo, row)
    # only the columns of the exposed spans (while playing: the playhead's old and new places)
    for first, last in spans:
        a, b = max(x0c, geo.x_of(first)), min(x1c, geo.x_of(last))
        if a < b:
            _paint_waveform(tp, p, s, clip, x0, a, b, top, bh, db_to_gain(gain_db), silent)
    strip = QRectF(x0c, y, max(1.0, x1c - x0c), ah.TITLE_H)
    p.fillRect(strip, fill.darker(150))
    if x1 - x0 >= 28:
        left, right = max(x0, geo.header_w) + 5, min(x1, s.width) - 5
        avail = int(right - left)
        if avail > 12:
            name = clip.name or "Sound"
            if clip.link:
                name = f"↔ {name}"  # linked: moves with its picture
            if gain_db:
                name += f"  {gain_db:+.1f} dB"
            p.setFont(tp.font_small)
            p.setPen(color("text"))
            p.drawText(QRectF(left, y, avail, ah.TITLE_H), Qt.AlignmentFlag.AlignVCenter,
                       tp.fm_small.elidedText(name, Qt.TextElideMode.ElideRight, avail))
    # fades: the faded part shaded, a line from the silent corner to the handle
    p.save()
    p.setClipRect(rect)
    p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    bottom = top + bh
    fin_x, fout_x, fy = ah.fade_handles(geo, row, clip, fade_in, fade_out)
    shade = QColor(0, 0, 0, 90)
    if fade_in:
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(shade)
        p.drawPolygon(QPolygonF([QPointF(x0, fy), QPointF(fin_x, fy), QPointF(x0, bottom)]))
        p.setPen(QPen(color("waveform"), 1.2))
        p.drawLine(QLineF(x0, bottom, fin_x, fy))
    if fade_out:
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(shade)
        p.drawPolygon(QPolygonF([QPointF(fout_x, fy), QPointF(x1, fy), QPointF(x1, bottom)]))
        p.setPen(QPen(color("waveform"), 1.2))
        p.drawLine(QLineF(fout_x, fy, x1, bottom))
    # the gain line, brighter when hovered or dragged
    gy = ah.gain_y(geo, row, gain_db)
    hover = s.hover
    hot = clip.id in s.audio_preview or (hover is not None and hover.clip_id == clip.id and hover.kind == "aclip_gain")
    p.setPen(QPen(color("keyframe", 255 if hot else 170), 2 if hot else 1))
    p.drawLine(QLineF(x0c, gy, x1c, gy))
    if x1 - x0 >= 24:  # fade handles at the top corners
        for hx, kind in ((fin_x, "aclip_fade_in"), (fout_x, "aclip_fade_out")):
            on = hover is not None and hover.clip_id == clip.id and hover.kind == kind
            p.setPen(QPen(color("border"), 1))
            p.setBrush(color("accent_text") if on else color("waveform"))
            p.drawRect(QRectF(hx - 3.5, fy - 3.5, 7, 7))
    p.setRenderHint(QPainter.RenderHint.Antialiasing, False)
    p.restore()
    p.setBrush(Qt.BrushStyle.NoBrush)
    if selected:
        p.setPen(tp.pen("accent_text", 2))
        p.drawRect(rect.adjusted(1, 1, -1, -1))
    else:
        p.setPen(tp.pen("border", 1))
        p.drawRect(rect.adjusted(0.5, 0.5, -0.5, -0.5))
    if hover is not None and hover.clip_id == clip.id and hover.kind in ("aclip_start", "aclip_end"):
        ex = x0 if hover.kind == "aclip_start" else x1 - 3
        p.fillRect(QRectF(ex, y, 3, h), color("accent_text", 150))


def _paint_waveform(tp: TimelinePainter, p: QPainter, s: PaintState, clip: AudioClip, x0: float, x0c: float, x1c: float,
                    top: float, h: float, gain: float, silent: bool) -> None:
    mid = top + h / 2
    provider = s.waveforms
    peaks = provider.get(clip.source) if provider is not None else None
    wave = color("waveform", 110 if silent else 220)
    if peaks is None:
        p.setPen(QPen(wave, 1))
        p.drawLine(QLineF(x0c, mid, x1c, mid))
        why = provider.failed(clip.source) if provider is not None else None
        if why and x1c - x0c > 80:
            p.setFont(tp.font_small)
            p.setPen(color("error"))
            p.drawText(QRectF(x0c + 5, top, x1c - x0c - 10, h), Qt.AlignmentFlag.AlignVCenter,
                       tp.fm_small.elidedText("Sound can't be read: relink the file",
                                                            Qt.TextElideMode.ElideRight, int(x1c - x0c - 10)))
        return
    fps = s.project.fps
    first_col, last_col = int(x0c), int(x1c)
    count = last_col - first_col
    if count <= 0:
        return
    px = s.geo.px_per_frame
    per_frame = RATE / float(fps)
    start_sample = frame_to_sample(clip.source_in, fps) + (first_col - x0) / px * per_frame
    cols = peaks.columns(int(start_sample), per_frame / px, count)
    cols = np.clip(cols * gain, -1.0, 1.0)
    half = h / 2 - 1
    xs = np.arange(first_col, last_col, dtype=np.float64) + 0.5
    y_hi = mid - cols[:, 1] * half
    y_lo = mid - cols[:, 0] * half
    p.setPen(QPen(wave, 1))
    p.drawLines([QLineF(x, a, x, b + 0.5) for x, a, b in zip(xs.tolist(), y_hi.tolist(), y_lo.tolist(), strict=True)])


def paint_audio_headers(tp: TimelinePainter, p: QPainter, s: PaintState) -> None:
    geo = s.geo
    base = len(s.project.tracks)
    fm = QFontMetrics(tp.font_header)
    for i, track in enumerate(s.project.audio_tracks):
        row = base + i
        top = geo.track_top(row)
        if top > s.height or top + geo.track_h < geo.ruler_h:
            continue
        hovered = s.hover is not None and s.hover.track_index == row and s.hover.kind.startswith("aheader")
        p.fillRect(0, top, geo.header_w, geo.track_h, color("raised" if hovered else "panel_alt"))
        p.fillRect(0, top, 3, geo.track_h, color("clip_audio" if not track.muted else "text_faint"))
        p.fillRect(0, top + geo.track_h, geo.header_w, geo.track_gap, color("border"))
        buttons = ah.audio_header_buttons(geo, row)
        name_w = buttons["aheader_mute"][0] - 16
        p.setFont(tp.font_header)
        p.setPen(color("text" if not track.muted else "text_faint"))
        p.drawText(QRect(12, top + 6, name_w, ah.HEADER_BUTTON), Qt.AlignmentFlag.AlignVCenter,
                   fm.elidedText(track.name or f"A{i + 1}", Qt.TextElideMode.ElideRight, name_w))
        p.setFont(tp.font_small)
        p.setPen(color("text_dim"))
        n = len(track.clips)
        info = f"{n} sound{'s' if n != 1 else ''} · {track.volume_db:+.1f} dB"
        p.drawText(QRect(12, top + 28, geo.header_w - 20, 16), Qt.AlignmentFlag.AlignVCenter, info)
        for kind, (bx, by, bw, bh) in buttons.items():
            hot = s.hover is not None and s.hover.kind == kind and s.hover.track_index == row
            if kind == "aheader_remove":  # the same × as a video track's header
                tp._paint_header_button(p, QRectF(bx, by, bw, bh), "header_remove", hidden=False, hot=hot)
                continue
            on = track.muted if kind == "aheader_mute" else track.solo
            _paint_toggle(p, QRectF(bx, by, bw, bh), "M" if kind == "aheader_mute" else "S",
                          color("mute" if kind == "aheader_mute" else "solo") if on else None, hot, tp)


def _paint_toggle(p: QPainter, r: QRectF, letter: str, on: QColor | None, hot: bool, tp: TimelinePainter) -> None:
    p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    p.setPen(QPen(color("line" if on is None else "border"), 1))
    p.setBrush(on if on is not None else (color("line") if hot else color("panel")))
    p.drawRoundedRect(r.adjusted(0.5, 0.5, -0.5, -0.5), 3, 3)
    p.setRenderHint(QPainter.RenderHint.Antialiasing, False)
    p.setFont(tp.font_header)
    p.setPen(color("border") if on is not None else color("text" if hot else "text_dim"))
    p.drawText(r, Qt.AlignmentFlag.AlignCenter, letter)

