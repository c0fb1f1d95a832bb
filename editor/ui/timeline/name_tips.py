"""A clip's full name as its tooltip when the timeline shows it cut short.

The painter elides a clip's name to the room its tile has (less its "take n/m" badge), so a
short clip or a long name shows "Sunrise ov…". Hovering such a clip tells the whole name, as
Resolve and Kdenlive do; a name shown whole needs no tooltip. The room is worked out as the
painter does (`TimelinePainter._paint_clip_text`, `audio_paint.paint_audio_clip`).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetrics

from editor.document.project import AudioClip, Clip
from editor.ui.timeline.geometry import TimelineGeometry


def _room(geo: TimelineGeometry, start: int, end: int, width: int) -> int:
    left = max(geo.x_of(start), geo.header_w) + 5
    right = min(geo.x_of(end), width) - 5
    return int(right - left)


def video_name(clip: Clip) -> str:
    """The name as the clip's tile writes it."""
    name = clip.name or ("Draft shot" if clip.is_draft else "Clip")
    if clip.is_draft:
        name = f"DRAFT · {name}"
    return f"↔ {name}" if clip.link else name


def video_name_tip(clip: Clip, geo: TimelineGeometry, width: int, fm_name: QFontMetrics, fm_small: QFontMetrics,
                   stale: bool) -> str:
    """The clip's full name when its tile shows it elided, else ""."""
    avail = _room(geo, clip.start, clip.end, width)
    if avail < 12:
        return video_name(clip)  # no name drawn at all
    badge = ""
    if clip.takes and (len(clip.takes) > 1 or (clip.take and clip.take.generated)):
        badge = f"take {clip.active_take + 1}/{len(clip.takes)}"
    if stale:
        badge = f"⚠ stale · {badge}" if avail > 150 else "⚠ stale"
    badge_w = fm_small.horizontalAdvance(badge) + 10 if badge else 0
    if badge and avail > badge_w + (20 if stale else 60):
        avail -= badge_w + 6
    name = video_name(clip)
    return name if fm_name.elidedText(name, Qt.TextElideMode.ElideRight, avail) != name else ""


def audio_name_tip(clip: AudioClip, geo: TimelineGeometry, width: int, fm_small: QFontMetrics) -> str:
    """A sound's full name when its tile shows it elided (or not at all), else ""."""
    name = clip.name or "Sound"
    if clip.link:
        name = f"↔ {name}"
    avail = _room(geo, clip.start, clip.end, width)
    if geo.x_of(clip.end) - geo.x_of(clip.start) < 28 or avail <= 12:
        return name
    shown = name + (f"  {clip.gain_db:+.1f} dB" if clip.gain_db else "")
    return name if fm_small.elidedText(shown, Qt.TextElideMode.ElideRight, avail) != shown else ""



def header_name_tip(name: str, name_w: int, fm_header: QFontMetrics) -> str:
    """A track's full name when its header (`name_w` pixels for the name, as the painter gives
    it: `_paint_headers`, `audio_paint.paint_audio_headers`) shows it elided, else ""."""
    return name if fm_header.elidedText(name, Qt.TextElideMode.ElideRight, name_w) != name else ""
