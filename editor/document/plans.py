"""Selection -> generation plan: which frames are known where, what to make, and where it goes.

A `GenerationPlan` is plain data (no frames, no Qt, no torch). The media layer reads the frames
each `PinSource` names and builds a `model.request.Request`; when the job is done it assembles
the new take's media from `target.segments` and hands it to `PlaceGeneratedTake`.

The rules follow DESIGN.md "The one idea" (positions are frames of the clip to be made):

| selection        | pins                                               | frames made       |
|------------------|----------------------------------------------------|-------------------|
| GenerateShot     | the shot's keyframes at their offsets              | the shot's length |
| AnimateStill     | the still at 0 (and the shot's other keyframes)    | the clip's length |
| ExtendClip end   | the clip's last K frames at 0..K-1                 | K + N             |
| ExtendClip start | the clip's first K frames at N..N+K-1              | N + K             |
| InfillGap        | tail of the clip before at 0.., head of the clip   | Kb + gap + Ka     |
|                  | after at the end, the track's keyframes in the gap |                   |
| LoopClip         | the clip's tail at 0..K-1, its head at the end     | K + N + K         |
| RestyleClip      | the whole clip at strength < 1                     | the clip's length |

K (context frames) is `CONTEXT_FRAMES` = 9 by default and always 8k+1 (1, 9, 17, ...): LTX
video conditions need that length, and it is also 4k+1 for Wan. A clip shorter than K gives
the largest 8k+1 it holds. A still gives its one image.

A gap with a clip (with media) on one side only is planned as an extend from that side, and a
gap with none as a generate from the keyframes inside it; either way the result is a new clip
filling the gap, which is what the user selected.
"""

from __future__ import annotations

import json
import random
from dataclasses import asdict, dataclass, field, replace
from fractions import Fraction
from typing import Any

from editor.document.edits import EditRefused, Side
from editor.document.project import Clip, Project, Track
from editor.words import plural
from model.request import MAX_SECONDS, Action

CONTEXT_FRAMES = 9
DEFAULT_RESTYLE_STRENGTH = 0.6


# --- what the user selected -----------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Selection:
    """Base of the selections; `prompt` (when given) replaces the shot's prompt for this run, and
    `seed`, `steps`, `guidance` the shot's settings: what a selection with no shot of its own (a
    gap: Inspector ▸ Gap) asks for. None: the shot's setting, else the project's default."""

    prompt: str | None = None
    seed: int | None = None
    steps: int | None = None
    guidance: float | None = None


@dataclass(frozen=True, kw_only=True)
class GenerateShot(Selection):
    """Make a take for a shot (a draft's first, or another take) from its prompt and keyframes."""

    clip_id: str


@dataclass(frozen=True, kw_only=True)
class AnimateStill(Selection):
    """Turn a clip showing a still image into a moving clip of the same length."""

    clip_id: str


@dataclass(frozen=True, kw_only=True)
class ExtendClip(Selection):
    """Grow a clip by `frames` new frames at its end (forward) or its start (backward)."""

    clip_id: str
    side: Side
    frames: int
    context: int = CONTEXT_FRAMES


@dataclass(frozen=True, kw_only=True)
class InfillGap(Selection):
    """Fill the gap on a track that holds timeline frame `frame`."""

    track_id: str
    frame: int
    context: int = CONTEXT_FRAMES


@dataclass(frozen=True, kw_only=True)
class LoopClip(Selection):
    """Make `frames` new frames that lead from the clip's end back into its start."""

    clip_id: str
    frames: int
    context: int = CONTEXT_FRAMES


@dataclass(frozen=True, kw_only=True)
class RestyleClip(Selection):
    """Re-render a clip under its (or a new) prompt; `strength` is how much of it is kept (0..1)."""

    clip_id: str
    strength: float = DEFAULT_RESTYLE_STRENGTH


# --- the plan -------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class PinSource:
    """Known frames for positions `position .. position + count - 1` of the clip to be made.

    Read `count` frames of `media` starting at its frame `first`; a still (`still`: an image
    file or a still take) gives its one image, used for each of the `count` positions.
    `media` is the path as the project stores it (relative to the project folder, or absolute
    for an imported file).

    `first` counts frames at the plan's rate, as the clip shows them. `made_at`: the rate the
    file's frames were made at when the project's rate changed since (`Take.file_frame`), so the
    reader picks them by time as the cut does; `fit`: the clip's fit mode (None: letterbox), so
    the pictures are fitted to the plan's size as the cut shows them.
    """

    position: int
    count: int
    media: str
    first: int = 0
    still: bool = False
    strength: float = 1.0
    label: str = ""
    take_id: str | None = None
    keyframe_id: str | None = None
    made_at: str | None = None
    fit: str | None = None

    @property
    def end(self) -> int:
        return self.position + self.count


@dataclass(frozen=True, kw_only=True)
class Segment:
    """One run of the new take's media: `count` frames of the generated result from its frame
    `first` (source "generated"), or of an existing take (source "take"; a still repeats).
    `made_at` and `fit` as for PinSource: a take's frames are read as the cut shows them."""

    source: str  # "generated" | "take"
    first: int
    count: int
    media: str | None = None
    take_id: str | None = None
    still: bool = False
    made_at: str | None = None
    fit: str | None = None


@dataclass(frozen=True, kw_only=True)
class Target:
    """Where the result goes. `clip_id` set: a new take of that clip; None: a new clip in the gap
    between `before` and `after`. `start`/`length`: the timeline frames it was planned to
    cover. `segments`: how to assemble the take's media, in order (their counts add up to
    `take_frames`)."""

    track_id: str
    clip_id: str | None
    start: int
    length: int
    segments: tuple[Segment, ...]
    before: str | None = None
    after: str | None = None
    name: str = ""

    @property
    def new_clip(self) -> bool:
        return self.clip_id is None

    @property
    def take_frames(self) -> int:
        return sum(s.count for s in self.segments)


@dataclass(frozen=True, kw_only=True)
class GenerationPlan:
    action: Action
    num_frames: int
    fps: Fraction
    width: int
    height: int
    prompt: str
    negative_prompt: str
    seed: int
    steps: int
    guidance: float
    model: str | None
    pins: tuple[PinSource, ...]
    cast: tuple[str, ...]
    target: Target
    summary: str = ""  # one line for the job list, in the user's words
    options: dict = field(default_factory=dict)
    # what the pins came from, fingerprinted (editor.document.context_fingerprint); {} when not taken
    context: dict = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON data (fps as "num/den"), for the job journal."""
        d = asdict(self)
        d["action"] = self.action.value
        d["fps"] = f"{self.fps.numerator}/{self.fps.denominator}"
        return json.loads(json.dumps(d))  # tuples -> lists: exactly what the journal reads back

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> GenerationPlan:
        try:
            t = dict(d["target"])
            target = Target(**{**t, "segments": tuple(Segment(**s) for s in t["segments"])})
            return cls(**{
                **d,
                "action": Action(d["action"]),
                "fps": Fraction(d["fps"]),
                "pins": tuple(PinSource(**p) for p in d["pins"]),
                "cast": tuple(d["cast"]),
                "target": target,
            })
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"This job's plan is damaged or from another version ({exc}).") from None


# --- building plans -------------------------------------------------------------------------


def context_count(wanted: int, available: int) -> int:
    """The context length used: at most `wanted` and `available`, and of the form 8k+1."""
    n = min(wanted, available)
    if n < 1:
        raise EditRefused("At least one frame of context is needed.")
    return (n - 1) // 8 * 8 + 1


def make_plan(project: Project, selection: Selection, *, seed: int | None = None) -> GenerationPlan:
    """The plan for `selection`, or EditRefused saying why it can't be made.

    `seed`: the seed to use; otherwise the shot's, otherwise a new random one (recorded in the
    plan, so the take can be made again).
    """
    builders = {
        GenerateShot: _generate, AnimateStill: _animate, ExtendClip: _extend,
        InfillGap: _infill, LoopClip: _loop, RestyleClip: _restyle,
    }
    # a selection that plans itself on top of these (editor.document.drafts: Draft, Upscale)
    builder = builders.get(type(selection)) or getattr(selection, "build_plan", None)
    if builder is None:
        raise EditRefused(f"Nothing can be generated for a {type(selection).__name__}.")
    plan = builder(project, selection, seed)
    _check_length(project, plan)
    target = plan.target
    if target.clip_id and not target.name:  # a result whose clip is deleted meanwhile comes back under its name
        plan = replace(plan, target=replace(target, name=_find(project, target.clip_id)[1].name))
    return plan


def _find(project: Project, clip_id: str) -> tuple[Track, Clip]:
    try:
        return project.find_clip(clip_id)  # video tracks only: sound is never a generation target
    except KeyError:
        if any(c.id == clip_id for t in project.audio_tracks for c in t.clips):
            raise EditRefused(_NOT_SOUND) from None
        raise EditRefused(f"There is no clip {clip_id!r} (it may have been deleted).") from None


_NOT_SOUND = "Generation makes pictures: select a clip or gap on a video track, not sound."


def _label(clip: Clip) -> str:
    return f"“{clip.name}”" if clip.name else f"the clip at frame {clip.start}"


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]  # str.capitalize() would lower-case the rest of a name


def _settings(project: Project, clip: Clip | None, selection: Selection, seed: int | None) -> dict[str, Any]:
    d = project.defaults
    shot = clip.shot if clip is not None else None
    if seed is None:
        seed = selection.seed
    if seed is None:
        seed = shot.seed if shot is not None and shot.seed is not None else random.SystemRandom().randrange(2**31)
    known = {m.id for m in project.cast}
    return {
        "fps": project.fps,
        "width": project.width,
        "height": project.height,
        "prompt": selection.prompt if selection.prompt is not None else (shot.prompt if shot else ""),
        "negative_prompt": (shot.negative_prompt if shot and shot.negative_prompt else d.negative_prompt),
        "seed": seed,
        "steps": _first(selection.steps, shot.steps if shot else None, d.steps),
        "guidance": _first(selection.guidance, shot.guidance if shot else None, d.guidance),
        "model": shot.model if shot and shot.model else d.model,
        "cast": tuple(c for c in shot.cast if c in known) if shot else (),
    }


def _first(*values: Any) -> Any:
    """The first value that is set (not None): this run's, the shot's, the project's."""
    return next((v for v in values if v is not None), None)


def _keyframe_pins(clip: Clip, offset: int = 0, *, skip_frame: int | None = None) -> list[PinSource]:
    return [
        PinSource(position=offset + k.frame, count=1, media=k.image, still=True, strength=k.strength,
                  label=f"keyframe at frame {clip.start + k.frame}", keyframe_id=k.id)
        for k in clip.keyframes
        if k.frame != skip_frame
    ]


def _media_pin(clip: Clip, *, position: int, first_offset: int, count: int, strength: float, label: str) -> PinSource:
    """`count` frames of what the clip shows, from its frame `first_offset` (0 = its first frame)."""
    take = clip.take
    assert take is not None
    shown = _as_shown(clip)
    if take.is_still:
        return PinSource(position=position, count=1, media=take.media, still=True, strength=strength,
                         label=label, take_id=take.id, **shown)
    return PinSource(position=position, count=count, media=take.media, first=clip.source_in + first_offset,
                     strength=strength, label=label, take_id=take.id, **shown)


def _as_shown(clip: Clip) -> dict[str, str | None]:
    """How the reader must pick and fit a clip's frames to match the cut (PinSource.made_at, fit)."""
    take = clip.take
    made_at = None if take is None or take.is_still else take.metadata.get("frames_at_fps")
    fit = clip.metadata.get("fit")
    return {"made_at": str(made_at) if made_at else None, "fit": str(fit) if fit else None}


def _shown(clip: Clip) -> Segment:
    """The frames the clip shows now, as a segment of the new take."""
    take = clip.take
    assert take is not None
    return Segment(source="take", first=0 if take.is_still else clip.source_in, count=clip.length,
                   media=take.media, take_id=take.id, still=take.is_still, **_as_shown(clip))


def _need_media(clip: Clip, what: str) -> None:
    if clip.take is None:
        raise EditRefused(f"{_cap(_label(clip))} is a draft: generate it before you {what} it.")


def _frames_asked(n: int) -> None:
    if n < 1:
        raise EditRefused("Ask for at least one new frame.")


def _generate(project: Project, sel: GenerateShot, seed: int | None) -> GenerationPlan:
    track, clip = _find(project, sel.clip_id)
    s = _settings(project, clip, sel, seed)
    pins = _keyframe_pins(clip)
    if not s["prompt"].strip() and not pins:
        raise EditRefused(f"Write a prompt for {_label(clip)} (or pin a keyframe) before generating it.")
    n = clip.length
    return GenerationPlan(
        action=Action.GENERATE, num_frames=n, pins=tuple(pins), **s,
        target=Target(track_id=track.id, clip_id=clip.id, start=clip.start, length=n,
                      segments=(Segment(source="generated", first=0, count=n),)),
        summary=f"Generate {_label(clip)}: {plural(n, 'frame')}" + (f", {plural(len(pins), 'keyframe')}" if pins else ""),
    )


def _animate(project: Project, sel: AnimateStill, seed: int | None) -> GenerationPlan:
    track, clip = _find(project, sel.clip_id)
    take = clip.take
    if take is None or not take.is_still:
        raise EditRefused(
            f"{_cap(_label(clip))} is not a still image: animate works on stills "
            "(use Restyle or Extend on a video)."
        )
    if clip.length < 2:
        raise EditRefused(f"{_cap(_label(clip))} is one frame long: make it longer first.")
    n = clip.length
    pins = [PinSource(position=0, count=1, media=take.media, still=True, label=f"still of {_label(clip)}",
                      take_id=take.id)]
    pins += _keyframe_pins(clip, skip_frame=0)
    return GenerationPlan(
        action=Action.ANIMATE, num_frames=n, pins=tuple(pins), **_settings(project, clip, sel, seed),
        target=Target(track_id=track.id, clip_id=clip.id, start=clip.start, length=n,
                      segments=(Segment(source="generated", first=0, count=n),)),
        summary=f"Animate {_label(clip)}: {plural(n, 'frame')}",
    )


def _extend(project: Project, sel: ExtendClip, seed: int | None) -> GenerationPlan:
    track, clip = _find(project, sel.clip_id)
    _need_media(clip, "extend")
    _frames_asked(sel.frames)
    n = sel.frames
    k = context_count(sel.context, 1 if clip.take.is_still else clip.length)
    s = _settings(project, clip, sel, seed)
    if Side(sel.side) is Side.END:
        pin = _media_pin(clip, position=0, first_offset=clip.length - k, count=k, strength=1.0,
                         label=f"last {plural(k, 'frame')} of {_label(clip)}")
        return GenerationPlan(
            action=Action.EXTEND_FORWARD, num_frames=k + n, pins=(pin,), **s,
            target=Target(track_id=track.id, clip_id=clip.id, start=clip.start, length=clip.length + n,
                          segments=(_shown(clip), Segment(source="generated", first=k, count=n))),
            summary=f"Extend {_label(clip)} forward by {plural(n, 'frame')}",
        )
    pin = _media_pin(clip, position=n, first_offset=0, count=k, strength=1.0,
                     label=f"first {plural(k, 'frame')} of {_label(clip)}")
    return GenerationPlan(
        action=Action.EXTEND_BACKWARD, num_frames=n + k, pins=(pin,), **s,
        target=Target(track_id=track.id, clip_id=clip.id, start=clip.start - n, length=clip.length + n,
                      segments=(Segment(source="generated", first=0, count=n), _shown(clip))),
        summary=f"Extend {_label(clip)} backward by {plural(n, 'frame')}",
    )


def _infill(project: Project, sel: InfillGap, seed: int | None) -> GenerationPlan:
    try:
        gaps = project.gaps(sel.track_id)
    except KeyError:
        if any(t.id == sel.track_id for t in project.audio_tracks):
            raise EditRefused(_NOT_SOUND) from None
        raise EditRefused(f"There is no track {sel.track_id!r}.") from None
    gap = next((g for g in gaps if g.start <= sel.frame < g.end), None)
    if gap is None:
        raise EditRefused(f"There is no gap at frame {sel.frame}: select the empty frames between two clips.")
    track = project.track(sel.track_id)
    before = next((c for c in track.clips if c.id == gap.before), None)
    after = next((c for c in track.clips if c.id == gap.after), None)
    use_before = before is not None and before.take is not None
    use_after = after is not None and after.take is not None
    kb = context_count(sel.context, 1 if before.take.is_still else before.length) if use_before else 0
    ka = context_count(sel.context, 1 if after.take.is_still else after.length) if use_after else 0
    pins: list[PinSource] = []
    if use_before:
        pins.append(_media_pin(before, position=0, first_offset=before.length - kb, count=kb, strength=1.0,
                               label=f"last {kb} frames of {_label(before)}"))
    for k in track.keyframes:
        if gap.start <= k.frame < gap.end:
            pins.append(PinSource(position=kb + k.frame - gap.start, count=1, media=k.image, still=True,
                                  strength=k.strength, label=f"keyframe at frame {k.frame}", keyframe_id=k.id))
    if use_after:
        pins.append(_media_pin(after, position=kb + gap.length, first_offset=0, count=ka, strength=1.0,
                               label=f"first {ka} frames of {_label(after)}"))
    s = _settings(project, before if before is not None else after, sel, seed)
    if use_before and use_after:
        action = Action.INFILL
    elif use_before:
        action = Action.EXTEND_FORWARD
    elif use_after:
        action = Action.EXTEND_BACKWARD
    elif pins or s["prompt"].strip():
        action = Action.GENERATE
    else:
        raise EditRefused("Neither side of this gap has frames yet: generate a neighbour, pin a keyframe "
                          "in the gap or write a prompt first.")
    return GenerationPlan(
        action=action, num_frames=kb + gap.length + ka, pins=tuple(pins), **s,
        target=Target(track_id=track.id, clip_id=None, start=gap.start, length=gap.length,
                      segments=(Segment(source="generated", first=kb, count=gap.length),),
                      before=gap.before, after=gap.after, name="Infill"),
        summary=f"Infill the {gap.length}-frame gap at frame {gap.start}",
    )


def _loop(project: Project, sel: LoopClip, seed: int | None) -> GenerationPlan:
    track, clip = _find(project, sel.clip_id)
    _need_media(clip, "loop")
    if clip.take.is_still:
        raise EditRefused(f"{_cap(_label(clip))} is a still: animate it before looping it.")
    _frames_asked(sel.frames)
    n = sel.frames
    k = context_count(sel.context, clip.length)
    pins = (
        _media_pin(clip, position=0, first_offset=clip.length - k, count=k, strength=1.0,
                   label=f"last {k} frames of {_label(clip)}"),
        _media_pin(clip, position=k + n, first_offset=0, count=k, strength=1.0,
                   label=f"first {k} frames of {_label(clip)}"),
    )
    return GenerationPlan(
        action=Action.LOOP, num_frames=k + n + k, pins=pins, **_settings(project, clip, sel, seed),
        target=Target(track_id=track.id, clip_id=clip.id, start=clip.start, length=clip.length + n,
                      segments=(_shown(clip), Segment(source="generated", first=k, count=n))),
        summary=f"Loop {_label(clip)} with {n} joining frames",
    )


def _restyle(project: Project, sel: RestyleClip, seed: int | None) -> GenerationPlan:
    track, clip = _find(project, sel.clip_id)
    _need_media(clip, "restyle")
    if clip.take.is_still:
        raise EditRefused(f"{_cap(_label(clip))} is a still: animate it, or restyle a video clip.")
    if not 0.0 < sel.strength < 1.0:
        raise EditRefused("Restyle strength must be between 0 and 1: 0 ignores the clip, 1 keeps it unchanged.")
    n = clip.length
    pin = _media_pin(clip, position=0, first_offset=0, count=n, strength=sel.strength,
                     label=f"{_label(clip)} to restyle")
    s = _settings(project, clip, sel, seed)
    if not s["prompt"].strip():
        raise EditRefused(f"Write the new prompt for {_label(clip)} before restyling it.")
    return GenerationPlan(
        action=Action.RESTYLE, num_frames=n, pins=(pin,), **s,
        target=Target(track_id=track.id, clip_id=clip.id, start=clip.start, length=n,
                      segments=(Segment(source="generated", first=0, count=n),)),
        summary=f"Restyle {_label(clip)} at strength {sel.strength:.2f}",
    )


def _check_length(project: Project, plan: GenerationPlan) -> None:
    if plan.num_frames > MAX_SECONDS * project.fps + 1:
        raise EditRefused(
            f"{plan.num_frames} frames ({float(plan.num_frames / project.fps):.1f} s) is longer than the "
            f"{MAX_SECONDS} s one generation can make; ask for fewer frames or split the shot."
        )
