"""Sound that goes into a take: float samples written as a WAV for ffmpeg, resampled when mixed.

A model that makes sound (LTX-2) hands its samples at the vocoder's rate; the take stores them
losslessly (FLAC in the take's Matroska file, `editor.media.takes.TakeWriter(audio=...)`), so
the take plays, exports and links like an imported video with sound. ffmpeg is fed a 32-bit
float WAV written here (no extra dependency); `resample` brings sound to another rate with
ffmpeg's own resampler (PyAV), used when a take joins new sound to a clip's existing 48 kHz sound.
"""

from __future__ import annotations

import os
import struct
from pathlib import Path

import av
import numpy as np

from editor.media.errors import MediaError


def write_wav(path: str | os.PathLike, samples: np.ndarray, rate: int) -> Path:
    """Write (n, channels) float32 samples in -1..1 as a 32-bit float WAV; return the path."""
    data = np.ascontiguousarray(np.clip(samples, -1.0, 1.0), dtype="<f4")
    if data.ndim != 2 or not 1 <= data.shape[1] <= 8 or rate <= 0:
        raise MediaError(f"Sound of shape {samples.shape} at {rate} Hz can't be stored.")
    channels = data.shape[1]
    payload = data.tobytes()
    header = b"RIFF" + struct.pack("<I", 36 + len(payload)) + b"WAVE"
    header += b"fmt " + struct.pack("<IHHIIHH", 16, 3, channels, rate, rate * channels * 4, channels * 4, 32)
    header += b"data" + struct.pack("<I", len(payload))
    path = Path(path)
    with path.open("wb") as fh:
        fh.write(header)
        fh.write(payload)
    return path


def resample(samples: np.ndarray, rate: int, to_rate: int) -> np.ndarray:
    """(n, 2) float32 samples at `rate` -> the same sound at `to_rate`, exactly n * to_rate / rate long."""
    if rate == to_rate or samples.shape[0] == 0:
        return np.ascontiguousarray(samples, dtype=np.float32)
    want = samples.shape[0] * to_rate // rate
    resampler = av.AudioResampler(format="flt", layout="stereo", rate=to_rate)
    frame = av.AudioFrame.from_ndarray(
        np.ascontiguousarray(samples[:, :2], dtype=np.float32).reshape(1, -1), format="flt", layout="stereo"
    )
    frame.sample_rate = rate
    chunks = [c.to_ndarray().reshape(-1, 2) for c in resampler.resample(frame)]
    chunks += [c.to_ndarray().reshape(-1, 2) for c in resampler.resample(None)]
    out = np.concatenate(chunks) if chunks else np.zeros((0, 2), np.float32)
    fitted = np.zeros((want, 2), np.float32)
    fitted[: min(want, out.shape[0])] = out[:want]
    return fitted
