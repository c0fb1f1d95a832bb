"""The project as plain Python: tracks of clips, takes, keyframes, cast. No Qt, no torch.

Shaped like OpenTimelineIO: project -> tracks -> clips; time is integer frames at a rational
project fps; every item carries a `metadata` dict. A *shot* is a clip: a clip with no takes is a
draft shot (a prompt and a length, rendered as a placeholder until generated). Gaps are derived
from the clips on a track and never stored.

These classes hold state only. Change them through `editor.document.edits` so that every change
is validated, undoable and announced.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from fractions import Fraction


def new_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


@dataclass
class Keyframe:
    """An image pinned at a frame of a clip (offset from the clip's start) with a strength."""

    id: str
    image: str  # media path (project-relative inside the project folder, absolute for imports)
    frame: int  # offset within the clip, 0 .. clip.length - 1
    strength: float = 1.0
    metadata: dict = field(default_factory=dict)


@dataclass
class Take:
    """One version of a clip's media: an import or a generated run. Never overwritten."""

    id: str
    media: str  # path of a video or still (project-relative inside the folder, absolute for imports)
    frames: int  # frames in the media (a still counts as 1 and holds for any length)
    is_still: bool = False
    record: dict = field(default_factory=dict)  # generation record; empty for imports
    label: str = ""
    # Free JSON data. `"imported": true` marks media the user imported from outside the project
    # folder (the only way an absolute path is accepted on load; saving sets it for such paths).
    # Keyframes and cast members follow the same rule.
    metadata: dict = field(default_factory=dict)

    @property
    def generated(self) -> bool:
        return bool(self.record)

    def file_frame(self, frame: int, project_fps: Fraction) -> int:
        """The frame of the media file shown at the take's frame `frame`. The same number, unless
        the project's rate changed since the file was made (`metadata["frames_at_fps"]`): then the
        file's frame at that time (frames dropped or repeated, as conforming would)."""
        return file_frame(frame, self.metadata.get("frames_at_fps"), project_fps)


def file_frame(frame: int, made_at: str | Fraction | None, project_fps: Fraction) -> int:
    """The frame of a video file made at `made_at` fps shown at project frame `frame`, picked by
    time (None: the file is at the project's rate). The one mapping the cut, the preview, export
    and generation context all use, so the model sees exactly the frames the timeline shows."""
    return int(frame * Fraction(made_at) / Fraction(project_fps)) if made_at else frame


def carry_take_to_rate(take: Take, old: Fraction, new: Fraction) -> None:
    """`take` (in place) counting frames at project rate `new` instead of `old`, as a frame-rate
    change carries it: its file keeps the rate it was made at, recorded in
    `metadata["frames_at_fps"]` while that differs from the project's, so it is read by time."""
    if take.is_still or old == new:
        return
    made_at = Fraction(take.metadata.get("frames_at_fps", f"{old.numerator}/{old.denominator}"))
    take.frames = max(1, round(take.frames * Fraction(new) / Fraction(old)))  # ends rounded, as clips'
    if made_at == new:
        take.metadata.pop("frames_at_fps", None)
    else:
        take.metadata["frames_at_fps"] = f"{made_at.numerator}/{made_at.denominator}"


@dataclass
class ShotSettings:
    """What a shot asks the model for; used when the shot (or its clip) is generated."""

    prompt: str = ""
    negative_prompt: str = ""
    seed: int | None = None  # None: pick one when the job is queued, record it with the take
    steps: int | None = None  # None: the project's default
    guidance: float | None = None
    model: str | None = None  # model folder; None: the project's default
    cast: list[str] = field(default_factory=list)  # cast member ids


@dataclass
class Clip:
    id: str
    start: int  # first frame on the track
    length: int  # frames on the timeline
    name: str = ""
    takes: list[Take] = field(default_factory=list)
    active_take: int = 0  # index into takes
    source_in: int = 0  # first frame of the active take's media that is shown
    shot: ShotSettings = field(default_factory=ShotSettings)
    keyframes: list[Keyframe] = field(default_factory=list)
    metadata: dict = field(default_factory=dict)
    # Shared with the AudioClip(s) holding this clip's sound: they move, trim, split, ripple and
    # delete together (see editor.document.audio_ops). None: no linked sound.
    link: str | None = None

    @property
    def end(self) -> int:
        """One past the last frame on the track."""
        return self.start + self.length

    @property
    def is_draft(self) -> bool:
        return not self.takes

    @property
    def take(self) -> Take | None:
        return self.takes[self.active_take] if self.takes else None


@dataclass
class Track:
    id: str
    name: str
    clips: list[Clip] = field(default_factory=list)  # sorted by start, never overlapping
    hidden: bool = False
    # Images pinned on the track outside any shot; `frame` is a timeline frame here. Infilling
    # the gap around one makes the new frames pass through it.
    keyframes: list[Keyframe] = field(default_factory=list)
    metadata: dict = field(default_factory=dict)


# --- sound ---------------------------------------------------------------------------------
#
# Audio lives apart from the picture, in `Project.audio_tracks` (A1, A2, ... shown below the
# video tracks), never in `Project.tracks`. So everything that reads `project.tracks` (the cut
# reader, generation plans, exports of the picture, the storyboard, proxies) can never take a
# sound clip for a picture: that is the rule, kept by the type, not by filters in each reader.


@dataclass
class AudioClip:
    """A stretch of sound on an audio track: `source` (an audio file, or a video whose first audio
    stream is used) from `source_in`, placed at `start` for `length` frames.

    All times are project frames at real time: source second = source_in / project fps. The
    decoder (editor.media.audio) pads a source with silence past its end, so `source_frames` is
    what the clip may show (for the sound of a video: the video's frames, whatever the length of
    its audio stream). `link` is shared with the video clip the sound belongs to."""

    id: str
    source: str  # media path, same rules as Take.media (relative inside the folder, absolute imported)
    start: int
    length: int
    source_frames: int  # frames of the source, the trim bound for source_in + length
    source_in: int = 0
    gain_db: float = 0.0
    fade_in: int = 0  # frames from the clip's start over which the sound rises from silence
    fade_out: int = 0  # frames before the clip's end over which it falls to silence
    name: str = ""
    link: str | None = None
    metadata: dict = field(default_factory=dict)  # "imported": True as for takes

    @property
    def end(self) -> int:
        return self.start + self.length


@dataclass
class AudioTrack:
    """An audio track: clips sorted by start, never overlapping, mixed with the other tracks.

    `volume_db` applies to the whole track; `muted` silences it; when any track is `solo`, only
    the solo tracks are heard (and a muted solo track stays silent)."""

    id: str
    name: str
    clips: list[AudioClip] = field(default_factory=list)
    volume_db: float = 0.0
    muted: bool = False
    solo: bool = False
    metadata: dict = field(default_factory=dict)


def audible_tracks(tracks: list[AudioTrack]) -> list[AudioTrack]:
    """The tracks that are heard: the solo ones when any is solo, else all; never a muted one."""
    solo = any(t.solo for t in tracks)
    return [t for t in tracks if not t.muted and (t.solo or not solo)]


@dataclass(frozen=True)
class Gap:
    """Empty frames between two clips of a track (derived, never stored)."""

    track_id: str
    start: int
    length: int
    before: str | None  # id of the clip that ends where the gap starts
    after: str | None  # id of the clip that starts where the gap ends

    @property
    def end(self) -> int:
        return self.start + self.length


@dataclass
class CastMember:
    """A reusable character or style reference applied to shots to keep them consistent."""

    id: str
    name: str
    image: str
    description: str = ""
    metadata: dict = field(default_factory=dict)


@dataclass
class MediaItem:
    """A file in the project's media bin, listed whether or not the cut uses it (import order).

    `path` follows the take rules: relative inside the project folder, absolute only for a file
    the user imported (`metadata["imported"]`)."""

    path: str
    metadata: dict = field(default_factory=dict)


@dataclass
class GenerationDefaults:
    model: str | None = None  # a model folder, or "interpolate" for the no-model engine
    steps: int = 30
    guidance: float = 3.0
    negative_prompt: str = "worst quality, inconsistent motion, blurry, jittery, distorted"


@dataclass
class Project:
    name: str = "Untitled"
    fps: Fraction = Fraction(24)
    width: int = 1280
    height: int = 720
    tracks: list[Track] = field(default_factory=list)
    cast: list[CastMember] = field(default_factory=list)
    defaults: GenerationDefaults = field(default_factory=GenerationDefaults)
    metadata: dict = field(default_factory=dict)
    media: list[MediaItem] = field(default_factory=list)  # the media bin, independent of the cut
    # sound only, below the video tracks; never mixed into `tracks` (see AudioClip)
    audio_tracks: list[AudioTrack] = field(default_factory=list)

    # --- look-ups (read only) -------------------------------------------------------------
    def track(self, track_id: str) -> Track:
        for t in self.tracks:
            if t.id == track_id:
                return t
        raise KeyError(track_id)

    def find_clip(self, clip_id: str) -> tuple[Track, Clip]:
        for t in self.tracks:
            for c in t.clips:
                if c.id == clip_id:
                    return t, c
        raise KeyError(clip_id)

    def audio_track(self, track_id: str) -> AudioTrack:
        for t in self.audio_tracks:
            if t.id == track_id:
                return t
        raise KeyError(track_id)

    def find_audio_clip(self, clip_id: str) -> tuple[AudioTrack, AudioClip]:
        for t in self.audio_tracks:
            for c in t.clips:
                if c.id == clip_id:
                    return t, c
        raise KeyError(clip_id)

    def linked(self, link: str | None) -> tuple[list[Clip], list[AudioClip]]:
        """The video clips and audio clips that share `link` (empty lists for None)."""
        if link is None:
            return [], []
        return ([c for t in self.tracks for c in t.clips if c.link == link],
                [c for t in self.audio_tracks for c in t.clips if c.link == link])

    @property
    def duration(self) -> int:
        """Frames from 0 to the end of the last clip on any track."""
        return max((c.end for t in self.tracks for c in t.clips), default=0)

    @property
    def sound_end(self) -> int:
        """One past the last frame of sound on any audio track (exports stop at `duration`)."""
        return max((c.end for t in self.audio_tracks for c in t.clips), default=0)

    def gaps(self, track_id: str) -> list[Gap]:
        """Gaps between clips on a track (not the empty space after the last clip)."""
        track = self.track(track_id)
        out: list[Gap] = []
        pos, prev = 0, None
        for clip in track.clips:
            if clip.start > pos:
                out.append(Gap(track.id, pos, clip.start - pos, prev, clip.id))
            pos, prev = clip.end, clip.id
        return out

    def frames_to_seconds(self, frames: int) -> float:
        return float(frames / self.fps)

    def seconds_to_frames(self, seconds: float) -> int:
        return round(Fraction(seconds).limit_denominator(100000) * self.fps)
