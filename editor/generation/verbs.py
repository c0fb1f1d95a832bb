"""The generation verbs (generate, animate, extend, infill, loop, restyle), each declared once.

A `Verb` is data: its id (the `model.request.Action` it asks engines for), how the menus,
toolbar and Inspector show it (title, shortcut, icon, tip), and how what the user selected
becomes the plan's selection (`editor.document.plans`). That last step is also the verb's rule:
`plan_selection` raises `EditRefused` with the reason the verb can't run on the selection, which
the UI shows on the greyed-out action. The action table, the Inspector, the context menu and
the generation controller all read `VERBS`; nothing looks a verb up by a spelling of its name.

No Qt here: the selection is anything shaped like `editor.ui.selection.Selection`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import Protocol

from editor.document.drafts import DraftShot, UpscaleDraft
from editor.document.edits import EditRefused, Side
from editor.document.plans import (
    DEFAULT_RESTYLE_STRENGTH,
    AnimateStill,
    ExtendClip,
    GenerateShot,
    InfillGap,
    LoopClip,
    RestyleClip,
)
from editor.document.plans import Selection as PlanSelection
from model.request import Action

DEFAULT_EXTEND_SECONDS = 2.0
DEFAULT_LOOP_SECONDS = 1.0


class _Gap(Protocol):
    track_id: str
    start: int


class _End(Protocol):
    clip_id: str


class _Keyframe(Protocol):
    clip_id: str | None


class PickedThings(Protocol):
    """What the user has picked (`editor.ui.selection.Selection` is one)."""

    @property
    def clips(self) -> tuple[str, ...]: ...
    @property
    def clip(self) -> str | None: ...
    @property
    def gap(self) -> _Gap | None: ...
    @property
    def keyframe(self) -> _Keyframe | None: ...
    @property
    def clip_end(self) -> _End | None: ...


@dataclass(frozen=True)
class Options:
    """What a verb may be asked to do besides the selection (how many seconds, how strong)."""

    seconds: float | None = None
    strength: float = DEFAULT_RESTYLE_STRENGTH
    prompt: str | None = None  # this run's prompt instead of the shot's (an enhanced one)
    plan_options: dict | None = None  # merged into the plan's options (recorded with the take)
    # this run's sampling settings over the shot's (None: the shot's, else the project's); the
    # gap page's fields, as a gap has no shot of its own to keep them
    seed: int | None = None
    steps: int | None = None
    guidance: float | None = None

    def settings(self) -> dict:
        """The sampling settings asked for, as `plans.Selection` fields (only those set)."""
        return {k: v for k, v in (("seed", self.seed), ("steps", self.steps), ("guidance", self.guidance))
                if v is not None}


# how a verb turns (the one picked shot, the frame rate, the options) into a plan selection
ShotRule = Callable[[str, Fraction, Options], PlanSelection]


@dataclass(frozen=True, eq=False)  # one object per verb: compared and hashed by identity
class Verb:
    """One generation verb. `action_id` is its entry in the editor's action table ("gen.infill")."""

    action: Action
    action_id: str
    title: str  # as the menu shows it, with its & mnemonic
    icon: str
    section: str  # the Generate menu's section
    shortcut: tuple[str, ...] = ()
    tip: str = ""
    # the rule for a verb on one shot; None for a verb on a gap (infill)
    on_shot: ShotRule | None = None
    # several shots picked: one job per shot (generate) rather than "Select just one shot."
    each_shot: bool = False

    @property
    def id(self) -> str:
        """"infill": the Action's value, the job kind in the journal's plans."""
        return self.action.value

    def plan_selection(self, picked: PickedThings, fps: Fraction, options: Options | None = None) -> PlanSelection:
        """What `picked` means to this verb; EditRefused (the reason, in the user's words) when
        the verb can't run on it."""
        options = options or Options()
        if self.on_shot is None:  # a verb on a gap
            if picked.gap is None:
                raise EditRefused("Select the gap between two clips to infill it.")
            return InfillGap(track_id=picked.gap.track_id, frame=picked.gap.start, **options.settings())
        clip_id = picked.clip
        if clip_id is None and picked.clip_end is not None:
            clip_id = picked.clip_end.clip_id
        if clip_id is None and picked.keyframe is not None:
            clip_id = picked.keyframe.clip_id
        if clip_id is None:
            raise EditRefused("Select a shot first." if not picked.clips else "Select just one shot.")
        return self.on_shot(clip_id, fps, options)

    def plan_selections(self, picked: PickedThings, fps: Fraction, options: Options | None = None) -> list[PlanSelection]:
        """What to queue: one plan selection, or one per picked shot for a verb that does each."""
        options = options or Options()
        if self.each_shot and self.on_shot is not None and len(picked.clips) > 1:
            return [self.on_shot(c, fps, options) for c in picked.clips]
        return [self.plan_selection(picked, fps, options)]


def _frames(seconds: float | None, default: float, fps: Fraction) -> int:
    return max(1, round((seconds or default) * fps))


GENERATE = Verb(Action.GENERATE, "gen.generate", "&Generate Shot", "generate", "make", ("Ctrl+G",),
                tip="Make a take for the selected shot",
                on_shot=lambda clip, _fps, o: GenerateShot(clip_id=clip, prompt=o.prompt), each_shot=True)
ANIMATE = Verb(Action.ANIMATE, "gen.animate", "&Animate Still", "animate", "make", ("Ctrl+Shift+G",),
               on_shot=lambda clip, _fps, _o: AnimateStill(clip_id=clip))
EXTEND_FORWARD = Verb(
    Action.EXTEND_FORWARD, "gen.extend_forward", "Extend &Forward", "extend_forward", "extend", ("Ctrl+]",),
    on_shot=lambda clip, fps, o: ExtendClip(clip_id=clip, side=Side.END,
                                            frames=_frames(o.seconds, DEFAULT_EXTEND_SECONDS, fps)))
EXTEND_BACKWARD = Verb(
    Action.EXTEND_BACKWARD, "gen.extend_backward", "Extend &Backward", "extend_backward", "extend", ("Ctrl+[",),
    on_shot=lambda clip, fps, o: ExtendClip(clip_id=clip, side=Side.START,
                                            frames=_frames(o.seconds, DEFAULT_EXTEND_SECONDS, fps)))
INFILL = Verb(Action.INFILL, "gen.infill", "&Infill Gap", "infill", "extend", ("Ctrl+Shift+I",))
LOOP = Verb(Action.LOOP, "gen.loop", "&Loop", "loop", "extend",
            on_shot=lambda clip, fps, o: LoopClip(clip_id=clip, frames=_frames(o.seconds, DEFAULT_LOOP_SECONDS, fps)))
RESTYLE = Verb(Action.RESTYLE, "gen.restyle", "&Restyle…", "restyle", "extend",
               on_shot=lambda clip, _fps, o: RestyleClip(clip_id=clip, strength=o.strength))

# Draft then final (editor.document.drafts): a quick small take, then the final from it
DRAFT = Verb(Action.GENERATE, "gen.draft", "&Draft Shot", "generate", "make",
             tip="A quick take at half size and few steps, to judge the shot before the final",
             on_shot=lambda clip, _fps, o: DraftShot(clip_id=clip, prompt=o.prompt), each_shot=True)
UPSCALE = Verb(Action.RESTYLE, "gen.upscale", "&Upscale Draft", "restyle", "make",
               tip="The final take from the shot's draft: upsampled, then refined at full size",
               on_shot=lambda clip, _fps, _o: UpscaleDraft(clip_id=clip), each_shot=True)

# the two-stage verbs make an Action's job with other settings (smaller, then from the draft)
TWO_STAGE: tuple[Verb, ...] = (DRAFT, UPSCALE)

# in menu order
VERBS: tuple[Verb, ...] = (GENERATE, DRAFT, UPSCALE, ANIMATE, EXTEND_FORWARD, EXTEND_BACKWARD, INFILL, LOOP,
                           RESTYLE)
assert {v.action for v in VERBS} == set(Action), "every Action is a verb the user can ask for"
assert len({v.action for v in VERBS if v not in TWO_STAGE}) == len(VERBS) - len(TWO_STAGE), "one verb per Action"
