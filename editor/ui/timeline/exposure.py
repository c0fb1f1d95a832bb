"""Which part of the timeline a playhead move repaints.

While playing, the playhead moves every frame. Repainting the whole timeline for that (every
track, every clip, the headers) costs the UI thread a full repaint per frame; only the
playhead's old and new places and the timecode in the corner change, so only those are
repainted, and the painter skips everything outside them (`TimelinePainter.paint`'s `exposed`).
"""

from __future__ import annotations

from PySide6.QtCore import QRect
from PySide6.QtWidgets import QWidget

from editor.ui.playhead import Playhead
from editor.ui.timeline.geometry import TimelineGeometry

PLAYHEAD_REACH = 10  # pixels either side of the playhead's x that its line and head cover


class PlayheadArea:
    """Remembers what the last playhead repaint showed, to repaint only what a move changes."""

    def __init__(self) -> None:
        self._shown: tuple[int, int | None, int | None] | None = None

    def update(self, viewport: QWidget, geo: TimelineGeometry, playhead: Playhead, *, scrolled: bool) -> None:
        """Schedule the repaint for the playhead's current state (all of it after a scroll or
        when the in/out marks changed, since those show across the ruler and the tracks)."""
        now = (playhead.frame, playhead.in_mark, playhead.out_mark)
        last, self._shown = self._shown, now
        if scrolled or last is None or last[1:] != now[1:]:
            viewport.update()
            return
        if last[0] == now[0]:
            return
        height = viewport.height()
        for frame in (last[0], now[0]):
            x = round(geo.x_of(frame))
            viewport.update(QRect(x - PLAYHEAD_REACH, 0, 2 * PLAYHEAD_REACH + 1, height))
        viewport.update(QRect(0, 0, geo.header_w, geo.ruler_h))  # the timecode
