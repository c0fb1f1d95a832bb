"""What a media file holds: still or video, frames, frame rate, size, duration, codec."""

from __future__ import annotations

import os
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from editor.media.errors import MediaError
from editor.media.stills import STILL_SUFFIXES, read_still_with_alpha


@dataclass(frozen=True)
class MediaInfo:
    path: Path
    kind: str  # "still" or "video"
    frames: int  # 1 for a still
    fps: Fraction  # 0 for a still
    width: int  # as shown (after EXIF or display-matrix rotation)
    height: int
    duration: float  # seconds; 0.0 for a still
    codec: str  # "png", "jpeg", "h264", "ffv1", ...
    has_alpha: bool = False

    @property
    def is_still(self) -> bool:
        return self.kind == "still"

    @property
    def size(self) -> tuple[int, int]:
        return self.width, self.height


def probe(path: str | os.PathLike) -> MediaInfo:
    """Describe the media file at `path`; raise MediaError when it is neither a still nor a video."""
    p = Path(path)
    if is_still_file(p):
        return _probe_still(p)
    from editor.media.video import VideoReader

    try:
        with VideoReader(p) as reader:
            if reader.frame_count == 1 and _is_image_codec(reader.codec):
                raise MediaError("single image")  # e.g. an image with an unusual suffix
            w, h = reader.display_size
            return MediaInfo(p, "video", reader.frame_count, reader.fps, w, h, reader.duration, reader.codec)
    except MediaError as exc:
        # ffmpeg did not take it as a video; it may still be an image with an unusual suffix
        try:
            return _probe_still(p)
        except MediaError:
            raise exc from None


def is_still_file(path: str | os.PathLike) -> bool:
    """True for a file to be read as a still (an image suffix, not animated); no decoding."""
    p = Path(path)
    return p.suffix.lower() in STILL_SUFFIXES and not _animated(p)


def _probe_still(p: Path) -> MediaInfo:
    rgb, alpha = read_still_with_alpha(p)  # decodes fully: catches truncated files here
    with Image.open(p) as im:
        codec = (im.format or p.suffix.lstrip(".")).lower()
    h, w = rgb.shape[:2]
    return MediaInfo(p, "still", 1, Fraction(0), w, h, 0.0, codec, has_alpha=alpha is not None)


def _animated(p: Path) -> bool:
    """An animated GIF/WebP/PNG is a video for us."""
    try:
        with Image.open(p) as im:
            return bool(getattr(im, "is_animated", False))
    except (OSError, UnidentifiedImageError, ValueError, Image.DecompressionBombError):
        return False  # read_still then says why (a bomb: the pixel limit)


def _is_image_codec(codec: str) -> bool:
    return codec in {"png", "mjpeg", "jpegls", "webp", "bmp", "tiff", "gif", "targa", "ppm", "pgm", "apng"}
