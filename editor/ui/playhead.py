"""The shared playhead: current frame, in/out marks and the play rate (J/K/L shuttle).

The timeline, the preview and the actions all read and move this one object. While the rate is
not zero it advances the frame from a wall clock, so playback keeps time and skips frames when
the preview is slow, instead of queueing them. At 1x, a `clock` (the preview's sound: the frame
being heard) leads instead when it answers, so the picture follows the sound.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction

from PySide6.QtCore import QElapsedTimer, QObject, QTimer, Signal

SHUTTLE_RATES = (1, 2, 4, 8)  # J/L pressed again goes one step faster, as in Premiere and Resolve


def play_end(project) -> int:
    """Where playback stops: the end of the last picture or sound (music may run past the cut)."""
    return max(project.duration, project.sound_end)


class Playhead(QObject):
    """Frame position, in/out marks and play rate. `changed` fires on any of them."""

    changed = Signal()
    frame_changed = Signal(int)
    playing_changed = Signal(bool)
    sought = Signal(int)  # the frame was set from outside while playing (a scrub, a click)

    def __init__(self, fps: Fraction = Fraction(24), parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._fps = Fraction(fps)
        self._frame = 0
        self._in: int | None = None
        self._out: int | None = None
        self._rate = 0
        self._end = 0  # playback stops here (the end of the cut); 0 means no limit known
        self._clock = QElapsedTimer()
        self._clock_origin = 0
        self._timer = QTimer(self)
        self._timer.setInterval(8)  # poll faster than any frame rate; the clock decides the frame
        self._timer.timeout.connect(self._tick)
        # the frame being heard, at 1x (None: no sound playing, the wall clock leads)
        self.clock: Callable[[], int | None] | None = None

    # --- reading ------------------------------------------------------------------------------
    @property
    def frame(self) -> int:
        return self._frame

    @property
    def in_mark(self) -> int | None:
        return self._in

    @property
    def out_mark(self) -> int | None:
        return self._out

    @property
    def rate(self) -> int:
        """Frames of film per frame of wall time; negative plays backwards; 0 is stopped."""
        return self._rate

    @property
    def playing(self) -> bool:
        return self._rate != 0

    @property
    def fps(self) -> Fraction:
        return self._fps

    # --- writing ------------------------------------------------------------------------------
    def set_fps(self, fps: Fraction) -> None:
        self._fps = Fraction(fps)

    def set_end(self, end: int) -> None:
        """Where playback stops: the end of the cut."""
        self._end = max(0, int(end))

    def set_frame(self, frame: int) -> None:
        frame = max(0, int(frame))
        if frame == self._frame:
            return
        self._frame = frame
        if self.playing:  # a scrub while playing continues from the new place
            self._restart_clock()
            self.sought.emit(frame)
        self.frame_changed.emit(frame)
        self.changed.emit()

    def step(self, frames: int) -> None:
        self.pause()
        self.set_frame(self._frame + frames)

    def mark_in(self, frame: int | None = None) -> None:
        self._in = self._frame if frame is None else max(0, frame)
        if self._out is not None and self._out <= self._in:
            self._out = None
        self.changed.emit()

    def mark_out(self, frame: int | None = None) -> None:
        self._out = (self._frame if frame is None else max(0, frame)) + 1  # out is exclusive
        if self._in is not None and self._in >= self._out:
            self._in = None
        self.changed.emit()

    def clear_marks(self) -> None:
        if self._in is None and self._out is None:
            return
        self._in = self._out = None
        self.changed.emit()

    # --- transport ----------------------------------------------------------------------------
    def toggle_play(self) -> None:
        if self.playing:
            self.pause()
        else:
            self.play(1)

    def play(self, rate: int = 1) -> None:
        if rate == 0:
            self.pause()
            return
        if rate > 0 and self._end and self._frame >= self._end - 1:
            self.set_frame(self._in or 0)  # play from the top when parked at the end
        was_playing = self.playing
        self._rate = rate
        self._restart_clock()
        self._timer.start()
        if not was_playing:
            self.playing_changed.emit(True)
        self.changed.emit()

    def pause(self) -> None:
        if not self.playing:
            return
        self._rate = 0
        self._timer.stop()
        self.playing_changed.emit(False)
        self.changed.emit()

    def shuttle(self, direction: int) -> None:
        """J (direction -1) / L (+1): start playing that way, or go one speed faster."""
        if self._rate and (self._rate > 0) == (direction > 0):
            speeds = [r for r in SHUTTLE_RATES if r > abs(self._rate)]
            self.play(direction * (speeds[0] if speeds else SHUTTLE_RATES[-1]))
        else:
            self.play(direction)

    def _restart_clock(self) -> None:
        self._clock.start()
        self._clock_origin = self._frame

    def _tick(self) -> None:
        heard = self.clock() if self.clock is not None and self._rate == 1 else None
        if heard is not None:
            frame = heard
        else:
            elapsed_s = Fraction(self._clock.elapsed(), 1000)
            frame = self._clock_origin + int(elapsed_s * self._fps * self._rate)
        stop = False
        if frame < 0:
            frame, stop = 0, True
        limit = self._out if self._out is not None else self._end
        if self._rate > 0 and limit and frame >= limit - 1:
            frame, stop = limit - 1, True
        if frame != self._frame:
            self._frame = frame
            self.frame_changed.emit(frame)
            self.changed.emit()
        if stop:
            self.pause()
