"""Sound a model made with its picture: samples at the model's rate, cut and fitted to frames.

LTX-2 makes sound and picture in one pass. Its sound never has exactly the picture's length
(5.010 s for 121 frames at 24 fps), and a window the model makes may be longer than the frames
asked for, so everything here is counted in frames of the request: `cut` takes the sound of
frames [first, first + count) and pads it with silence or trims it to exactly that many frames'
worth of samples, and `stitch` joins the sound of the overlapping windows of a long shot with a
short crossfade.

Samples for `n` frames at `fps` and `rate` Hz are floor(n * rate / fps), the rule the editor uses
for its 48 kHz sound (`editor.media.audio.frame_to_sample`), so a take's sound and picture end
together. No torch here: samples are float32 numpy arrays of shape (samples, channels) in -1..1.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np

CROSSFADE_S = 0.04  # joins between windows: long enough not to click, short enough not to smear


@dataclass(frozen=True, eq=False)
class Sound:
    """`samples` (n, channels) float32 in -1..1 at `rate` Hz."""

    samples: np.ndarray
    rate: int

    @property
    def seconds(self) -> float:
        return self.samples.shape[0] / self.rate

    def describe(self) -> dict:
        return {"rate": self.rate, "channels": int(self.samples.shape[1]), "samples": int(self.samples.shape[0])}


def samples_for(frames: int, fps: Fraction, rate: int) -> int:
    """The first sample of frame `frames` (so also the sample count of that many frames)."""
    fps = Fraction(fps)
    return frames * rate * fps.denominator // fps.numerator


def cut(sound: Sound, first: int, count: int, fps: Fraction) -> Sound:
    """The sound of frames [first, first + count), exactly that long (silence where there is none)."""
    a = samples_for(first, fps, sound.rate)
    n = samples_for(first + count, fps, sound.rate) - a
    out = np.zeros((n, sound.samples.shape[1]), np.float32)
    part = sound.samples[a : a + n]
    out[: part.shape[0]] = part
    return Sound(out, sound.rate)


def stitch(parts: list[tuple[int, Sound]], total: int, fps: Fraction) -> Sound | None:
    """One sound of `total` frames from (first frame, sound) parts that may overlap.

    A later part wins where parts overlap, faded in over CROSSFADE_S at its start so the join
    doesn't click; None when there are no parts.
    """
    if not parts:
        return None
    rate = parts[0][1].rate
    channels = parts[0][1].samples.shape[1]
    out = np.zeros((samples_for(total, fps, rate), channels), np.float32)
    written = 0  # samples [0, written) hold sound already
    fade = max(1, round(CROSSFADE_S * rate))
    for first, sound in parts:
        if sound.rate != rate:
            raise ValueError("the windows of one shot made sound at different rates")
        a = samples_for(first, fps, rate)
        data = sound.samples[: max(0, out.shape[0] - a)]
        b = a + data.shape[0]
        overlap = min(fade, max(0, written - a), data.shape[0])
        if overlap:
            ramp = np.linspace(0.0, 1.0, overlap, dtype=np.float32)[:, None]
            out[a : a + overlap] = out[a : a + overlap] * (1 - ramp) + data[:overlap] * ramp
            out[a + overlap : b] = data[overlap:]
        else:
            out[a:b] = data
        written = max(written, b)
    if 0 < written < out.shape[0] <= written + 2:
        # each part was floored to its own frames: the last sample or two repeat rather than drop to 0
        out[written:] = out[written - 1]
    return Sound(out, rate)
