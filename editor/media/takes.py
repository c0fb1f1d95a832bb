"""Takes on disk: lossless RGB video (Ut Video in Matroska) written atomically, plus a JSON sidecar.

Takes are stored losslessly so that extending an extension, or infilling from a clip's tail,
starts from exactly the pixels the model made: `read_take(write_take(...))` returns the same
arrays, bit for bit (planar RGB, `gbrp`, no colour conversion anywhere).

Why Ut Video rather than FFV1: both are lossless and intra-only (every frame a keyframe, so a
preview seek is one decode), but FFV1's range coder costs ~100 ms per 1080p frame to encode
and as much to decode on a laptop core, too slow to play a 1080p take at 24 fps, while Ut
Video (median prediction + Huffman) takes ~20 ms each way, for files ~15% larger. FFV1 takes
written by earlier versions still read, as does any video.

The ffmpeg program writes the file (PyAV refuses Ut Video in Matroska), fed raw RGB on a
pipe. A take made by a model that makes sound (LTX-2) carries it as a lossless FLAC stream at the
sound's own rate (`TakeWriter(audio=...)`), so it plays, exports and links as a video with sound. A take is written to a hidden temporary name beside the final one and renamed when
complete, so a crash or a cancelled job never leaves a half take under the name a project
refers to.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from collections.abc import Iterable
from fractions import Fraction
from pathlib import Path

import numpy as np

from editor.document import scratch
from editor.media import children
from editor.media.errors import MediaError
from editor.media.ffmpeg_bin import ffmpeg_exe

TAKE_SUFFIX = ".mkv"
TAKE_CODEC = ["-c:v", "utvideo", "-pred", "median", "-pix_fmt", "gbrp"]
TAKE_AUDIO_CODEC = ["-c:a", "flac", "-sample_fmt", "s32"]  # lossless, 24 bits, at the sound's own rate
SIDECAR_SCHEMA = "shotline.take"
SIDECAR_VERSION = 1


class TakeWriter:
    """Write a take one frame at a time; `close()` publishes it, `abort()` (or an error) discards it.

    with TakeWriter(path, fps) as writer:
        for frame in frames:
            writer.append(frame)
    """

    def __init__(self, path: str | os.PathLike, fps: Fraction | int | float,
                 audio: str | os.PathLike | None = None) -> None:
        self.path = Path(path)
        # a sound file (WAV) stored with the frames as lossless FLAC (a model that makes sound)
        self.audio = Path(audio) if audio is not None else None
        self.fps = _as_fraction(fps)
        if self.fps <= 0:
            raise MediaError(f"A take needs a positive frame rate, not {fps}.")
        if self.path.suffix.lower() != TAKE_SUFFIX:
            raise MediaError(f"Takes are Matroska files: name it {self.path.stem}{TAKE_SUFFIX}.")
        if not self.path.parent.is_dir():
            raise MediaError(f"The folder {self.path.parent} does not exist; create it or pick another.")
        # Same folder as the final name, so the rename is atomic (never across file systems).
        scratch.remove_dead(self.path.parent)  # what a killed take write left here
        fd, self.temp_path = scratch.create(self.path, "partial")
        os.close(fd)
        self.frames_written = 0
        self._proc: subprocess.Popen | None = None
        self._log = None
        self._size: tuple[int, int] | None = None
        self._done = False

    def append(self, frame: np.ndarray) -> None:
        """Add one RGB uint8 (H, W, 3) frame; every frame must have the first one's size."""
        if self._done:
            raise MediaError(f"The take {self.path.name} is already closed.")
        frame = _check_frame(frame)
        h, w = frame.shape[:2]
        if self._proc is None:
            self._open(w, h)
        elif (w, h) != self._size:
            self.abort()
            raise MediaError(
                f"Frame {self.frames_written} of take {self.path.name} is {w}x{h}, "
                f"but the take is {self._size[0]}x{self._size[1]}: all frames must have one size."
            )
        try:
            self._proc.stdin.write(memoryview(frame).cast("B"))
        except (BrokenPipeError, OSError) as exc:
            log = self._stderr()
            self.abort()
            raise MediaError(f"Writing take {self.path.name} failed ({log or exc}); check free disk space.") from exc
        self.frames_written += 1

    def close(self) -> Path:
        """Finish the file and move it to its final name; return that path."""
        if self._done:
            return self.path
        if self.frames_written == 0:
            self.abort()
            raise MediaError(f"The take {self.path.name} got no frames; nothing was written.")
        try:
            self._proc.stdin.close()
            rc = self._proc.wait()
            if rc != 0:
                raise OSError(self._stderr() or f"ffmpeg exited with code {rc}")
            _fsync_file(self.temp_path)
            os.replace(self.temp_path, self.path)
            _fsync_dir(self.path.parent)
        except OSError as exc:
            self.abort()
            raise MediaError(f"Writing take {self.path.name} failed ({exc}); check free disk space.") from exc
        finally:
            if self._log is not None:
                self._log.close()
        self._done = True
        return self.path

    def abort(self) -> None:
        """Drop everything written so far; the final name is never touched."""
        if self._proc is not None and self._proc.poll() is None:
            self._proc.kill()
            self._proc.wait()
        if self._log is not None:
            self._log.close()
        self._done = True
        self.temp_path.unlink(missing_ok=True)

    def __enter__(self) -> TakeWriter:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()

    def _open(self, width: int, height: int) -> None:
        self._size = (width, height)
        rate = f"{self.fps.numerator}/{self.fps.denominator}"
        cmd = [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y",
               "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{width}x{height}", "-framerate", rate,
               "-i", "pipe:0"]
        if self.audio is not None:
            cmd += ["-i", str(self.audio), "-map", "0:v", "-map", "1:a", *TAKE_AUDIO_CODEC]
        cmd += [*TAKE_CODEC, "-f", "matroska", str(self.temp_path)]
        # ffmpeg's messages go to an unnamed file: a pipe nobody reads could fill and stall it
        self._log = tempfile.TemporaryFile()
        try:
            self._proc = children.popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=self._log)
        except OSError as exc:
            self.abort()
            raise MediaError(f"ffmpeg could not be started to write {self.path.name} ({exc}).") from exc

    def _stderr(self) -> str:
        if self._proc is not None and self._proc.poll() is None:
            try:
                self._proc.wait(timeout=10)  # it stopped reading: let it finish saying why
            except subprocess.TimeoutExpired:
                self._proc.kill()
        if self._log is None or self._log.closed:
            return ""
        self._log.seek(0)
        return self._log.read().decode("utf-8", "replace").strip()[-2000:]


def write_take(path: str | os.PathLike, frames: Iterable[np.ndarray], fps: Fraction | int | float) -> Path:
    """Write all `frames` (RGB uint8, one size) as a lossless take at `path` (.mkv); return the path."""
    with TakeWriter(path, fps) as writer:
        for frame in frames:
            writer.append(frame)
    return writer.path


def read_take(path: str | os.PathLike, start: int = 0, count: int | None = None) -> list[np.ndarray]:
    """The frames of a take (or of any video), exactly as they were written."""
    from editor.media.video import read_frames

    return read_frames(path, start, count)


# --- sidecar ------------------------------------------------------------------------------
def sidecar_path(take_path: str | os.PathLike) -> Path:
    """`media/take-x.mkv` -> `media/take-x.json`."""
    return Path(take_path).with_suffix(".json")


def write_sidecar(take_path: str | os.PathLike, record: dict) -> Path:
    """Write the generation record of a take beside it, atomically; return the sidecar's path."""
    path = sidecar_path(take_path)
    doc = {
        "schema": SIDECAR_SCHEMA,
        "version": SIDECAR_VERSION,
        "media": Path(take_path).name,
        "record": record,
    }
    text = json.dumps(doc, indent=2, ensure_ascii=False, default=_json_default)
    atomic_write_text(path, text + "\n")
    return path


def read_sidecar(take_path: str | os.PathLike) -> dict:
    """The generation record stored beside a take; {} when it has none."""
    path = sidecar_path(take_path)
    if not path.exists():
        return {}
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise MediaError(f"The record {path} can't be read ({exc}); it may be damaged.") from exc
    if not isinstance(doc, dict) or doc.get("schema") != SIDECAR_SCHEMA:
        raise MediaError(f"{path} is not a Shotline take record.")
    return dict(doc.get("record") or {})


def atomic_write_text(path: str | os.PathLike, text: str) -> None:
    """Write `text` to `path` so that readers see the old file or the new one, never a mix."""
    path = Path(path)
    fd, tmp = scratch.create(path, "tmp", ".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)


# --- helpers ------------------------------------------------------------------------------
def _check_frame(frame: np.ndarray) -> np.ndarray:
    if not isinstance(frame, np.ndarray) or frame.dtype != np.uint8 or frame.ndim != 3 or frame.shape[2] != 3:
        got = getattr(frame, "shape", type(frame).__name__)
        raise MediaError(f"Take frames must be RGB uint8 arrays of shape (H, W, 3), not {got}.")
    return np.ascontiguousarray(frame)


def _as_fraction(fps: Fraction | int | float | str) -> Fraction:
    if isinstance(fps, float):
        return Fraction(fps).limit_denominator(1001)
    return Fraction(fps)


def _json_default(value):
    if isinstance(value, Fraction):
        return f"{value.numerator}/{value.denominator}"
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return f"<array {value.shape} {value.dtype}>"  # frames are never stored in records
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    raise TypeError(f"{type(value).__name__} can't be stored in a take record")


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    if os.name != "posix":
        return  # directories can't be opened for fsync on Windows; the rename is still atomic
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
