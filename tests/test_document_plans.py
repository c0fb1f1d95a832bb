"""Selection -> generation plan: pins at the right positions for every action, and results placed back."""

from __future__ import annotations

import json
from fractions import Fraction

import numpy as np
import pytest

from editor.document.document import Document
from editor.document.edits import EditRefused, MoveClips, PinKeyframe, PlaceGeneratedTake, Side
from editor.document.plans import (
    AnimateStill,
    ExtendClip,
    GenerateShot,
    GenerationPlan,
    InfillGap,
    LoopClip,
    RestyleClip,
    context_count,
    make_plan,
)
from editor.document.project import CastMember, Clip, Keyframe, Project, ShotSettings, Take, Track
from editor.document.storage import snapshot
from model.request import Action, Pin, Request


def make_doc() -> Document:
    """V1: A [0,48) shows frames 6..53 of a 60-frame take; gap [48,60); B [60,84) video;
    S [90,138) a still; D [150,198) a draft with keyframes at 0 and 47. V2: a 5-frame clip."""
    p = Project(name="Plans", fps=Fraction(24), width=32, height=32)
    p.cast = [CastMember(id="hero", name="Hero", image="media/hero.png")]
    p.tracks = [
        Track(id="v1", name="V1", clips=[
            Clip(id="a", start=0, length=48, name="A", source_in=6,
                 takes=[Take(id="ta", media="media/a.mkv", frames=60)], shot=ShotSettings(prompt="a fox", seed=5)),
            Clip(id="b", start=60, length=24, name="B", takes=[Take(id="tb", media="media/b.mkv", frames=24)]),
            Clip(id="s", start=90, length=48, name="S",
                 takes=[Take(id="ts", media="media/s.png", frames=1, is_still=True)]),
            Clip(id="d", start=150, length=48, name="D", shot=ShotSettings(prompt="a cat", steps=8, cast=["hero"]),
                 keyframes=[Keyframe(id="k0", image="media/k0.png", frame=0),
                            Keyframe(id="k1", image="media/k1.png", frame=47, strength=0.7)]),
        ]),
        Track(id="v2", name="V2", clips=[
            Clip(id="short", start=0, length=5, takes=[Take(id="tsh", media="media/sh.mkv", frames=5)]),
        ]),
    ]
    return Document(p)


def pins(plan: GenerationPlan) -> list[tuple[int, int, int, float]]:
    """(position in the new clip, count, first media frame, strength) of each pin."""
    return [(p.position, p.count, p.first, p.strength) for p in plan.pins]


def as_request(plan: GenerationPlan) -> Request:
    """What the media layer makes of a plan (frames read as blank images here): it must validate."""
    frame = np.zeros((plan.height, plan.width, 3), np.uint8)
    context = tuple(Pin(frame=p.position, frames=(frame,) * p.count, strength=p.strength, label=p.label)
                    for p in plan.pins)
    return Request(action=plan.action, num_frames=plan.num_frames, fps=plan.fps, width=plan.width,
                   height=plan.height, prompt=plan.prompt, negative_prompt=plan.negative_prompt, seed=plan.seed,
                   steps=plan.steps, guidance=plan.guidance, context=context).validate()


def place(doc: Document, plan: GenerationPlan, take_id: str = "new", frames: int | None = None) -> None:
    frames = plan.target.take_frames if frames is None else frames
    doc.request(PlaceGeneratedTake(plan=plan, take=Take(id=take_id, media=f"media/{take_id}.mkv", frames=frames,
                                                        record={"seed": plan.seed})))


def spans(doc: Document, track_id: str = "v1") -> list[tuple[str, int, int]]:
    return [(c.id, c.start, c.length) for c in doc.project.track(track_id).clips]


def test_context_is_8k_plus_1_and_no_longer_than_the_clip():
    assert [context_count(9, n) for n in (1, 5, 8, 9, 40)] == [1, 1, 1, 9, 9]
    assert context_count(17, 16) == 9 and context_count(17, 30) == 17
    with pytest.raises(EditRefused):
        context_count(0, 10)


def test_generate_a_draft_pins_its_keyframes_at_their_offsets():
    doc = make_doc()
    plan = make_plan(doc.project, GenerateShot(clip_id="d"), seed=11)
    assert (plan.action, plan.num_frames, plan.seed, plan.steps, plan.cast) == (Action.GENERATE, 48, 11, 8, ("hero",))
    assert pins(plan) == [(0, 1, 0, 1.0), (47, 1, 0, 0.7)]
    assert [p.media for p in plan.pins] == ["media/k0.png", "media/k1.png"] and all(p.still for p in plan.pins)
    assert plan.prompt == "a cat" and plan.negative_prompt == doc.project.defaults.negative_prompt
    as_request(plan)
    place(doc, plan, frames=49)  # the engine made 8k+1 frames: the shot keeps its 48
    d = doc.project.find_clip("d")[1]
    assert (d.is_draft, d.take.id, d.length, d.source_in) == (False, "new", 48, 0)


def test_generate_uses_the_shot_seed_or_a_recorded_random_one():
    doc = make_doc()
    assert make_plan(doc.project, GenerateShot(clip_id="a")).seed == 5
    seeds = {make_plan(doc.project, GenerateShot(clip_id="d")).seed for _ in range(3)}
    assert len(seeds) > 1 and all(0 <= s < 2**31 for s in seeds)


def test_generate_without_a_prompt_or_keyframes_is_refused():
    doc = make_doc()
    with pytest.raises(EditRefused, match="Write a prompt"):
        make_plan(doc.project, GenerateShot(clip_id="b"))


def test_animate_pins_the_still_at_frame_0_and_gives_a_new_take():
    doc = make_doc()
    plan = make_plan(doc.project, AnimateStill(clip_id="s", prompt="it walks"), seed=1)
    assert (plan.action, plan.num_frames, plan.prompt) == (Action.ANIMATE, 48, "it walks")
    assert pins(plan) == [(0, 1, 0, 1.0)] and plan.pins[0].media == "media/s.png"
    as_request(plan)
    place(doc, plan)
    s = doc.project.find_clip("s")[1]
    assert ([t.id for t in s.takes], s.active_take, s.length, s.take.is_still) == (["ts", "new"], 1, 48, False)
    with pytest.raises(EditRefused, match="not a still"):
        make_plan(doc.project, AnimateStill(clip_id="a"))


def test_extend_forward_pins_the_last_k_frames_then_grows_the_clip():
    doc = make_doc()
    plan = make_plan(doc.project, ExtendClip(clip_id="a", side=Side.END, frames=40), seed=1)
    # A shows media frames 6..53: its last 9 are 45..53, pinned at 0..8; 40 new frames follow
    assert (plan.action, plan.num_frames, pins(plan)) == (Action.EXTEND_FORWARD, 49, [(0, 9, 45, 1.0)])
    segs = [(s.source, s.first, s.count) for s in plan.target.segments]
    assert segs == [("take", 6, 48), ("generated", 9, 40)] and plan.target.take_frames == 88
    as_request(plan)
    place(doc, plan)
    # A grows from 48 to 88 frames: the 12-frame gap is used up and the rest is pushed by 28
    assert spans(doc)[:2] == [("a", 0, 88), ("b", 88, 24)]
    assert doc.project.find_clip("a")[1].takes[0].id == "ta"  # the old take is kept
    doc.undo()
    assert spans(doc)[:2] == [("a", 0, 48), ("b", 60, 24)]


def test_extend_backward_pins_the_first_k_frames_at_the_end_and_keeps_the_clip_end():
    doc = make_doc()
    plan = make_plan(doc.project, ExtendClip(clip_id="b", side=Side.START, frames=10, context=17), seed=1)
    assert (plan.action, plan.num_frames, pins(plan)) == (Action.EXTEND_BACKWARD, 27, [(10, 17, 0, 1.0)])
    as_request(plan)
    place(doc, plan)
    assert spans(doc)[:2] == [("a", 0, 48), ("b", 50, 34)]
    # no room before A: A and everything after it move right instead of anything earlier moving
    plan = make_plan(doc.project, ExtendClip(clip_id="a", side=Side.START, frames=10), seed=1)
    place(doc, plan, take_id="new2")
    assert spans(doc) == [("a", 0, 58), ("b", 60, 34), ("s", 100, 48), ("d", 160, 48)]


def test_extend_a_short_clip_and_a_still():
    doc = make_doc()
    plan = make_plan(doc.project, ExtendClip(clip_id="short", side=Side.END, frames=24), seed=1)
    assert pins(plan) == [(0, 1, 4, 1.0)] and plan.num_frames == 25  # 5 frames hold only 8k+1 = 1
    plan = make_plan(doc.project, ExtendClip(clip_id="s", side=Side.END, frames=24), seed=1)
    assert pins(plan) == [(0, 1, 0, 1.0)] and plan.pins[0].still
    assert [(s.source, s.count, s.still) for s in plan.target.segments] == [("take", 48, True), ("generated", 24, False)]
    with pytest.raises(EditRefused, match="draft"):
        make_plan(doc.project, ExtendClip(clip_id="d", side=Side.END, frames=24))
    with pytest.raises(EditRefused, match="at least one new frame"):
        make_plan(doc.project, ExtendClip(clip_id="a", side=Side.END, frames=0))


def test_infill_pins_tail_before_head_after_and_keyframes_in_the_gap():
    doc = make_doc()
    doc.request(PinKeyframe(track_id="v1", keyframe=Keyframe(id="kg", image="media/g.png", frame=52)))
    plan = make_plan(doc.project, InfillGap(track_id="v1", frame=50), seed=1)
    # gap [48, 60): 9 tail frames of A (media 45..53) at 0..8, the keyframe at 9 + (52 - 48) = 13,
    # 12 new frames at 9..20, B's first 9 frames at 21..29
    assert plan.action is Action.INFILL and plan.num_frames == 30
    assert pins(plan) == [(0, 9, 45, 1.0), (13, 1, 0, 1.0), (21, 9, 0, 1.0)]
    assert plan.prompt == "a fox"  # the clip before's prompt when none is given
    as_request(plan)
    assert plan.target.new_clip and plan.target.segments[0].first == 9 and plan.target.take_frames == 12
    place(doc, plan)
    new = doc.project.track("v1").clips[1]
    assert (new.start, new.length, new.take.id, new.name, new.shot.prompt) == (48, 12, "new", "Infill", "a fox")
    assert spans(doc)[2] == ("b", 60, 24)


def test_a_gap_with_media_on_one_side_is_planned_as_an_extend_that_fills_it():
    doc = make_doc()
    plan = make_plan(doc.project, InfillGap(track_id="v1", frame=140), seed=1)  # S | gap | draft D
    assert plan.action is Action.EXTEND_FORWARD and pins(plan) == [(0, 1, 0, 1.0)] and plan.num_frames == 13
    as_request(plan)
    doc.request(MoveClips(clip_ids=("a",), to_track="v2", delta=10))  # now V1 starts with a gap before B
    plan = make_plan(doc.project, InfillGap(track_id="v1", frame=0), seed=1)
    assert plan.action is Action.EXTEND_BACKWARD and pins(plan) == [(60, 9, 0, 1.0)]
    as_request(plan)
    place(doc, plan)
    assert spans(doc)[:2] == [(doc.project.track("v1").clips[0].id, 0, 60), ("b", 60, 24)]
    with pytest.raises(EditRefused, match="no gap"):
        make_plan(doc.project, InfillGap(track_id="v1", frame=70))


def test_loop_pins_the_tail_at_the_start_and_the_head_at_the_end():
    doc = make_doc()
    plan = make_plan(doc.project, LoopClip(clip_id="a", frames=16), seed=1)
    assert (plan.action, plan.num_frames) == (Action.LOOP, 34)
    assert pins(plan) == [(0, 9, 45, 1.0), (25, 9, 6, 1.0)]
    as_request(plan)
    place(doc, plan)
    assert spans(doc)[0] == ("a", 0, 64)
    with pytest.raises(EditRefused, match="still"):
        make_plan(doc.project, LoopClip(clip_id="s", frames=16))


def test_restyle_pins_the_whole_clip_below_full_strength():
    doc = make_doc()
    plan = make_plan(doc.project, RestyleClip(clip_id="a", strength=0.4, prompt="as a watercolour"), seed=1)
    assert (plan.action, plan.num_frames, pins(plan)) == (Action.RESTYLE, 48, [(0, 48, 6, 0.4)])
    as_request(plan)
    place(doc, plan)
    a = doc.project.find_clip("a")[1]
    assert (a.take.id, a.length, a.source_in, a.start) == ("new", 48, 0, 0)
    for bad in (0.0, 1.0, 1.5):
        with pytest.raises(EditRefused, match="strength"):
            make_plan(doc.project, RestyleClip(clip_id="a", strength=bad))


def test_a_plan_longer_than_a_minute_is_refused():
    doc = make_doc()
    with pytest.raises(EditRefused, match="60 s"):
        make_plan(doc.project, ExtendClip(clip_id="a", side=Side.END, frames=24 * 60 + 1))


def test_plans_are_json_and_read_back_equal():
    doc = make_doc()
    for sel in (GenerateShot(clip_id="d"), InfillGap(track_id="v1", frame=50), LoopClip(clip_id="a", frames=8)):
        plan = make_plan(doc.project, sel, seed=3)
        text = json.dumps(plan.to_dict())
        assert GenerationPlan.from_dict(json.loads(text)) == plan
    with pytest.raises(ValueError, match="damaged"):
        GenerationPlan.from_dict({"action": "generate"})


def test_a_result_whose_clip_was_deleted_meanwhile_lands_on_a_new_track():
    doc = make_doc()
    plan = make_plan(doc.project, ExtendClip(clip_id="b", side=Side.END, frames=10), seed=1)
    doc.request(MoveClips(clip_ids=("a",), delta=12))  # the planned place (60..) is now taken by A
    from editor.document.edits import DeleteClips

    doc.request(DeleteClips(clip_ids=("b",)))
    before = snapshot(doc.project)
    place(doc, plan)
    new_track = doc.project.tracks[-1]
    assert new_track.name == "Generated" and [(c.start, c.length) for c in new_track.clips] == [(60, 34)]
    doc.undo()
    assert snapshot(doc.project) == before


def test_a_result_whose_gap_was_closed_pushes_the_clip_after_it():
    doc = make_doc()
    plan = make_plan(doc.project, InfillGap(track_id="v1", frame=50), seed=1)
    doc.request(MoveClips(clip_ids=("b", "s", "d"), delta=-12))  # the gap is gone
    place(doc, plan)
    assert spans(doc)[:3] == [("a", 0, 48), (doc.project.track("v1").clips[1].id, 48, 12), ("b", 60, 24)]


def test_a_selection_s_own_seed_steps_and_guidance_win_over_the_shot_s(gap_document):
    # Inspector ▸ Gap: a gap has no shot, so what is asked for its Infill rides on the selection
    from editor.document.plans import InfillGap, make_plan

    project = gap_document.project
    plain = make_plan(project, InfillGap(track_id="v1", frame=24))
    assert (plain.seed, plain.steps, plain.guidance) == (1, project.defaults.steps, project.defaults.guidance)
    asked = make_plan(project, InfillGap(track_id="v1", frame=24, seed=9, steps=2, guidance=1.5))
    assert (asked.seed, asked.steps, asked.guidance) == (9, 2, 1.5)
    assert make_plan(project, InfillGap(track_id="v1", frame=24, seed=9), seed=4).seed == 4  # the caller's first
