"""What is under a point of the timeline: a clip body or edge, a keyframe, a gap, a header button.

Pure look-up on the project and the geometry, so the view's mouse handling and the tests share
one definition of "where did the user click".
"""

from __future__ import annotations

from dataclasses import dataclass

from editor.document.project import Gap, Project, Track
from editor.ui.timeline.audio_hits import audio_hit
from editor.ui.timeline.geometry import TimelineGeometry
from editor.ui.timeline.spans import clip_at, visible_clips  # noqa: F401  (the view and painter look up here)

EDGE_PX = 7  # grab zone for trimming / picking a clip end, inside the clip's edge
KEYFRAME_PX = 6  # half-width of a keyframe marker's grab zone
KEYFRAME_BAND = 18  # keyframe markers sit in this many pixels at the bottom of a track
HEADER_BUTTON = 20  # header buttons are squares this size


@dataclass(frozen=True)
class Hit:
    """kind is one of: ruler, header, header_hide, header_remove, clip, clip_start, clip_end,
    keyframe, track_keyframe, gap, track (empty space after the last clip), below (under the
    last track), none; on audio lanes the kinds of editor.ui.timeline.audio_hits ("a..."),
    where track_index is the lane's row and track_id / clip_id name the audio track / clip."""

    kind: str
    frame: int = 0
    track_index: int | None = None
    track_id: str | None = None
    clip_id: str | None = None
    keyframe_id: str | None = None
    gap: Gap | None = None


def gap_at(project: Project, track: Track, frame: int) -> Gap | None:
    for gap in project.gaps(track.id):
        if gap.start <= frame < gap.end:
            return gap
    return None


def header_buttons(geo: TimelineGeometry, index: int) -> dict[str, tuple[int, int, int, int]]:
    """Rectangles (x, y, w, h) of a track header's buttons."""
    top = geo.track_top(index)
    y = top + 6
    x_remove = geo.header_w - 8 - HEADER_BUTTON
    x_hide = x_remove - 4 - HEADER_BUTTON
    return {
        "header_hide": (x_hide, y, HEADER_BUTTON, HEADER_BUTTON),
        "header_remove": (x_remove, y, HEADER_BUTTON, HEADER_BUTTON),
    }


def hit_test(project: Project, geo: TimelineGeometry, x: float, y: float) -> Hit:
    frame = geo.frame_at(x)
    if y < geo.ruler_h:
        return Hit("ruler", frame=geo.nearest_frame(x)) if x >= geo.header_w else Hit("none")
    row = geo.track_at(y)
    rows = len(project.tracks) + len(project.audio_tracks)
    if row is not None and len(project.tracks) <= row < rows:  # an audio lane, below the video tracks
        return Hit(**audio_hit(project, geo, x, y, row))
    if row is None or row >= len(project.tracks):
        below = geo.row_at(y) >= rows
        return Hit("below" if below else "none", frame=frame)
    track = project.tracks[row]
    base = {"track_index": row, "track_id": track.id}
    if x < geo.header_w:
        for kind, (bx, by, bw, bh) in header_buttons(geo, row).items():
            if bx <= x < bx + bw and by <= y < by + bh:
                return Hit(kind, **base)
        return Hit("header", **base)

    top = geo.track_top(row)
    in_key_band = y >= top + geo.track_h - KEYFRAME_BAND
    near = KEYFRAME_PX / geo.px_per_frame  # frames within the grab zone
    clip = clip_at(track, frame)
    # a keyframe marker wins over the clip body under it, so it can be dragged
    if in_key_band:
        candidates = [clip] if clip else []
        for c in candidates:
            for k in c.keyframes:
                if abs(geo.x_of(c.start + k.frame + 0.5) - x) <= KEYFRAME_PX:
                    return Hit("keyframe", frame=frame, clip_id=c.id, keyframe_id=k.id, **base)
        if clip is None:
            for k in track.keyframes:
                if abs(k.frame + 0.5 - (x - geo.header_w + geo.scroll_x) / geo.px_per_frame) <= near:
                    return Hit("track_keyframe", frame=frame, keyframe_id=k.id, **base)
    if clip is not None:
        x0, x1 = geo.x_of(clip.start), geo.x_of(clip.end)
        edge = min(EDGE_PX, (x1 - x0) / 4)  # tiny clips keep a body to grab
        if x - x0 < edge:
            return Hit("clip_start", frame=frame, clip_id=clip.id, **base)
        if x1 - x < edge:
            return Hit("clip_end", frame=frame, clip_id=clip.id, **base)
        return Hit("clip", frame=frame, clip_id=clip.id, **base)
    gap = gap_at(project, track, frame)
    if gap is not None:
        return Hit("gap", frame=frame, gap=gap, **base)
    return Hit("track", frame=frame, **base)
