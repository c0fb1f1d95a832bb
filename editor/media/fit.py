"""Fit a frame to a target size: letterbox (whole picture, black bars), crop (fill, centre cut) or stretch."""

from __future__ import annotations

import enum

import cv2
import numpy as np


class FitMode(enum.StrEnum):
    LETTERBOX = "letterbox"  # whole picture visible, black bars where the aspect differs
    CROP = "crop"  # fills the frame, the overhang is cut off evenly on both sides
    STRETCH = "stretch"  # fills the frame, the picture is distorted

    @classmethod
    def parse(cls, value: str | FitMode | None, default: FitMode | None = None) -> FitMode:
        """A FitMode from its name; raise ValueError that lists the choices for anything else."""
        if value is None or value == "":
            return default or cls.LETTERBOX
        try:
            return cls(value)
        except ValueError:
            names = ", ".join(m.value for m in cls)
            raise ValueError(f"Unknown fit {value!r}; use one of: {names}.") from None


def resize(frame: np.ndarray, width: int, height: int) -> np.ndarray:
    """Resize with the filter that looks right: area averaging down, bicubic up."""
    h, w = frame.shape[:2]
    if (w, h) == (width, height):
        return frame
    interp = cv2.INTER_AREA if width <= w and height <= h else cv2.INTER_CUBIC
    return cv2.resize(frame, (width, height), interpolation=interp)


def fit_frame(frame: np.ndarray, width: int, height: int, mode: FitMode | str = FitMode.LETTERBOX) -> np.ndarray:
    """`frame` (H, W, C) fitted into a width x height picture of the same dtype."""
    mode = FitMode.parse(mode)
    h, w = frame.shape[:2]
    if (w, h) == (width, height):
        return frame
    if mode is FitMode.STRETCH:
        return resize(frame, width, height)
    scale = (min if mode is FitMode.LETTERBOX else max)(width / w, height / h)
    # round, but never to zero and (for crop) never below the target, so no bar appears
    sw = max(1, round(w * scale))
    sh = max(1, round(h * scale))
    if mode is FitMode.CROP:
        sw, sh = max(sw, width), max(sh, height)
        scaled = resize(frame, sw, sh)
        x0, y0 = (sw - width) // 2, (sh - height) // 2
        return np.ascontiguousarray(scaled[y0 : y0 + height, x0 : x0 + width])
    sw, sh = min(sw, width), min(sh, height)
    scaled = resize(frame, sw, sh)
    out = np.zeros((height, width) + frame.shape[2:], dtype=frame.dtype)
    x0, y0 = (width - sw) // 2, (height - sh) // 2
    out[y0 : y0 + sh, x0 : x0 + sw] = scaled
    return out
