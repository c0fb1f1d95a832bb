"""Snapping: the nearest clip edge, playhead or keyframe within a tolerance, as pure functions."""

from __future__ import annotations

from collections.abc import Iterable

from editor.document.project import Project


def snap_points(
    project: Project,
    *,
    playhead: int | None = None,
    exclude: Iterable[str] = (),
    keyframes: bool = True,
) -> list[int]:
    """Sorted frames worth snapping to: clip starts and ends (except the clips in `exclude`,
    typically the ones being dragged), the playhead, and keyframes (shot and track)."""
    skip = set(exclude)
    points = {0}
    if playhead is not None:
        points.add(playhead)
    for track in project.tracks:
        if keyframes:
            points.update(k.frame for k in track.keyframes)
        for clip in track.clips:
            if clip.id in skip:
                continue
            points.add(clip.start)
            points.add(clip.end)
            if keyframes:
                points.update(clip.start + k.frame for k in clip.keyframes)
    return sorted(points)


def snap(frame: int, points: Iterable[int], tolerance: int) -> int:
    """`frame` moved to the nearest point at most `tolerance` frames away (the earlier one on a tie),
    or `frame` unchanged when none is that close."""
    best, best_d = frame, tolerance + 1
    for p in points:
        d = abs(p - frame)
        if d < best_d or (d == best_d and p < best):
            best, best_d = p, d
    return best if best_d <= tolerance else frame


def snap_delta(edges: Iterable[int], delta: int, points: Iterable[int], tolerance: int) -> int:
    """The move to use when dragging things whose edges are `edges` by `delta` frames: the
    smallest correction that lands any edge on a point within `tolerance`, else `delta`."""
    pts = list(points)
    exact = set(pts)
    best, best_d = delta, tolerance + 1
    for edge in edges:
        moved = edge + delta
        if moved in exact:
            return delta  # already on a point: pulling another edge would only move it off
        target = snap(moved, pts, tolerance)
        d = abs(target - moved)
        if target != moved and d < best_d:
            best, best_d = delta + (target - moved), d
    return best
