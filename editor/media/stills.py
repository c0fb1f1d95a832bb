"""Still images of any common kind read as RGB uint8 (H, W, 3), the way a viewer would show them.

Handles PNG, JPEG (EXIF rotation applied, CMYK converted), WebP, BMP, TIFF, 16-bit PNG/TIFF
(scaled to 8 bits), grayscale, palette images and alpha. Alpha is composited over black (what
the cut shows where a still is transparent); `read_still_with_alpha` also returns the mask.

Memory: a still over `limits.MAX_STILL_PIXELS` (64 MP) is refused from its header, before any
pixel is decoded (a 13000x13000 PNG of 657 KB used to take 4.2 GB). A caller that needs only a
smaller picture (a thumbnail, a frame of the cut) passes `at_least=(w, h)`: a JPEG is then decoded
at 1/2, 1/4 or 1/8 scale by libjpeg itself (`draft`), other formats are reduced right after
decoding (`reduce`) and the full-size copy dropped, so one full-size copy at most is ever held.
"""

from __future__ import annotations

import os
import re
import stat
import warnings
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from editor.document import limits
from editor.media.errors import MediaError

# Suffixes we open as stills without asking ffmpeg; other files are tried as video first.
STILL_SUFFIXES = frozenset(
    {".png", ".jpg", ".jpeg", ".jpe", ".webp", ".bmp", ".tif", ".tiff", ".gif", ".tga", ".ppm", ".pgm"}
)

# Refuse decompression bombs with our own message (the limit named), from the header alone.
MAX_PIXELS = limits.MAX_STILL_PIXELS
# Pillow's own guard, for every Image.open in the process: it raises above twice our limit and
# only warns between; we refuse those ourselves, by size, so its warning is noise.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS
warnings.filterwarnings("ignore", category=Image.DecompressionBombWarning)

# EXIF orientations that swap width and height (the picture is stored on its side)
_TRANSPOSED = frozenset({5, 6, 7, 8})


def read_still(path: str | os.PathLike, *, at_least: tuple[int, int] | None = None) -> np.ndarray:
    """The image at `path` as RGB uint8 (H, W, 3); transparent parts are black.

    With `at_least=(w, h)` the picture may come back smaller than the file, but never below w x h
    in either dimension (unless the file itself is smaller): for callers that scale it down anyway.
    """
    return read_still_with_alpha(path, at_least=at_least)[0]


def read_still_with_alpha(path: str | os.PathLike, *, at_least: tuple[int, int] | None = None
                          ) -> tuple[np.ndarray, np.ndarray | None]:
    """(rgb, alpha): rgb composited over black, alpha uint8 (H, W) or None when the image is opaque."""
    p = Path(path)
    _check_file(p)
    try:
        im = open_image(p)
        try:
            im = _decode(im, at_least)
            ImageOps.exif_transpose(im, in_place=True)  # not a second copy
            rgb, alpha = _to_rgb(im)
        finally:
            im.close()
    except MediaError:
        raise
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
        # Pillow can't decode some TIFF layouts (float, 16-bit multi-channel, odd compressions)
        # that OpenCV can; any other failure means a damaged or unsupported file.
        fallback = _read_with_opencv(p) if p.suffix.lower() in (".tif", ".tiff") else None
        if fallback is None:
            raise _unreadable(p, exc) from exc
        rgb, alpha = fallback
    return np.ascontiguousarray(rgb), alpha


def open_image(p: Path) -> Image.Image:
    """Image.open (header only, nothing decoded) refusing a picture over the still pixel limit."""
    try:
        im = Image.open(p)
    except Image.DecompressionBombError as exc:  # far over: Pillow stops it before we see the size
        pixels = re.search(r"\((\d+) pixels\)", str(exc))
        mp = f"{int(pixels.group(1)) / 1e6:.0f} MP, " if pixels else ""
        raise MediaError(f"{p.name} is {mp}over Shotline's {MAX_PIXELS // 1_000_000} MP limit for stills; "
                         "scale it down (8K is 33 MP) and import it again.") from None
    try:
        limits.check_still_pixels(im.width, im.height, p.name)
    except limits.LimitError as exc:
        im.close()
        raise MediaError(f"{exc}.") from None
    return im


def _decode(im: Image.Image, at_least: tuple[int, int] | None) -> Image.Image:
    """Load the pixels, smaller when `at_least` allows: the full-size copy is never kept beside it."""
    if at_least is None:
        im.load()
        return im
    w, h = at_least
    if im.getexif().get(0x0112) in _TRANSPOSED:
        w, h = h, w  # the box is asked for as shown; the file holds the picture on its side
    if im.format == "JPEG":
        im.draft(im.mode, (max(1, w), max(1, h)))  # libjpeg scales by 1/2..1/8 while decoding
    im.load()
    factor = min(im.width // max(1, w), im.height // max(1, h))
    if factor >= 2 and im.mode not in ("P", "1"):  # palette images: reduce would mix indices
        small = im.reduce(factor)  # box filter: every source pixel counts, like INTER_AREA
        im.close()
        return small
    return im


def _unreadable(p: Path, exc: Exception) -> MediaError:
    if isinstance(exc, UnidentifiedImageError):
        return MediaError(f"{p} is not an image Shotline can read; convert it to PNG or JPEG.")
    return MediaError(
        f"{p} could not be read ({exc}); the file may be damaged or incomplete: "
        "copy or export it again, or convert it to PNG."
    )


def _check_file(p: Path) -> None:
    if not p.exists():
        raise MediaError(f"{p} does not exist; check the path or relink the media.")
    if p.is_dir():
        raise MediaError(f"{p} is a folder, not an image; pick an image file.")
    if not stat.S_ISREG(p.stat().st_mode):  # a FIFO or device would block or never end
        raise MediaError(f"{p} is not a regular file (a pipe or a device); pick an image file.")
    if p.stat().st_size == 0:
        raise MediaError(f"{p} is empty (0 bytes); copy or export it again.")


def _to_rgb(im: Image.Image) -> tuple[np.ndarray, np.ndarray | None]:
    mode = im.mode
    if mode in ("I;16", "I;16L", "I;16B", "I;16N", "I", "F"):
        return _high_depth_gray(np.asarray(im)), None
    if mode == "P":
        # palette images may carry transparency in their palette or tRNS chunk
        im = im.convert("RGBA") if "transparency" in im.info else im.convert("RGB")
        mode = im.mode
    if mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        rgba = _array(im, "RGBA")
        alpha = rgba[..., 3].copy()
        if alpha.min() == 255:
            return rgba[..., :3], None
        return _over_black(rgba), alpha
    if mode == "1" or mode == "L":
        gray = _array(im, "L")
        return np.repeat(gray[..., None], 3, axis=2), None
    # RGB, CMYK, YCbCr, LAB, HSV: Pillow converts to RGB (CMYK naively, which is what viewers
    # without colour management show too).
    return _array(im, "RGB"), None


def _array(im: Image.Image, mode: str) -> np.ndarray:
    """The pixels in `mode` as an array; Pillow's copies are freed at once (one full-size copy held)."""
    src = im if im.mode == mode else im.convert(mode)  # convert() to the same mode would copy
    a = np.asarray(src)
    src.close()
    im.close()
    return a


def _over_black(rgba: np.ndarray, rows: int = 256) -> np.ndarray:
    """RGB composited over black, a band of rows at a time (no full-size 16-bit temporary)."""
    out = np.empty(rgba.shape[:2] + (3,), np.uint8)
    for y in range(0, rgba.shape[0], rows):
        band = rgba[y : y + rows]
        out[y : y + rows] = (band[..., :3].astype(np.uint16) * band[..., 3:4] + 127) // 255
    return out


def _high_depth_gray(a: np.ndarray) -> np.ndarray:
    if a.dtype.kind == "f":
        top = 1.0 if a.max() <= 1.0 else float(a.max()) or 1.0
        g = np.clip(a / top * 255.0 + 0.5, 0, 255)
    else:
        a = a.astype(np.int64)
        # 16-bit data is the common case; wider integers are scaled by their own peak
        top = 65535 if a.max() <= 65535 else int(a.max())
        g = np.clip((a * 255 + top // 2) // top, 0, 255)
    g = g.astype(np.uint8)
    return np.repeat(g[..., None], 3, axis=2)


def _read_with_opencv(p: Path) -> tuple[np.ndarray, np.ndarray | None] | None:
    import cv2

    data = np.fromfile(p, dtype=np.uint8)
    arr = cv2.imdecode(data, cv2.IMREAD_UNCHANGED)
    if arr is None:
        return None
    if arr.dtype == np.uint16:
        arr = ((arr.astype(np.uint32) * 255 + 32767) // 65535).astype(np.uint8)
    elif arr.dtype != np.uint8:
        arr = cv2.normalize(arr, None, 0, 255, cv2.NORM_MINMAX).astype(np.uint8)
    if arr.ndim == 2:
        return np.repeat(arr[..., None], 3, axis=2), None
    if arr.shape[2] == 4:
        alpha = arr[..., 3].copy()
        rgb = (arr[..., 2::-1].astype(np.uint16) * alpha[..., None] + 127) // 255
        return rgb.astype(np.uint8), (None if alpha.min() == 255 else alpha)
    return arr[..., 2::-1], None
