"""Mouse drags on the audio lanes: move and trim sound clips, drag a clip's gain line or fades.

Kept apart from the view's video drags: the functions read the drag's press point and the
mouse, fill the drag's live result (`delta`, `to_track`, `frame`, `extra` with ghosts and
previews) and, on release, build the one edit to request (`release_edit`). Linked partners are
never moved here: the document moves them (editor.document.audio_ops); the ghosts only show
where they will go (`partner_ghosts`), so the user sees the sound follow the picture.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from editor.document.edits import Edit, MoveClips, SetAudioClip, Side, TrimClip
from editor.document.project import Project
from editor.ui.timeline import audio_hits as ah
from editor.ui.timeline.painter import Ghost
from editor.words import plural

if TYPE_CHECKING:
    from editor.ui.timeline.view import TimelineView


def _row_of_audio_track(project: Project, track_id: str) -> int:
    return len(project.tracks) + next(i for i, t in enumerate(project.audio_tracks) if t.id == track_id)


def partner_ghosts(project: Project, clip_ids: tuple[str, ...] | list[str], delta: int) -> list[Ghost]:
    """Ghosts of the clips linked to `clip_ids` (not among them), `delta` frames along: the
    sound following a dragged picture, or the picture following dragged sound."""
    moving = set(clip_ids)
    links = set()
    for t in project.tracks:
        links |= {c.link for c in t.clips if c.id in moving and c.link}
    for t in project.audio_tracks:
        links |= {c.link for c in t.clips if c.id in moving and c.link}
    if not links:
        return []
    ghosts = []
    for row, t in enumerate(project.tracks):
        ghosts += [Ghost(row, c.start + delta, c.length, c.start + delta >= 0)
                   for c in t.clips if c.link in links and c.id not in moving]
    for i, t in enumerate(project.audio_tracks):
        row = len(project.tracks) + i
        ghosts += [Ghost(row, c.start + delta, c.length, c.start + delta >= 0)
                   for c in t.clips if c.link in links and c.id not in moving]
    return ghosts


def partner_trim_ghosts(project: Project, clip_id: str, side: str, frame: int) -> list[Ghost]:
    """Ghosts of the clips linked to `clip_id` with the same edge moved to `frame` (a trim of a
    picture trims its sound, and the other way round)."""
    edge = None
    for t in project.tracks:
        edge = edge or next((c for c in t.clips if c.id == clip_id), None)
    for t in project.audio_tracks:
        edge = edge or next((c for c in t.clips if c.id == clip_id), None)
    if edge is None or not edge.link:
        return []
    delta = frame - (edge.start if side == "start" else edge.end)
    rows = [(row, t) for row, t in enumerate(project.tracks)]
    rows += [(len(project.tracks) + i, t) for i, t in enumerate(project.audio_tracks)]
    ghosts = []
    for row, t in rows:
        for c in t.clips:
            if c.link == edge.link and c.id != clip_id:
                start, length = (c.start + delta, c.length - delta) if side == "start" else (c.start, c.length + delta)
                ghosts.append(Ghost(row, start, max(1, length), length >= 1 and start >= 0))
    return ghosts


def drag_move(view: TimelineView, drag, pos) -> None:
    project = view.document.project
    clips = [project.find_audio_clip(cid) for cid in drag.clip_ids]
    delta, snapped = view._moved_by(drag, pos, clips)
    to_track = view._drop_track(clips, project.audio_tracks, view.geo.row_at(pos.y()) - len(project.tracks))
    drag.delta, drag.to_track = delta, to_track
    moving = set(drag.clip_ids)
    ghosts = []
    for track, clip in clips:
        dest = project.audio_track(to_track) if to_track else track
        start = clip.start + delta
        ok = all(o.id in moving or o.end <= start or o.start >= start + clip.length for o in dest.clips)
        ghosts.append(Ghost(_row_of_audio_track(project, dest.id), start, clip.length, ok))
    ghosts += partner_ghosts(project, drag.clip_ids, delta)
    drag.extra = {"ghosts": ghosts, "snap": snapped}
    where = f" to {project.audio_track(to_track).name}" if to_track else ""
    view.message.emit(f"Move sound {delta:+d} frame{'' if abs(delta) == 1 else 's'}{where}")


def drag_trim(view: TimelineView, drag, pos) -> None:
    project = view.document.project
    track, clip = project.find_audio_clip(drag.clip_ids[0])
    frame, start, length, ok, snapped = view._trimmed(drag, pos, track, clip)
    first = clip.start - clip.source_in
    ok = ok and start >= first and start + length <= first + clip.source_frames
    drag.frame = frame
    ghosts = [Ghost(_row_of_audio_track(project, track.id), start, length, ok)]
    ghosts += partner_trim_ghosts(project, clip.id, drag.side, frame)
    drag.extra = {"ghosts": ghosts, "snap": snapped}
    view.message.emit(f"Trim sound {drag.side} to frame {frame} ({plural(length, 'frame')})")


def drag_gain(view: TimelineView, drag, pos) -> None:
    _, clip = view.document.project.find_audio_clip(drag.clip_ids[0])
    gain = ah.gain_at(view.geo, drag.hit.track_index, pos.y())
    drag.extra = {"ghosts": [], "preview": {clip.id: (gain, clip.fade_in, clip.fade_out)}, "gain": gain}
    view.message.emit(f"Gain {gain:+.1f} dB")


def drag_fade(view: TimelineView, drag, pos) -> None:
    _, clip = view.document.project.find_audio_clip(drag.clip_ids[0])
    frame = view.geo.nearest_frame(pos.x())
    if drag.side == "in":
        fade = min(max(0, frame - clip.start), clip.length - clip.fade_out)
        preview = (clip.gain_db, fade, clip.fade_out)
    else:
        fade = min(max(0, clip.end - frame), clip.length - clip.fade_in)
        preview = (clip.gain_db, clip.fade_in, fade)
    seconds = fade / view.document.project.fps
    drag.extra = {"ghosts": [], "preview": {clip.id: preview}, "fade": fade}
    view.message.emit(f"Fade {drag.side} {plural(fade, 'frame')} ({float(seconds):.2f} s)")


def release_edit(view: TimelineView, drag) -> Edit | None:
    """The edit a finished audio drag asks for, or None when nothing would change."""
    project = view.document.project
    if drag.kind == "amove":
        return MoveClips(clip_ids=drag.clip_ids, delta=drag.delta, to_track=drag.to_track) \
            if drag.delta or drag.to_track else None
    _, clip = project.find_audio_clip(drag.clip_ids[0])
    if drag.kind == "atrim":
        if drag.frame == (clip.start if drag.side == "start" else clip.end):
            return None
        return TrimClip(clip_id=clip.id, side=Side(drag.side), frame=drag.frame)
    if drag.kind == "gain" and "gain" in drag.extra and drag.extra["gain"] != clip.gain_db:
        return SetAudioClip(clip_id=clip.id, gain_db=drag.extra["gain"])
    if drag.kind == "fade" and "fade" in drag.extra:
        if drag.side == "in" and drag.extra["fade"] != clip.fade_in:
            return SetAudioClip(clip_id=clip.id, fade_in=drag.extra["fade"])
        if drag.side == "out" and drag.extra["fade"] != clip.fade_out:
            return SetAudioClip(clip_id=clip.id, fade_out=drag.extra["fade"])
    return None


DRAGS = {"amove": drag_move, "atrim": drag_trim, "gain": drag_gain, "fade": drag_fade}
