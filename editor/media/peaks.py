"""Waveform peaks of a sound file, computed once and cached under the project's cache/peaks/.

A file's peaks are stored at one base resolution: the min and max of both channels over each
block of `BLOCK` samples at 48 kHz (an hour of sound is 675,000 blocks, 2.7 MB as float16).
Any zoom's per-pixel-column peaks come from those blocks with one numpy reduction
(`Peaks.columns`), so zooming never reads the file again. The file is named by a hash of the
source's absolute path, modification time and size: a changed file gets new peaks, and the
folder can be deleted at any time.

Decoding streams the file through PyAV (the same resampler as `editor.media.audio`, so the
blocks line up with what playback and export hear: time 0 is the first picture of a video),
reducing each batch of decoded samples as it goes; nothing holds the whole sound in memory.
This is slow work (seconds for an hour): callers run it off the GUI thread.
"""

from __future__ import annotations

import hashlib
import os
import time
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np

from editor.document import scratch
from editor.media.audio import CHANNELS, RATE, _open, _origin
from editor.media.errors import MediaError
from editor.media.paths import media_file, media_subfolder

BLOCK = 256  # samples per stored min/max pair
PEAKS_FOLDER = Path("cache") / "peaks"
_BATCH = 1 << 18  # samples reduced at a time (about 5 s): numpy works in bulk, memory stays small


@dataclass(frozen=True)
class Peaks:
    """min/max per BLOCK samples: `data` is (blocks, 2) float32, column 0 the min, 1 the max
    (float16 on disk: a waveform needs no more)."""

    data: np.ndarray

    @property
    def blocks(self) -> int:
        return int(self.data.shape[0])

    def columns(self, first_sample: int, samples_per_column: float, count: int) -> np.ndarray:
        """(count, 2) float32 min/max of the sound under `count` pixel columns, the first starting
        at sample `first_sample`, each `samples_per_column` wide; zeros past the file's sound."""
        out = np.zeros((max(0, count), 2), np.float32)
        if count <= 0 or self.blocks == 0:
            return out
        edges = first_sample + np.arange(count + 1) * samples_per_column
        b = np.floor(edges / BLOCK).astype(np.int64)
        b = np.clip(b, 0, self.blocks)
        lo, hi = b[:-1], np.maximum(b[1:], b[:-1] + 1)  # a column narrower than a block shows its block
        valid = lo < self.blocks
        if not valid.any():
            return out
        lo_v = lo[valid]
        end = min(int(max(hi[valid].max(), lo_v.max() + 1)), self.blocks)
        base = int(lo_v[0])
        data = self.data[base:end]  # only the blocks on screen (a view, no copy)
        idx = lo_v - base
        # reduceat reduces [idx[i], idx[i+1]), the last column up to `end`; where a column is
        # narrower than a block (idx repeats) it gives that block alone, as wanted
        out[valid, 0] = np.minimum.reduceat(data[:, 0], idx)
        out[valid, 1] = np.maximum.reduceat(data[:, 1], idx)
        return out


def peaks_path(project_root: str | os.PathLike, source: str | os.PathLike) -> Path:
    """Where the peaks of `source` are cached (MediaError when the file is missing)."""
    src = media_file(project_root, source)
    try:
        st = src.stat()
    except OSError:
        raise MediaError(f"{src} does not exist; relink the clip or restore the file.") from None
    ident = f"{src.absolute()}|{st.st_mtime_ns}|{st.st_size}|{BLOCK}"
    return Path(project_root) / PEAKS_FOLDER / f"{hashlib.sha1(ident.encode('utf-8')).hexdigest()}.npy"


def load_or_compute(project_root: str | os.PathLike, source: str | os.PathLike) -> tuple[Peaks, bool]:
    """The peaks of `source`, from the cache when there, else computed and cached.
    Returns (peaks, True when read from the cache)."""
    out = peaks_path(project_root, source)
    if out.is_file() and not out.is_symlink():
        try:
            data = np.load(out, allow_pickle=False)
            if data.ndim == 2 and data.shape[1] == 2:
                return Peaks(data.astype(np.float32)), True
        except (OSError, ValueError):
            pass  # a damaged cache file: made again below
    peaks = compute_peaks(media_file(project_root, source))
    _write(project_root, out, peaks.data.astype(np.float16))
    return peaks, False


def compute_peaks(path: str | os.PathLike) -> Peaks:
    """Decode the file's first audio stream once and reduce it to min/max per BLOCK samples."""
    p = Path(path)
    parts: list[np.ndarray] = []
    pending: list[np.ndarray] = []
    held = 0
    lead = 0  # silence before the sound starts (a video whose sound starts after its picture)
    try:
        with _open(p) as c:
            if not c.streams.audio:
                return Peaks(np.zeros((0, 2), np.float32))
            s = c.streams.audio[0]
            s.thread_type = "AUTO"
            origin = _origin(c, s)
            ctx = s.codec_context
            # 48 kHz stereo needs no resampling: min/max are taken of the decoded samples as they
            # come (scaled after), twice as fast as converting an hour of sound first. (Mono is
            # resampled: ffmpeg's upmix lowers it by 3 dB, and the waveform shows what is heard.)
            direct = ctx.sample_rate == RATE and (ctx.channels or 0) == CHANNELS
            resampler = None if direct else av.AudioResampler(format="flt", layout="stereo", rate=RATE)
            pos: int | None = None
            for packet in c.demux(s):
                for frame in packet.decode():
                    if pos is None:
                        pos = round((float((frame.pts or 0) * s.time_base) - origin) * RATE)
                        lead = pos
                    if resampler is None:
                        data = _as_samples(frame)
                        if data is None:  # an unusual sample format: convert from here on
                            resampler = av.AudioResampler(format="flt", layout="stereo", rate=RATE)
                        else:
                            pending.append(data)
                            held += data.shape[0]
                            continue
                    for chunk in resampler.resample(frame):
                        data = chunk.to_ndarray().reshape(-1, CHANNELS)
                        pending.append(data)
                        held += data.shape[0]
                if held >= _BATCH:
                    held = _flush(pending, parts, final=False)
                    time.sleep(0)  # let the GUI thread have the interpreter between batches
            for chunk in resampler.resample(None) if resampler is not None else ():
                pending.append(chunk.to_ndarray().reshape(-1, CHANNELS))
    except (av.error.FFmpegError, ValueError) as exc:
        raise MediaError(f"The sound of {p.name} is damaged and can't be decoded ({exc}).") from None
    _flush(pending, parts, final=True)
    data = np.concatenate(parts) if parts else np.zeros((0, 2), np.float16)
    if lead > 0:  # the blocks start at time 0: silence first
        data = np.concatenate([np.zeros((lead // BLOCK, 2), np.float16), data])
    elif lead < 0:  # sound before the first picture is never heard
        data = data[(-lead) // BLOCK:]
    return Peaks(np.ascontiguousarray(data, dtype=np.float32))


_SCALE = {np.dtype(np.int16): 1 / 32768, np.dtype(np.int32): 1 / 2**31, np.dtype(np.float32): 1.0,
          np.dtype(np.float64): 1.0}
_DTYPES = {"s16": np.int16, "s32": np.int32, "flt": np.float32, "dbl": np.float64}


def _as_samples(frame) -> np.ndarray | None:
    """A decoded stereo frame's samples as (n, 2) in its own dtype, read straight from its
    buffers (no conversion), or None for a format this doesn't read directly (8 bit, ...)."""
    name = frame.format.name
    dtype = _DTYPES.get(name.rstrip("p"))
    n = frame.samples
    if dtype is None or len(frame.layout.channels) != CHANNELS:
        return None
    if frame.format.is_planar:
        left, right = (np.frombuffer(plane, dtype, n) for plane in frame.planes[:CHANNELS])
        return np.stack([left, right], axis=1)
    return np.frombuffer(frame.planes[0], dtype, n * CHANNELS).reshape(n, CHANNELS)


def _flush(pending: list[np.ndarray], parts: list[np.ndarray], *, final: bool) -> int:
    """Reduce the whole blocks of `pending` into `parts`; keep the rest (all of it when final)."""
    if not pending:
        return 0
    samples = np.concatenate(pending) if len(pending) > 1 else pending[0]
    pending.clear()
    whole = samples.shape[0] // BLOCK * BLOCK
    if final and whole < samples.shape[0]:
        pad = np.zeros((BLOCK - (samples.shape[0] - whole), CHANNELS), samples.dtype)
        samples = np.concatenate([samples, pad])
        whole = samples.shape[0]
    if whole:
        blocks = samples[:whole].reshape(-1, BLOCK * CHANNELS)
        scale = _SCALE.get(samples.dtype, 1.0)  # min/max of the integers, scaled after: the same
        reduced = np.stack([blocks.min(axis=1), blocks.max(axis=1)], axis=1).astype(np.float32) * scale
        parts.append(reduced.astype(np.float16))
    rest = samples[whole:]
    if rest.shape[0]:
        pending.append(rest)
    return int(rest.shape[0])


def _write(project_root: str | os.PathLike, out: Path, data: np.ndarray) -> None:
    media_subfolder(project_root, PEAKS_FOLDER)  # made here; refused when a link leads out
    fd, tmp = scratch.create(out, "tmp", ".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            np.save(fh, data, allow_pickle=False)
        os.replace(tmp, out)  # two views computing the same peaks never see half a file
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
