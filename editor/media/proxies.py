"""Preview proxies: small all-keyframe copies of long-GOP videos, so scrubbing them is instant.

A phone or camera clip (H.264/H.265 with a keyframe every second or more) costs a decode of
up to a GOP of frames for every random seek: ~100 ms at 1080p on a 2-core laptop. A proxy is
the same frames scaled to PROXY_HEIGHT and stored as MJPEG, every frame a keyframe: a seek is
one ~3 ms decode. Proxies live in `<project>/cache/proxies/`, named by a hash of the source's
absolute path, modification time and size, so a changed source never shows a stale proxy.

Only the preview reads proxies (`CutReader(..., use_proxies=True)`); export always reads the
original media. A proxy holds exactly the source's frames (ffmpeg passes every frame through,
upright); one whose frame count differs is discarded rather than shown out of step.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

from editor.media.errors import MediaError
from editor.media.ffmpeg_bin import ffmpeg_exe
from editor.media.paths import resolve_media
from editor.media.probe import is_still_file
from editor.media.video import VideoReader

PROXY_FOLDER = Path("cache") / "proxies"
PROXY_HEIGHT = 540
PROXY_QUALITY = 3  # MJPEG q: 2 (best) .. 31; 3 is visually clean at preview size


class ProxyCancelled(Exception):
    """The proxy was not made because the caller cancelled; nothing was left behind."""


def proxy_path(project_root: str | os.PathLike, media: str | os.PathLike) -> Path:
    """Where the proxy of `media` is (or would be) kept; MediaError when the media is missing."""
    src = resolve_media(project_root, media)
    try:
        st = src.stat()
    except OSError as exc:
        raise MediaError(f"{src} does not exist; relink the clip or restore the file.") from exc
    ident = f"{src.absolute()}|{st.st_mtime_ns}|{st.st_size}|{PROXY_HEIGHT}|q{PROXY_QUALITY}"
    return Path(project_root) / PROXY_FOLDER / f"{hashlib.sha1(ident.encode('utf-8')).hexdigest()}.mkv"


def existing_proxy(project_root: str | os.PathLike | None, media: str | os.PathLike) -> Path | None:
    """The proxy of `media` if one has been made for its current version, else None."""
    if project_root is None:
        return None
    try:
        path = proxy_path(project_root, media)
    except MediaError:
        return None
    return path if path.exists() else None


def wants_proxy(path: str | os.PathLike) -> bool:
    """True for videos whose random seeks are slow: inter-coded (long GOP) and taller than a proxy."""
    p = Path(path)
    if is_still_file(p):
        return False
    with VideoReader(p) as reader:
        return not reader.intra_only and reader.display_size[1] > PROXY_HEIGHT


def build_proxy(
    project_root: str | os.PathLike,
    media: str | os.PathLike,
    *,
    on_progress: Callable[[int, int], None] | None = None,
    should_cancel: Callable[[], bool] | None = None,
) -> Path:
    """Make (or find) the proxy of `media`; return its path. Runs ffmpeg; call it off the GUI thread.

    Raises ProxyCancelled when `should_cancel()` turns true, MediaError when the source can't be
    read or the proxy would not match it frame for frame.
    """
    src = resolve_media(project_root, media)
    out = proxy_path(project_root, media)
    if out.exists():
        return out
    with VideoReader(src) as reader:
        total = reader.frame_count
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=".proxy.", suffix=".partial.mkv", dir=out.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    cmd = [
        ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-nostdin", "-y", "-i", str(src),
        "-map", "0:v:0", "-an", "-sn", "-dn",
        # every frame through, none duplicated or dropped: proxy frame i is source frame i
        "-fps_mode", "passthrough",
        "-vf", f"scale=-2:'min({PROXY_HEIGHT},ih)':flags=bilinear",
        "-c:v", "mjpeg", "-q:v", str(PROXY_QUALITY), "-pix_fmt", "yuvj420p",
        "-progress", "pipe:1", "-f", "matroska", str(tmp),
    ]
    log = tempfile.TemporaryFile()
    done = False
    try:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=log, text=True)
        try:
            for line in proc.stdout:  # "frame=123" lines, a few per second
                if should_cancel is not None and should_cancel():
                    raise ProxyCancelled(f"Making the proxy of {src.name} was cancelled.")
                if line.startswith("frame=") and on_progress is not None:
                    on_progress(min(int(line[6:].strip() or 0), total), total)
            rc = proc.wait()
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        if rc != 0:
            log.seek(0)
            msg = log.read().decode("utf-8", "replace").strip()[-500:]
            raise MediaError(f"A preview proxy of {src.name} could not be made ({msg or f'exit code {rc}'}).")
        with VideoReader(tmp) as check:
            if check.frame_count != total:
                raise MediaError(
                    f"The preview proxy of {src.name} has {check.frame_count} frames, the file {total}; "
                    "the preview will read the original instead."
                )
        os.replace(tmp, out)
        done = True
    finally:
        log.close()
        if not done:
            tmp.unlink(missing_ok=True)
    return out
