"""The open project: one request API for every change, an undo stack, and change announcements.

`Document.request(edit)` runs the edit inside a `Transaction`. The transaction copies each
track (and the cast list / settings) the first time the edit asks to change it, so a refused
edit is rolled back by putting those copies back, and an accepted one becomes an undo step that
holds the before and after copies of just what it touched. Undo and redo put copies of those
copies back, so any sequence of undo/redo returns exactly the earlier state, whatever listeners
do, and without each edit having to write its own inverse.

Listeners get one `Change` per request, undo or redo, computed by comparing the before and
after copies: only what really changed is announced.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

from editor.document.audio_ops import follow_links
from editor.document.copies import clone_audio_track, clone_cast_member, clone_track
from editor.document.copies import meta_copy as _meta
from editor.document.edits import Edit, EditRefused
from editor.document.ops import check_track
from editor.document.project import (
    AudioClip,
    AudioTrack,
    CastMember,
    Clip,
    GenerationDefaults,
    MediaItem,
    Project,
    Track,
)


@dataclass
class _Settings:
    """The project's own fields (everything but tracks and cast)."""

    name: str
    fps: Fraction
    width: int
    height: int
    defaults: GenerationDefaults
    metadata: dict
    media: list[MediaItem] = field(default_factory=list)  # announced apart: Change.media_changed

    @classmethod
    def of(cls, p: Project) -> _Settings:
        return cls(p.name, p.fps, p.width, p.height, copy.copy(p.defaults), _meta(p.metadata),
                   [MediaItem(m.path, _meta(m.metadata)) for m in p.media])

    def put(self, p: Project) -> None:
        p.name, p.fps, p.width, p.height = self.name, self.fps, self.width, self.height
        p.defaults, p.metadata = copy.copy(self.defaults), _meta(self.metadata)
        p.media = [MediaItem(m.path, _meta(m.metadata)) for m in self.media]

    def without_media(self) -> tuple:
        return self.name, self.fps, self.width, self.height, self.defaults, self.metadata


@dataclass
class _State:
    """Copies of the parts of a project one edit touched (None where untouched)."""

    order: tuple[str, ...]
    tracks: dict[str, Track | None] = field(default_factory=dict)  # None: the track did not exist
    cast: list[CastMember] | None = None
    settings: _Settings | None = None
    audio: list[AudioTrack] | None = None  # all audio tracks, copied whole when an edit touches sound

    def put(self, project: Project) -> None:
        current = {t.id: t for t in project.tracks}
        for tid, track in self.tracks.items():
            if track is None:
                current.pop(tid, None)
            else:
                current[tid] = clone_track(track)
        project.tracks = [current[tid] for tid in self.order]
        if self.cast is not None:
            project.cast = [clone_cast_member(m) for m in self.cast]
        if self.settings is not None:
            self.settings.put(project)
        if self.audio is not None:
            project.audio_tracks = [clone_audio_track(t) for t in self.audio]


# --- what changed --------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """What one request, undo or redo changed, by kind and id, so views redraw only that.

    `tracks_changed`: a track's own fields (name, hidden, keyframes, metadata);
    `tracks_touched`: every track whose clips or fields changed (for a moved clip: both tracks);
    `clips_changed`: any field of a clip that exists before and after (position, track, takes,
    keyframes, settings). Undo announces the reverse of the edit (added <-> removed).
    """

    cause: str  # "do" | "undo" | "redo"
    title: str
    tracks_added: frozenset[str] = frozenset()
    tracks_removed: frozenset[str] = frozenset()
    tracks_changed: frozenset[str] = frozenset()
    tracks_touched: frozenset[str] = frozenset()
    tracks_reordered: bool = False
    clips_added: frozenset[str] = frozenset()
    clips_removed: frozenset[str] = frozenset()
    clips_changed: frozenset[str] = frozenset()
    cast_added: frozenset[str] = frozenset()
    cast_removed: frozenset[str] = frozenset()
    cast_changed: frozenset[str] = frozenset()
    settings_changed: bool = False
    media_changed: bool = False  # the media bin's list (imports)
    # sound: audio tracks added, removed, reordered or changed (their fields or clips), and audio
    # clips added, removed or changed (by id); the same sets for undo and redo
    audio_tracks_changed: frozenset[str] = frozenset()
    audio_clips_changed: frozenset[str] = frozenset()

    @property
    def empty(self) -> bool:
        return not any(v for k, v in vars(self).items() if k not in ("cause", "title"))

    def touches_clip(self, clip_id: str) -> bool:
        return (clip_id in self.clips_added or clip_id in self.clips_removed or clip_id in self.clips_changed
                or clip_id in self.audio_clips_changed)

    def reversed(self, cause: str) -> Change:
        return Change(
            cause, self.title,
            tracks_added=self.tracks_removed, tracks_removed=self.tracks_added,
            tracks_changed=self.tracks_changed, tracks_touched=self.tracks_touched,
            tracks_reordered=self.tracks_reordered,
            clips_added=self.clips_removed, clips_removed=self.clips_added, clips_changed=self.clips_changed,
            cast_added=self.cast_removed, cast_removed=self.cast_added, cast_changed=self.cast_changed,
            settings_changed=self.settings_changed, media_changed=self.media_changed,
            audio_tracks_changed=self.audio_tracks_changed, audio_clips_changed=self.audio_clips_changed,
        )

    def with_cause(self, cause: str) -> Change:
        return Change(**{**vars(self), "cause": cause})


def _diff(title: str, before: _State, after: _State) -> Change:
    b_tracks = {tid: t for tid, t in before.tracks.items() if t is not None}
    a_tracks = {tid: t for tid, t in after.tracks.items() if t is not None}
    tracks_added = frozenset(a_tracks.keys() - b_tracks.keys())
    tracks_removed = frozenset(b_tracks.keys() - a_tracks.keys())
    tracks_changed = set()
    for tid in a_tracks.keys() & b_tracks.keys():
        a, b = a_tracks[tid], b_tracks[tid]
        if (a.name, a.hidden, a.keyframes, a.metadata) != (b.name, b.hidden, b.keyframes, b.metadata):
            tracks_changed.add(tid)
    b_clips = {c.id: (tid, c) for tid, t in b_tracks.items() for c in t.clips}
    a_clips = {c.id: (tid, c) for tid, t in a_tracks.items() for c in t.clips}
    clips_added = a_clips.keys() - b_clips.keys()
    clips_removed = b_clips.keys() - a_clips.keys()
    clips_changed = {cid for cid in a_clips.keys() & b_clips.keys() if a_clips[cid] != b_clips[cid]}
    touched = set(tracks_changed) | tracks_added | tracks_removed
    touched |= {a_clips[c][0] for c in clips_added | clips_changed}
    touched |= {b_clips[c][0] for c in clips_removed | clips_changed}
    kept = [t for t in before.order if t in after.order]
    reordered = kept != [t for t in after.order if t in before.order]
    cast_added = cast_removed = cast_changed = frozenset()
    if before.cast is not None and after.cast is not None:
        bc, ac = {m.id: m for m in before.cast}, {m.id: m for m in after.cast}
        cast_added, cast_removed = frozenset(ac.keys() - bc.keys()), frozenset(bc.keys() - ac.keys())
        cast_changed = frozenset(i for i in ac.keys() & bc.keys() if ac[i] != bc[i])
        if not (cast_added or cast_removed or cast_changed) and [m.id for m in before.cast] != [
            m.id for m in after.cast
        ]:
            cast_changed = frozenset(ac)
    settings = before.settings is not None and before.settings.without_media() != after.settings.without_media()
    media = before.settings is not None and before.settings.media != after.settings.media
    audio_tracks, audio_clips = _audio_diff(before.audio, after.audio)
    return Change(
        "do", title,
        tracks_added=tracks_added, tracks_removed=tracks_removed, tracks_changed=frozenset(tracks_changed),
        tracks_touched=frozenset(touched), tracks_reordered=reordered,
        clips_added=frozenset(clips_added), clips_removed=frozenset(clips_removed),
        clips_changed=frozenset(clips_changed),
        cast_added=cast_added, cast_removed=cast_removed, cast_changed=cast_changed,
        settings_changed=settings, media_changed=media,
        audio_tracks_changed=audio_tracks, audio_clips_changed=audio_clips,
    )


def _audio_diff(before: list[AudioTrack] | None, after: list[AudioTrack] | None,
                ) -> tuple[frozenset[str], frozenset[str]]:
    if before is None or after is None:
        return frozenset(), frozenset()
    bt, at = {t.id: t for t in before}, {t.id: t for t in after}
    tracks = {i for i in bt.keys() | at.keys() if bt.get(i) != at.get(i)}
    if [t.id for t in before] != [t.id for t in after]:
        tracks |= bt.keys() | at.keys()
    bc = {c.id: c for t in before for c in t.clips}
    ac = {c.id: c for t in after for c in t.clips}
    clips = {i for i in bc.keys() | ac.keys() if bc.get(i) != ac.get(i)}
    # a clip moved between tracks compares equal: its tracks still changed
    where_b = {c.id: t.id for t in before for c in t.clips}
    where_a = {c.id: t.id for t in after for c in t.clips}
    clips |= {i for i in where_b.keys() & where_a.keys() if where_b[i] != where_a[i]}
    return frozenset(tracks), frozenset(clips)


# --- the transaction an edit works in -------------------------------------------------------


class Transaction:
    """The edit's handle on the project: ask it for what you will change, then change that.

    Reading may use `tx.project` directly; anything changed must come from `track`, `clip`,
    `add_track`, `remove_track`, `move_track`, `cast` or `settings`, which copy it first.
    """

    def __init__(self, project: Project) -> None:
        self.project = project
        self._before = _State(order=tuple(t.id for t in project.tracks))

    def track(self, track_id: str) -> Track:
        """The live track, to change. Refuses an id that is not in the project."""
        for t in self.project.tracks:
            if t.id == track_id:
                if track_id not in self._before.tracks:
                    self._before.tracks[track_id] = clone_track(t)
                return t
        raise EditRefused(f"There is no track {track_id!r} (it may have been removed).")

    def clip(self, clip_id: str) -> tuple[Track, Clip]:
        """The live clip and its track, to change. Refuses an id that is not in the project."""
        for t in self.project.tracks:
            for c in t.clips:
                if c.id == clip_id:
                    return self.track(t.id), c
        raise EditRefused(f"There is no clip {clip_id!r} (it may have been deleted).")

    def add_track(self, track: Track, index: int) -> None:
        if any(t.id == track.id for t in self.project.tracks):
            raise EditRefused(f"A track with id {track.id!r} already exists.")
        self._before.tracks.setdefault(track.id, None)
        self.project.tracks.insert(index, track)

    def remove_track(self, track_id: str) -> None:
        track = self.track(track_id)
        self.project.tracks.remove(track)

    def move_track(self, track_id: str, index: int) -> None:
        track = self.track(track_id)
        self.project.tracks.remove(track)
        self.project.tracks.insert(index, track)

    def cast(self) -> list[CastMember]:
        """The live cast list, to change."""
        if self._before.cast is None:
            self._before.cast = [clone_cast_member(m) for m in self.project.cast]
        return self.project.cast

    def settings(self) -> Project:
        """The project, to change its own fields (name, fps, size, defaults, metadata, media)."""
        if self._before.settings is None:
            self._before.settings = _Settings.of(self.project)
        return self.project

    def media(self) -> list[MediaItem]:
        """The live media bin list, to change."""
        return self.settings().media

    def audio_tracks(self) -> list[AudioTrack]:
        """The live list of audio tracks, to change (copied whole first: sound is small)."""
        if self._before.audio is None:
            self._before.audio = [clone_audio_track(t) for t in self.project.audio_tracks]
        return self.project.audio_tracks

    def audio_track(self, track_id: str) -> AudioTrack:
        """The live audio track, to change. Refuses an id that is not an audio track."""
        for t in self.audio_tracks():
            if t.id == track_id:
                return t
        if any(t.id == track_id for t in self.project.tracks):
            raise EditRefused("That is a video track; sound goes on an audio track (A1, A2, ...).")
        raise EditRefused(f"There is no audio track {track_id!r} (it may have been removed).")

    def audio_clip(self, clip_id: str) -> tuple[AudioTrack, AudioClip]:
        """The live audio clip and its track, to change."""
        for t in self.audio_tracks():
            for c in t.clips:
                if c.id == clip_id:
                    return t, c
        raise EditRefused(f"There is no audio clip {clip_id!r} (it may have been deleted).")

    def before_tracks(self) -> dict[str, Track | None]:
        """Copies of the video tracks as they were before the edit (only those it asked to change)."""
        return self._before.tracks

    def fps_before(self) -> Fraction:
        """The project's frame rate before the edit."""
        return self._before.settings.fps if self._before.settings is not None else self.project.fps

    def before_audio(self) -> list[AudioTrack] | None:
        """Copies of the audio tracks before the edit, or None when it has not touched sound."""
        return self._before.audio

    # -- used by Document --
    def check(self) -> None:
        """Re-check the document's rules on every track the edit touched."""
        for t in self.project.tracks:
            if t.id in self._before.tracks:
                check_track(t)
        if self._before.audio is not None:
            from editor.document.audio_ops import check_audio

            check_audio(self.project)

    def rollback(self) -> None:
        self._before.put(self.project)

    def finish(self, title: str) -> _Step | None:
        """The undo step for what was done, or None when nothing really changed."""
        by_id = {t.id: t for t in self.project.tracks}
        after = _State(
            order=tuple(t.id for t in self.project.tracks),
            tracks={tid: (clone_track(by_id[tid]) if tid in by_id else None) for tid in self._before.tracks},
            cast=None if self._before.cast is None else [clone_cast_member(m) for m in self.project.cast],
            settings=None if self._before.settings is None else _Settings.of(self.project),
            audio=None if self._before.audio is None else [clone_audio_track(t) for t in self.project.audio_tracks],
        )
        change = _diff(title, self._before, after)
        if change.empty:
            return None
        return _Step(title, self._before, after, change)


@dataclass
class _Step:
    title: str
    before: _State
    after: _State
    change: Change


def _independent(step: _Step, other: _Step) -> bool:
    """Whether `step` and `other` touch disjoint parts of the project (tracks, cast, settings,
    sound) and `step` adds, removes or reorders no track, so either replays over the other as
    it was recorded: its before and after copies stay true whichever went first."""
    a, b = step.before, other.before
    if step.before.order != step.after.order or set(a.tracks) & set(b.tracks):
        return False
    return all(x is None or y is None for x, y in ((a.cast, b.cast), (a.settings, b.settings), (a.audio, b.audio)))


@dataclass(frozen=True)
class History:
    """The undo stack for a history panel: step titles, oldest first, and how many are applied."""

    titles: tuple[str, ...]
    index: int  # steps applied; titles[index - 1] is what Undo would undo


Listener = Callable[[Change], None]


class Document:
    """An open project and its undo stack. Every change goes through `request`."""

    def __init__(self, project: Project, folder: Path | str | None = None) -> None:
        self.project = project
        self.folder = Path(folder) if folder is not None else None
        self._steps: list[_Step] = []
        self._index = 0
        self._saved_index: int | None = 0
        self._listeners: list[Listener] = []
        self.edit_count = 0  # state changes (request, undo, redo) since this document was made

    # -- the request API --
    def request(self, edit: Edit, *, beside_redo: bool = False) -> None:
        """Validate and apply `edit` as one undo step, or raise EditRefused and change nothing.

        A new step discards the steps undone before it (what Redo would redo), as in every editor;
        `beside_redo` (a finished job's take landing, which the user did not do just now) keeps
        them when the step is independent of each (`_independent`), else discards them too
        (`redo_steps()` before and after says which, so the user can be told)."""
        if not isinstance(edit, Edit):
            raise TypeError(f"request() takes an Edit, not {type(edit).__name__}")
        tx = Transaction(self.project)
        try:
            edit.apply(tx)
            follow_links(tx)  # linked sound moves with its picture, whatever moved it
            tx.check()
        except BaseException:
            # any failure, not only a refusal, must leave the project as it was
            tx.rollback()
            raise
        step = tx.finish(edit.title)
        if step is None:
            return
        if beside_redo and all(_independent(step, later) for later in self._steps[self._index:]):
            # a background result landing after some undos: it goes in before the undone steps,
            # which stay redoable (they touch none of what it touched, so each replays as it was)
            if self._saved_index is not None and self._saved_index > self._index:
                self._saved_index = None  # the saved state had not this result in it
            self._steps.insert(self._index, step)
            self._index += 1
            self._announce(step.change)
            return
        del self._steps[self._index:]
        if self._saved_index is not None and self._saved_index > self._index:
            self._saved_index = None  # the saved state was on the branch just discarded
        self._steps.append(step)
        self._index += 1
        self._announce(step.change)

    def undo(self) -> None:
        if not self.can_undo:
            raise EditRefused("There is nothing to undo.")
        self._index -= 1
        step = self._steps[self._index]
        step.before.put(self.project)
        self._announce(step.change.reversed("undo"))

    def redo(self) -> None:
        if not self.can_redo:
            raise EditRefused("There is nothing to redo.")
        step = self._steps[self._index]
        self._index += 1
        step.after.put(self.project)
        self._announce(step.change.with_cause("redo"))

    def redo_steps(self) -> int:
        """How many undone steps Redo could bring back now."""
        return len(self._steps) - self._index

    @property
    def can_undo(self) -> bool:
        return self._index > 0

    @property
    def can_redo(self) -> bool:
        return self._index < len(self._steps)

    @property
    def undo_label(self) -> str:
        """"Undo <title>" for the menu, or "" when there is nothing to undo."""
        return f"Undo {self._steps[self._index - 1].title}" if self.can_undo else ""

    @property
    def redo_label(self) -> str:
        return f"Redo {self._steps[self._index].title}" if self.can_redo else ""

    @property
    def history(self) -> History:
        return History(tuple(s.title for s in self._steps), self._index)

    def go_to(self, index: int) -> None:
        """Undo or redo until `index` steps are applied (a click in the history panel)."""
        if not 0 <= index <= len(self._steps):
            raise EditRefused(f"There is no step {index} in the history.")
        while self._index > index:
            self.undo()
        while self._index < index:
            self.redo()

    # -- saving state --
    @property
    def dirty(self) -> bool:
        """True when the project differs from the last save (or load)."""
        return self._saved_index != self._index

    def mark_saved(self) -> None:
        self._saved_index = self._index

    def mark_unsaved(self) -> None:
        """Treat the current state as never saved (a recovered autosave, a new project)."""
        self._saved_index = None

    # -- listeners --
    def subscribe(self, callback: Listener) -> Callable[[], None]:
        """Call `callback(change)` after every change; returns a function that unsubscribes."""
        self._listeners.append(callback)

        def unsubscribe() -> None:
            if callback in self._listeners:
                self._listeners.remove(callback)

        return unsubscribe

    def _announce(self, change: Change) -> None:
        self.edit_count += 1
        first_error: BaseException | None = None
        # a failing view must not keep the others from hearing about a change already made
        for callback in list(self._listeners):
            try:
                callback(change)
            except Exception as exc:  # re-raised below
                first_error = first_error or exc
        if first_error is not None:
            raise first_error
