"""How far to scroll the timeline so a clip added by a command shows (as Resolve does).

A draft shot added with Edit ▸ Add Draft Shot lands after the last clip, often off the right
edge at the zoom the user works at; the view scrolls just enough to show it, never zooms, and
leaves the view alone when the clip already shows. Plain arithmetic, kept apart from the widget.
"""

from __future__ import annotations

REVEAL_MARGIN_PX = 24  # room left beside a revealed clip, so its edge isn't against the border


def scroll_to_show(scroll_x: float, px_per_frame: float, view_w: int, start: int, end: int,
                   margin: int = REVEAL_MARGIN_PX) -> float:
    """The horizontal scroll (content pixels) that shows frames [start, end) in a track area
    `view_w` pixels wide, moved as little as possible from `scroll_x`; a clip wider than the
    view shows from its start."""
    left, right = start * px_per_frame, end * px_per_frame
    if left >= scroll_x and right <= scroll_x + view_w:
        return scroll_x  # already in view: don't move what the user is looking at
    margin = max(0, min(margin, (view_w - (right - left)) // 2))
    if right - left + 2 * margin > view_w or left < scroll_x:
        return max(0.0, left - margin)
    return max(0.0, right + margin - view_w)
