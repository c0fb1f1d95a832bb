"""Which clips of a track cover a frame or show between two frames.

One binary search for video tracks and audio lanes alike: both keep their clips sorted by start
and never overlapping, so `hits` (video) and `audio_hits` (sound) share these look-ups.
"""

from __future__ import annotations

import bisect
from typing import Any


def clip_at(track: Any, frame: int) -> Any:
    """The clip of `track` covering `frame`, or None (clips are sorted and never overlap)."""
    i = bisect.bisect_right(track.clips, frame, key=lambda c: c.start) - 1
    if i >= 0 and track.clips[i].start <= frame < track.clips[i].end:
        return track.clips[i]
    return None


def visible_clips(track: Any, first: int, last: int) -> list[Any]:
    """Clips of `track` that show between frames first..last (binary search, then a short scan)."""
    clips = track.clips
    i = bisect.bisect_right(clips, first, key=lambda c: c.end)
    out = []
    while i < len(clips) and clips[i].start < last:
        out.append(clips[i])
        i += 1
    return out
