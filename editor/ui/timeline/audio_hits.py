"""What is under a point of an audio lane (A1, A2, ... drawn below the video tracks).

Audio lanes are rows `len(project.tracks) + i` of the same geometry as the video tracks. Their
hits have kinds of their own (prefixed "a") so that code handling video clips never takes a
sound for a picture: aheader, aheader_mute, aheader_solo, aheader_remove (the ×), aclip, aclip_start, aclip_end,
aclip_gain (the clip's gain line), aclip_fade_in / aclip_fade_out (the handles at the clip's top
corners), atrack (empty lane).
"""

from __future__ import annotations

from editor.document import limits
from editor.document.project import AudioClip, Project
from editor.ui.timeline.geometry import TimelineGeometry
from editor.ui.timeline.spans import clip_at, visible_clips

EDGE_PX = 7
GAIN_PX = 4  # grab zone either side of the gain line
FADE_PX = 7  # grab zone around a fade handle
HEADER_BUTTON = 20
TITLE_H = 15  # the clip's name strip; the waveform and gain line are drawn below it


def audio_row(project: Project, index: int) -> int:
    """The geometry row of audio track `index`."""
    return len(project.tracks) + index


# audio lanes keep their clips as video tracks do (sorted, never overlapping): the same look-ups
audio_clip_at = clip_at
visible_audio_clips = visible_clips


def audio_header_buttons(geo: TimelineGeometry, row: int) -> dict[str, tuple[int, int, int, int]]:
    """Rectangles (x, y, w, h) of an audio header's M (mute), S (solo) and × (remove) buttons;
    the × sits at the right edge, where a video track header has its own."""
    y = geo.track_top(row) + 6
    x_remove = geo.header_w - 8 - HEADER_BUTTON
    x_solo = x_remove - 4 - HEADER_BUTTON
    x_mute = x_solo - 4 - HEADER_BUTTON
    return {"aheader_mute": (x_mute, y, HEADER_BUTTON, HEADER_BUTTON),
            "aheader_solo": (x_solo, y, HEADER_BUTTON, HEADER_BUTTON),
            "aheader_remove": (x_remove, y, HEADER_BUTTON, HEADER_BUTTON)}


def body(geo: TimelineGeometry, row: int) -> tuple[float, float]:
    """(top, height) of the waveform area of a clip on `row`, under its name strip."""
    top = geo.track_top(row) + 2 + TITLE_H
    return top, geo.track_h - 4 - TITLE_H


def gain_y(geo: TimelineGeometry, row: int, gain_db: float) -> float:
    """The y of the gain line: MAX_GAIN_DB at the top of the body, MIN_GAIN_DB at its bottom."""
    top, h = body(geo, row)
    span = limits.MAX_GAIN_DB - limits.MIN_GAIN_DB
    return top + h * (limits.MAX_GAIN_DB - gain_db) / span


def gain_at(geo: TimelineGeometry, row: int, y: float) -> float:
    """The gain (dB, rounded to 0.5 dB, within the limits) of a gain line dragged to y."""
    top, h = body(geo, row)
    span = limits.MAX_GAIN_DB - limits.MIN_GAIN_DB
    db = limits.MAX_GAIN_DB - (y - top) / max(1.0, h) * span
    return min(limits.MAX_GAIN_DB, max(limits.MIN_GAIN_DB, round(db * 2) / 2))


def fade_handles(geo: TimelineGeometry, row: int, clip: AudioClip, fade_in: int | None = None,
                 fade_out: int | None = None) -> tuple[float, float, float]:
    """(x of the fade-in handle, x of the fade-out handle, y of both): the clip's top corners,
    moved in by the fades."""
    fi = clip.fade_in if fade_in is None else fade_in
    fo = clip.fade_out if fade_out is None else fade_out
    top, _ = body(geo, row)
    return geo.x_of(clip.start + fi), geo.x_of(clip.end - fo), top


def audio_hit(project: Project, geo: TimelineGeometry, x: float, y: float, row: int) -> dict:
    """What is at (x, y) on audio row `row`, as the fields of a `hits.Hit`."""
    index = row - len(project.tracks)
    track = project.audio_tracks[index]
    base = {"track_index": row, "track_id": track.id}
    frame = geo.frame_at(x)
    if x < geo.header_w:
        for kind, (bx, by, bw, bh) in audio_header_buttons(geo, row).items():
            if bx <= x < bx + bw and by <= y < by + bh:
                return {"kind": kind, **base}
        return {"kind": "aheader", **base}
    clip = audio_clip_at(track, frame)
    if clip is None:
        return {"kind": "atrack", "frame": frame, **base}
    x0, x1 = geo.x_of(clip.start), geo.x_of(clip.end)
    fin, fout, fy = fade_handles(geo, row, clip)
    if x1 - x0 >= 24 and abs(y - fy) <= FADE_PX:
        if abs(x - fin) <= FADE_PX:
            return {"kind": "aclip_fade_in", "frame": frame, "clip_id": clip.id, **base}
        if abs(x - fout) <= FADE_PX:
            return {"kind": "aclip_fade_out", "frame": frame, "clip_id": clip.id, **base}
    edge = min(EDGE_PX, (x1 - x0) / 4)
    if x - x0 < edge:
        return {"kind": "aclip_start", "frame": frame, "clip_id": clip.id, **base}
    if x1 - x < edge:
        return {"kind": "aclip_end", "frame": frame, "clip_id": clip.id, **base}
    if abs(y - gain_y(geo, row, clip.gain_db)) <= GAIN_PX:
        return {"kind": "aclip_gain", "frame": frame, "clip_id": clip.id, **base}
    return {"kind": "aclip", "frame": frame, "clip_id": clip.id, **base}
