"""A new audio lane is scrolled into view, as Resolve and Kdenlive do.

A take that brings sound (LTX-2) gets a linked sound clip, on a new audio track when no track has
room; that lane is added below the others and can land under the visible rows, so the user
wouldn't see where the sound went. `NewLanes` remembers which audio tracks the view showed and,
when an edit (or undo/redo) adds some, says how far to scroll down so the lowest new lane shows
whole. Only the vertical scroll moves: the frames in view and the selection stay as they are.
"""

from __future__ import annotations

from editor.document.project import Project
from editor.ui.timeline.geometry import TimelineGeometry


class NewLanes:
    """The audio track ids last seen; `scroll_for` is the vertical scroll to show new ones."""

    def __init__(self, project: Project) -> None:
        self.reset(project)

    def reset(self, project: Project) -> None:
        """Another project (or a fresh view of it): its lanes are not new."""
        self._project = project
        self._seen = {t.id for t in project.audio_tracks}

    def scroll_for(self, project: Project, geo: TimelineGeometry, view_h: int) -> int | None:
        """The scroll_y that shows the lowest newly added audio lane whole (the highest, if it can
        be shown at all), or None when no lane was added or the new ones already show. The
        first change of another project (the view follows it before it is rebuilt) only resets."""
        if project is not self._project:
            self.reset(project)
            return None
        ids = [t.id for t in project.audio_tracks]
        new = [i for i, tid in enumerate(ids) if tid not in self._seen]
        self._seen = set(ids)
        if not new:
            return None
        return scroll_to_rows(geo, len(project.tracks) + new[0], len(project.tracks) + new[-1], view_h)


def scroll_to_rows(geo: TimelineGeometry, first: int, last: int, view_h: int) -> int | None:
    """The scroll_y that shows rows `first`..`last` (video tracks, then audio lanes) whole, moved
    as little as possible (the first at the top when they can't all show), or None when they
    already show. Shared by new audio lanes and a clip a command added (`TimelineView.reveal_clip`)."""
    step = geo.track_h + geo.track_gap
    top = geo.ruler_h + first * step  # content y of the first row
    bottom = geo.ruler_h + last * step + geo.track_h
    scroll = geo.scroll_y
    if bottom - scroll > view_h:
        scroll = bottom - view_h  # its bottom at the view's bottom
    if top - scroll < geo.ruler_h:
        scroll = top - geo.ruler_h  # too many to show: the first one at the top
    return None if scroll == geo.scroll_y else max(0, scroll)
