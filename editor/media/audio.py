"""Sound from any file ffmpeg reads, as 48 kHz float32 stereo: the one decoder Shotline uses.

Everything that hears sound (export's mix, a WAV export, playback, waveforms) reads it through
`read_samples(path, first, count)`: samples `first .. first+count` at 48 kHz of the file's first
audio stream, as a (count, 2) float32 array. PyAV's AudioResampler turns any source (mono, 5.1,
8 kHz, 96 kHz, integer or float) into that, with ffmpeg's own downmix for surround.

Time 0 is the file's first *picture* when the file has one (a video's sound is in sync with its
frames: project frame f of the video is heard at sample f * 48000 / fps), else the start of the
sound. Samples before the sound starts or after it ends are silence, so a video whose sound is
shorter than its picture plays silence at the end and one whose sound is longer is cut by the
clip's length. A stream that can't be decoded raises MediaError saying so; `check_sound` decodes
a whole stream once, at import, so that a corrupt file is refused before it enters a project.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from editor.media.errors import MediaError

RATE = 48000
CHANNELS = 2
AUDIO_SUFFIXES = {".wav", ".flac", ".mp3", ".aac", ".m4a", ".ogg", ".opus", ".oga", ".wma", ".aif", ".aiff"}
_SEEK_BACK_S = 1.0  # seek this far before the wanted sample (audio frames are ~20-100 ms; some seeks are coarse)


@dataclass(frozen=True)
class SoundInfo:
    """What a file's first audio stream holds; `has_picture` is True for a video."""

    path: Path
    duration: float  # seconds of sound (from the container; an estimate for some formats)
    rate: int  # the stream's own sample rate
    channels: int
    codec: str
    has_picture: bool

    def frames(self, fps: Fraction) -> int:
        """The sound's length in project frames (at least 1)."""
        return max(1, round(Fraction(self.duration).limit_denominator(1_000_000) * fps))


def frame_to_sample(frame: int, fps: Fraction) -> int:
    """The first 48 kHz sample of project frame `frame`: floor(frame * 48000 / fps), exactly.

    Every range and clip edge goes through this one function, so cuts land on the same sample
    wherever they are computed and nothing drifts over a long film."""
    fps = Fraction(fps)
    return frame * RATE * fps.denominator // fps.numerator


def _open(path: Path) -> av.container.InputContainer:
    if not path.exists():
        raise MediaError(f"{path} does not exist; check the path or relink the media.")
    try:
        return av.open(str(path))
    except (av.error.FFmpegError, OSError, UnicodeDecodeError) as exc:
        raise MediaError(f"{path.name} can't be read as audio or video ({exc}); re-export it as WAV, "
                         "FLAC or MP4.") from None


def _has_picture(container) -> bool:
    # a still embedded as cover art (MP3, M4A) is not a picture the sound belongs to
    return any(not (s.disposition & av.stream.Disposition.attached_pic) for s in container.streams.video)


def sound_info(path: str | os.PathLike) -> SoundInfo | None:
    """The file's first audio stream, or None when it has none. MediaError when unreadable."""
    p = Path(path)
    with _open(p) as c:
        if not c.streams.audio:
            return None
        s = c.streams.audio[0]
        if s.duration is not None and s.time_base:
            duration = float(s.duration * s.time_base)
        elif c.duration is not None:
            duration = c.duration / av.time_base
        else:
            duration = 0.0
        ctx = s.codec_context
        return SoundInfo(p, duration, int(ctx.sample_rate or 0), int(ctx.channels or 0), ctx.name or "?",
                         _has_picture(c))


def is_audio_file(path: str | os.PathLike) -> bool:
    """True for a file holding sound and no picture (WAV, MP3, ...). Never raises."""
    try:
        info = sound_info(path)
    except MediaError:
        return False
    return info is not None and not info.has_picture


def check_sound(path: str | os.PathLike) -> SoundInfo:
    """Decode the file's whole first audio stream once; MediaError naming the file when it can't
    be decoded (a corrupt stream), so that it is refused before it enters a project."""
    p = Path(path)
    info = sound_info(p)
    if info is None:
        raise MediaError(f"{p.name} has no sound.")
    decoded = 0
    with _open(p) as c:
        s = c.streams.audio[0]
        try:
            for packet in c.demux(s):
                for frame in packet.decode():
                    decoded += frame.samples
        except (av.error.FFmpegError, ValueError) as exc:
            raise MediaError(f"The sound of {p.name} is damaged and can't be decoded ({exc}); re-export the "
                             "file or import it without sound.") from None
    if decoded == 0 or (info.duration > 1.0 and decoded < 0.5 * info.duration * (info.rate or RATE)):
        # some decoders skip damaged frames without a word: most of the sound missing is damage too
        raise MediaError(f"The sound of {p.name} is damaged: only {decoded / (info.rate or RATE):.1f} s of its "
                         f"{info.duration:.1f} s can be decoded; re-export the file or import it without sound.")
    if not info.duration:
        info = SoundInfo(p, decoded / (info.rate or RATE), info.rate, info.channels, info.codec, info.has_picture)
    return info


def read_samples(path: str | os.PathLike, first: int, count: int) -> np.ndarray:
    """Samples first .. first+count of the file's sound at 48 kHz stereo, float32 (count, 2).

    Silence where the file has no sound (before its start, after its end); MediaError when the
    stream can't be decoded."""
    p = Path(path)
    if count <= 0:
        return np.zeros((0, CHANNELS), np.float32)
    try:
        out = _decode(p, first, count, seek=True)
        if out is None:  # the seek landed after the wanted sample: read from the start instead
            out = _decode(p, first, count, seek=False)
    except (av.error.FFmpegError, ValueError) as exc:
        raise MediaError(f"The sound of {p.name} is damaged and can't be decoded ({exc}); re-export the "
                         "file or unlink and delete its sound.") from None
    return out


def _decode(p: Path, first: int, count: int, *, seek: bool) -> np.ndarray | None:
    out = np.zeros((count, CHANNELS), np.float32)
    with _open(p) as c:
        if not c.streams.audio:
            return out
        s = c.streams.audio[0]
        origin = _origin(c, s)
        resampler = av.AudioResampler(format="flt", layout="stereo", rate=RATE)
        seek_s = origin + first / RATE - _SEEK_BACK_S
        seeked = seek and seek_s > origin
        if seeked:
            c.seek(int(seek_s / s.time_base), stream=s, backward=True)
        pos: int | None = None  # our sample index of the next resampled sample
        for packet in c.demux(s):
            for frame in packet.decode():
                if pos is None:
                    pos = round((float((frame.pts or 0) * s.time_base) - origin) * RATE)
                    if seeked and pos > first:
                        return None
                for chunk in resampler.resample(frame):
                    pos = _place(out, chunk, pos, first)
                if pos >= first + count:
                    return out
        for chunk in resampler.resample(None):
            pos = _place(out, chunk, pos or 0, first)
    return out


def _origin(container, stream) -> float:
    """Seconds of the stream's clock that are time 0: the first picture, else the sound's start."""
    pictures = [v for v in container.streams.video if not (v.disposition & av.stream.Disposition.attached_pic)]
    ref = pictures[0] if pictures else stream
    if ref.start_time is not None and ref.time_base:
        return float(ref.start_time * ref.time_base)
    return 0.0


def _place(out: np.ndarray, chunk, pos: int, first: int) -> int:
    """Copy a resampled frame that starts at sample `pos` into `out` (which starts at `first`)."""
    data = chunk.to_ndarray()  # packed flt stereo: (1, samples * 2)
    data = data.reshape(-1, CHANNELS)
    n = data.shape[0]
    a, b = max(pos, first), min(pos + n, first + out.shape[0])
    if a < b:
        out[a - first:b - first] = data[a - pos:b - pos]
    return pos + n
