"""Stale takes: a take's recorded context against the document now, under edits, undo and redo."""

from __future__ import annotations

import itertools
from fractions import Fraction

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_document_undo_property import draw_edit, with_sound

from editor.document.context_fingerprint import (
    content_tokens,
    current_context,
    recorded_context,
    stale_reasons,
    with_context,
)
from editor.document.document import Document
from editor.document.edits import (
    EditRefused,
    MoveKeyframe,
    PinKeyframe,
    PlaceGeneratedTake,
    RelinkMedia,
    RemoveCastMember,
    SetKeyframeStrength,
    Side,
    SwitchTake,
    TrimClip,
    UpdateCastMember,
)
from editor.document.plans import GenerateShot, InfillGap, make_plan
from editor.document.project import CastMember, Clip, Keyframe, Project, ShotSettings, Take, Track
from editor.document.recipe import recipe_of
from editor.document.samples import sample_project


def _take(n: int, frames: int = 60) -> Take:
    return Take(id=f"t{n}", media=f"media/t{n}.mkv", frames=frames)


def _project() -> Project:
    """A (48 frames) | gap 24 | B (48 frames), B with two takes; a cast member; a shot keyframe."""
    a = Clip(id="a", start=0, length=48, name="A", takes=[_take(1)], source_in=4,
             shot=ShotSettings(prompt="a fox", cast=["hero"]))
    b = Clip(id="b", start=72, length=48, name="B", takes=[_take(2), _take(3)], shot=ShotSettings(prompt="a hare"))
    c = Clip(id="c", start=200, length=24, name="C", shot=ShotSettings(prompt="snow", cast=["hero"]),
             keyframes=[Keyframe(id="kc", image="media/kc.png", frame=5)])
    track = Track(id="v1", name="V1", clips=[a, b, c], keyframes=[Keyframe(id="kg", image="media/kg.png", frame=60)])
    return Project(fps=Fraction(24), width=64, height=32, tracks=[track],
                   cast=[CastMember(id="hero", name="Hero", image="media/hero.png", description="a red fox")])


def _place(doc: Document, selection, n: int) -> str:
    """Plan with its context, place a take for it as the worker's record would hold it; the clip id."""
    plan = with_context(make_plan(doc.project, selection, seed=7), doc.project)
    record = {"engine": "ltx-condition", "action": plan.action.value, "plan": plan.to_dict(),
              "request": {"prompt": plan.prompt, "seed": plan.seed, "steps": plan.steps}}
    take = Take(id=f"g{n}", media=f"media/g{n}.mkv", frames=plan.target.take_frames, record=record)
    doc.request(PlaceGeneratedTake(plan=plan, take=take, new_clip_id=f"gc{n}"))
    return plan.target.clip_id or f"gc{n}"


def _stale(doc: Document, clip_id: str) -> list[str]:
    clip = doc.project.find_clip(clip_id)[1]
    return stale_reasons(doc.project, clip_id, clip.take)


def test_an_infill_is_fresh_until_a_neighbour_is_trimmed_and_fresh_again_on_undo():
    doc = Document(_project())
    cid = _place(doc, InfillGap(track_id="v1", frame=50), 1)
    assert recorded_context(doc.project.find_clip(cid)[1].take)["before"]["take"] == "t1"
    assert _stale(doc, cid) == []
    doc.request(TrimClip(clip_id="a", side=Side.END, frame=40))  # A's last frames change
    reasons = _stale(doc, cid)
    assert reasons == ["“A” (before) was trimmed: it joins different frames."]
    doc.undo()
    assert _stale(doc, cid) == []
    doc.redo()
    assert _stale(doc, cid)


def test_trimming_a_neighbours_far_end_leaves_the_infill_fresh():
    doc = Document(_project())
    cid = _place(doc, InfillGap(track_id="v1", frame=50), 1)
    doc.request(TrimClip(clip_id="a", side=Side.START, frame=10))  # A's tail is the same frames
    assert _stale(doc, cid) == []


def test_switching_the_take_after_and_moving_a_keyframe_in_the_gap_are_both_told():
    doc = Document(_project())
    cid = _place(doc, InfillGap(track_id="v1", frame=50), 1)
    doc.request(SwitchTake(clip_id="b", take_id="t3"))
    doc.request(MoveKeyframe(keyframe_id="kg", frame=55))
    reasons = _stale(doc, cid)
    assert any("“B” (after) shows another take" in r for r in reasons)
    assert any("keyframe moved" in r for r in reasons)
    doc.undo()
    doc.undo()
    assert _stale(doc, cid) == []


def test_a_generated_shot_goes_stale_when_its_keyframe_or_cast_changes():
    doc = Document(_project())
    _place(doc, GenerateShot(clip_id="c"), 1)
    assert _stale(doc, "c") == []
    doc.request(SetKeyframeStrength(keyframe_id="kc", strength=0.5))
    assert _stale(doc, "c") == ["The keyframe at frame 205 has another strength."]
    doc.undo()
    doc.request(PinKeyframe(clip_id="c", keyframe=Keyframe(id="k2", image="media/k2.png", frame=9)))
    assert _stale(doc, "c") == ["A keyframe was pinned at frame 209."]
    doc.undo()
    doc.request(UpdateCastMember(cast_id="hero", image="media/hero2.png"))
    assert _stale(doc, "c") == ["Hero's picture changed."]
    doc.undo()
    assert _stale(doc, "c") == []


def test_pictures_are_compared_by_content(tmp_path):
    (tmp_path / "media").mkdir()
    (tmp_path / "media" / "kc.png").write_bytes(b"picture one")
    (tmp_path / "media" / "copy.png").write_bytes(b"picture one")
    (tmp_path / "media" / "other.png").write_bytes(b"picture two")
    doc = Document(_project(), tmp_path)
    files = content_tokens(tmp_path)
    plan = with_context(make_plan(doc.project, GenerateShot(clip_id="c"), seed=1), doc.project, files)
    take = Take(id="g1", media="media/g1.mkv", frames=24, record={"engine": "ltx", "plan": plan.to_dict()})
    doc.request(PlaceGeneratedTake(plan=plan, take=take))
    assert stale_reasons(doc.project, "c", take, files) == []
    doc.request(RelinkMedia(old="media/kc.png", new="media/copy.png"))  # the same picture elsewhere
    assert stale_reasons(doc.project, "c", take, files) == []
    doc.request(RelinkMedia(old="media/copy.png", new="media/other.png"))
    assert stale_reasons(doc.project, "c", take, files) == ["The keyframe picture at frame 205 was replaced."]
    (tmp_path / "media" / "other.png").write_bytes(b"picture one")  # put back on disk: fresh
    assert stale_reasons(doc.project, "c", take, content_tokens(tmp_path)) == []


def test_removing_a_cast_member_the_take_used_is_told():
    doc = Document(_project())
    _place(doc, GenerateShot(clip_id="c"), 1)
    doc.request(RemoveCastMember(cast_id="hero"))
    assert _stale(doc, "c") == ["Cast member Hero was removed from the project."]


def test_takes_from_older_projects_are_never_stale():
    doc = Document(_project())
    take = Take(id="old", media="media/old.mkv", frames=48, record={"model": "ltx", "seed": 3})
    assert recorded_context(take) is None
    assert stale_reasons(doc.project, "a", take) == []
    assert recipe_of(take).seed == 3


# --- the property: staleness is a function of the document -----------------------------------


def _stale_map(project: Project) -> dict[str, tuple[str, ...]]:
    out = {}
    for track in project.tracks:
        for clip in track.clips:
            for take in clip.takes:
                if recorded_context(take) is not None:
                    out[f"{clip.id}/{take.id}"] = tuple(stale_reasons(project, clip.id, take))
    return out


def _with_generated_takes(project: Project) -> None:
    """Every gap infilled and every shot with a keyframe generated, each take with its context,
    so that random edits have stale takes to make (and undo)."""
    setup = Document(project)
    n = itertools.count()
    for track in list(project.tracks):
        for clip in list(track.clips):  # shots first: a new take of a neighbour would stale an infill
            if clip.keyframes:
                _place(setup, GenerateShot(clip_id=clip.id), f"s{next(n)}")
        for gap in project.gaps(track.id):
            if gap.before is not None and gap.after is not None:
                if gap.length >= 2:
                    track.keyframes.append(Keyframe(id=f"tk{next(n)}", image="media/tk.png",
                                                    frame=gap.start + gap.length // 2))
                _place(setup, InfillGap(track_id=track.id, frame=gap.start), f"i{next(n)}")
    assert _stale_map(project) and not any(_stale_map(project).values())  # all made, all fresh


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_random_edits_staleness_follows_the_document_through_undo_and_redo(data):
    from editor.document.storage import snapshot

    project = with_sound(sample_project(tracks=2, clips_per_track=4, seed=data.draw(st.integers(0, 3))))
    _with_generated_takes(project)
    doc = Document(project)
    fresh = itertools.count()
    states = [(snapshot(project), _stale_map(project))]
    for _ in range(data.draw(st.integers(1, 14))):
        edit = draw_edit(data, project, fresh)
        if isinstance(edit, PlaceGeneratedTake):  # as the controller queues it: with its context
            plan = with_context(edit.plan, project)
            edit = PlaceGeneratedTake(plan=plan, take=Take(
                id=edit.take.id, media=edit.take.media, frames=edit.take.frames,
                record={"engine": "ltx", "action": plan.action.value, "plan": plan.to_dict()}),
                new_clip_id=edit.new_clip_id, new_track_id=edit.new_track_id)
        try:
            doc.request(edit)
        except EditRefused:
            continue
        if isinstance(edit, PlaceGeneratedTake) and edit.take.frames == edit.plan.target.take_frames:
            target = edit.plan.target
            track, clip = project.find_clip(target.clip_id or edit.new_clip_id)
            if target.clip_id is not None or (track.id, clip.start, clip.length) == (
                    target.track_id, target.start, target.length):  # (not moved elsewhere: no gap left)
                assert stale_reasons(project, clip.id, clip.take) == [], "a take is fresh when it lands"
        now = snapshot(project)
        if now != states[-1][0]:
            states.append((now, _stale_map(project)))
    for expected_snapshot, expected_stale in reversed(states[:-1]):
        doc.undo()
        assert snapshot(project) == expected_snapshot
        assert _stale_map(project) == expected_stale
    for _snapshot, expected_stale in states[1:]:
        doc.redo()
        assert _stale_map(project) == expected_stale


def test_current_context_matches_what_was_recorded_for_a_fresh_infill():
    doc = Document(_project())
    cid = _place(doc, InfillGap(track_id="v1", frame=50), 1)
    take = doc.project.find_clip(cid)[1].take
    now = current_context(doc.project, cid, take)
    assert set(now) == set(recorded_context(take)) == {"before", "after", "keyframe:kg", "cast:hero"}


def test_trimming_a_generated_shots_own_start_keeps_it_fresh():
    doc = Document(_project())
    _place(doc, GenerateShot(clip_id="c"), 1)
    doc.request(TrimClip(clip_id="c", side=Side.START, frame=203))  # its keyframe stays on the same picture
    assert _stale(doc, "c") == []
    doc.request(MoveKeyframe(keyframe_id="kc", frame=1))
    assert _stale(doc, "c") == ["A keyframe moved (now at frame 204)."]


def test_trimming_an_infills_own_start_keeps_it_fresh():
    doc = Document(_project())
    cid = _place(doc, InfillGap(track_id="v1", frame=50), 1)
    doc.request(TrimClip(clip_id=cid, side=Side.START, frame=52))
    assert _stale(doc, cid) == []
