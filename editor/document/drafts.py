"""Draft then final (F26): a quick low-resolution take first, upscaled into the final once chosen.

`DraftShot` plans an ordinary Generate at a fraction of the project's size with few steps, so
it comes back in seconds; the take is stored at its own small size (the cut fits it) and its
recipe says it is a draft (`options["draft"]`). `UpscaleDraft` plans the final from the clip's
draft take: a restyle of the draft at the project's size that keeps most of it (`keep`, the
pin's strength) with a short schedule, from the draft's own prompt and seed, and
`options["upscale"]` naming the draft take. The model side (`model.upscale`) first runs a
latent upsampler on the draft when one is configured for the model, so the second pass starts
from a learned 2x picture rather than a resized one. The final is a new take of the same clip,
and the draft stays in the takes list.

Both are `Selection`s that plan themselves (`build_plan`), built on `make_plan`'s own rules.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from editor.document.edits import EditRefused
from editor.document.plans import GenerateShot, GenerationPlan, RestyleClip, Selection, make_plan
from editor.document.project import Clip, Project

DRAFT_SCALE = 0.5  # of the project's width and height
DRAFT_STEPS = 8
UPSCALE_KEEP = 0.6  # how much of the draft the final keeps (the restyle pin's strength)
UPSCALE_STEPS = 10
SIDE_STEP = 16  # draft sides are multiples of this (every engine's grid divides or rounds it)


def draft_size(width: int, height: int, scale: float = DRAFT_SCALE) -> tuple[int, int]:
    def side(v: int) -> int:
        return max(SIDE_STEP * 2, round(v * scale / SIDE_STEP) * SIDE_STEP)

    return side(width), side(height)


def draft_of(clip: Clip) -> dict | None:
    """The draft settings recorded with the clip's shown take, or None when it is not a draft."""
    take = clip.take
    if take is None or not take.record:
        return None
    plan = take.record.get("plan")
    options = plan.get("options") if isinstance(plan, dict) else None
    draft = options.get("draft") if isinstance(options, dict) else None
    return dict(plan, **{"draft": draft}) if isinstance(draft, dict) else None


@dataclass(frozen=True, kw_only=True)
class DraftShot(Selection):
    """A quick take of a shot: `scale` of the project's size, at most `steps` steps."""

    clip_id: str
    scale: float = DRAFT_SCALE
    steps: int = DRAFT_STEPS

    def build_plan(self, project: Project, _selection: Selection, seed: int | None) -> GenerationPlan:
        if not 0.1 <= self.scale < 1.0:
            raise EditRefused("A draft is made at 10% to 99% of the project's size.")
        plan = make_plan(project, GenerateShot(clip_id=self.clip_id, prompt=self.prompt), seed=seed)
        width, height = draft_size(plan.width, plan.height, self.scale)
        steps = max(1, min(plan.steps, self.steps))
        draft = {"scale": self.scale, "size": [width, height], "full_size": [plan.width, plan.height],
                 "steps": steps}
        return dataclasses.replace(
            plan, width=width, height=height, steps=steps, options={**plan.options, "draft": draft},
            summary=plan.summary.replace("Generate", "Draft", 1) + f" at {width}x{height}, {steps} steps",
        )


@dataclass(frozen=True, kw_only=True)
class UpscaleDraft(Selection):
    """The final take of a clip from its draft take: upsampled (when an upsampler is set up) and refined."""

    clip_id: str
    keep: float = UPSCALE_KEEP
    steps: int = UPSCALE_STEPS

    def build_plan(self, project: Project, _selection: Selection, seed: int | None) -> GenerationPlan:
        try:
            _track, clip = project.find_clip(self.clip_id)
        except KeyError:
            raise EditRefused(f"There is no clip {self.clip_id!r} (it may have been deleted).") from None
        draft = draft_of(clip)
        if draft is None:
            raise EditRefused("Upscale makes the final take from a draft: make one with Generate ▸ Draft Shot, "
                              "or switch the clip to its draft take.")
        if not 0.0 < self.keep < 1.0:
            raise EditRefused("Upscale keeps between 0 and 1 of the draft.")
        prompt = self.prompt if self.prompt is not None else (draft.get("prompt") or None)
        plan = make_plan(project, RestyleClip(clip_id=self.clip_id, strength=self.keep, prompt=prompt),
                         seed=seed if seed is not None else draft.get("seed"))
        take = clip.take
        upscale = {"draft_take": take.id, "draft_media": take.media, "draft_size": draft["draft"].get("size"),
                   "keep": self.keep}
        steps = max(1, min(self.steps, plan.steps))
        label = f"“{clip.name}”" if clip.name else f"the clip at frame {clip.start}"
        return dataclasses.replace(
            plan, steps=steps, options={**plan.options, "upscale": upscale},
            summary=f"Upscale {label} from its draft to {plan.width}x{plan.height}",
        )
