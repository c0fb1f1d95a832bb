"""Where things are on the timeline: frames <-> pixels, tracks <-> rows, at a zoom and scroll.

Plain arithmetic kept apart from the widget so painting, hit-testing and tests agree on it.
Content coordinates put frame 0 at x = 0 of the track area; `scroll_x` is in pixels.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

MIN_PX_PER_FRAME = 0.005  # about an hour across a 1,000 px wide view at 24 fps
MAX_PX_PER_FRAME = 60.0  # a frame as wide as a thumbnail


@dataclass
class TimelineGeometry:
    header_w: int = 168  # track names and buttons
    ruler_h: int = 30
    track_h: int = 72
    track_gap: int = 2  # dark line between tracks
    px_per_frame: float = 4.0
    scroll_x: float = 0.0  # pixels of content scrolled off to the left
    scroll_y: int = 0

    # --- horizontal ---------------------------------------------------------------------------
    def x_of(self, frame: float) -> float:
        """Widget x of the left edge of `frame`."""
        return self.header_w + frame * self.px_per_frame - self.scroll_x

    def frame_at(self, x: float) -> int:
        """The frame under widget x (floor), clamped at 0."""
        return max(0, math.floor((x - self.header_w + self.scroll_x) / self.px_per_frame))

    def nearest_frame(self, x: float) -> int:
        """The frame boundary nearest to x: where a cut or drop at x lands."""
        return max(0, round((x - self.header_w + self.scroll_x) / self.px_per_frame))

    def visible_frames(self, width: int) -> tuple[int, int]:
        """First and one-past-last frame visible in a view `width` pixels wide."""
        first = max(0, math.floor(self.scroll_x / self.px_per_frame))
        last = math.ceil((self.scroll_x + max(0, width - self.header_w)) / self.px_per_frame) + 1
        return first, last

    def set_zoom(self, px_per_frame: float, *, anchor_x: float | None = None) -> None:
        """Zoom keeping the frame under `anchor_x` (widget x) where it is."""
        px_per_frame = min(MAX_PX_PER_FRAME, max(MIN_PX_PER_FRAME, px_per_frame))
        if anchor_x is None:
            anchor_x = self.header_w
        anchor_frame = (anchor_x - self.header_w + self.scroll_x) / self.px_per_frame
        self.px_per_frame = px_per_frame
        self.scroll_x = max(0.0, anchor_frame * px_per_frame - (anchor_x - self.header_w))

    # --- vertical -----------------------------------------------------------------------------
    def track_top(self, index: int) -> int:
        return self.ruler_h + index * (self.track_h + self.track_gap) - self.scroll_y

    def track_at(self, y: float) -> int | None:
        """Index of the track row under widget y, or None on the ruler / between rows."""
        if y < self.ruler_h:
            return None
        offset = y - self.ruler_h + self.scroll_y
        index = int(offset // (self.track_h + self.track_gap))
        if offset - index * (self.track_h + self.track_gap) >= self.track_h:
            return None
        return index

    def row_at(self, y: float) -> int:
        """Like track_at but never None below the ruler: the row a drag is over."""
        offset = max(0.0, y - self.ruler_h + self.scroll_y)
        return int(offset // (self.track_h + self.track_gap))

    def content_height(self, tracks: int) -> int:
        return self.ruler_h + tracks * (self.track_h + self.track_gap)
