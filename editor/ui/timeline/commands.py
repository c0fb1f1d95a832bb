"""Timeline commands: turn the current selection and playhead into one document edit.

Each function returns the edit to request, or raises `EditRefused` with a message saying what
to select first; the window shows that message in the status bar and nothing changes.
"""

from __future__ import annotations

from editor.document.edits import (
    AddClip,
    AddTrack,
    CloseGap,
    Composite,
    DeleteClips,
    Edit,
    EditRefused,
    MoveTrack,
    RemoveKeyframe,
    RemoveTrack,
    RippleDelete,
    SplitClip,
)
from editor.document.project import Clip, Project, ShotSettings, Track, new_id
from editor.ui.selection import Selection


def track_name(project: Project) -> str:
    """V1, V2, ...: the next free name, as video editors number their tracks."""
    names = {t.name for t in project.tracks}
    n = len(project.tracks) + 1
    while f"V{n}" in names:
        n += 1
    return f"V{n}"


def main_track(project: Project) -> Track | None:
    """The track that carries the story: the lowest one with clips (V1 in most cuts).

    Tracks are listed top to bottom, so the base track is the last one; upper tracks hold
    overlays and alternatives.
    """
    for track in reversed(project.tracks):
        if track.clips:
            return track
    return project.tracks[-1] if project.tracks else None


def add_track(project: Project) -> Edit:
    """A new track on top of the others (index 0), as editors stack new video tracks."""
    return AddTrack(name=track_name(project), index=0)


def remove_track(project: Project, track_id: str | None) -> Edit:
    if track_id is None:
        raise EditRefused("Click a track's header (or a clip on it) to pick the track to remove.")
    if len(project.tracks) <= 1:
        raise EditRefused("A project keeps at least one track.")
    return RemoveTrack(track_id=track_id)


def move_track(project: Project, track_id: str | None, delta: int) -> Edit:
    """Move the picked track `delta` places up (negative) or down (positive) the track list."""
    if track_id is None:
        raise EditRefused("Click a track's header to pick the track to move.")
    index = next((i for i, t in enumerate(project.tracks) if t.id == track_id), None)
    if index is None:
        raise EditRefused("That track is gone; click a track's header to pick another.")
    target = index + delta
    if not 0 <= target < len(project.tracks):
        where = "top" if delta < 0 else "bottom"
        raise EditRefused(f"{project.tracks[index].name or 'This track'} is already the {where} track.")
    return MoveTrack(track_id=track_id, index=target)


def split_at(project: Project, selection: Selection, frame: int) -> Edit:
    """Split the selected clips under `frame`; with nothing selected, every clip under it."""
    under = [c for t in project.tracks for c in t.clips if c.start < frame < c.end]
    chosen = [c for c in under if c.id in selection.clips] if selection.clips else under
    # sound too (selected, or all when nothing is); a linked sound whose picture is split
    # already splits with it (the document splits linked partners together)
    sounds = [c for t in project.audio_tracks for c in t.clips if c.start < frame < c.end]
    links = {c.link for c in chosen if c.link}
    for c in sounds:
        if (c.id in selection.clips or not selection.clips) and (c.link is None or c.link not in links):
            chosen.append(c)
            if c.link is not None:
                links.add(c.link)
    if not chosen:
        raise EditRefused("Move the playhead over a clip to split it (nothing to cut at this frame).")
    edits = [SplitClip(clip_id=c.id, frame=frame) for c in chosen]
    return edits[0] if len(edits) == 1 else Composite(f"Split {len(edits)} clips", edits)


def delete_selection(project: Project, selection: Selection, *, ripple: bool) -> Edit:
    """Delete (or ripple-delete) the selected clips, the selected keyframe, or close the selected gap."""
    if selection.clips:
        ids = tuple(selection.clips)
        return RippleDelete(clip_ids=ids) if ripple else DeleteClips(clip_ids=ids)
    if selection.keyframe is not None:
        return RemoveKeyframe(keyframe_id=selection.keyframe.keyframe_id)
    if selection.gap is not None:  # deleting a gap closes it, as in Resolve and Premiere
        return CloseGap(track_id=selection.gap.track_id, frame=selection.gap.start)
    raise EditRefused("Select clips, a keyframe or a gap to delete.")


def add_draft_shot(project: Project, selection: Selection, *, seconds: float, playhead: int,
                   track_id: str | None = None, prompt: str = "") -> Edit:
    """A new draft shot: into the selected gap, else after the last clip of the (first) track."""
    length = max(1, project.seconds_to_frames(seconds))
    edits: list[Edit] = []
    if selection.gap is not None:
        track_id, start = selection.gap.track_id, selection.gap.start
        length = min(length, selection.gap.length)
    else:
        if track_id is None:
            main = main_track(project)
            if main is None:
                add = add_track(project)
                edits.append(add)
                track_id = add.track_id
            else:
                track_id = main.id
        track = next((t for t in project.tracks if t.id == track_id), None)
        start = track.clips[-1].end if track is not None and track.clips else 0
    clip = Clip(id=new_id("clip"), start=start, length=length, name=_shot_name(project, track_id, start),
                shot=ShotSettings(prompt=prompt))
    edits.append(AddClip(track_id=track_id, clip=clip))
    return edits[0] if len(edits) == 1 else Composite("Add draft shot", edits)


def _shot_name(project: Project, track_id: str, start: int) -> str:
    """"Shot N" for the shot's place on its track (the storyboard's number), or the next free N."""
    track = next((t for t in project.tracks if t.id == track_id), None)
    number = 1 + (sum(1 for c in track.clips if c.start < start) if track is not None else 0)
    names = {c.name for t in project.tracks for c in t.clips}
    while f"Shot {number}" in names:
        number += 1
    return f"Shot {number}"
