"""The timeline: a custom-painted view of tracks, clips, drafts, keyframes and gaps."""

from editor.ui.timeline.view import TimelineView

__all__ = ["TimelineView"]
