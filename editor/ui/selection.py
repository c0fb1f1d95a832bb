"""The one current selection shared by timeline, storyboard, inspector and generation actions.

A selection is exactly one of: some clips (shots), a gap between two clips, a keyframe of a
clip, or the start/end of a clip (picked for extending). Views set it and follow `changed`;
the generation controller reads it to know what the user asked frames for.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal

from editor.document.project import Project


@dataclass(frozen=True)
class GapRef:
    """Empty frames of a track: where infill would go."""

    track_id: str
    start: int
    length: int

    @property
    def end(self) -> int:
        return self.start + self.length


@dataclass(frozen=True)
class KeyframeRef:
    """A keyframe of a shot (`clip_id`) or one pinned on a track between shots (`track_id`)."""

    clip_id: str | None
    keyframe_id: str
    track_id: str | None = None


@dataclass(frozen=True)
class ClipEndRef:
    """One end of a clip: "start" (extend backward) or "end" (extend forward)."""

    clip_id: str
    side: str

    def __post_init__(self) -> None:
        if self.side not in ("start", "end"):
            raise ValueError(f"A clip end is 'start' or 'end', not {self.side!r}.")


class Selection(QObject):
    """What the user has picked. Emits `changed` only when the selection really changed."""

    changed = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._clips: tuple[str, ...] = ()
        self._gap: GapRef | None = None
        self._keyframe: KeyframeRef | None = None
        self._clip_end: ClipEndRef | None = None
        self._revision = 0

    # --- reading ------------------------------------------------------------------------------
    @property
    def revision(self) -> int:
        """Counts real changes: answers worked out from the selection are kept per revision."""
        return self._revision

    @property
    def clips(self) -> tuple[str, ...]:
        """Ids of the selected clips, in the order they were picked (empty when none)."""
        return self._clips

    @property
    def clip(self) -> str | None:
        """The one selected clip, or None when zero or several are selected."""
        return self._clips[0] if len(self._clips) == 1 else None

    @property
    def gap(self) -> GapRef | None:
        return self._gap

    @property
    def keyframe(self) -> KeyframeRef | None:
        return self._keyframe

    @property
    def clip_end(self) -> ClipEndRef | None:
        return self._clip_end

    @property
    def kind(self) -> str:
        """"clips", "gap", "keyframe", "clip_end" or "none"."""
        if self._clips:
            return "clips"
        if self._gap is not None:
            return "gap"
        if self._keyframe is not None:
            return "keyframe"
        if self._clip_end is not None:
            return "clip_end"
        return "none"

    def is_empty(self) -> bool:
        return self.kind == "none"

    # --- writing ------------------------------------------------------------------------------
    def set_clips(self, clip_ids: list[str] | tuple[str, ...]) -> None:
        # keep order, drop repeats: a shift-click on a selected clip must not count it twice
        self._set(clips=tuple(dict.fromkeys(clip_ids)))

    def toggle_clip(self, clip_id: str) -> None:
        """Ctrl-click: add the clip, or take it out if it is already selected."""
        if clip_id in self._clips:
            self._set(clips=tuple(c for c in self._clips if c != clip_id))
        else:
            self._set(clips=self._clips + (clip_id,))

    def set_gap(self, gap: GapRef | None) -> None:
        self._set(gap=gap)

    def set_keyframe(self, clip_id: str | None, keyframe_id: str, *, track_id: str | None = None) -> None:
        self._set(keyframe=KeyframeRef(clip_id, keyframe_id, track_id))

    def set_clip_end(self, clip_id: str, side: str) -> None:
        self._set(clip_end=ClipEndRef(clip_id, side))

    def clear(self) -> None:
        self._set()

    def reconcile(self, project: Project) -> None:
        """Drop what no longer exists after an edit, undo or redo: deleted clips or keyframes,
        a gap that was filled or moved. Views call this when the document changes."""
        clip_ids = {c.id for t in project.tracks for c in t.clips}
        clip_ids |= {c.id for t in project.audio_tracks for c in t.clips}  # sound is selected like clips
        keyframe_ids = {k.id for t in project.tracks for k in t.keyframes}
        keyframe_ids |= {k.id for t in project.tracks for c in t.clips for k in c.keyframes}
        clips = tuple(c for c in self._clips if c in clip_ids)
        keyframe = self._keyframe
        if keyframe and keyframe.keyframe_id not in keyframe_ids:
            keyframe = None
        clip_end = self._clip_end if self._clip_end and self._clip_end.clip_id in clip_ids else None
        gap = self._gap
        if gap is not None:
            track_ids = {t.id for t in project.tracks}
            if gap.track_id not in track_ids or not any(
                (g.start, g.length) == (gap.start, gap.length) for g in project.gaps(gap.track_id)
            ):
                gap = None
        if (clips, gap, keyframe, clip_end) != (self._clips, self._gap, self._keyframe, self._clip_end):
            self._set(clips=clips, gap=gap, keyframe=keyframe, clip_end=clip_end)

    def _set(
        self,
        *,
        clips: tuple[str, ...] = (),
        gap: GapRef | None = None,
        keyframe: KeyframeRef | None = None,
        clip_end: ClipEndRef | None = None,
    ) -> None:
        new = (clips, gap, keyframe, clip_end)
        if new == (self._clips, self._gap, self._keyframe, self._clip_end):
            return
        self._clips, self._gap, self._keyframe, self._clip_end = new
        self._revision += 1
        self.changed.emit()
