"""Snapping: pull a dragged edge or position onto nearby clip edges, the playhead and keyframes."""

from __future__ import annotations

import bisect
from collections.abc import Iterable

from editor.document.project import Project


def snap_targets(project: Project, *, playhead: int, exclude: set[str] = frozenset()) -> list[int]:
    """Sorted frames worth snapping to: clip starts and ends, keyframes and the playhead.

    Clips being dragged (`exclude`) are left out so they don't snap to themselves.
    """
    frames = {0, playhead}
    # clips linked to a dragged one move with it: not targets either (sound never snaps to its own picture)
    links = {c.link for t in [*project.tracks, *project.audio_tracks] for c in t.clips
             if c.id in exclude and c.link}
    for track in project.tracks:
        frames.update(k.frame for k in track.keyframes)  # images pinned on the track, for infill
        for clip in track.clips:
            if clip.id in exclude or (clip.link and clip.link in links):
                continue
            frames.add(clip.start)
            frames.add(clip.end)
            frames.update(clip.start + k.frame for k in clip.keyframes)
    for audio in project.audio_tracks:  # sound edges too (a cut on a beat)
        for sound in audio.clips:
            if sound.id not in exclude and not (sound.link and sound.link in links):
                frames.add(sound.start)
                frames.add(sound.end)
    return sorted(frames)


def snap(frames: Iterable[int], targets: list[int], threshold: float) -> int:
    """The shift (in frames) that brings the candidate frame nearest to a target onto it.

    `frames` are the candidate edges being dragged (e.g. a clip's start and end, already moved);
    returns 0 when none is within `threshold` frames of a target.
    """
    best: int | None = None
    for frame in frames:
        i = bisect.bisect_left(targets, frame)
        for j in (i - 1, i):
            if 0 <= j < len(targets):
                shift = targets[j] - frame
                if abs(shift) <= threshold and (best is None or abs(shift) < abs(best)):
                    best = shift
    return best or 0
