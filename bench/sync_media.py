"""Sync test media made by ffmpeg, and readers that find its clicks and flashes again in any file.

Shared by the sync tests (tests/sound_helpers.py re-exports these) and the sync benchmark
(bench/bench_sound_sync.py), so both measure the same thing the same way.

`flash_click_video` writes a video whose first frame at or after each whole second is white and
whose sound clicks at each whole second: in sync by construction (within one source frame).
`clicks` and `flashes` find them again by decoding a file with PyAV.
"""

from __future__ import annotations

import subprocess
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from editor.media.ffmpeg_bin import ffmpeg_exe

CLICK = "if(lt(mod(t\\,1)\\,0.002)\\,0.9\\,0)"


def ffmpeg(*args: str) -> None:
    subprocess.run([ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", *args], check=True,
                   stdin=subprocess.DEVNULL)


def flash_click_video(path: Path, fps: str, seconds: float, *, rate: int = 48000, channels: int = 2,
                      audio_codec: str = "aac", audio_seconds: float | None = None) -> Path:
    """A 128x96 black video at `fps` with a white frame at each whole second and a click there."""
    fr = Fraction(fps)
    frame = float(1 / fr)
    a_len = seconds if audio_seconds is None else audio_seconds
    ffmpeg("-f", "lavfi", "-i", f"color=black:s=128x96:r={fps}:d={seconds}",
           "-f", "lavfi", "-i", f"aevalsrc={CLICK}:s={rate}:c={'mono' if channels == 1 else 'stereo'}:d={a_len}",
           "-vf", f"drawbox=c=white:t=fill:enable='lt(mod(t\\,1)\\,{frame - 1e-4:.6f})'",
           "-c:v", "libx264", "-preset", "ultrafast", "-g", "24", "-pix_fmt", "yuv420p",
           "-c:a", audio_codec, str(path))
    return path


def decode_audio(path: Path) -> np.ndarray:
    """The file's sound as (samples, channels) float32 at its own rate, placed by its first pts."""
    with av.open(str(path)) as c:
        s = c.streams.audio[0]
        chunks, start = [], None
        for frame in c.decode(s):
            if start is None:
                start = float((frame.pts or 0) * s.time_base)
            x = frame.to_ndarray()
            if frame.format.is_planar:
                x = x.T
            else:
                x = x.reshape(-1, len(frame.layout.channels))
            chunks.append(x.astype(np.float32))
        data = np.concatenate(chunks)
        if start and start > 0:
            data = np.concatenate([np.zeros((round(start * s.rate), data.shape[1]), np.float32), data])
        elif start and start < 0:
            data = data[round(-start * s.rate):]
        return data


def audio_rate(path: Path) -> int:
    with av.open(str(path)) as c:
        return c.streams.audio[0].rate


def clicks(path: Path, threshold: float = 0.3) -> list[float]:
    """Seconds at which a click starts (after at least 0.3 s of quiet)."""
    data = np.abs(decode_audio(path)).max(axis=1)
    rate = audio_rate(path)
    loud = np.flatnonzero(data > threshold)
    out, last = [], -10 * rate
    for i in loud:
        if i - last > 0.3 * rate:
            out.append(i / rate)
        last = i
    return out


def flashes(path: Path) -> list[float]:
    """Seconds (presentation time) of the white frames."""
    out = []
    with av.open(str(path)) as c:
        s = c.streams.video[0]
        for frame in c.decode(s):
            if frame.to_ndarray(format="gray").mean() > 128:
                out.append(float(frame.pts * s.time_base))
    return out


def offsets(path: Path) -> list[tuple[float, float]]:
    """(click second, flash minus click in seconds) for each click with a flash within 0.5 s."""
    fl = np.array(flashes(path))
    out = []
    for t in clicks(path):
        if len(fl) == 0:
            break
        k = int(np.argmin(np.abs(fl - t)))
        if abs(fl[k] - t) < 0.5:
            out.append((t, float(fl[k] - t)))
    return out
