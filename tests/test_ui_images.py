"""rgb_to_qimage: the one conversion from RGB arrays to the QImages the views paint."""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QColor

from editor.ui.images import rgb_to_qimage


def test_pixels_land_where_they_were_and_the_image_owns_them(qapp):
    rgb = np.zeros((5, 7, 3), np.uint8)
    rgb[1, 2] = (250, 10, 20)
    image = rgb_to_qimage(rgb)
    rgb[1, 2] = 0  # the image is a copy: the array may be reused at once (another thread's frame)
    assert (image.width(), image.height()) == (7, 5)
    assert image.pixelColor(2, 1) == QColor(250, 10, 20)


def test_alpha_is_dropped_and_max_side_subsamples(qapp):
    rgba = np.full((600, 1000, 4), 200, np.uint8)
    image = rgb_to_qimage(rgba, max_side=320)
    assert (image.width(), image.height()) == (250, 150)  # every 4th pixel
    assert image.pixelColor(0, 0) == QColor(200, 200, 200)
    assert rgb_to_qimage(rgba[:100, :100]).width() == 100  # no max_side: full size


def test_every_view_uses_the_one_conversion():
    from editor.ui.jobs import worker
    from editor.ui.player import preview
    from editor.ui.timeline import thumbnails

    assert preview.rgb_to_qimage is worker.rgb_to_qimage is thumbnails.rgb_to_qimage is rgb_to_qimage
