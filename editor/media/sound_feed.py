"""The export's sound, mixed while the picture encodes: fed to ffmpeg through a named pipe.

Why: mixing the cut's sound (reading every audible clip, gains and fades, the optional loudness
pass) used to finish before ffmpeg started, so an export paid it in full before its first frame
(about a tenth of a 3 s 640x360 export). Here ffmpeg starts at once with a FIFO as its sound
input; a thread mixes and writes the samples into the FIFO while the frames flow on stdin.

What keeps it as safe as the scratch file it replaces:
- No file whose sound failed is ever published: `guard` hands ffmpeg the last frame only once
  the mix is done and raises its error instead (the export then kills ffmpeg and deletes the
  partial file, as for any failure).
- ffmpeg holds back the picture until the sound's first samples come (its muxer needs both
  streams), so `guard` also waits for the mix after `HOLD` frames: what ffmpeg buffers stays
  bounded however long the mix takes, and the export is never slower than mixing first.
- Opening the FIFO never blocks (O_NONBLOCK until ffmpeg opens its end, then blocking writes):
  an ffmpeg that failed at start leaves no thread stuck; writing to an ffmpeg that exited ends
  with EPIPE, and ffmpeg's exit code says what went wrong.
- Where no named pipe can be made (Windows, a temporary folder that refuses one) `start` raises
  NoPipe and the caller mixes first into a scratch file, as before.
"""

from __future__ import annotations

import errno
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from editor.document.project import Project
from editor.media import mix
from editor.media.errors import MediaError

HOLD = 64  # frames ffmpeg may get before the mix must be done (its muxer queues 128 packets)
CHUNK = 1 << 20  # bytes per write, so a cancelled export stops writing soon


class NoPipe(OSError):
    """No named pipe can be made here (Windows, or a temporary folder that refuses one): the
    caller mixes first, into a file."""


def supported() -> bool:
    """Named pipes exist here (POSIX)."""
    return hasattr(os, "mkfifo")


class SoundFeed:
    """The mix of frames [first, end) of `project`, written into `input` (a FIFO ffmpeg reads as
    raw 48 kHz f32le stereo) by a thread. Use `start`; always `close`."""

    def __init__(self, project: Project, project_root, first: int, end: int, loudness: float | None,
                 error: type[Exception]) -> None:
        self._args = (project, project_root, first, end)
        self._loudness = loudness
        self._error_type = error
        if not supported():
            raise NoPipe("this system has no named pipes")
        try:
            self._folder = Path(tempfile.mkdtemp(prefix="shotline-sound-"))
        except OSError as exc:
            raise NoPipe(str(exc)) from exc
        self.input = str(self._folder / "mix.f32")
        try:
            os.mkfifo(self.input, 0o600)
        except OSError as exc:
            shutil.rmtree(self._folder, ignore_errors=True)
            raise NoPipe(str(exc)) from exc
        self.level: object | None = None  # mix.Loudness once normalised (read after the export)
        self._error: BaseException | None = None
        self._mixed = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="export-sound", daemon=True)
        self._thread.start()

    @classmethod
    def start(cls, project: Project, project_root, first: int, end: int, *, loudness: float | None,
              error: type[Exception]) -> SoundFeed | None:
        """Start mixing frames [first, end); None when nothing audible plays there (no sound
        stream); NoPipe when no named pipe can be made here. `error` is the exception type a
        failed mix is raised as."""
        if not mix.has_sound(project, first, end):
            return None
        return cls(project, project_root, first, end, loudness, error)

    def guard(self, frames: Iterator[np.ndarray], total: int) -> Iterator[np.ndarray]:
        """`frames` (`total` of them), held at frame HOLD and at the last one until the mix is
        done; a failed mix is raised there (as `error`), so ffmpeg never finishes without it."""
        for k, frame in enumerate(frames):
            if k + 1 == total or k == HOLD:
                self._mixed.wait()
                self._raise_failure()
            yield frame

    def close(self) -> None:
        """Stop writing (a cancelled or failed export) and remove the FIFO."""
        self._stop.set()
        self._thread.join(timeout=0.5)  # a mix still computing ends on its own (daemon) and writes nothing
        shutil.rmtree(self._folder, ignore_errors=True)

    def _raise_failure(self) -> None:
        exc = self._error
        if isinstance(exc, (MediaError, OSError)):
            raise self._error_type(str(exc)) from None
        if exc is not None:
            raise exc  # not a media problem: as if the mix had run on the export's own thread

    def _run(self) -> None:
        # The FIFO is opened first, before mixing: ffmpeg opens its inputs one after the other
        # and reads no frame until this end is open too.
        fd = self._open()
        if fd is None:
            return
        try:
            try:
                project, root, first, end = self._args
                samples = mix.mix_range(project, root, first, end)
                if self._loudness is not None:
                    self.level = mix.normalise(samples, self._loudness)
                np.clip(samples, -1.0, 1.0, out=samples)
                data = memoryview(samples.astype("<f4", copy=False)).cast("B")
            except BaseException as exc:  # handed to the export's thread by `guard`
                self._error = exc
                return  # closing the FIFO below: ffmpeg sees no sound; `guard` fails the export
            finally:
                self._mixed.set()
            self._write(fd, data)
        finally:
            os.close(fd)

    def _open(self) -> int | None:
        """The FIFO's writing end once ffmpeg has opened it; None when the export ended first."""
        while not self._stop.is_set():
            try:
                fd = os.open(self.input, os.O_WRONLY | os.O_NONBLOCK)
            except OSError as exc:
                if exc.errno not in (errno.ENXIO, errno.EINTR):  # ENXIO: ffmpeg hasn't opened it yet
                    self._error = exc
                    self._mixed.set()
                    return None
                time.sleep(0.002)
                continue
            os.set_blocking(fd, True)
            return fd
        self._mixed.set()
        return None

    def _write(self, fd: int, data: memoryview) -> None:
        done = 0
        while done < len(data) and not self._stop.is_set():
            try:
                done += os.write(fd, data[done:done + CHUNK])
            except BrokenPipeError:
                return  # ffmpeg exited; its exit code says why
