"""The preview's sound: the project's mix played through QtMultimedia, and the clock it keeps.

While the playhead plays forwards at 1x, a mixer thread mixes the audio tracks
(`editor.media.mix.mix_range`, the same mix export uses) under a second ahead into a buffer,
and a `QAudioSink` pulls it through `_Feed` (a QIODevice in pull mode). The sound leads: the
playhead asks `SoundPlayer.frame()` which frame is being heard (`audio_frame`: the samples the
device has played since the start, minus what it still holds) and the preview shows that frame,
dropping the frames it can't decode in time. Any other rate (J/L shuttle, reverse) is silent
and keeps the wall clock, as in other editors.

Where there is no sound (QtMultimedia can't load, no audio device, the sink fails: a headless
machine, CI), playback goes on silently with the wall clock and `notice` says so once.
`levels()` gives the peak of each channel (dBFS) of the sound just handed to the device, for the
preview's meters.
"""

from __future__ import annotations

import math
import threading
from collections import deque
from fractions import Fraction
from pathlib import Path

import numpy as np
from PySide6.QtCore import QIODevice, QObject, QTimer, Signal

from editor.document.copies import clone_audio_clip
from editor.document.project import AudioTrack, Project
from editor.media.audio import CHANNELS, RATE, frame_to_sample
from editor.ui.threads import gc_guard

AHEAD_S = 0.8  # mixed this far ahead of what is heard
# The mixer works in blocks of about this long (whole frames): each block opens and seeks every
# source it hears, so short blocks cost more than real time with a few clips
BLOCK_FRAMES_S = 0.25
SILENT_DB = -90.0


def audio_frame(origin: int, played_samples: int, fps: Fraction) -> int:
    """The project frame heard after `played_samples` samples at 48 kHz from frame `origin`:
    the last frame whose first sample (`frame_to_sample`) has been played. The exact inverse of
    frame_to_sample, so the picture never runs ahead of the sound."""
    fps = Fraction(fps)
    target = frame_to_sample(origin, fps) + max(0, int(played_samples))
    frame = target * fps.numerator // (RATE * fps.denominator)
    while frame_to_sample(frame + 1, fps) <= target:  # floor rounding: at most a step either way
        frame += 1
    while frame > origin and frame_to_sample(frame, fps) > target:
        frame -= 1
    return max(origin, frame)


def peak_dbfs(samples: np.ndarray) -> tuple[float, float]:
    """The peak of each channel of (n, 2) float samples in dBFS (SILENT_DB for silence)."""
    if samples.size == 0:
        return SILENT_DB, SILENT_DB
    peaks = np.abs(samples).max(axis=0)
    return tuple(max(SILENT_DB, 20 * math.log10(float(p))) if p > 0 else SILENT_DB for p in peaks[:2])


def _snapshot(project: Project) -> Project:
    """What the mixer thread reads: the frame rate and copies of the audio tracks (no live objects)."""
    tracks = [AudioTrack(id=t.id, name=t.name, clips=[clone_audio_clip(c) for c in t.clips], volume_db=t.volume_db,
                         muted=t.muted, solo=t.solo) for t in project.audio_tracks]
    return Project(fps=project.fps, audio_tracks=tracks)


class _Mixer:
    """Mixes blocks of whole frames from `frame` on, on its own thread, a little ahead of playback.

    Samples are kept at their place in time: `read` hands out the samples from the play position
    on, silence where nothing is mixed yet, and the play position moves on either way; mixed
    samples older than it are dropped and a mixer that fell behind jumps to it. So the sound
    heard is always the sound of the frame the clock says, a late block costs a moment of
    silence, never sync."""

    def __init__(self, project: Project, folder: Path | None, frame: int) -> None:
        self._project = project
        self._folder = folder
        self._frame = frame
        self._fps = Fraction(project.fps)
        self._play = frame_to_sample(frame, self._fps)  # the next sample handed to the device
        self._queue: deque[tuple[int, np.ndarray]] = deque()  # (first sample, samples), in order
        self._queued = 0  # samples in the queue
        self._cond = threading.Condition()
        self._stop = False
        self.error: str | None = None
        self._thread = threading.Thread(target=self._run, name="shotline-sound-mix", daemon=True)
        gc_guard.acquire()
        self._thread.start()

    def set_project(self, project: Project) -> None:
        with self._cond:
            self._project = project  # blocks mixed from now on hear the change

    def _run(self) -> None:
        from editor.media.audio_stream import StreamReader
        from editor.media.mix import mix_range

        read = StreamReader()  # this thread's decoders, kept open from block to block
        try:
            while True:
                with self._cond:
                    while not self._stop and self._queued >= AHEAD_S * RATE:
                        self._cond.wait()
                    if self._stop:
                        return
                    project, first = self._project, self._frame
                    if frame_to_sample(first + 1, self._fps) <= self._play:  # behind: jump to the play position
                        first = audio_frame(0, self._play, self._fps)
                n = max(1, round(float(project.fps) * BLOCK_FRAMES_S))
                block = np.clip(mix_range(project, self._folder, first, first + n, read=read), -1.0, 1.0)
                with self._cond:
                    if self._stop:
                        return
                    self._queue.append((frame_to_sample(first, self._fps), block.astype(np.float32, copy=False)))
                    self._queued += block.shape[0]
                    self._frame = first + n
        except Exception as exc:  # a damaged file: the sound stops, the picture goes on
            self.error = str(exc)
        finally:
            read.close()

    def read(self, count: int) -> np.ndarray:
        """The next `count` samples (count, 2); silence for what is not mixed yet."""
        out = np.zeros((count, CHANNELS), np.float32)
        with self._cond:
            start, end = self._play, self._play + count
            while self._queue:
                at, block = self._queue[0]
                stop = at + block.shape[0]
                a, b = max(at, start), min(stop, end)
                if a < b:
                    out[a - start:b - start] = block[a - at:b - at]
                if stop <= end:  # used up (or too old): drop it
                    self._queue.popleft()
                    self._queued -= block.shape[0]
                else:
                    if at < end:  # keep the part after this read
                        self._queue[0] = (end, block[end - at:])
                        self._queued -= end - at
                    break
            self._play = end
            self._cond.notify_all()
        return out

    def stop(self) -> None:
        with self._cond:
            self._stop = True
            self._cond.notify_all()
        self._thread.join(timeout=5)
        gc_guard.release()


class _Feed(QIODevice):
    """What the audio sink pulls: the mixer's samples as packed float32 stereo."""

    def __init__(self, mixer: _Mixer, on_block) -> None:
        super().__init__()
        self._mixer = mixer
        self._on_block = on_block

    def isSequential(self) -> bool:  # noqa: N802 - Qt's name
        return True

    def bytesAvailable(self) -> int:  # noqa: N802
        return int(RATE * CHANNELS * 4 * AHEAD_S) + super().bytesAvailable()

    def readData(self, maxlen: int) -> bytes:  # noqa: N802
        count = maxlen // (CHANNELS * 4)
        if count <= 0:
            return b""
        samples = self._mixer.read(count)
        self._on_block(samples)
        return samples.tobytes()

    def writeData(self, data) -> int:  # noqa: N802
        return -1


class SoundPlayer(QObject):
    """Plays the project's mix from a frame; `frame()` is the audio clock (None when silent)."""

    notice = Signal(str)  # said once: why playback is silent

    def __init__(self, folder: Path | str | None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._folder = Path(folder) if folder is not None else None
        self._sink = None
        self._feed: _Feed | None = None
        self._mixer: _Mixer | None = None
        self._origin = 0
        self._fps = Fraction(24)
        self._format = None
        self._noticed = False
        self._error_said = False
        self._unavailable: str | None = None  # why there is no sound here (checked once)
        self._levels = (SILENT_DB, SILENT_DB)
        self._levels_lock = threading.Lock()
        # the sink pulls when the feed says it has data: say so often (pull mode waits otherwise)
        self._nudge = QTimer(self)
        self._nudge.setInterval(20)
        self._nudge.timeout.connect(self._feed_ready)

    # --- public -------------------------------------------------------------------------------
    @property
    def playing(self) -> bool:
        return self._sink is not None

    def start(self, project: Project, frame: int) -> bool:
        """Play the mix from `frame`; False (and a notice, once) when there is no sound here."""
        self.stop()
        if self._device() is None:
            self._say(self._unavailable or "No sound device: playing without sound.")
            return False
        from PySide6.QtMultimedia import QAudioSink

        self._origin, self._fps = int(frame), Fraction(project.fps)
        self._mixer = _Mixer(_snapshot(project), self._folder, int(frame))
        self._feed = _Feed(self._mixer, self._meter)
        self._feed.open(QIODevice.OpenModeFlag.ReadOnly)
        sink = QAudioSink(self._device(), self._format, self)
        sink.setBufferSize(int(RATE * CHANNELS * 4 * 0.1))  # 100 ms: the clock's uncertainty
        sink.start(self._feed)
        if sink.error().name != "NoError":  # compared by name: QAudio became QtAudio in Qt 6.7
            self._fail(sink)
            return False
        self._sink = sink
        self._nudge.start()
        return True

    def _feed_ready(self) -> None:
        if self._feed is not None:
            self._feed.readyRead.emit()

    def _fail(self, sink) -> None:
        self._unavailable = f"The sound device can't play ({sink.error().name}): playing without sound."
        sink.stop()
        sink.deleteLater()
        self._stop_mixer()
        self._say(self._unavailable)

    def update_project(self, project: Project) -> None:
        """The document changed while playing: what is mixed next hears the change."""
        if self._mixer is not None:
            self._mixer.set_project(_snapshot(project))

    def stop(self) -> None:
        self._nudge.stop()
        if self._sink is not None:
            self._sink.stop()
            self._sink.deleteLater()
            self._sink = None
        self._stop_mixer()
        with self._levels_lock:
            self._levels = (SILENT_DB, SILENT_DB)

    def frame(self) -> int | None:
        """The frame being heard now, or None when no sound is playing (the wall clock leads)."""
        sink = self._sink
        if sink is None:
            return None
        mixer = self._mixer
        if mixer is not None and mixer.error and not self._error_said:  # a damaged file: say which, once
            self._error_said = True
            self.notice.emit(f"The sound stopped: {mixer.error}")
        if sink.error().name not in ("NoError", "UnderrunError"):
            # the device failed while playing (unplugged, taken): the picture goes on by the wall clock
            self._sink = None
            self._fail(sink)
            return None
        processed = sink.processedUSecs() * RATE // 1_000_000
        held = max(0, sink.bufferSize() - sink.bytesFree()) // (CHANNELS * 4)
        return audio_frame(self._origin, max(0, processed - held), self._fps)

    def levels(self) -> tuple[float, float]:
        """Peak dBFS of the left and right channels of the sound handed to the device last."""
        with self._levels_lock:
            return self._levels

    @property
    def unavailable(self) -> str | None:
        """Why there is no sound here, once that is known; None otherwise."""
        return self._unavailable

    # --- internals ----------------------------------------------------------------------------
    def _device(self):
        if self._unavailable is not None:
            return None
        try:
            from PySide6.QtMultimedia import QAudioFormat, QMediaDevices
        except ImportError as exc:  # the add-ons or a system library (libpulse) missing
            self._unavailable = (f"No sound: QtMultimedia can't load ({exc}); install PySide6-Addons at the "
                                 "version of PySide6-Essentials. Playing without sound.")
            return None
        device = QMediaDevices.defaultAudioOutput()
        if device.isNull():
            self._unavailable = "No sound device: playing without sound."
            return None
        fmt = QAudioFormat()
        fmt.setSampleRate(RATE)
        fmt.setChannelCount(CHANNELS)
        fmt.setSampleFormat(QAudioFormat.SampleFormat.Float)
        if not device.isFormatSupported(fmt):
            self._unavailable = f"The sound device ({device.description()}) can't play 48 kHz stereo: playing without sound."
            return None
        self._format = fmt
        return device

    def _say(self, text: str) -> None:
        if not self._noticed:
            self._noticed = True
            self.notice.emit(text)

    def _meter(self, samples: np.ndarray) -> None:
        levels = peak_dbfs(samples)
        with self._levels_lock:
            self._levels = levels

    def _stop_mixer(self) -> None:
        if self._feed is not None:
            self._feed.close()
            self._feed = None
        if self._mixer is not None:
            self._mixer.stop()
            self._mixer = None
