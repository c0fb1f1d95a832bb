"""The picture "Enhance prompt" shows the video model: the shot's first keyframe, else the still it animates.

LTX-2's enhancer writes a better prompt when it sees the frame the video starts from (image-to-
video). A shot made from an image (Animate, or keyframes pinned in the clip) has that frame; a
text-only shot has none and is enhanced as text-to-video. No Qt, no torch: the Inspector asks on
the GUI thread and the model reads the file on the background pool.
"""

from __future__ import annotations

from pathlib import Path

from editor.document.media_paths import MediaRefused, resolve_media
from editor.document.project import Project


def first_image(project: Project, clip_id: str, folder: Path | str | None) -> Path | None:
    """The image file the shot `clip_id` starts from, None when it has none (or it is missing)."""
    try:
        clip = project.find_clip(clip_id)[1]
    except KeyError:
        return None
    stored = None
    if clip.keyframes:  # the earliest pinned image leads the shot
        stored = min(clip.keyframes, key=lambda k: k.frame).image
    elif clip.take is not None and clip.take.is_still:  # a still on the timeline, to be animated
        stored = clip.take.media
    if stored is None:
        return None
    try:
        path = resolve_media(folder, stored)
    except MediaRefused:
        return None
    return path if path.is_file() else None
