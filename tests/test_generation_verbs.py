"""The generation verbs table: one entry per `model.request.Action`, and what a selection means to each."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import pytest

from editor.document.edits import EditRefused, Side
from editor.document.plans import ExtendClip, GenerateShot, InfillGap, LoopClip, RestyleClip
from editor.generation import verbs
from model.request import Action


@dataclass
class Picked:
    clips: tuple[str, ...] = ()
    gap: object = None
    keyframe: object = None
    clip_end: object = None

    @property
    def clip(self):
        return self.clips[0] if len(self.clips) == 1 else None


@dataclass
class Gap:
    track_id: str
    start: int


FPS = Fraction(24)


def test_each_action_is_one_verb_with_its_own_entry():
    assert [v.action for v in verbs.VERBS if v not in verbs.TWO_STAGE] == list(Action)
    assert [(v.action, v.action_id) for v in verbs.TWO_STAGE] == [(Action.GENERATE, "gen.draft"),
                                                                 (Action.RESTYLE, "gen.upscale")]
    assert len({v.action_id for v in verbs.VERBS}) == len(verbs.VERBS)
    assert all(v.id == v.action.value for v in verbs.VERBS)


def test_a_selection_becomes_the_verbs_plan_selection():
    one = Picked(clips=("a",))
    assert verbs.GENERATE.plan_selection(one, FPS) == GenerateShot(clip_id="a")
    assert verbs.EXTEND_BACKWARD.plan_selection(one, FPS, verbs.Options(seconds=0.5)) == ExtendClip(
        clip_id="a", side=Side.START, frames=12)
    assert verbs.LOOP.plan_selection(one, FPS) == LoopClip(clip_id="a", frames=24)
    assert verbs.RESTYLE.plan_selection(one, FPS, verbs.Options(strength=0.3)) == RestyleClip(clip_id="a", strength=0.3)
    assert verbs.INFILL.plan_selection(Picked(gap=Gap("v1", 48)), FPS) == InfillGap(track_id="v1", frame=48)
    # several shots: Generate makes one job each; the others ask for one shot
    two = Picked(clips=("a", "b"))
    assert verbs.GENERATE.plan_selections(two, FPS) == [GenerateShot(clip_id="a"), GenerateShot(clip_id="b")]
    with pytest.raises(EditRefused, match="Select just one shot"):
        verbs.ANIMATE.plan_selections(two, FPS)


def test_the_rule_says_why_a_verb_cant_run():
    with pytest.raises(EditRefused, match="Select the gap between two clips to infill it."):
        verbs.INFILL.plan_selection(Picked(clips=("a",)), FPS)
    with pytest.raises(EditRefused, match="Select a shot first."):
        verbs.EXTEND_FORWARD.plan_selection(Picked(), FPS)
