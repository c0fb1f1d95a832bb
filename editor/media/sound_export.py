"""Export the mix alone as a WAV file (48 kHz, 24-bit stereo), atomically, like the MP4 export.

The same mix as the MP4's sound (editor.media.mix, the same frame range cut at the same samples,
the same optional loudness normalisation), written by ffmpeg into a scratch file beside the
target and renamed over it only when complete: a failure leaves a previous file untouched.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from editor.document import scratch
from editor.document.project import Project
from editor.media import children, mix
from editor.media.audio import CHANNELS, RATE
from editor.media.errors import MediaError
from editor.media.export import ExportError
from editor.media.ffmpeg_bin import ffmpeg_exe
from editor.media.outputs import project_inputs, refuse_overwrite


@dataclass(frozen=True)
class SoundExportResult:
    path: Path
    samples: int  # per channel, at 48 kHz
    seconds: float  # wall time
    loudness: mix.Loudness | None


def export_sound(project: Project, project_root: str | os.PathLike | None, out_path: str | os.PathLike, *,
                 start: int | None = None, end: int | None = None, loudness: float | None = None,
                 ) -> SoundExportResult:
    """Write the mix of frames [start, end) (default: the whole cut) to `out_path` (.wav)."""
    t0 = time.perf_counter()
    out = Path(out_path).expanduser().absolute()
    if out.suffix.lower() != ".wav":
        raise ExportError(f"{out.name}: the sound is exported as WAV; name the file .wav.")
    if out.is_dir():
        raise ExportError(f"{out} is a folder; give a file name such as {out / 'mix.wav'}.")
    if not out.parent.is_dir():
        raise ExportError(f"The folder {out.parent} does not exist; create it or choose another.")
    if loudness is not None and not -70 <= loudness <= 0:
        raise ExportError(f"A loudness target is from -70 to 0 LUFS (e.g. -14 or -23), not {loudness!r}.")
    refuse_overwrite(out, project_inputs(project, project_root), project_folder=project_root, error=ExportError)
    first = start or 0
    stop = max(project.duration, project.sound_end) if end is None else end
    if stop <= first:
        raise ExportError("Nothing to export: the cut is empty." if stop == 0
                          else f"Nothing to export between frames {first} and {stop}; move the in/out marks.")
    if not mix.has_sound(project, first, stop):
        raise ExportError("No sound plays in the exported range: add sound, or unmute its track.")
    try:
        samples = mix.mix_range(project, project_root, first, stop)
        level = mix.normalise(samples, loudness) if loudness is not None else None
    except MediaError as exc:
        raise ExportError(str(exc)) from None
    np.clip(samples, -1.0, 1.0, out=samples)
    try:
        scratch.remove_dead(out.parent)
        fd, tmp = scratch.create(out, "partial", ".wav")
        os.close(fd)
    except OSError as exc:
        raise ExportError(f"Can't write to {out.parent} ({exc.strerror or exc}); choose a folder you can write to.") \
            from exc
    tmp = Path(tmp)
    try:
        cmd = [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", "-f", "f32le", "-ar", str(RATE),
               "-ac", str(CHANNELS), "-i", "pipe:0", "-c:a", "pcm_s24le", "-f", "wav", str(tmp)]
        done = children.run(cmd, input=samples.astype("<f4", copy=False).tobytes(), capture_output=True)
        if done.returncode != 0 or not tmp.exists() or tmp.stat().st_size == 0:
            tail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no message"]
            raise ExportError(f"Writing {out.name} failed ({tail[0]}); check the disk has room.")
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
    return SoundExportResult(out, samples.shape[0], time.perf_counter() - t0, level)
