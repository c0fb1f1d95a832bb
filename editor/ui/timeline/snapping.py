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
    for track in project.tracks:
        frames.update(k.frame for k in track.keyframes)  # images pinned on the track, for infill
        for clip in track.clips:
            if clip.id in exclude:
                continue
            frames.add(clip.start)
            frames.add(clip.end)
            frames.update(clip.start + k.frame for k in clip.keyframes)
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
