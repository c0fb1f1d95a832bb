"""Where the ffmpeg program is: a system ffmpeg on PATH when present, else imageio-ffmpeg's copy."""

from __future__ import annotations

import functools
import shutil

from editor.media import children
from editor.media.errors import MediaError


@functools.cache
def ffmpeg_exe() -> str:
    """Path of the ffmpeg executable; raise MediaError when there is none."""
    # A system ffmpeg is preferred: distributions build it with the codecs the user expects and
    # keep it patched; the pip copy is the fallback that makes a fresh venv work.
    found = shutil.which("ffmpeg")
    if found:
        return found
    try:
        import imageio_ffmpeg

        return imageio_ffmpeg.get_ffmpeg_exe()
    except (ImportError, RuntimeError) as exc:
        raise MediaError(
            "ffmpeg was not found: install it (e.g. `apt install ffmpeg`, `brew install ffmpeg`) "
            "or `pip install imageio-ffmpeg` into Shotline's environment."
        ) from exc


@functools.cache
def encoders() -> frozenset[str]:
    """Names of the video encoders the ffmpeg at hand offers (e.g. libx264, libx265, ffv1)."""
    out = children.run(
        [ffmpeg_exe(), "-hide_banner", "-encoders"], capture_output=True, text=True, check=False
    ).stdout
    names = set()
    for line in out.splitlines():
        parts = line.split()
        # encoder lines look like " V....D libx264   libx264 H.264 / AVC ..."
        if len(parts) >= 2 and len(parts[0]) == 6 and parts[0][0] == "V":
            names.add(parts[1])
    return frozenset(names)


def has_encoder(name: str) -> bool:
    return name in encoders()
