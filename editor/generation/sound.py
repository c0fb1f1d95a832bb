"""The sound of a new take made by a model that makes sound (LTX-2), segment by segment.

A take's media is the plan's segments in order (`editor.generation.takes`); its sound follows
the same segments: the model's sound for the generated frames, and for the frames the clip
already showed (extend, loop) the sound their file has, or silence. The model's sound is stored
at its own rate (the vocoder's, 24 kHz for LTX-2) when the take holds no other sound; when it
joins a clip's existing sound the whole take's sound is at Shotline's 48 kHz, so the clip's own
sound is never resampled down. Where generated sound meets the clip's sound it is crossfaded
over a few milliseconds, so the join doesn't click.
"""

from __future__ import annotations

import os
from fractions import Fraction

import numpy as np

from editor.document.plans import GenerationPlan, Segment
from editor.media.audio import RATE, frame_to_sample, read_samples, sound_info
from editor.media.errors import MediaError
from editor.media.paths import media_file
from editor.media.take_sound import resample
from model.sound import Sound, cut, samples_for

JOIN_S = 0.01  # crossfade where the model's sound meets the clip's own


def assembled_sound(plan: GenerationPlan, sound: Sound, folder: str | os.PathLike | None) -> Sound:
    """The new take's sound, exactly as long as its frames (see the module docstring)."""
    fps = Fraction(plan.fps)
    own = {s.media: _has_sound(s, folder) for s in plan.target.segments if s.source == "take" and s.media}
    rate = RATE if any(own.values()) else sound.rate
    parts: list[tuple[np.ndarray, bool]] = []
    for segment in plan.target.segments:
        if segment.source == "generated":
            part = cut(sound, segment.first, segment.count, fps).samples[:, :2]
            parts.append((resample(part, sound.rate, rate) if rate != sound.rate else part, True))
        elif own.get(segment.media or ""):
            path = media_file(folder, segment.media)
            first = frame_to_sample(segment.first, fps)
            parts.append((read_samples(path, first, frame_to_sample(segment.first + segment.count, fps) - first), False))
        else:
            parts.append((np.zeros((0, 2), np.float32), False))
    # every part exactly its frames' length, at the positions the frames have in the take
    out = np.zeros((samples_for(plan.target.take_frames, fps, rate), 2), np.float32)
    at_frame = 0
    previous_generated: bool | None = None
    fade = max(1, round(JOIN_S * rate))
    for segment, (data, generated) in zip(plan.target.segments, parts, strict=True):
        a = samples_for(at_frame, fps, rate)
        b = samples_for(at_frame + segment.count, fps, rate)
        piece = np.zeros((b - a, 2), np.float32)
        piece[: min(b - a, data.shape[0])] = data[: b - a]
        if previous_generated is not None and previous_generated != generated and a > 0:
            n = min(fade, a, b - a)  # short fades on both sides of the join
            out[a - n : a] *= np.linspace(1.0, 0.0, n, dtype=np.float32)[:, None]
            piece[:n] *= np.linspace(0.0, 1.0, n, dtype=np.float32)[:, None]
        out[a:b] = piece
        at_frame += segment.count
        previous_generated = generated
    return Sound(out, rate)


def _has_sound(segment: Segment, folder: str | os.PathLike | None) -> bool:
    if segment.still or not segment.media:
        return False
    try:
        return sound_info(media_file(folder, segment.media)) is not None
    except MediaError:
        return False
