"""Pictures as Qt images: the one conversion from the RGB arrays the media layer and the engines
give to the QImages the views paint (preview frames, job previews, timeline thumbnails)."""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QImage


def rgb_to_qimage(rgb: np.ndarray, max_side: int | None = None) -> QImage:
    """An RGB uint8 array (H, W, 3 or 4) as a QImage that owns its pixels, so it is safe to hand to
    another thread. With `max_side`, every n-th pixel is kept so neither side is longer (integer
    subsampling: cheap, and good enough for a thumbnail of work in progress)."""
    if max_side is not None:
        step = max(1, -(-max(rgb.shape[:2]) // max_side))
        rgb = rgb[::step, ::step]
    rgb = np.ascontiguousarray(rgb[..., :3], dtype=np.uint8)
    h, w = rgb.shape[:2]
    return QImage(rgb.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()
