"""The application icon as PNGs in the hicolor sizes, drawn from the shipped SVG with Qt.

Rendered at install time rather than shipped: one SVG stays the only source, and Qt (already a
dependency) draws it crisply at every size.
"""

from __future__ import annotations

import os
from pathlib import Path

HICOLOR_SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)


def render_pngs(svg: Path, sizes: tuple[int, ...] = HICOLOR_SIZES) -> dict[int, bytes]:
    """{size: PNG bytes} of `svg` drawn square at each size, transparent around it."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # no display needed (ssh, a package build)
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    app = QGuiApplication.instance() or QGuiApplication([])  # noqa: F841 (QPainter needs one alive)
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise ValueError(f"{svg} is not a readable SVG image")
    out = {}
    for size in sizes:
        image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter)
        painter.end()
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        image.save(buffer, "PNG")
        buffer.close()
        out[size] = bytes(data.data())
    return out
