"""Still images of any common kind read as RGB uint8 (H, W, 3), the way a viewer would show them.

Handles PNG, JPEG (EXIF rotation applied, CMYK converted), WebP, BMP, TIFF, 16-bit PNG/TIFF
(scaled to 8 bits), grayscale, palette images and alpha. Alpha is composited over black (what
the cut shows where a still is transparent); `read_still_with_alpha` also returns the mask.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from editor.media.errors import MediaError

# Suffixes we open as stills without asking ffmpeg; other files are tried as video first.
STILL_SUFFIXES = frozenset(
    {".png", ".jpg", ".jpeg", ".jpe", ".webp", ".bmp", ".tif", ".tiff", ".gif", ".tga", ".ppm", ".pgm"}
)

# Refuse decompression bombs with a clear message rather than Pillow's warning.
MAX_PIXELS = 16384 * 16384


def read_still(path: str | os.PathLike) -> np.ndarray:
    """The image at `path` as RGB uint8 (H, W, 3); transparent parts are black."""
    return read_still_with_alpha(path)[0]


def read_still_with_alpha(path: str | os.PathLike) -> tuple[np.ndarray, np.ndarray | None]:
    """(rgb, alpha): rgb composited over black, alpha uint8 (H, W) or None when the image is opaque."""
    p = Path(path)
    _check_file(p)
    try:
        with Image.open(p) as im:
            if im.width * im.height > MAX_PIXELS:
                raise MediaError(
                    f"{p.name} is {im.width}x{im.height} pixels, too large to use; scale it down first."
                )
            im.load()
            im = ImageOps.exif_transpose(im)
            rgb, alpha = _to_rgb(im)
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
        rgba = np.asarray(im.convert("RGBA"))
        alpha = rgba[..., 3].copy()
        if alpha.min() == 255:
            return rgba[..., :3], None
        rgb = (rgba[..., :3].astype(np.uint16) * alpha[..., None] + 127) // 255
        return rgb.astype(np.uint8), alpha
    if mode == "1" or mode == "L":
        gray = np.asarray(im.convert("L"))
        return np.repeat(gray[..., None], 3, axis=2), None
    # RGB, CMYK, YCbCr, LAB, HSV: Pillow converts to RGB (CMYK naively, which is what viewers
    # without colour management show too).
    return np.asarray(im.convert("RGB")), None


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
