"""Toolbar and menu icons: small line drawings kept as SVG text, tinted for the dark theme.

Kept in code rather than as files so an icon and the colours it is drawn in stay together; each
icon gets a normal and a disabled tint so greyed-out actions read as unavailable.
"""

from __future__ import annotations

import functools

from PySide6.QtCore import QByteArray, QRectF, Qt
from PySide6.QtGui import QIcon, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer

from editor.ui.theme import COLORS

_S = 'fill="none" stroke="@" stroke-width="1.7" stroke-linecap="round" stroke-linejoin="round"'
_F = 'fill="@" stroke="none"'

# 24 x 24 line drawings; "@" is replaced by the tint
SVG = {
    "new": f'<path {_S} d="M6 3h8l4 4v14H6z M14 3v4h4 M12 11v6 M9 14h6"/>',
    "open": f'<path {_S} d="M3 7V5h6l2 2h9v3 M3 7v12h15l3-9H7l-4 9"/>',
    "save": f'<path {_S} d="M5 4h11l3 3v13H5z M8 4v5h7V4 M8 20v-6h8v6"/>',
    "undo": f'<path {_S} d="M9 14L4 9l5-5 M4 9h10a6 6 0 0 1 0 12h-3"/>',
    "redo": f'<path {_S} d="M15 14l5-5-5-5 M20 9H10a6 6 0 0 0 0 12h3"/>',
    "split": f'<path {_S} d="M12 2v20 M3 7h6v10H3 M21 7h-6v10h6"/>',
    "delete": f'<path {_S} d="M4 7h16 M9 7V4h6v3 M6 7l1 13h10l1-13 M10 11v6 M14 11v6"/>',
    "ripple": f'<path {_S} d="M3 6h5v12H3 M21 6h-5v12h5 M10 12h4 M12 10l2 2-2 2"/>',
    "add_shot": f'<path {_S} d="M3 6h18v12H3z M12 9v6 M9 12h6"/><path {_F} d="M3 6h2v2H3z"/>',
    "add_track": f'<path {_S} d="M3 5h13 M3 10h13 M3 15h8 M17 13v8 M13 17h8"/>',
    "import": f'<path {_S} d="M12 3v12 M7 10l5 5 5-5 M4 17v4h16v-4"/>',
    "generate": f'<path {_S} d="M12 3l1.8 4.7L18.5 9.5l-4.7 1.8L12 16l-1.8-4.7L5.5 9.5l4.7-1.8z M18 15l.8 2.2 2.2.8-2.2.8L18 21l-.8-2.2-2.2-.8 2.2-.8z"/>',
    "animate": f'<path {_S} d="M3 5h12v10H3z M6 12l3-3 3 3 M17 8l4-2v12l-4-2"/>',
    "extend_forward": f'<path {_S} d="M3 6h9v12H3z M15 12h6 M18 9l3 3-3 3"/>',
    "extend_backward": f'<path {_S} d="M21 6h-9v12h9z M9 12H3 M6 9l-3 3 3 3"/>',
    "infill": f'<path {_S} d="M2 6h5v12H2z M22 6h-5v12h5z M10 12h4" stroke-dasharray="2 2"/><path {_S} d="M10 9v6 M14 9v6"/>',
    "loop": f'<path {_S} d="M17 4l3 3-3 3 M20 7H8a4 4 0 0 0-4 4v1 M7 20l-3-3 3-3 M4 17h12a4 4 0 0 0 4-4v-1"/>',
    "restyle": f'<path {_S} d="M14 4l6 6-8 8H6v-6z M11 7l6 6 M4 21h7"/>',
    "cancel": f'<path {_S} d="M12 3a9 9 0 1 0 0 18a9 9 0 1 0 0-18z M9 9l6 6 M15 9l-6 6"/>',
    "pause": f'<path {_F} d="M7 5h3.5v14H7z M13.5 5H17v14h-3.5z"/>',
    "play": f'<path {_F} d="M7 4.5v15l12-7.5z"/>',
    "stop": f'<path {_F} d="M6 6h12v12H6z"/>',
    "rewind": f'<path {_F} d="M11 6v12L3 12z M20 6v12l-8-6z"/>',
    "forward": f'<path {_F} d="M13 6v12l8-6z M4 6v12l8-6z"/>',
    "step_back": f'<path {_F} d="M6 5h2v14H6z M19 5v14L9 12z"/>',
    "step_forward": f'<path {_F} d="M16 5h2v14h-2z M5 5v14l10-7z"/>',
    "mark_in": f'<path {_S} d="M10 4H6v16h4 M14 12h6"/>',
    "mark_out": f'<path {_S} d="M14 4h4v16h-4 M4 12h6"/>',
    "snap": f'<path {_S} d="M6 4v8a6 6 0 0 0 12 0V4 M6 4h3v8a3 3 0 0 0 6 0V4h3 M6 8h3 M15 8h3"/>',
    "zoom_in": f'<path {_S} d="M10.5 3a7.5 7.5 0 1 0 0 15a7.5 7.5 0 1 0 0-15z M16 16l5 5 M10.5 7.5v6 M7.5 10.5h6"/>',
    "zoom_out": f'<path {_S} d="M10.5 3a7.5 7.5 0 1 0 0 15a7.5 7.5 0 1 0 0-15z M16 16l5 5 M7.5 10.5h6"/>',
    "zoom_fit": f'<path {_S} d="M3 9V3h6 M21 9V3h-6 M3 15v6h6 M21 15v6h-6 M7 12h10"/>',
    "settings": f'<path {_S} d="M12 9a3 3 0 1 0 0 6a3 3 0 1 0 0-6z M19.4 15a1.7 1.7 0 0 0 .3 1.8l.1.1a2 2 0 1 1-2.8 2.8l-.1-.1a1.7 1.7 0 0 0-1.8-.3 1.7 1.7 0 0 0-1 1.5V21a2 2 0 1 1-4 0v-.1a1.7 1.7 0 0 0-1.1-1.5 1.7 1.7 0 0 0-1.8.3l-.1.1a2 2 0 1 1-2.8-2.8l.1-.1a1.7 1.7 0 0 0 .3-1.8 1.7 1.7 0 0 0-1.5-1H3a2 2 0 1 1 0-4h.1a1.7 1.7 0 0 0 1.5-1.1 1.7 1.7 0 0 0-.3-1.8l-.1-.1a2 2 0 1 1 2.8-2.8l.1.1a1.7 1.7 0 0 0 1.8.3H9a1.7 1.7 0 0 0 1-1.5V3a2 2 0 1 1 4 0v.1a1.7 1.7 0 0 0 1 1.5 1.7 1.7 0 0 0 1.8-.3l.1-.1a2 2 0 1 1 2.8 2.8l-.1.1a1.7 1.7 0 0 0-.3 1.8V9a1.7 1.7 0 0 0 1.5 1H21a2 2 0 1 1 0 4h-.1a1.7 1.7 0 0 0-1.5 1z"/>',
    "storyboard": f'<path {_S} d="M3 5h8v6H3z M13 5h8v6h-8z M3 15h8v4H3z M13 15h8v4h-8z"/>',
    "sound": f'<path {_S} d="M3 10v4 M7 7v10 M11 4v16 M15 8v8 M19 11v2"/>',
    "keyframe": f'<path {_S} d="M12 3l7 9-7 9-7-9z"/>',
    "help": f'<path {_S} d="M12 3a9 9 0 1 0 0 18a9 9 0 1 0 0-18z M9.5 9.5a2.5 2.5 0 1 1 3.5 2.3c-.7.3-1 .9-1 1.7v.5"/><path {_F} d="M11 16.5h2v2h-2z"/>',
}


def _render(name: str, tint: str, size: int) -> QPixmap:
    svg = f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24">{SVG[name].replace("@", tint)}</svg>'
    renderer = QSvgRenderer(QByteArray(svg.encode()))
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    p = QPainter(pixmap)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(p, QRectF(0, 0, size, size))
    p.end()
    return pixmap


@functools.cache
def icon(name: str, tint: str | None = None) -> QIcon:
    """The named icon in the text colour (or `tint`), with a faint variant for disabled actions."""
    if name not in SVG:
        raise KeyError(f"No icon called {name!r}; known: {', '.join(sorted(SVG))}")
    out = QIcon()
    for size in (16, 24, 32, 48):
        out.addPixmap(_render(name, tint or COLORS.text, size), QIcon.Mode.Normal)
        out.addPixmap(_render(name, COLORS.text_faint, size), QIcon.Mode.Disabled)
        out.addPixmap(_render(name, "#ffffff", size), QIcon.Mode.Active)
    return out
