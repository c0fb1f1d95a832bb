"""A/B compare: two takes of one shot side by side in the preview, frame for frame.

While a compare is on, the preview shows, for the playhead's frame, what the shot would show
with take A on the left and take B on the right (each from its first frame, as switching to it
would show it; a still holds). Outside the shot the first or last frame holds, so both play in
step from the shot's start. Nothing in the document changes: picking the winner is an ordinary
Switch Take. No Qt here: the decode thread composes the two pictures.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from editor.document.copies import clone_clip
from editor.document.media_paths import locate_media
from editor.document.project import Project
from editor.media.cut import Shown

DIVIDER_PX = 4


@dataclass(frozen=True)
class Compare:
    """Which takes of which shot are compared (A left, B right)."""

    clip_id: str
    take_a: str
    take_b: str


def still_valid(project: Project, compare: Compare) -> bool:
    """False when the shot or one of its two takes is gone (the compare then ends)."""
    try:
        _, clip = project.find_clip(compare.clip_id)
    except KeyError:
        return False
    ids = {t.id for t in clip.takes}
    return compare.take_a in ids and compare.take_b in ids


def take_shown(project: Project, folder, compare: Compare, take_id: str, t: int) -> Shown:
    """What the shot shows at timeline frame `t` with `take_id` in use (from its first frame)."""
    _, clip = project.find_clip(compare.clip_id)  # the copy goes to the decode thread, the track not
    index = next(i for i, take in enumerate(clip.takes) if take.id == take_id)
    take = clip.takes[index]
    copy = clone_clip(clip)
    copy.active_take, copy.source_in = index, 0
    where = locate_media(folder, take.media)
    if take.is_still:
        return Shown("still", None, copy, where.path, refused=where.refused)
    last = max(0, min(clip.length, take.frames) - 1)
    offset = min(max(0, t - clip.start), last)
    return Shown("video", None, copy, where.path, take.file_frame(offset, project.fps), refused=where.refused)


def side_by_side(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """A left, B right, a dark line between (both are the same size: the preview's)."""
    h = min(a.shape[0], b.shape[0])
    line = np.full((h, DIVIDER_PX, 3), 40, np.uint8)
    return np.ascontiguousarray(np.hstack([a[:h, :, :3], line, b[:h, :, :3]]))
