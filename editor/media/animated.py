"""Animated WebP files, imported as moving clips the way an animated GIF is.

ffmpeg reads an animated GIF as a video, so a GIF becomes a clip (conformed to the project rate
by `editor.media.conform`). ffmpeg's WebP decoder does not handle animation (it fails on the
first ANIM frame), so such a file used to come in as a one-frame still. Pillow does read every
frame and its duration: here the frames are resampled by time to the project rate, one frame in
memory at a time, and written where conformed videos go (`media/conformed/`, H.264, every frame
quick to decode), under a temporary name renamed once complete.
"""

from __future__ import annotations

import os
import subprocess
from fractions import Fraction
from pathlib import Path

import numpy as np
from PIL import Image, ImageSequence

from editor.document import limits, scratch
from editor.media import children
from editor.media.errors import MediaError
from editor.media.ffmpeg_bin import ffmpeg_exe
from editor.media.stills import _to_rgb, open_image

CONFORMED_DIR = "conformed"
DEFAULT_FRAME_MS = 100  # what browsers show for a frame with no (or a zero) duration


def is_animated_webp(path: str | os.PathLike) -> bool:
    """True for a WebP file with more than one frame (decodes nothing)."""
    p = Path(path)
    if p.suffix.lower() != ".webp" or not p.is_file():
        return False
    try:
        with Image.open(p) as im:
            return im.format == "WEBP" and bool(getattr(im, "is_animated", False))
    except (OSError, ValueError, Image.DecompressionBombError):
        return False


def animated_frames(path: str | os.PathLike, fps: Fraction) -> int:
    """How many frames the animation lasts at `fps` (its frames' durations added up)."""
    with open_image(Path(path)) as im:
        return _output_count(_durations(im), fps)


def convert_animated_webp(source: str | os.PathLike, project_folder: str | os.PathLike, fps: Fraction) -> Path:
    """Write the animation resampled to `fps` into the project's media/conformed/ and return it."""
    src = Path(source)
    with open_image(src) as im:  # refuses a frame over the still pixel limit before decoding
        durations = _durations(im)
        count = _output_count(durations, fps)
        try:
            limits.check_frames(count, f"{src.name} at {fps} fps", minimum=1)
        except limits.LimitError as exc:
            raise MediaError(f"{exc}.") from None
        out_dir = Path(project_folder) / "media" / CONFORMED_DIR
        out_dir.mkdir(parents=True, exist_ok=True)
        label = f"{float(fps):g}".replace(".", "_")
        out = _unique(out_dir / f"{src.stem}-{label}fps.mp4")
        scratch.remove_dead(out_dir)  # what a killed conversion left here
        fd, partial = scratch.create(out, "partial", ".mp4")  # named so a later run can clean it up
        os.close(fd)
        rate = f"{fps.numerator}/{fps.denominator}"
        cmd = [ffmpeg_exe(), "-nostdin", "-y", "-loglevel", "error", "-f", "rawvideo", "-pix_fmt", "rgb24",
               "-s", f"{im.width}x{im.height}", "-r", rate, "-i", "-", "-an",
               "-vf", "pad=ceil(iw/2)*2:ceil(ih/2)*2", "-c:v", "libx264", "-crf", "14", "-preset", "veryfast",
               "-g", "12", "-pix_fmt", "yuv420p", "-movflags", "+faststart", str(partial)]
        proc = children.popen(cmd, stdin=subprocess.PIPE, stderr=subprocess.PIPE)  # dies with us
        try:
            _write_frames(im, durations, fps, count, proc)
            proc.stdin.close()
            err = proc.stderr.read().decode("utf-8", "replace")
            code = proc.wait()
        except BaseException:
            proc.kill()
            proc.wait()
            partial.unlink(missing_ok=True)
            raise
    if code != 0 or not partial.exists():
        partial.unlink(missing_ok=True)
        tail = err.strip().splitlines()[-1:] or ["no message"]
        raise MediaError(f"{src.name} could not be converted to a video ({tail[0]}); convert it to MP4 or GIF "
                         "and import it again.")
    os.replace(partial, out)
    return out


def _durations(im: Image.Image) -> list[int]:
    """Each frame's duration in ms (Pillow decodes each frame to reach the next one's header)."""
    out = []
    for frame in ImageSequence.Iterator(im):
        frame.load()  # Pillow sets a WebP frame's duration when it decodes the frame
        d = frame.info.get("duration") or 0
        out.append(int(d) if d > 0 else DEFAULT_FRAME_MS)
    im.seek(0)
    return out


def _output_count(durations: list[int], fps: Fraction) -> int:
    return max(1, round(Fraction(sum(durations), 1000) * fps))


def _write_frames(im: Image.Image, durations: list[int], fps: Fraction, count: int, proc: subprocess.Popen) -> None:
    """Frame k of the output shows the source frame on screen at time k / fps."""
    k, end_ms = 0, 0
    for i, frame in enumerate(ImageSequence.Iterator(im)):
        end_ms += durations[i]
        rgb = None
        while k < count and (Fraction(k) / fps * 1000 < end_ms or i == len(durations) - 1):
            if rgb is None:
                rgb, _ = _to_rgb(frame.copy())
                rgb = np.ascontiguousarray(rgb, dtype=np.uint8)
            proc.stdin.write(rgb.tobytes())
            k += 1


def _unique(path: Path) -> Path:
    n = 2
    candidate = path
    while candidate.exists():
        candidate = path.with_name(f"{path.stem}-{n}{path.suffix}")
        n += 1
    return candidate
