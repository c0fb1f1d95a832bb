"""The dark theme: one palette of named colours, the Qt palette built from it and the stylesheet.

Video tools are dark so that the picture is the brightest thing on screen. Widgets get their
look from `resources/style.qss`; custom-painted views (timeline, storyboard cards) read the
same colours from `COLORS` so everything matches.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication

from editor.resources_path import resources_dir

RESOURCES = resources_dir()


@dataclass(frozen=True)
class Colors:
    window: str = "#1b1c1f"
    panel: str = "#232428"
    panel_alt: str = "#2a2c31"
    raised: str = "#30333a"
    border: str = "#0f1012"
    line: str = "#3a3d44"
    text: str = "#d7d9de"
    text_dim: str = "#8b8f98"
    text_faint: str = "#5f636b"
    accent: str = "#4a90e2"  # selection, focus
    accent_text: str = "#ffffff"
    playhead: str = "#ff4d3d"
    in_out: str = "#4a90e2"
    # timeline items
    track_bg: str = "#202125"
    track_bg_alt: str = "#1d1e21"
    ruler_bg: str = "#26282d"
    clip_video: str = "#35608f"
    clip_video_dark: str = "#24405f"
    clip_still: str = "#3d7a6b"
    clip_generated: str = "#5b4f9a"
    clip_audio: str = "#2f6b4a"  # sound on the audio lanes, green as in Resolve and Premiere
    waveform: str = "#8fd6a8"
    mute: str = "#e5534b"
    solo: str = "#f5c04a"
    draft: str = "#3a3550"
    draft_edge: str = "#9b86f0"
    keyframe: str = "#f5c04a"
    gap_hover: str = "#f5c04a"
    job: str = "#2bb673"
    error: str = "#e5534b"
    warning: str = "#e8a33d"


COLORS = Colors()


def color(name: str, alpha: int | None = None) -> QColor:
    c = QColor(getattr(COLORS, name))
    if alpha is not None:
        c.setAlpha(alpha)
    return c


def ui_font(point_size: float | None = None, *, bold: bool = False) -> QFont:
    font = QFont(QApplication.font())
    if point_size:
        font.setPointSizeF(point_size)
    font.setBold(bold)
    return font


def mono_font(point_size: float = 9.0) -> QFont:
    """Timecodes: fixed-width digits so numbers don't jitter while scrubbing."""
    font = QFont("DejaVu Sans Mono")
    font.setStyleHint(QFont.StyleHint.Monospace)
    font.setPointSizeF(point_size)
    return font


def palette() -> QPalette:
    p = QPalette()
    c = COLORS
    roles = {
        QPalette.ColorRole.Window: c.window,
        QPalette.ColorRole.WindowText: c.text,
        QPalette.ColorRole.Base: c.panel,
        QPalette.ColorRole.AlternateBase: c.panel_alt,
        QPalette.ColorRole.ToolTipBase: c.raised,
        QPalette.ColorRole.ToolTipText: c.text,
        QPalette.ColorRole.PlaceholderText: c.text_faint,
        QPalette.ColorRole.Text: c.text,
        QPalette.ColorRole.Button: c.raised,
        QPalette.ColorRole.ButtonText: c.text,
        QPalette.ColorRole.BrightText: "#ffffff",
        QPalette.ColorRole.Highlight: c.accent,
        QPalette.ColorRole.HighlightedText: c.accent_text,
        QPalette.ColorRole.Link: c.accent,
        QPalette.ColorRole.Light: c.line,
        QPalette.ColorRole.Midlight: c.raised,
        QPalette.ColorRole.Mid: c.panel_alt,
        QPalette.ColorRole.Dark: c.border,
        QPalette.ColorRole.Shadow: "#000000",
    }
    for role, value in roles.items():
        p.setColor(role, QColor(value))
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.WindowText, QPalette.ColorRole.ButtonText):
        p.setColor(QPalette.ColorGroup.Disabled, role, QColor(c.text_faint))
    return p


def stylesheet() -> str:
    """style.qss with its `@name` colour tokens replaced by the palette's values (and `@icons`
    by the icons folder, for the arrow images)."""
    text = (RESOURCES / "style.qss").read_text(encoding="utf-8")
    text = text.replace("@icons", (RESOURCES / "icons").as_posix())
    # longest names first so "@panel_alt" is not eaten by "@panel"
    for name in sorted(vars(COLORS), key=len, reverse=True):
        text = text.replace(f"@{name}", getattr(COLORS, name))
    return text


def apply_theme(app: QApplication) -> None:
    app.setStyle("Fusion")  # the one built-in style that honours a dark palette everywhere
    app.setPalette(palette())
    font = app.font()
    font.setPointSizeF(9.5)
    app.setFont(font)
    app.setStyleSheet(stylesheet())
