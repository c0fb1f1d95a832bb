"""Every change to a project, as small frozen requests that `Document.request` validates and applies.

Kdenlive style: the UI builds an edit (a frozen dataclass with keyword fields) and hands it to
`Document.request(edit)`. The document either applies it and pushes one undo step, or raises
`EditRefused` with a message for the user and changes nothing at all. `Composite` chains edits:
if one child is refused half-way, the children already applied are rolled back and the whole
composite is refused.

Rules every edit keeps (so views can rely on them):
- Time is integer frames. Clips on a track never overlap and stay sorted by start; an edit that
  would overlap is refused (nothing is silently shifted), except where an edit says it pushes.
- Views hold ids, never objects: undo/redo restore earlier copies of tracks, so a `Clip` object
  held across an edit may be stale. Look clips up with `project.find_clip(id)`.
- An edit that changes nothing (move by 0, rename to the same name) is accepted, not pushed on
  the undo stack and not announced.
- Generated takes are never overwritten or removed: generation only *adds* takes.

Pushing: growing a clip forward (extend, loop, switching to a longer take) pushes the later clips
of its track right by just the overlap (a gap after it is used up first). Growing backward keeps
the clip's end; when there is not enough room before it, the clip and everything after it on its
track move right by the shortfall rather than moving earlier clips.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING, Any, ClassVar

from editor.document import audio_ops, ops
from editor.document.edit_base import UNCHANGED, EditRefused, Side, _Unchanged  # noqa: F401  (EditRefused re-exported)
from editor.document.project import (
    AudioClip,
    CastMember,
    Clip,
    GenerationDefaults,
    Keyframe,
    Take,
    Track,
    new_id,
)

if TYPE_CHECKING:
    from editor.document.document import Transaction
    from editor.document.plans import GenerationPlan


class Edit:
    """Base of all edits. Subclasses are frozen dataclasses; `apply` mutates through a transaction."""

    label: ClassVar[str] = "Edit"

    @property
    def title(self) -> str:
        """What the undo menu says: "Undo <title>"."""
        return self.label

    def apply(self, tx: Transaction) -> None:  # pragma: no cover - every subclass overrides
        raise NotImplementedError


# --- tracks --------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class AddTrack(Edit):
    """A new empty track at `index` (None: after the last). `track_id` is fixed so redo reuses it."""

    name: str = ""
    index: int | None = None
    track_id: str = field(default_factory=lambda: new_id("track"))
    label: ClassVar[str] = "Add track"

    def apply(self, tx: Transaction) -> None:
        ops.add_track(tx, self)


@dataclass(frozen=True, kw_only=True)
class RemoveTrack(Edit):
    """Remove a track and every clip on it (undo brings them back)."""

    track_id: str
    label: ClassVar[str] = "Remove track"

    def apply(self, tx: Transaction) -> None:
        ops.remove_track(tx, self)


@dataclass(frozen=True, kw_only=True)
class RenameTrack(Edit):
    track_id: str
    name: str
    label: ClassVar[str] = "Rename track"

    def apply(self, tx: Transaction) -> None:
        ops.rename_track(tx, self)


@dataclass(frozen=True, kw_only=True)
class SetTrackHidden(Edit):
    """Hide or show a track in the preview and export (its clips stay editable)."""

    track_id: str
    hidden: bool
    label: ClassVar[str] = "Hide track"

    @property
    def title(self) -> str:
        return "Hide track" if self.hidden else "Show track"

    def apply(self, tx: Transaction) -> None:
        ops.set_track_hidden(tx, self)


@dataclass(frozen=True, kw_only=True)
class MoveTrack(Edit):
    """Move a track to position `index` in the track list (0 = top)."""

    track_id: str
    index: int
    label: ClassVar[str] = "Move track"

    def apply(self, tx: Transaction) -> None:
        ops.move_track(tx, self)


# --- clips ---------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class AddClip(Edit):
    """Place a clip (with takes) or a draft shot (no takes) on a track.

    The document stores its own copy of `clip`; the caller's object is never shared.
    Refused when it would overlap another clip, or its ids are already used.
    """

    track_id: str
    clip: Clip
    label: ClassVar[str] = "Add clip"

    @property
    def title(self) -> str:
        return "Add draft shot" if self.clip.is_draft else "Add clip"

    def apply(self, tx: Transaction) -> None:
        ops.add_clip(tx, self)


@dataclass(frozen=True, kw_only=True)
class MoveClips(Edit):
    """Move clips by `delta` frames and/or onto `to_track` (None: each stays on its track).

    Refused when a clip would start before frame 0 or overlap a clip that is not moving.
    """

    clip_ids: tuple[str, ...]
    delta: int = 0
    to_track: str | None = None
    label: ClassVar[str] = "Move clips"

    @property
    def title(self) -> str:
        return "Move clip" if len(self.clip_ids) == 1 else f"Move {len(self.clip_ids)} clips"

    def apply(self, tx: Transaction) -> None:
        ops.move_clips(tx, self)


@dataclass(frozen=True, kw_only=True)
class TrimClip(Edit):
    """Move one edge of a clip to timeline frame `frame` (the other edge stays put).

    Trimming the start also moves the first shown media frame, so the picture stays where it
    was on the timeline; keyframes keep their timeline frame. Refused when the edge would pass
    the media's ends, overlap a neighbour, leave less than one frame, or cut off a keyframe.
    """

    clip_id: str
    side: Side
    frame: int
    label: ClassVar[str] = "Trim clip"

    def apply(self, tx: Transaction) -> None:
        ops.trim_clip(tx, self)


@dataclass(frozen=True, kw_only=True)
class SplitClip(Edit):
    """Cut a clip in two at timeline `frame` (strictly inside it).

    The right part gets `new_clip_id`, copies of the takes (same media files, new take ids) and
    the keyframes that fall in it; the shot settings are copied to both parts.
    """

    clip_id: str
    frame: int
    new_clip_id: str = field(default_factory=lambda: new_id("clip"))
    label: ClassVar[str] = "Split clip"

    def apply(self, tx: Transaction) -> None:
        ops.split_clip(tx, self)


@dataclass(frozen=True, kw_only=True)
class DeleteClips(Edit):
    """Remove clips, leaving gaps where they were."""

    clip_ids: tuple[str, ...]
    label: ClassVar[str] = "Delete clips"

    @property
    def title(self) -> str:
        return "Delete clip" if len(self.clip_ids) == 1 else f"Delete {len(self.clip_ids)} clips"

    def apply(self, tx: Transaction) -> None:
        ops.delete_clips(tx, self)


@dataclass(frozen=True, kw_only=True)
class RippleDelete(Edit):
    """Remove clips and close the holes: later clips on the same track move left by the removed length.

    Other tracks are not touched (gaps on the track are kept).
    """

    clip_ids: tuple[str, ...]
    label: ClassVar[str] = "Ripple delete"

    def apply(self, tx: Transaction) -> None:
        ops.ripple_delete(tx, self)


@dataclass(frozen=True, kw_only=True)
class CloseGap(Edit):
    """Close the gap of a track that contains timeline frame `frame`: later clips move left."""

    track_id: str
    frame: int
    label: ClassVar[str] = "Close gap"

    def apply(self, tx: Transaction) -> None:
        ops.close_gap(tx, self)


@dataclass(frozen=True, kw_only=True)
class ReorderShot(Edit):
    """Storyboard: move a clip to position `index` of its track's story order; the cut follows.

    Clips are laid again in the new order, each keeping its length; the gaps stay where they
    were in the order (the n-th gap still comes before the n-th clip), so the track's first
    frame and its total length are unchanged.
    """

    clip_id: str
    index: int
    label: ClassVar[str] = "Reorder shots"

    def apply(self, tx: Transaction) -> None:
        ops.reorder_shot(tx, self)


@dataclass(frozen=True, kw_only=True)
class SetClipLength(Edit):
    """Set the length of a draft shot or a still clip (keeps its start). Video clips use TrimClip."""

    clip_id: str
    length: int
    label: ClassVar[str] = "Set shot length"

    def apply(self, tx: Transaction) -> None:
        ops.set_clip_length(tx, self)


@dataclass(frozen=True, kw_only=True)
class RenameClip(Edit):
    clip_id: str
    name: str
    label: ClassVar[str] = "Rename shot"

    def apply(self, tx: Transaction) -> None:
        ops.rename_clip(tx, self)


@dataclass(frozen=True, kw_only=True)
class SetShotSettings(Edit):
    """Change what a shot asks the model for. Fields left UNCHANGED keep their value;
    None (seed/steps/guidance/model) means "the project's default / pick when queued"."""

    clip_id: str
    prompt: str | _Unchanged = UNCHANGED
    negative_prompt: str | _Unchanged = UNCHANGED
    seed: int | None | _Unchanged = UNCHANGED
    steps: int | None | _Unchanged = UNCHANGED
    guidance: float | None | _Unchanged = UNCHANGED
    model: str | None | _Unchanged = UNCHANGED
    cast: tuple[str, ...] | _Unchanged = UNCHANGED
    label: ClassVar[str] = "Change shot settings"

    def apply(self, tx: Transaction) -> None:
        ops.set_shot_settings(tx, self)


# --- keyframes -----------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class PinKeyframe(Edit):
    """Pin an image on a shot (`clip_id`; keyframe.frame is an offset within the clip) or on a
    track (`track_id`; keyframe.frame is a timeline frame, used when the gap around it is
    infilled). Give exactly one of the two. Refused when another keyframe sits on that frame."""

    keyframe: Keyframe
    clip_id: str | None = None
    track_id: str | None = None
    label: ClassVar[str] = "Pin keyframe"

    def apply(self, tx: Transaction) -> None:
        ops.pin_keyframe(tx, self)


@dataclass(frozen=True, kw_only=True)
class MoveKeyframe(Edit):
    """Move a keyframe to `frame` (clip offset for a shot's keyframe, timeline frame for a track's)."""

    keyframe_id: str
    frame: int
    label: ClassVar[str] = "Move keyframe"

    def apply(self, tx: Transaction) -> None:
        ops.move_keyframe(tx, self)


@dataclass(frozen=True, kw_only=True)
class SetKeyframeStrength(Edit):
    """0 lets the model ignore the image, 1 keeps it exactly."""

    keyframe_id: str
    strength: float
    label: ClassVar[str] = "Set keyframe strength"

    def apply(self, tx: Transaction) -> None:
        ops.set_keyframe_strength(tx, self)


@dataclass(frozen=True, kw_only=True)
class RemoveKeyframe(Edit):
    keyframe_id: str
    label: ClassVar[str] = "Remove keyframe"

    def apply(self, tx: Transaction) -> None:
        ops.remove_keyframe(tx, self)


# --- takes ---------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class AddTake(Edit):
    """Add a take to a clip and make it active (a clip's takes only ever grow).

    The clip then shows the take as `SwitchTake` does.
    """

    clip_id: str
    take: Take
    label: ClassVar[str] = "Add take"

    def apply(self, tx: Transaction) -> None:
        ops.add_take(tx, self)


@dataclass(frozen=True, kw_only=True)
class SwitchTake(Edit):
    """Make another of a clip's takes the active one.

    The clip keeps its start. A video take is shown whole (from its first frame, for all its
    frames), pushing later clips if it is longer; a still keeps the clip's length. The clip's
    linked sound follows the take (`audio_ops.follow_take`): it plays the new take's file, or
    goes when the new take has no sound.
    """

    clip_id: str
    take_id: str
    label: ClassVar[str] = "Switch take"

    def apply(self, tx: Transaction) -> None:
        ops.switch_take(tx, self)


@dataclass(frozen=True, kw_only=True)
class PlaceGeneratedTake(Edit):
    """Put a finished generation into the timeline, as the plan's target says.

    - generate / animate / restyle: a new active take of the clip (a draft's first take); the
      clip keeps its start and length (shorter only if the take has fewer frames).
    - extend forward / loop: a new take holding the old frames then the new ones; the clip grows
      at its end (pushing later clips by the overlap).
    - extend backward: a new take holding the new frames then the old ones; the clip grows at
      its start, keeping its end.
    - infill (and the other gap cases): a new clip filling the gap between the same two clips.
    Extending makes a new take rather than a new adjacent clip because the user asked for *this
    shot* to last longer: it stays one shot with one prompt, and switching back to the earlier
    take undoes the growth without deleting anything.

    A silent take moves no sound (only pushed clips' linked sound follows them); where the new
    frames meet a neighbour's linked sound, that sound gets a short fade at the seam
    (`audio_ops.fade_seams`) so the join doesn't click. A take the model made with sound (LTX-2,
    `take.metadata["sound"]`) is heard with its clip: `audio_ops.sound_of_generated` links it a
    sound clip reading the take's file, as an imported video with sound gets.

    Never refused because the timeline changed while the job ran: if the clip or gap is gone,
    the take lands as a new clip at the planned frame on the planned track when that is free,
    else on a new track, so nothing generated is ever lost.
    """

    plan: GenerationPlan
    take: Take
    new_clip_id: str = field(default_factory=lambda: new_id("clip"))  # used when a new clip is made
    new_track_id: str = field(default_factory=lambda: new_id("track"))  # used when a new track is needed
    label: ClassVar[str] = "Place generated take"

    @property
    def title(self) -> str:
        return f"{self.plan.action.title} result"

    def apply(self, tx: Transaction) -> None:
        ops.place_generated_take(tx, self)


# --- cast and project ----------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class AddCastMember(Edit):
    member: CastMember
    label: ClassVar[str] = "Add cast member"

    def apply(self, tx: Transaction) -> None:
        ops.add_cast_member(tx, self)


@dataclass(frozen=True, kw_only=True)
class UpdateCastMember(Edit):
    cast_id: str
    name: str | _Unchanged = UNCHANGED
    image: str | _Unchanged = UNCHANGED
    description: str | _Unchanged = UNCHANGED
    label: ClassVar[str] = "Change cast member"

    def apply(self, tx: Transaction) -> None:
        ops.update_cast_member(tx, self)


@dataclass(frozen=True, kw_only=True)
class RemoveCastMember(Edit):
    """Remove a cast member; the shots that used it stop using it (undo restores both)."""

    cast_id: str
    label: ClassVar[str] = "Remove cast member"

    def apply(self, tx: Transaction) -> None:
        ops.remove_cast_member(tx, self)


@dataclass(frozen=True, kw_only=True)
class SetProjectSettings(Edit):
    """Project name, frame rate, size and generation defaults. Clips keep their frame positions
    when the frame rate changes (time is frames), so their durations in seconds change."""

    name: str | _Unchanged = UNCHANGED
    fps: Fraction | _Unchanged = UNCHANGED
    width: int | _Unchanged = UNCHANGED
    height: int | _Unchanged = UNCHANGED
    defaults: GenerationDefaults | _Unchanged = UNCHANGED
    # where the project's jobs run: "" this computer, a Ray cluster's address, None as in Settings
    where_jobs_run: str | None | _Unchanged = UNCHANGED
    # the project's Speed ({"cache": a model.speed cache, "compile": bool}), None as in Settings
    speed: dict | None | _Unchanged = UNCHANGED
    label: ClassVar[str] = "Change project settings"

    def apply(self, tx: Transaction) -> None:
        ops.set_project_settings(tx, self)


@dataclass(frozen=True, kw_only=True)
class ImportMedia(Edit):
    """Add files to the project's media bin (in this order, after what is listed already; a file
    listed already stays where it is). Paths in stored form, as for takes."""

    paths: tuple[str, ...]
    label: ClassVar[str] = "Import media"

    def apply(self, tx: Transaction) -> None:
        from editor.document import ops

        ops.import_media(tx, self)


@dataclass(frozen=True, kw_only=True)
class ChangeFrameRate(Edit):
    """A new project frame rate that keeps real time: every clip, keyframe and take position is
    scaled to the new rate and rounded (clip ends are rounded, so neighbours stay neighbours).

    A video take's file keeps its frames at the rate it was made; the take records that rate in
    `metadata["frames_at_fps"]` and readers pick the file frame by time (dropped or repeated
    frames, as conforming does) until the file is conformed again."""

    fps: Fraction
    label: ClassVar[str] = "Change frame rate"

    def apply(self, tx: Transaction) -> None:
        from editor.document import ops

        ops.change_frame_rate(tx, self)


@dataclass(frozen=True, kw_only=True)
class RelinkMedia(Edit):
    """Point every take, keyframe and cast image that uses `old` at `new` (a moved or found file).

    Paths are in stored form: relative inside the project folder, absolute outside it (an
    absolute `new` is marked imported, since the user chose it)."""

    old: str
    new: str
    label: ClassVar[str] = "Relink media"

    def apply(self, tx: Transaction) -> None:
        ops.relink_media(tx, self)


# --- sound ---------------------------------------------------------------------------------
#
# MoveClips, TrimClip, SplitClip, DeleteClips and RippleDelete take audio clip ids too, and
# move/trim/split/delete a clip's linked partners with it (editor.document.audio_ops).


@dataclass(frozen=True, kw_only=True)
class AddAudioTrack(Edit):
    """A new empty audio track at `index` of the audio tracks (None: after the last)."""

    name: str = ""
    index: int | None = None
    track_id: str = field(default_factory=lambda: new_id("audio"))
    label: ClassVar[str] = "Add audio track"

    def apply(self, tx: Transaction) -> None:
        audio_ops.add_audio_track(tx, self)


@dataclass(frozen=True, kw_only=True)
class RemoveAudioTrack(Edit):
    """Remove an audio track and its sound (undo brings them back)."""

    track_id: str
    label: ClassVar[str] = "Remove audio track"

    def apply(self, tx: Transaction) -> None:
        audio_ops.remove_audio_track(tx, self)


@dataclass(frozen=True, kw_only=True)
class SetAudioTrack(Edit):
    """An audio track's name, volume (dB, limits.MIN_GAIN_DB..MAX_GAIN_DB), mute and solo."""

    track_id: str
    name: str | _Unchanged = UNCHANGED
    volume_db: float | _Unchanged = UNCHANGED
    muted: bool | _Unchanged = UNCHANGED
    solo: bool | _Unchanged = UNCHANGED
    label: ClassVar[str] = "Change audio track"

    @property
    def title(self) -> str:
        if self.muted is not UNCHANGED and self.volume_db is UNCHANGED and self.solo is UNCHANGED:
            return "Mute track" if self.muted else "Unmute track"
        if self.solo is not UNCHANGED and self.volume_db is UNCHANGED and self.muted is UNCHANGED:
            return "Solo track" if self.solo else "Unsolo track"
        if self.name is not UNCHANGED and all(v is UNCHANGED for v in (self.volume_db, self.muted, self.solo)):
            return "Rename track"
        return "Change track volume" if self.volume_db is not UNCHANGED else self.label

    def apply(self, tx: Transaction) -> None:
        audio_ops.set_audio_track(tx, self)


@dataclass(frozen=True, kw_only=True)
class AddAudioClip(Edit):
    """Place sound on an audio track (refused on overlap, on a video track, or out of bounds).
    To give a video clip its sound, add both in a Composite with the same `link`."""

    track_id: str
    clip: AudioClip
    label: ClassVar[str] = "Add sound"

    def apply(self, tx: Transaction) -> None:
        audio_ops.add_audio_clip(tx, self)
        ops._list_media(tx, [self.clip.source])  # the file joins the media bin, as for AddClip


@dataclass(frozen=True, kw_only=True)
class SetAudioClip(Edit):
    """A sound's gain (dB), fade in / fade out (frames; together within the clip) and name."""

    clip_id: str
    gain_db: float | _Unchanged = UNCHANGED
    fade_in: int | _Unchanged = UNCHANGED
    fade_out: int | _Unchanged = UNCHANGED
    name: str | _Unchanged = UNCHANGED
    label: ClassVar[str] = "Change sound"

    @property
    def title(self) -> str:
        if self.gain_db is not UNCHANGED:
            return "Change gain"
        if self.fade_in is not UNCHANGED or self.fade_out is not UNCHANGED:
            return "Change fade"
        return self.label

    def apply(self, tx: Transaction) -> None:
        audio_ops.set_audio_clip(tx, self)


@dataclass(frozen=True, kw_only=True)
class LinkClips(Edit):
    """Link one video clip with sound clips: from now on they move, trim, split and delete together."""

    clip_ids: tuple[str, ...]
    link_id: str = field(default_factory=lambda: new_id("link"))
    label: ClassVar[str] = "Link clips"

    def apply(self, tx: Transaction) -> None:
        audio_ops.link_clips(tx, self)


@dataclass(frozen=True, kw_only=True)
class UnlinkClips(Edit):
    """Unlink the clips and everything linked to them, so picture and sound edit apart."""

    clip_ids: tuple[str, ...]
    label: ClassVar[str] = "Unlink clips"

    def apply(self, tx: Transaction) -> None:
        audio_ops.unlink_clips(tx, self)


@dataclass(frozen=True, kw_only=True)
class Composite(Edit):
    """Several edits as one undo step, applied in order; all or nothing."""

    title_text: str
    edits: tuple[Edit, ...]

    def __init__(self, label: str, edits: Sequence[Edit]) -> None:
        object.__setattr__(self, "title_text", label)
        object.__setattr__(self, "edits", tuple(edits))

    @property
    def title(self) -> str:
        return self.title_text

    def apply(self, tx: Transaction) -> None:
        for edit in self.edits:
            edit.apply(tx)


def describe(edit: Edit) -> dict[str, Any]:
    """An edit as plain data, for logs and bug reports (objects shown by id)."""
    out: dict[str, Any] = {"edit": type(edit).__name__, "title": edit.title}
    for name, value in vars(edit).items():
        if isinstance(value, Clip | Track | Take | Keyframe | CastMember | AudioClip):
            value = value.id
        elif isinstance(value, tuple) and value and isinstance(value[0], Edit):
            value = [describe(e) for e in value]
        elif value is UNCHANGED:
            continue
        out[name] = value
    return out
