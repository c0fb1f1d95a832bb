"""Frames as timecode (HH:MM:SS:FF at the project fps) and the ruler's tick spacing.

Plain Python (no Qt), so the timeline, the preview, the export dialog and the CLI all write the
same timecode for the same frame.
"""

from __future__ import annotations

import math
from fractions import Fraction


def nominal_fps(fps: Fraction) -> int:
    """Frames per timecode second: 24 for 23.976, 30 for 29.97 (non-drop-frame counting)."""
    return max(1, round(fps))


def timecode(frame: int, fps: Fraction) -> str:
    """HH:MM:SS:FF, counting `nominal_fps` frames per second as editors display it."""
    sign = "-" if frame < 0 else ""
    frame = abs(int(frame))
    base = nominal_fps(fps)
    ff = frame % base
    total_s = frame // base
    return f"{sign}{total_s // 3600:02d}:{total_s // 60 % 60:02d}:{total_s % 60:02d}:{ff:02d}"


def short_timecode(frame: int, fps: Fraction) -> str:
    """Ruler labels: drop the hours (and a leading zero minute) when they add nothing."""
    tc = timecode(frame, fps)
    return tc[3:] if tc.startswith("00:") else tc


def duration_text(frames: int, fps: Fraction) -> str:
    """A length in the user's words: "4.0 s" or "1 m 12.5 s"."""
    seconds = float(Fraction(frames) / fps) if fps else 0.0
    if seconds < 60:
        return f"{seconds:.1f} s"
    return f"{int(seconds // 60)} m {seconds % 60:.1f} s"


# Tick intervals in frames-of-a-second units, from single frames up to ten minutes.
_SECOND_STEPS = (1, 2, 5, 10, 15, 30, 60, 120, 300, 600)


def tick_step(px_per_frame: float, fps: Fraction, min_label_px: float = 90.0) -> tuple[int, int]:
    """(major, minor) tick spacing in frames so that labels are at least `min_label_px` apart.

    Below one second per label the steps are whole frames (1, 2, 5, 10 frames...) so zooming
    in all the way shows every frame, as Resolve does.
    """
    base = nominal_fps(fps)
    for step in (1, 2, 5, 10):
        if step < base and step * px_per_frame >= min_label_px:
            return step, 1 if step <= 5 else step // 5
    for seconds in _SECOND_STEPS:
        frames = seconds * base
        if frames * px_per_frame >= min_label_px:
            minor = frames // (5 if seconds in (5, 10, 15, 300, 600) else 4 if seconds == 60 else 2)
            return frames, max(1, minor)
    frames = 600 * base * math.ceil(min_label_px / (600 * base * px_per_frame))
    return frames, frames // 4
