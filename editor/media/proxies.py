"""Preview proxies: small all-keyframe copies of long-GOP videos, so scrubbing them is instant.

A phone or camera clip (H.264/H.265 with a keyframe every second or more) costs a decode of
up to a GOP of frames for every random seek: ~100 ms at 1080p on a 2-core laptop. A proxy is
the same frames scaled to PROXY_HEIGHT and stored as MJPEG, every frame a keyframe: a seek is
one ~3 ms decode. Proxies live in `<project>/cache/proxies/`, named by a hash of the source's
absolute path, modification time and size, so a changed source never shows a stale proxy.

Only the preview reads proxies (`CutReader(..., use_proxies=True)`); export always reads the
original media. A proxy holds exactly the source's frames (ffmpeg passes every frame through,
upright); one whose frame count differs is discarded rather than shown out of step.

The editor makes them on its own in the background (`editor.ui.proxy_builder`) for the videos of
the open project (`project_videos`) that `wants_proxy`: with `background=True` ffmpeg runs at the
lowest CPU priority, and `should_pause` stops it outright (SIGSTOP) while a generation job runs.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from editor.document import scratch
from editor.document.media_paths import locate_media
from editor.media import children
from editor.media.errors import MediaError
from editor.media.ffmpeg_bin import ffmpeg_exe
from editor.media.paths import media_file, media_subfolder
from editor.media.probe import is_still_file
from editor.media.video import VideoReader, open_container
from model.runner import Cancelled

if TYPE_CHECKING:
    from editor.document.project import Project

PROXY_FOLDER = Path("cache") / "proxies"
PROXY_HEIGHT = 540
PROXY_QUALITY = 3  # MJPEG q: 2 (best) .. 31; 3 is visually clean at preview size
BACKGROUND_NICENESS = 19  # the lowest CPU priority: a proxy gets only CPU time nothing else wants
PAUSE_POLL_S = 0.05


def proxy_path(project_root: str | os.PathLike, media: str | os.PathLike) -> Path:
    """Where the proxy of `media` is (or would be) kept; MediaError when the media is missing."""
    src = media_file(project_root, media)
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
    return path if path.exists() and not path.is_symlink() else None  # a planted link is no proxy


def wants_proxy(path: str | os.PathLike, *, min_height: int = PROXY_HEIGHT) -> bool:
    """True for videos whose random seeks are slow: inter-coded (long GOP) and taller than `min_height`.

    Intra-only files (takes, ProRes, MJPEG) are told apart without reading them through.
    """
    p = Path(path)
    if is_still_file(p):
        return False
    container = open_container(p)
    try:
        streams = container.streams.video
        if not streams or streams[0].codec_context.codec.intra_only:
            return False
    finally:
        container.close()
    with VideoReader(p) as reader:  # the height as shown (a phone video may be turned)
        return reader.display_size[1] > min_height


def project_videos(project: Project, project_root: str | os.PathLike | None) -> list[Path]:
    """The video files of a project's takes, each once: the takes the cut shows first, in track
    and timeline order, then the clips' other takes (a switch of take is a click away)."""
    shown: list[Path] = []
    others: list[Path] = []
    for track in project.tracks:
        for clip in track.clips:
            for take in clip.takes:
                if take.is_still:
                    continue
                path = locate_media(project_root, take.media).path
                if path is not None:  # a refused path is offline: no proxy is made of it
                    (shown if take is clip.take else others).append(path)
    return list(dict.fromkeys(shown + others))


def build_proxy(
    project_root: str | os.PathLike,
    media: str | os.PathLike,
    *,
    on_progress: Callable[[int, int], None] | None = None,
    should_cancel: Callable[[], bool] | None = None,
    should_pause: Callable[[], bool] | None = None,
    background: bool = False,
) -> Path:
    """Make (or find) the proxy of `media`; return its path. Runs ffmpeg; call it off the GUI thread.

    `background`: ffmpeg runs at the lowest CPU priority. While `should_pause()` is true ffmpeg
    is stopped (on Windows it only stops once its progress pipe fills). Raises Cancelled
    when `should_cancel()` turns true, MediaError when the source can't be read or the proxy
    would not match it frame for frame.
    """
    src = media_file(project_root, media)
    out = proxy_path(project_root, media)
    if out.exists() and not out.is_symlink():  # a planted link is replaced below, never read
        return out
    with VideoReader(src) as reader:
        total = reader.frame_count
    media_subfolder(project_root, PROXY_FOLDER)  # made here; refused when a link leads out
    scratch.remove_dead(out.parent)  # what a killed proxy build left here
    fd, tmp = scratch.create(out, "partial", ".mkv")
    os.close(fd)
    cmd = [
        ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-nostdin", "-y", "-i", str(src),
        "-map", "0:v:0", "-an", "-sn", "-dn",
        # every frame through, none duplicated or dropped: proxy frame i is source frame i
        "-fps_mode", "passthrough",
        "-vf", f"scale=-2:'min({PROXY_HEIGHT},ih)':flags=bilinear",
        "-c:v", "mjpeg", "-q:v", str(PROXY_QUALITY), "-pix_fmt", "yuvj420p",
        # progress lines 10 times a second: cancel and pause take effect within 0.1 s
        "-progress", "pipe:1", "-stats_period", "0.1", "-f", "matroska", str(tmp),
    ]
    log = tempfile.TemporaryFile()
    done = False
    try:
        flags = subprocess.IDLE_PRIORITY_CLASS if background and sys.platform == "win32" else 0
        proc = children.popen(cmd, stdout=subprocess.PIPE, stderr=log, text=True, creationflags=flags)
        try:
            if background:
                _lower_priority(proc.pid)
            for line in proc.stdout:  # "frame=123" lines among others, 10 per second
                if should_cancel is not None and should_cancel():
                    raise Cancelled(f"Making the proxy of {src.name} was cancelled.")
                if should_pause is not None and should_pause():
                    _hold(proc, should_pause, should_cancel, src.name)
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


def _lower_priority(pid: int) -> None:
    if not hasattr(os, "setpriority"):
        return  # Windows: IDLE_PRIORITY_CLASS was given at start
    try:
        os.setpriority(os.PRIO_PROCESS, pid, BACKGROUND_NICENESS)
    except OSError:
        pass  # not allowed here; the proxy is made at normal priority


def _hold(proc: subprocess.Popen, should_pause: Callable[[], bool], should_cancel: Callable[[], bool] | None,
          name: str) -> None:
    """Keep ffmpeg stopped while should_pause() is true; Cancelled if cancelled meanwhile."""
    stop = getattr(signal, "SIGSTOP", None)
    if stop is not None:
        proc.send_signal(stop)
    try:
        while should_pause():
            if should_cancel is not None and should_cancel():
                raise Cancelled(f"Making the proxy of {name} was cancelled.")
            time.sleep(PAUSE_POLL_S)
    finally:
        if stop is not None and proc.poll() is None:
            proc.send_signal(signal.SIGCONT)
