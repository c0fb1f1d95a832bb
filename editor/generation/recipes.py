"""Recipes put to use: reuse a seed, paste a recipe on another shot, variations, make again.

All pure Python over the document: each function returns an edit (for the undo stack) or plans
(for the job queue); the Inspector and the generation controller call them.

- `reuse_seed(clip_id, take)` / `paste_recipe(project, clip_id, recipe)`: a `SetShotSettings`
  edit, so the shot's next take is made the same way (one undo step).
- `variation_plans(project, clip_id, seeds=..., prompts=...)`: N plans for one shot, one per seed
  or per prompt, queued together; each lands as a new take of the shot.
- `regenerate_plan(project, clip_id, take)`: the same recipe (prompt, seed, steps, guidance, model,
  cast) made with the context as it is now, as a new take of the same clip; what the Inspector's
  "Make again with the new context" queues for a stale take.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import random
from collections.abc import Sequence

from editor.document.context_fingerprint import FileToken, made_in_gap, no_files, with_context
from editor.document.edits import EditRefused, SetShotSettings
from editor.document.plans import (
    AnimateStill,
    GenerateShot,
    GenerationPlan,
    InfillGap,
    Segment,
    Target,
    make_plan,
)
from editor.document.project import Clip, Project, Take
from editor.document.recipe import Recipe, recipe_of
from editor.generation.remake_from_frames import FROM_FRAMES, remake_from_frames
from model.request import Action

MAX_VARIATIONS = 16  # more would fill the queue for an hour on most machines; ask again
RECIPE_MIME = "application/x-shotline-recipe"


def reuse_seed(clip_id: str, take: Take) -> SetShotSettings:
    """The edit that makes `clip_id`'s next take use the seed `take` was made with."""
    recipe = recipe_of(take)
    if recipe is None or recipe.seed is None:
        raise EditRefused("This take has no seed to reuse (it was imported or made by frame interpolation).")
    return SetShotSettings(clip_id=clip_id, seed=recipe.seed)


def recipe_text(recipe: Recipe) -> str:
    """The recipe as the clipboard holds it: readable JSON with a marker, so a paste can tell it."""
    return json.dumps({"shotline_recipe": 1, **recipe.to_dict()}, indent=1, ensure_ascii=False)


def recipe_from_text(text: str) -> Recipe:
    """The recipe Copy Recipe put on the clipboard; EditRefused when `text` is not one."""
    try:
        data = json.loads(text)
    except (ValueError, TypeError):
        data = None
    if not isinstance(data, dict) or "shotline_recipe" not in data:
        raise EditRefused("The clipboard holds no recipe: use Copy Recipe on a generated take first.")
    fields = {f.name for f in dataclasses.fields(Recipe)}
    values = {k: (tuple(v) if isinstance(v, list) else v) for k, v in data.items() if k in fields}
    try:
        return Recipe(**values)
    except TypeError:
        raise EditRefused("The clipboard's recipe is damaged; copy it again.") from None


def paste_recipe(project: Project, clip_id: str, recipe: Recipe) -> SetShotSettings:
    """The edit giving shot `clip_id` the recipe's prompt, seed, steps, guidance, model and cast
    (cast members this project lacks are left out). Context is never pasted: it is the shot's own."""
    if not recipe.uses_prompt or (recipe.prompt is None and recipe.seed is None):
        raise EditRefused("This recipe has no prompt or seed to paste (it was made by frame interpolation).")
    known = {m.id for m in project.cast}
    fields: dict = {}
    if recipe.prompt is not None:
        fields["prompt"] = recipe.prompt
    if recipe.negative_prompt is not None:
        fields["negative_prompt"] = recipe.negative_prompt
    for name in ("seed", "steps", "guidance"):
        if getattr(recipe, name) is not None:
            fields[name] = getattr(recipe, name)
    if recipe.model and recipe.engine not in (None, "interpolate"):
        fields["model"] = recipe.model
    if recipe.cast:
        fields["cast"] = tuple(c for c in recipe.cast if c in known)
    return SetShotSettings(clip_id=clip_id, **fields)


def parse_seeds(text: str) -> list[int]:
    """Seeds typed by the user ("1 2 3", "7, 8"); EditRefused with what to type otherwise."""
    seeds = []
    for word in text.replace(",", " ").split():
        try:
            seed = int(word)
        except ValueError:
            raise EditRefused(f"{word!r} is not a seed: type whole numbers, e.g. 1 2 3.") from None
        if not 0 <= seed < 2**31:
            raise EditRefused(f"Seed {seed} is out of range: use 0 to {2**31 - 1}.")
        seeds.append(seed)
    return seeds


def variation_plans(project: Project, clip_id: str, *, count: int = 0, seeds: Sequence[int] = (),
                    prompts: Sequence[str] = (), files: FileToken = no_files) -> list[GenerationPlan]:
    """Plans for several takes of one shot: one per seed in `seeds`, one per non-empty line of
    `prompts` (each with the shot's seed, or a new one), or `count` with new random seeds.
    A still becomes animated variations; any other shot is generated from its prompt and keyframes."""
    prompts = [p.strip() for p in prompts if p.strip()]
    if seeds and prompts:
        raise EditRefused("Give either several seeds or several prompts, not both.")
    n = len(seeds) or len(prompts) or count
    if n < 2:
        raise EditRefused("Variations need at least 2 takes: give a count, seeds or prompts (one per line).")
    if n > MAX_VARIATIONS:
        raise EditRefused(f"{n} variations is too many at once; ask for at most {MAX_VARIATIONS}.")
    try:
        _, clip = project.find_clip(clip_id)
    except KeyError:
        raise EditRefused("Select a shot on a video track first.") from None
    still = clip.take is not None and clip.take.is_still
    # a clip made in a gap varies as what it is: the infill made again, with another seed or prompt;
    # so does an animated still (the still animated again), not a text-to-video shot of its prompt
    recipe = recipe_of(clip.take) if clip.take is not None else None
    again = clip.take if recipe is not None and recipe.uses_prompt and (
        made_in_gap(clip.take) or recipe.action == Action.ANIMATE.value) else None
    rng = random.SystemRandom()
    plans = []
    for i in range(n):
        prompt = prompts[i] if prompts else None
        seed = seeds[i] if seeds else (clip.shot.seed if prompts and clip.shot.seed is not None
                                       else rng.randrange(2**31))
        if again is not None:
            plan = regenerate_plan(project, clip_id, again, files=files, seed=seed, prompt=prompt)
        else:
            selection = (AnimateStill if still else GenerateShot)(clip_id=clip_id, prompt=prompt)
            plan = with_context(make_plan(project, selection, seed=seed), project, files)
        tag = f"prompt {i + 1}" if prompts else f"seed {seed}"
        base = f"{plan.action.title} {_name(clip.name)} again" if again is not None else plan.summary
        plans.append(dataclasses.replace(plan, summary=f"{base} · variation {i + 1}/{n}, {tag}"))
    return plans


def can_regenerate(take: Take) -> str | None:
    """None when `take` can be made again with a new context, else why not."""
    recipe = recipe_of(take)
    if recipe is None:
        return "Imported media has no recipe to make again."
    if made_in_gap(take):
        return None
    if recipe.action in (Action.GENERATE.value, Action.ANIMATE.value) or recipe.action in FROM_FRAMES:
        return None
    return f"A {str(recipe.action or 'made').replace('_', ' ')} take can't be made again: run that action again on the clip."


def regenerate_plan(project: Project, clip_id: str, take: Take, *, files: FileToken = no_files,
                    seed: int | None = None, prompt: str | None = None) -> GenerationPlan:
    """The plan making `take` again as a new take of `clip_id`: the same recipe, the context of now
    (`seed`, `prompt`: another seed or prompt, for variations)."""
    reason = can_regenerate(take)
    if reason:
        raise EditRefused(reason)
    try:
        old = GenerationPlan.from_dict(take.record["plan"])
    except (KeyError, TypeError, ValueError):
        raise EditRefused("This take's recipe is incomplete (made by an older version): generate the shot again.") \
            from None
    old = dataclasses.replace(old, seed=old.seed if seed is None else seed,
                              prompt=old.prompt if prompt is None else prompt)
    track, clip = project.find_clip(clip_id)
    around = None
    if made_in_gap(take):
        # the clip stands where the gap was: plan the infill as if it were not there, then send
        # the result to the clip as a new take
        scratch = copy.copy(project)
        scratch.tracks = [copy.copy(t) for t in project.tracks]
        t = next(t for t in scratch.tracks if t.id == track.id)
        t.clips = [c for c in t.clips if c.id != clip_id]
        if not any(c.start >= clip.end for c in t.clips):
            # no clip after it any more: a gap needs an end, so a draft (which pins nothing) marks it
            t.clips.append(Clip(id="scratch-end", start=clip.end, length=1))
        plan = make_plan(scratch, InfillGap(track_id=track.id, frame=clip.start, prompt=old.prompt), seed=old.seed)
        # the gap without the clip may be wider than the clip (a neighbour was trimmed away from
        # it): the model joins the neighbours across the whole gap, the take keeps the clip's frames
        made = plan.target.segments[0]
        segment = Segment(source="generated", first=made.first + clip.start - plan.target.start, count=clip.length)
        plan = dataclasses.replace(plan, target=Target(
            track_id=track.id, clip_id=clip_id, start=clip.start, length=clip.length,
            segments=(segment,), name=clip.name))
        around = clip_id
    elif old.action is Action.ANIMATE:
        still = next((p.take_id for p in old.pins if p.still and p.position == 0), None)
        index = next((i for i, t in enumerate(clip.takes) if t.id == still), None)
        if index is None:
            raise EditRefused("The still this take animated is no longer one of the clip's takes.")
        scratch = copy.copy(project)
        scratch.tracks = [copy.copy(t) for t in project.tracks]
        t = next(t for t in scratch.tracks if t.id == track.id)
        t.clips = [dataclasses.replace(c, active_take=index) if c.id == clip_id else c for c in t.clips]
        plan = make_plan(scratch, AnimateStill(clip_id=clip_id, prompt=old.prompt), seed=old.seed)
    elif old.action.value in FROM_FRAMES:
        plan = remake_from_frames(project, clip_id, old)
    else:
        plan = make_plan(project, GenerateShot(clip_id=clip_id, prompt=old.prompt), seed=old.seed)
    known = {m.id for m in project.cast}
    plan = dataclasses.replace(
        plan, prompt=old.prompt, negative_prompt=old.negative_prompt, seed=old.seed, steps=old.steps,
        guidance=old.guidance, model=old.model, cast=tuple(c for c in old.cast if c in known),
        summary=f"Make {_name(clip.name)} again with its new context (seed {old.seed})")
    return with_context(plan, project, files, around=around)


def _name(name: str) -> str:
    return f"“{name}”" if name else "the clip"
