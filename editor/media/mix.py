"""The project's sound mixed to 48 kHz float32 stereo for a range of frames, and its loudness.

`mix_range(project, folder, first, end)` adds every audible clip (see
`editor.document.project.audible_tracks`: mute and solo) into one buffer, each with its clip gain,
its fades (linear ramps) and its track's volume. Time is cut with `audio.frame_to_sample` only:
the range [first, end) is samples [S(first), S(end)), a clip sits at [S(start), S(end)) and reads
its source from S(source_in), so a range export ends on the sample where its last picture frame
ends, whatever the frame rate (30000/1001 included), with no drift over a long film.

`loudness(samples)` measures EBU R128 integrated loudness with ffmpeg's ebur128 filter, and
`normalise` applies the gain that brings a mix to a target (e.g. -14 LUFS), limiting peaks to
full scale. Export (MP4 and WAV) uses these; the preview can use `mix_range` for playback.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from editor.document.media_paths import resolve_media
from editor.document.project import AudioClip, Project, audible_tracks
from editor.media import children
from editor.media.audio import CHANNELS, RATE, frame_to_sample, read_samples
from editor.media.errors import MediaError
from editor.media.ffmpeg_bin import ffmpeg_exe

SILENCE_LUFS = -70.0  # ebur128's floor: a mix this quiet is silence and is not normalised


def db_to_gain(db: float) -> float:
    return float(10.0 ** (db / 20.0))


def has_sound(project: Project, first: int, end: int) -> bool:
    """True when an audible clip plays in frames [first, end)."""
    return any(c.start < end and first < c.end for t in audible_tracks(project.audio_tracks) for c in t.clips)


def mix_range(project: Project, folder: str | os.PathLike | None, first: int, end: int, *,
              read=read_samples) -> np.ndarray:
    """The mix of frames [first, end) as (S(end) - S(first), 2) float32 samples (not limited).
    `read` reads a source's samples (playback passes one that keeps its decoders open)."""
    fps = project.fps
    s0, s1 = frame_to_sample(first, fps), frame_to_sample(end, fps)
    out = np.zeros((max(0, s1 - s0), CHANNELS), np.float32)
    for track in audible_tracks(project.audio_tracks):
        volume = db_to_gain(track.volume_db)
        for clip in track.clips:
            if clip.end <= first or clip.start >= end:
                continue
            c0, c1 = frame_to_sample(clip.start, fps), frame_to_sample(clip.end, fps)
            a, b = max(c0, s0), min(c1, s1)
            if a >= b:
                continue
            path = Path(resolve_media(folder, clip.source))
            data = read(path, frame_to_sample(clip.source_in, fps) + (a - c0), b - a)
            data *= (_envelope(clip, fps, c1 - c0, a - c0, b - c0) * volume)[:, None]
            out[a - s0:b - s0] += data
    return out


def _envelope(clip: AudioClip, fps, length: int, a: int, b: int) -> np.ndarray:
    """Clip gain times the fades, for the clip's samples a..b (0 = the clip's first sample)."""
    env = np.full(b - a, db_to_gain(clip.gain_db), np.float32)
    idx = np.arange(a, b, dtype=np.float64)
    fin, fout = frame_to_sample(clip.fade_in, fps), frame_to_sample(clip.fade_out, fps)
    if fin > 0:
        env *= np.clip(idx / fin, 0.0, 1.0).astype(np.float32)
    if fout > 0:
        env *= np.clip((length - idx) / fout, 0.0, 1.0).astype(np.float32)
    return env


def loudness(samples: np.ndarray) -> float:
    """EBU R128 integrated loudness (LUFS) of 48 kHz stereo samples, measured by ffmpeg's ebur128."""
    if samples.shape[0] == 0:
        return SILENCE_LUFS
    cmd = [ffmpeg_exe(), "-hide_banner", "-nostats", "-f", "f32le", "-ar", str(RATE), "-ac", str(CHANNELS),
           "-i", "pipe:0", "-af", "ebur128=framelog=quiet", "-f", "null", "-"]
    done = children.run(cmd, input=np.ascontiguousarray(samples, np.float32).tobytes(), capture_output=True)
    text = done.stderr.decode("utf-8", "replace")
    found = re.findall(r"I:\s+(-?[\d.]+|-inf)\s+LUFS", text)
    if done.returncode != 0 or not found:
        raise MediaError(f"The loudness of the mix could not be measured (ffmpeg: {text.strip()[-200:]}).")
    value = float(found[-1])
    return max(value, SILENCE_LUFS)


@dataclass(frozen=True)
class Loudness:
    """What loudness normalisation measured and did."""

    measured: float  # LUFS of the mix before
    gain_db: float  # the gain applied (0 when the mix is silence)
    target: float
    result: float  # LUFS of the mix after (peaks limited to full scale)

    def describe(self) -> str:
        if self.measured <= SILENCE_LUFS:
            return f"loudness: the mix is silent ({self.measured:.1f} LUFS); not normalised"
        return (f"loudness: measured {self.measured:.1f} LUFS integrated, gain {self.gain_db:+.1f} dB "
                f"to {self.target:.1f} LUFS (now {self.result:.1f} LUFS)")


def normalise(samples: np.ndarray, target: float) -> Loudness:
    """Bring `samples` (in place) to `target` LUFS integrated; peaks are limited to full scale.

    Limiting takes some loudness off a mix with loud peaks, so the gain is corrected from a
    second measurement (at most three rounds) until the result is within 0.2 LU of the target."""
    measured = loudness(samples)
    if measured <= SILENCE_LUFS:
        return Loudness(measured, 0.0, target, measured)
    original = samples.copy()
    gain, result = target - measured, measured
    for _ in range(3):
        np.multiply(original, db_to_gain(gain), out=samples)
        np.clip(samples, -1.0, 1.0, out=samples)
        result = loudness(samples)
        if abs(result - target) < 0.2 or gain > 60:
            break
        gain += target - result
    return Loudness(measured, gain, target, result)
