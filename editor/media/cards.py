"""Placeholder cards drawn in place of media: a draft shot's title card and an offline-media card."""

from __future__ import annotations

import functools

import numpy as np
from PIL import Image, ImageDraw, ImageFont

DRAFT_BACKGROUND = (28, 31, 38)
DRAFT_ACCENT = (232, 170, 60)  # the "draft" tag and the frame around the card
OFFLINE_BACKGROUND = (70, 20, 24)
TEXT = (236, 236, 240)
MUTED = (160, 164, 176)


def draft_card(width: int, height: int, name: str, prompt: str) -> np.ndarray:
    """A dark title card for a shot without media: its name, its prompt wrapped, and "DRAFT"."""
    return _card(width, height, DRAFT_BACKGROUND, DRAFT_ACCENT, "DRAFT", name or "Untitled shot",
                 prompt or "(no prompt yet: write one in the shot's inspector)")


def offline_card(width: int, height: int, name: str, path: str, reason: str = "") -> np.ndarray:
    """Shown where a clip's media is missing or unreadable: which file, and what went wrong."""
    body = f"{path}\n{reason}" if reason else path
    return _card(width, height, OFFLINE_BACKGROUND, (240, 90, 90), "MEDIA OFFLINE", name or "Clip", body)


def _card(width: int, height: int, background, accent, tag: str, title: str, body: str) -> np.ndarray:
    im = Image.new("RGB", (width, height), background)
    draw = ImageDraw.Draw(im)
    unit = max(min(width, height) / 20.0, 4.0)  # everything scales with the card
    margin = int(unit * 1.5)
    border = max(1, int(unit / 6))
    draw.rectangle([border // 2, border // 2, width - 1 - border // 2, height - 1 - border // 2],
                   outline=accent, width=border)

    tag_font = _font(max(6, int(unit * 0.9)))
    title_font = _font(max(7, int(unit * 1.6)))
    body_font = _font(max(6, int(unit * 1.0)))

    y = margin
    draw.text((margin, y), tag, font=tag_font, fill=accent)
    y += int(unit * 1.6)
    for line in _wrap(draw, title, title_font, width - 2 * margin, max_lines=2):
        draw.text((margin, y), line, font=title_font, fill=TEXT)
        y += int(unit * 2.0)
    y += int(unit * 0.6)
    line_h = int(unit * 1.35)
    room = max(0, (height - margin - y) // max(line_h, 1))
    for line in _wrap(draw, body, body_font, width - 2 * margin, max_lines=room):
        draw.text((margin, y), line, font=body_font, fill=MUTED)
        y += line_h
    return np.asarray(im)


# Fonts with wide coverage (dashes, accents, ellipsis) found on most systems; Pillow's own
# bundled font is the fallback and covers plain Latin text.
SYSTEM_FONTS = ("DejaVuSans.ttf", "segoeui.ttf", "Arial.ttf", "arial.ttf", "Helvetica.ttc")


@functools.cache
def _font(size: int) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    for name in SYSTEM_FONTS:
        try:
            return ImageFont.truetype(name, size)
        except OSError:
            continue
    return ImageFont.load_default(size=size)


def _wrap(draw: ImageDraw.ImageDraw, text: str, font, max_width: int, *, max_lines: int) -> list[str]:
    """Greedy word wrap by measured width; the last line ends in an ellipsis when text is left."""
    if max_lines <= 0:
        return []
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        words = paragraph.split()
        if not words:
            lines.append("")
            continue
        line = ""
        for word in words:
            candidate = f"{line} {word}".strip()
            if draw.textlength(candidate, font=font) <= max_width or not line:
                line = candidate
            else:
                lines.append(line)
                line = word
        lines.append(line)
    # a single word wider than the card is cut to fit
    lines = [_clip(draw, ln, font, max_width) for ln in lines]
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = _clip(draw, lines[-1] + " …", font, max_width)
    return lines


def _clip(draw: ImageDraw.ImageDraw, line: str, font, max_width: int) -> str:
    if draw.textlength(line, font=font) <= max_width:
        return line
    while line and draw.textlength(line + "…", font=font) > max_width:
        line = line[:-1]
    return line.rstrip() + "…"
