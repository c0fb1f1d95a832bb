"""Sequential reads of sound for playback: the decoders stay open between reads.

`read_samples` (editor.media.audio) opens, seeks and decodes a second of lead-in for every call:
right for export's one read per clip, too slow for playback, which mixes a quarter second at a
time (four clips would cost half a core). `StreamReader` has the same signature and gives the
same samples, but keeps each file's decoder where the last read ended: a read that continues
where the previous one stopped only decodes what is new; any other read reopens and seeks, as
`read_samples` does. Use one per thread.
"""

from __future__ import annotations

import os
from pathlib import Path

import av
import numpy as np

from editor.media.audio import CHANNELS, RATE, _open, _origin, read_samples
from editor.media.errors import MediaError

_KEEP = 2  # open decoders per file: two clips of one file (split pieces) may play at once


class _Stream:
    """One file decoded forward from a seek point; `pos` is the sample after the buffer."""

    def __init__(self, path: Path, first: int) -> None:
        self.container = _open(path)
        self.stream = self.container.streams.audio[0] if self.container.streams.audio else None
        self.buffer = np.zeros((0, CHANNELS), np.float32)
        self.start = first  # sample index of buffer[0]
        self.pos: int | None = None
        self.done = self.stream is None
        if self.stream is None:
            return
        self.origin = _origin(self.container, self.stream)
        self.resampler = av.AudioResampler(format="flt", layout="stereo", rate=RATE)
        seek_s = self.origin + first / RATE - 1.0
        if seek_s > self.origin:
            self.container.seek(int(seek_s / self.stream.time_base), stream=self.stream, backward=True)
        self.frames = self.container.decode(self.stream)

    def close(self) -> None:
        self.container.close()

    def next_sample(self) -> int:
        return self.start + self.buffer.shape[0]

    def read(self, first: int, count: int) -> np.ndarray | None:
        """Samples first .. first+count, or None when this stream can't give them (already past)."""
        if first < self.start:
            return None
        while not self.done and self.next_sample() < first + count:
            try:
                frame = next(self.frames)
            except StopIteration:
                self.done = True
                chunks = self.resampler.resample(None)
            else:
                if self.pos is None:
                    self.pos = round((float((frame.pts or 0) * self.stream.time_base) - self.origin) * RATE)
                    if self.pos > first:
                        return None  # the seek landed after the wanted sample
                    self.start = self.pos
                chunks = self.resampler.resample(frame)
            for chunk in chunks:
                data = chunk.to_ndarray().reshape(-1, CHANNELS)
                self.buffer = np.concatenate([self.buffer, data]) if self.buffer.size else data
        out = np.zeros((count, CHANNELS), np.float32)
        a, b = max(first, self.start), min(first + count, self.next_sample())
        if a < b:
            out[a - first:b - first] = self.buffer[a - self.start:b - self.start]
        keep = max(0, first + count - self.start)  # drop what is behind this read
        self.buffer, self.start = self.buffer[keep:], self.start + min(keep, self.buffer.shape[0])
        return out


class StreamReader:
    """`read_samples` for sequential reads; call `close()` when done."""

    def __init__(self) -> None:
        self._streams: dict[Path, list[_Stream]] = {}

    def __call__(self, path: str | os.PathLike, first: int, count: int) -> np.ndarray:
        p = Path(path)
        if count <= 0:
            return np.zeros((0, CHANNELS), np.float32)
        streams = self._streams.setdefault(p, [])
        try:
            for s in streams:
                # where the last read ended, or a little after it (decoding on is cheaper than a seek)
                if s.start <= first <= s.next_sample() + RATE:
                    out = s.read(first, count)
                    if out is not None:
                        return out
            if len(streams) >= _KEEP:
                streams.pop(0).close()
            s = _Stream(p, first)
            out = s.read(first, count)
            if out is None:
                s.close()
            else:
                streams.append(s)
        except (av.error.FFmpegError, ValueError) as exc:
            raise MediaError(f"The sound of {p.name} is damaged and can't be decoded ({exc}); re-export the "
                             "file or unlink and delete its sound.") from None
        if out is None:  # the seek landed late: the slow, sure way
            return read_samples(p, first, count)
        return out

    def close(self) -> None:
        for streams in self._streams.values():
            for s in streams:
                s.close()
        self._streams.clear()
