"""Making again a take that was made from its clip's own frames: an extend, a loop, a restyle.

Such a take was conditioned on frames of another take of the same clip (the source: the take the
clip showed when the user ran the action, with the trim it had then). Making it again is the same
action planned on that source as it is now — the clip switched back to the source take with the
recorded trim — so the new take has the same shape (the kept frames, then or after the new ones)
and lands as another take of the clip, exactly as the first run did. Prompt, seed and the rest of
the recipe are put back by the caller (`editor.generation.recipes.regenerate_plan`).

The first run's frame numbers count frames at the rate the project had then (`old.fps`); when
Project Settings changed the rate since, they are converted by time, so the remake reads the
frames the timeline shows now and makes as many seconds as the first run did.

When the source take is no longer among the clip's takes (a project edited by hand or by an
older version; edits never remove takes), there is nothing to rebuild
from: EditRefused says so in one line. Pure Python over the document; no Qt.
"""

from __future__ import annotations

import copy
import dataclasses
from fractions import Fraction

from editor.document.edits import EditRefused, Side
from editor.document.plans import ExtendClip, GenerationPlan, LoopClip, RestyleClip, make_plan
from editor.document.project import Project
from model.request import Action

# actions whose take is made from the clip's own frames, and the verb the user knows them by
FROM_FRAMES = {
    Action.EXTEND_FORWARD.value: "extend", Action.EXTEND_BACKWARD.value: "extend",
    Action.LOOP.value: "loop", Action.RESTYLE.value: "restyle",
}


def remake_from_frames(project: Project, clip_id: str, old: GenerationPlan) -> GenerationPlan:
    """The plan for `old` (an extend, loop or restyle of clip `clip_id`) planned again on the
    clip's source take as it is now; EditRefused when that source is gone."""
    verb = FROM_FRAMES[old.action.value]
    track, clip = project.find_clip(clip_id)
    if old.action is Action.RESTYLE:
        source = old.pins[0] if old.pins else None
    else:
        source = next((s for s in old.target.segments if s.source == "take"), None)
    take_id, media = (source.take_id, source.media) if source else (None, None)
    first, count = (source.first, source.count) if source else (0, 0)
    # by id; by file for a clip pasted or duplicated (its takes got new ids, their files are the same)
    index = next((i for i, t in enumerate(clip.takes) if take_id is not None and t.id == take_id), None)
    if index is None:
        index = next((i for i, t in enumerate(clip.takes) if media is not None and t.media == media), None)
    if index is None:
        raise EditRefused(f"The take this was {_past(verb)} from is no longer in the clip, so it can't be made again: "
                          f"{verb} the clip again.")
    new = sum(s.count for s in old.target.segments if s.source == "generated")
    context = old.pins[0].count if old.pins else 1
    if Fraction(old.fps) != Fraction(project.fps):
        # the project's rate changed since the first run: its frame numbers count frames at the
        # old rate; the same stretch of time at the rate the timeline shows now
        first, count, new = _by_time(first, count, new, Fraction(project.fps) / Fraction(old.fps))
        if not clip.takes[index].is_still:
            count = max(1, min(count, clip.takes[index].frames - first))
    # the clip as it was when the action ran: the source take, its trim then; a backward extend
    # put the new frames before it, so its frames started that many later
    start = clip.start + new if old.action is Action.EXTEND_BACKWARD else clip.start
    then = dataclasses.replace(clip, active_take=index, source_in=0 if clip.takes[index].is_still else first,
                               length=count, start=start)
    scratch = copy.copy(project)
    scratch.tracks = [copy.copy(t) for t in project.tracks]
    t = next(t for t in scratch.tracks if t.id == track.id)
    t.clips = [then if c.id == clip_id else c for c in t.clips]
    if old.action is Action.RESTYLE:
        selection = RestyleClip(clip_id=clip_id, prompt=old.prompt, strength=old.pins[0].strength)
    elif old.action is Action.LOOP:
        selection = LoopClip(clip_id=clip_id, prompt=old.prompt, frames=new, context=context)
    else:
        side = Side.END if old.action is Action.EXTEND_FORWARD else Side.START
        selection = ExtendClip(clip_id=clip_id, prompt=old.prompt, side=side, frames=new, context=context)
    return make_plan(scratch, selection, seed=old.seed)


def _by_time(first: int, count: int, new: int, ratio: Fraction) -> tuple[int, int, int]:
    """`first`, `count` (source frames) and `new` (frames made) rescaled by `ratio` as
    ChangeFrameRate rescales a clip (its ends rounded); the kept and the new frames together as
    many as the first run's take counts now, whichever side the new ones are on."""
    def at(frame: int) -> int:
        return round(frame * ratio)

    kept = max(1, at(first + count) - at(first))
    return at(first), kept, (max(1, at(count + new) - kept) if new else 0)


def _past(verb: str) -> str:
    return {"extend": "extended", "loop": "looped", "restyle": "restyled"}[verb]
