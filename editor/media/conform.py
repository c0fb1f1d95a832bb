"""Conform a video to the project's frame rate, so that it plays at its real speed.

The cut, the preview, generation context and export all read a take frame for frame at the
project rate (generated takes are made at it). A video shot at another rate (30 fps footage in a
24 fps project) is therefore conformed once, at import: ffmpeg resamples it by time (frames
dropped or repeated, never slowed) into `media/conformed/` of the project, as a high-quality
H.264 file with every frame decodable quickly. The original file is left where it is and named
in the take's metadata.

The sound (the first audio stream, if any) is kept at real time, losslessly (FLAC in the MP4):
only the pictures are resampled, so the conformed file's sound stays in sync with its frames.
"""

from __future__ import annotations

import os
from fractions import Fraction
from pathlib import Path

from editor.document import scratch
from editor.media import children
from editor.media.errors import MediaError
from editor.media.ffmpeg_bin import ffmpeg_exe
from editor.media.paths import media_subfolder
from editor.media.probe import probe

CONFORMED_DIR = "conformed"


def needs_conform(media_fps: Fraction, project_fps: Fraction) -> bool:
    """True when a video's rate differs from the project's by more than rounding (29.97 vs 30 does)."""
    return bool(media_fps) and abs(float(media_fps) - float(project_fps)) > 1e-3


def conform_video(source: str | os.PathLike, project_folder: str | os.PathLike, project_fps: Fraction) -> Path:
    """Write `source` resampled to `project_fps` into the project's media/conformed/ and return it.

    The file is written under a temporary name and renamed when ffmpeg has finished, so a
    failure never leaves a half file; an existing conformed file is never overwritten.
    """
    src = Path(source)
    out_dir = media_subfolder(project_folder, Path("media") / CONFORMED_DIR)  # never through a link out
    rate = f"{project_fps.numerator}/{project_fps.denominator}"
    label = f"{float(project_fps):g}".replace(".", "_")
    out = _unique(out_dir / f"{src.stem}-{label}fps.mp4")
    scratch.remove_dead(out_dir)  # what a killed conversion left here
    fd, partial = scratch.create(out, "partial", ".mp4")
    os.close(fd)
    cmd = [ffmpeg_exe(), "-nostdin", "-y", "-loglevel", "error", "-i", str(src),
           "-map", "0:v:0", "-map", "0:a:0?", "-c:a", "flac",  # the sound, untouched in time
           "-vf", f"fps={rate}", "-r", rate, "-c:v", "libx264", "-crf", "14", "-preset", "veryfast",
           "-g", "12", "-pix_fmt", "yuv420p", "-movflags", "+faststart", str(partial)]
    done = children.run(cmd, capture_output=True, text=True)
    if done.returncode != 0 or not partial.exists():
        partial.unlink(missing_ok=True)
        tail = (done.stderr or "").strip().splitlines()[-1:] or ["no message"]
        raise MediaError(f"{src.name} could not be converted to {float(project_fps):g} fps ({tail[0]}); "
                         "re-export it at the project's frame rate and import it again.")
    os.replace(partial, out)
    return out


def conformed_frames(path: str | os.PathLike) -> int:
    return probe(path).frames


def _unique(path: Path) -> Path:
    n = 2
    candidate = path
    while candidate.exists():
        candidate = path.with_name(f"{path.stem}-{n}{path.suffix}")
        n += 1
    return candidate
