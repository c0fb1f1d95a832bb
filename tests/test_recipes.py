"""Recipes as data and put to use: recipe_of, reuse seed, copy/paste, variations, make again."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_context_fingerprint import _project

from editor.document.context_fingerprint import stale_reasons, with_context
from editor.document.document import Document
from editor.document.edits import EditRefused, PlaceGeneratedTake, Side, TrimClip
from editor.document.plans import ExtendClip, GenerateShot, InfillGap, LoopClip, RestyleClip, make_plan
from editor.document.project import Take
from editor.document.recipe import Recipe, recipe_of
from editor.generation.recipes import (
    can_regenerate,
    parse_seeds,
    paste_recipe,
    recipe_from_text,
    recipe_text,
    regenerate_plan,
    reuse_seed,
    variation_plans,
)
from model.identity import folder_hash

LTX_RECORD = {
    "model": {"path": "/models/LTX-Video-0.9.5", "kind": "ltx-condition", "title": "LTX-Video (LTX-Video-0.9.5)",
              "folder_hash": "0123456789ab"},
    "engine": "ltx-condition",
    "seed": 7,
    "action": "restyle",
    "request": {"action": "restyle", "num_frames": 25, "fps": "24/1", "width": 64, "height": 32, "prompt": "snow",
                "negative_prompt": "blur", "seed": 7, "steps": 4, "guidance": 3.0,
                "context": [{"frame": 0, "count": 25, "strength": 0.6, "label": "“A” to restyle"}],
                "cast": [{"name": "Hero", "description": "a red fox"}]},
    "plan": {"cast": ["hero"], "model": "/models/LTX-Video-0.9.5"},
    "timings": {"total_s": 12.34},
    "machine": {"device": "NVIDIA H200"},
}


def test_recipe_of_reads_what_the_run_used():
    r = recipe_of(LTX_RECORD)
    assert (r.action, r.model_hash, r.seed, r.steps, r.guidance, r.strength) == ("restyle", "0123456789ab", 7, 4,
                                                                                 3.0, 0.6)
    assert (r.width, r.height, r.frames, r.fps, r.took_s, r.device) == (64, 32, 25, "24/1", 12.34, "NVIDIA H200")
    assert r.context == ("“A” to restyle",) and r.cast == ("hero",) and r.cast_names == ("Hero",)
    d = r.to_dict()
    assert json.loads(json.dumps(d)) == d and "shotline_version" not in d  # only the fields set


def test_an_interpolated_take_has_no_prompt_or_seed_and_an_import_no_recipe():
    r = recipe_of({"engine": "interpolate", "seed": 5, "action": "infill",
                   "request": {"prompt": "x", "seed": 5, "steps": 30}, "machine": {"device": "CPU"}})
    assert (r.prompt, r.seed, r.steps, r.guidance) == (None, None, None, None) and not r.uses_prompt
    assert r.device == "CPU"
    assert recipe_of(Take(id="t", media="m.mp4", frames=3)) is None
    with pytest.raises(EditRefused, match="no prompt or seed"):
        paste_recipe(_project(), "c", r)


def test_copy_and_paste_a_recipe_sets_the_shot_and_keeps_only_known_cast():
    project = _project()
    text = recipe_text(recipe_of(LTX_RECORD))
    recipe = recipe_from_text(text)
    assert recipe == recipe_of(LTX_RECORD)
    edit = paste_recipe(project, "b", recipe)
    assert (edit.prompt, edit.negative_prompt, edit.seed, edit.steps, edit.guidance, edit.model, edit.cast) == (
        "snow", "blur", 7, 4, 3.0, "/models/LTX-Video-0.9.5", ("hero",))
    doc = Document(project)
    doc.request(edit)
    assert project.find_clip("b")[1].shot.seed == 7
    doc.undo()
    assert project.find_clip("b")[1].shot.prompt == "a hare"
    with pytest.raises(EditRefused, match="clipboard holds no recipe"):
        recipe_from_text("just some text")


def test_reuse_seed_is_one_undoable_edit():
    take = Take(id="g", media="media/g.mkv", frames=24, record=LTX_RECORD)
    assert reuse_seed("c", take).seed == 7
    with pytest.raises(EditRefused):
        reuse_seed("c", Take(id="i", media="media/i.mkv", frames=3))


def test_variations_by_seed_by_prompt_and_by_count():
    project = _project()
    plans = variation_plans(project, "c", seeds=parse_seeds("3, 4 5"))
    assert [p.seed for p in plans] == [3, 4, 5] and {p.prompt for p in plans} == {"snow"}
    assert all(p.target.clip_id == "c" and p.context for p in plans)
    assert "variation 2/3, seed 4" in plans[1].summary
    plans = variation_plans(project, "c", prompts=["snow at dusk", "", "snow at dawn"])
    assert [p.prompt for p in plans] == ["snow at dusk", "snow at dawn"]
    assert len(variation_plans(project, "c", count=4)) == 4
    with pytest.raises(EditRefused, match="at least 2"):
        variation_plans(project, "c", count=1)
    with pytest.raises(EditRefused, match="not a seed"):
        parse_seeds("1 two")


def _placed(doc, selection, n):
    plan = with_context(make_plan(doc.project, selection, seed=9), doc.project)
    take = Take(id=f"g{n}", media=f"media/g{n}.mkv", frames=plan.target.take_frames,
                record={"engine": "ltx-condition", "action": plan.action.value, "plan": plan.to_dict()})
    doc.request(PlaceGeneratedTake(plan=plan, take=take, new_clip_id=f"gc{n}"))
    return plan.target.clip_id or f"gc{n}", take


def test_make_again_joins_the_neighbours_as_they_are_now_and_lands_fresh():
    doc = Document(_project())
    cid, take = _placed(doc, InfillGap(track_id="v1", frame=50), 1)
    doc.request(TrimClip(clip_id="a", side=Side.END, frame=44))  # a 4-frame hole opens before the infill
    assert stale_reasons(doc.project, cid, take)
    plan = regenerate_plan(doc.project, cid, take)
    assert plan.target.clip_id == cid and plan.seed == 9 and plan.prompt == take.record["plan"]["prompt"]
    # joins A's new last frames across the hole; the take is the clip's 24 frames, after the hole
    assert plan.pins[0].first == 4 + 44 - 9 and plan.target.segments[0].first == 9 + 4
    assert plan.target.take_frames == 24
    again = Take(id="g2", media="media/g2.mkv", frames=24,
                 record={"engine": "ltx-condition", "action": plan.action.value, "plan": plan.to_dict()})
    doc.request(PlaceGeneratedTake(plan=plan, take=again))
    clip = doc.project.find_clip(cid)[1]
    assert clip.take is again or clip.take.id == "g2"
    assert stale_reasons(doc.project, cid, clip.take) == []


def test_make_again_for_a_generated_shot_keeps_its_recipe():
    doc = Document(_project())
    cid, take = _placed(doc, GenerateShot(clip_id="c"), 1)
    plan = regenerate_plan(doc.project, cid, take)
    assert (plan.seed, plan.prompt, plan.target.clip_id) == (9, "snow", "c")


def test_a_model_folder_hash_follows_its_configs(tmp_path):
    (tmp_path / "transformer").mkdir()
    (tmp_path / "model_index.json").write_text('{"_class_name": "LTXConditionPipeline"}')
    (tmp_path / "transformer" / "config.json").write_text('{"num_layers": 1}')
    first = folder_hash(tmp_path)
    assert first and len(first) == 12 and folder_hash(tmp_path) == first
    (tmp_path / "transformer" / "config.json").write_text('{"num_layers": 2}')
    assert folder_hash(tmp_path) != first
    assert folder_hash(tmp_path / "missing") is None


def test_recipe_round_trips_through_a_dict():
    r = Recipe(action="generate", seed=1, context=("a",))
    assert Recipe(**{k: tuple(v) if isinstance(v, list) else v for k, v in r.to_dict().items()}) == r


def test_info_prints_recipes_and_says_which_takes_are_stale(tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    from editor.document.storage import save_project

    doc = Document(_project(), tmp_path / "Film.shotline")
    (tmp_path / "Film.shotline" / "media").mkdir(parents=True)
    cid, _ = _placed(doc, InfillGap(track_id="v1", frame=50), 1)
    save_project(doc.project, doc.folder)
    root = Path(__file__).resolve().parents[1]

    def info() -> str:
        out = subprocess.run([sys.executable, str(root / "main.py"), "info", str(doc.folder), "--recipes"],
                             capture_output=True, text=True, timeout=120)
        assert out.returncode == 0, out.stderr
        return out.stdout

    text = info()
    assert "STALE" not in text and "infill by ltx-condition, seed 9" in text
    recipes = [json.loads(line) for line in text.splitlines() if line.startswith("{")]
    assert [(r["clip"], r["seed"], r["action"]) for r in recipes] == [(cid, 9, "infill")]
    doc.request(TrimClip(clip_id="a", side=Side.END, frame=40))
    save_project(doc.project, doc.folder)
    assert "STALE: “A” (before) was trimmed: it joins different frames." in info()


def test_variations_of_an_infill_make_the_infill_again_with_each_seed():
    doc = Document(_project())
    cid, take = _placed(doc, InfillGap(track_id="v1", frame=50), 1)
    plans = variation_plans(doc.project, cid, seeds=[1, 2])
    assert [(p.seed, p.target.clip_id, p.action.value) for p in plans] == [(1, cid, "infill"), (2, cid, "infill")]
    assert "variation 2/2, seed 2" in plans[1].summary and "(seed" not in plans[1].summary


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_after_random_edits_making_a_stale_take_again_always_lands_fresh(data):
    import itertools

    from test_context_fingerprint import _with_generated_takes
    from test_document_undo_property import draw_edit, with_sound

    from editor.document.context_fingerprint import stale_clips
    from editor.document.samples import sample_project

    project = with_sound(sample_project(tracks=2, clips_per_track=4, seed=data.draw(st.integers(0, 3))))
    _with_generated_takes(project)
    doc = Document(project)
    fresh = itertools.count()
    for _ in range(data.draw(st.integers(1, 10))):
        try:
            doc.request(draw_edit(data, project, fresh))
        except EditRefused:
            pass
    for cid in stale_clips(project):
        take = project.find_clip(cid)[1].take
        plan = regenerate_plan(project, cid, take)
        again = Take(id=f"r{next(fresh)}", media="media/r.mkv", frames=plan.target.take_frames,
                     record={"engine": "ltx", "action": plan.action.value, "plan": plan.to_dict()})
        doc.request(PlaceGeneratedTake(plan=plan, take=again))
        clip = project.find_clip(cid)[1]
        assert clip.take.id == again.id and stale_reasons(project, cid, clip.take) == []


def test_make_again_when_the_clip_after_was_deleted_continues_the_clip_before():
    from editor.document.edits import DeleteClips

    doc = Document(_project())
    cid, take = _placed(doc, InfillGap(track_id="v1", frame=50), 1)
    doc.request(DeleteClips(clip_ids=("b", "c")))
    assert stale_reasons(doc.project, cid, take) == ["The clip after it was removed or moved away."]
    plan = regenerate_plan(doc.project, cid, take)
    assert plan.action.value == "extend_forward" and len(plan.pins) == 2  # A's tail and the gap's keyframe
    assert (plan.target.clip_id, plan.target.take_frames) == (cid, 24)


def _cast_changed(doc) -> None:
    from editor.document.edits import UpdateCastMember

    doc.request(UpdateCastMember(cast_id="hero", description="a grey fox"))


@pytest.mark.parametrize("selection, shape", [
    (lambda: ExtendClip(clip_id="a", side=Side.END, frames=8), ("take", "generated")),
    (lambda: ExtendClip(clip_id="a", side=Side.START, frames=8), ("generated", "take")),
    (lambda: LoopClip(clip_id="a", frames=8), ("take", "generated")),
    (lambda: RestyleClip(clip_id="a", prompt="in snow", strength=0.4), ("generated",)),
])
def test_a_stale_extend_loop_or_restyle_is_made_again_from_the_clips_source_frames(selection, shape):
    doc = Document(_project())
    source = doc.project.find_clip("a")[1].take
    first = make_plan(doc.project, selection(), seed=9)
    cid, take = _placed(doc, selection(), 1)
    assert cid == "a" and doc.project.find_clip("a")[1].take.id == take.id
    assert regenerate_plan(doc.project, cid, take) is not None  # fresh takes can be made again too
    _cast_changed(doc)  # the shot's cast member (in the recipe) is described differently now
    assert stale_reasons(doc.project, cid, take) == ["Hero's description changed."]
    assert can_regenerate(take) is None
    plan = regenerate_plan(doc.project, cid, take)
    # the same action on the same frames of the take the clip showed then, with the same recipe
    assert (plan.action, plan.seed, plan.prompt, plan.num_frames) == (first.action, 9, first.prompt, first.num_frames)
    assert [(p.take_id, p.first, p.count, p.strength) for p in plan.pins] == \
        [(p.take_id, p.first, p.count, p.strength) for p in first.pins]
    assert all(p.take_id == source.id for p in plan.pins)
    assert tuple(s.source for s in plan.target.segments) == shape and plan.target.segments == first.target.segments
    again = Take(id="g2", media="media/g2.mkv", frames=plan.target.take_frames,
                 record={"engine": "ltx-condition", "action": plan.action.value, "plan": plan.to_dict()})
    doc.request(PlaceGeneratedTake(plan=plan, take=again))
    clip = doc.project.find_clip(cid)[1]
    assert clip.take.id == "g2" and [t.id for t in clip.takes][-2:] == [take.id, "g2"]  # a new take
    assert stale_reasons(doc.project, cid, clip.take) == []
    doc.undo()
    assert doc.project.find_clip(cid)[1].take.id == take.id


def test_making_again_a_take_whose_source_take_was_deleted_says_so_in_one_line():
    doc = Document(_project())
    cid, take = _placed(doc, LoopClip(clip_id="a", frames=8), 1)
    _cast_changed(doc)
    doc.project.find_clip(cid)[1].takes.pop(0)  # edits never remove a take: a project edited by hand
    with pytest.raises(EditRefused, match=r"^The take this was looped from is no longer in the clip.*loop the clip again\.$"):
        regenerate_plan(doc.project, cid, take)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_after_random_edits_an_extend_loop_or_restyle_is_made_again_with_its_shape(data):
    """Whatever was edited since, making such a take again either lands a fresh new take of the
    clip with as many frames as the first, or says in one line why it can't."""
    import itertools

    from test_context_fingerprint import _place
    from test_document_undo_property import draw_edit, with_sound

    from editor.document.samples import sample_project
    from editor.generation.remake_from_frames import FROM_FRAMES

    project = with_sound(sample_project(tracks=2, clips_per_track=4, seed=data.draw(st.integers(0, 3))))
    doc = Document(project)
    kinds = [lambda c: ExtendClip(clip_id=c, side=Side.END, frames=8),
             lambda c: ExtendClip(clip_id=c, side=Side.START, frames=8),
             lambda c: LoopClip(clip_id=c, frames=8), lambda c: RestyleClip(clip_id=c, strength=0.5)]
    for n, clip in enumerate([c for t in project.tracks for c in t.clips if c.take and not c.take.is_still][:4]):
        _place(doc, data.draw(st.sampled_from(kinds))(clip.id), 100 + n)
    fresh = itertools.count()
    for _ in range(data.draw(st.integers(0, 8))):
        try:
            doc.request(draw_edit(data, project, fresh))
        except EditRefused:
            pass
    for track in list(project.tracks):
        for clip in list(track.clips):
            take = clip.take
            if take is None or (take.record or {}).get("action") not in FROM_FRAMES:
                continue
            try:
                plan = regenerate_plan(project, clip.id, take)
            except EditRefused as exc:
                assert "\n" not in str(exc) and str(exc).endswith(".")
                continue
            assert plan.target.take_frames == take.frames and plan.action.value == take.record["action"]
            again = Take(id=f"r{next(fresh)}", media="media/r.mkv", frames=plan.target.take_frames,
                         record={"engine": "ltx", "action": plan.action.value, "plan": plan.to_dict()})
            doc.request(PlaceGeneratedTake(plan=plan, take=again))
            now = project.find_clip(clip.id)[1]
            assert now.take.id == again.id and stale_reasons(project, clip.id, now.take) == []


def test_variations_of_an_animated_still_animate_the_still_again_with_each_seed():
    # The walk: Queue Variations on a clip whose take came from Animate asked for a prompt
    # ("Write a prompt … before generating it"): it varied the clip as a text-to-video shot.
    from editor.document.edits import AddTake
    from editor.document.plans import AnimateStill
    from editor.document.project import ShotSettings

    doc = Document(_project())
    doc.project.find_clip("c")[1].shot = ShotSettings()  # no prompt, as an imported still has
    doc.request(AddTake(clip_id="c", take=Take(id="still", media="media/c.png", frames=1, is_still=True)))
    cid, take = _placed(doc, AnimateStill(clip_id="c"), 1)
    assert doc.project.find_clip(cid)[1].take.id == take.id  # the animation shows now
    plans = variation_plans(doc.project, cid, seeds=[1, 2])
    assert [(p.seed, p.target.clip_id, p.action.value) for p in plans] == [(1, "c", "animate"), (2, "c", "animate")]
    assert all(any(pin.still for pin in p.pins) for p in plans)  # each animates the still
    assert "variation 2/2, seed 2" in plans[1].summary
