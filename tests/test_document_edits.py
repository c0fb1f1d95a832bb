"""Every edit: what it does, what it refuses (changing nothing), undo/redo, and what it announces."""

from __future__ import annotations

from fractions import Fraction

import pytest

from editor.document.document import Change, Document
from editor.document.edits import (
    AddCastMember,
    AddClip,
    AddTake,
    AddTrack,
    CloseGap,
    Composite,
    DeleteClips,
    EditRefused,
    MoveClips,
    MoveKeyframe,
    MoveTrack,
    PinKeyframe,
    RemoveCastMember,
    RemoveKeyframe,
    RemoveTrack,
    RenameClip,
    RenameTrack,
    ReorderShot,
    RippleDelete,
    SetClipLength,
    SetKeyframeStrength,
    SetProjectSettings,
    SetShotSettings,
    SetTrackHidden,
    Side,
    SplitClip,
    SwitchTake,
    TrimClip,
    UpdateCastMember,
    describe,
)
from editor.document.project import (
    CastMember,
    Clip,
    GenerationDefaults,
    Keyframe,
    Project,
    ShotSettings,
    Take,
    Track,
)
from editor.document.storage import snapshot


def make_doc() -> Document:
    """V1: A [0,48) video (take of 60 frames, shows 0..47), B [60,84) video, C [100,130) draft.
    V2: empty, with a track keyframe at 200. One cast member."""
    p = Project(name="Film")
    p.tracks = [
        Track(id="v1", name="V1", clips=[
            Clip(id="a", start=0, length=48, name="A", takes=[Take(id="ta", media="media/a.mkv", frames=60)]),
            Clip(id="b", start=60, length=24, name="B", takes=[Take(id="tb", media="media/b.mkv", frames=24)]),
            Clip(id="c", start=100, length=30, name="C", shot=ShotSettings(prompt="a cat"),
                 keyframes=[Keyframe(id="kc", image="media/k.png", frame=10)]),
        ]),
        Track(id="v2", name="V2", keyframes=[Keyframe(id="kt", image="media/t.png", frame=200)]),
    ]
    p.cast = [CastMember(id="hero", name="Hero", image="media/hero.png")]
    return Document(p)


def spans(doc: Document, track_id: str = "v1") -> list[tuple[str, int, int]]:
    return [(c.id, c.start, c.length) for c in doc.project.track(track_id).clips]


def clip(doc: Document, clip_id: str) -> Clip:
    return doc.project.find_clip(clip_id)[1]


def refused(doc: Document, edit, match: str) -> None:
    """The edit is refused with a message matching `match`, and nothing at all changes."""
    before, history, heard = snapshot(doc.project), doc.history, []
    off = doc.subscribe(heard.append)
    with pytest.raises(EditRefused, match=match):
        doc.request(edit)
    off()
    assert snapshot(doc.project) == before
    assert doc.history == history and heard == []


def round_trip(doc: Document, edit) -> None:
    """Apply, undo (exact earlier state), redo (exact later state)."""
    before = snapshot(doc.project)
    doc.request(edit)
    after = snapshot(doc.project)
    assert after != before
    doc.undo()
    assert snapshot(doc.project) == before
    doc.redo()
    assert snapshot(doc.project) == after


# --- tracks --------------------------------------------------------------------------------


def test_tracks_add_rename_hide_move_remove():
    doc = make_doc()
    add = AddTrack(name="Titles", index=0)
    round_trip(doc, add)
    assert [t.name for t in doc.project.tracks] == ["Titles", "V1", "V2"]
    round_trip(doc, RenameTrack(track_id=add.track_id, name="Overlay"))
    round_trip(doc, SetTrackHidden(track_id="v2", hidden=True))
    assert doc.project.track("v2").hidden
    round_trip(doc, MoveTrack(track_id="v2", index=0))
    assert [t.id for t in doc.project.tracks] == ["v2", add.track_id, "v1"]
    round_trip(doc, RemoveTrack(track_id="v1"))
    assert [t.id for t in doc.project.tracks] == ["v2", add.track_id]
    doc.undo()
    assert spans(doc) == [("a", 0, 48), ("b", 60, 24), ("c", 100, 30)]


def test_track_edits_refused():
    doc = make_doc()
    refused(doc, RenameTrack(track_id="v1", name="  "), "name")
    refused(doc, RenameTrack(track_id="nope", name="x"), "no track")
    refused(doc, AddTrack(name="x", index=9), "position")
    refused(doc, AddTrack(name="x", track_id="v1"), "already")
    refused(doc, MoveTrack(track_id="v1", index=5), "position")


# --- clips ---------------------------------------------------------------------------------


def test_add_clip_stores_its_own_copy_and_refuses_overlaps_and_reused_ids():
    doc = make_doc()
    new = Clip(id="d", start=130, length=10, takes=[Take(id="td", media="media/d.mkv", frames=10)])
    round_trip(doc, AddClip(track_id="v1", clip=new))
    new.start = 999  # the caller's object is not the document's
    assert spans(doc)[-1] == ("d", 130, 10)
    refused(doc, AddClip(track_id="v1", clip=Clip(id="e", start=40, length=10)), "overlap .*A")
    refused(doc, AddClip(track_id="v1", clip=Clip(id="a", start=300, length=10)), "already used")
    refused(doc, AddClip(track_id="v2", clip=Clip(id="e", start=0, length=10,
                                                  takes=[Take(id="ta", media="m.mkv", frames=10)])), "already used")
    refused(doc, AddClip(track_id="v2", clip=Clip(id="e", start=0, length=0)), "at least one frame")
    refused(doc, AddClip(track_id="v2", clip=Clip(id="e", start=0, length=20,
                                                  takes=[Take(id="te", media="m.mkv", frames=10)])), "10 frames")
    refused(doc, AddClip(track_id="v2", clip=Clip(id="e", start=0, length=5,
                                                  shot=ShotSettings(cast=["ghost"]))), "cast")


def test_move_clips_by_delta_and_to_another_track():
    doc = make_doc()
    round_trip(doc, MoveClips(clip_ids=("b",), delta=6))
    assert spans(doc)[1] == ("b", 66, 24)
    round_trip(doc, MoveClips(clip_ids=("a", "b"), to_track="v2", delta=10))
    assert spans(doc) == [("c", 100, 30)]
    assert spans(doc, "v2") == [("a", 10, 48), ("b", 76, 24)]
    refused(doc, MoveClips(clip_ids=("a",), delta=-11), "before frame 0")
    refused(doc, MoveClips(clip_ids=("c",), to_track="v2", delta=-40), "overlap")
    refused(doc, MoveClips(clip_ids=("a", "a"), delta=1), "twice")
    refused(doc, MoveClips(clip_ids=("zz",), delta=1), "no clip")


def test_moving_clips_from_two_tracks_onto_each_other_is_refused():
    doc = make_doc()
    doc.request(AddClip(track_id="v2", clip=Clip(id="z", start=0, length=10)))
    refused(doc, MoveClips(clip_ids=("a", "z"), to_track="v2"), "each other")


def test_moving_a_group_past_its_own_members_is_allowed():
    doc = make_doc()
    doc.request(MoveClips(clip_ids=("a", "b"), delta=12))  # a now overlaps where b was: fine, b moves too
    assert spans(doc)[:2] == [("a", 12, 48), ("b", 72, 24)]


def test_trim_start_moves_the_media_in_point_and_keeps_keyframes_in_place():
    doc = make_doc()
    doc.request(TrimClip(clip_id="a", side=Side.START, frame=5))
    a = clip(doc, "a")
    assert (a.start, a.length, a.source_in) == (5, 43, 5)
    refused(doc, TrimClip(clip_id="a", side=Side.START, frame=-1), "before frame 0")
    refused(doc, TrimClip(clip_id="b", side=Side.START, frame=59), "no frames before")
    doc.request(TrimClip(clip_id="a", side=Side.START, frame=0))  # back to the media's first frame
    assert clip(doc, "a").source_in == 0
    doc.request(TrimClip(clip_id="c", side=Side.START, frame=105))  # draft: keyframe keeps its frame
    c = clip(doc, "c")
    assert (c.start, c.length, c.keyframes[0].frame) == (105, 25, 5)
    refused(doc, TrimClip(clip_id="c", side=Side.START, frame=111), "keyframe at frame 110")
    refused(doc, TrimClip(clip_id="c", side=Side.START, frame=84 - 1), "overlap")


def test_trim_end_is_limited_by_the_media_and_the_neighbour():
    doc = make_doc()
    round_trip(doc, TrimClip(clip_id="a", side=Side.END, frame=58))
    assert clip(doc, "a").length == 58
    refused(doc, TrimClip(clip_id="a", side=Side.END, frame=61), "60 frames")
    doc.request(TrimClip(clip_id="a", side=Side.END, frame=40))
    refused(doc, TrimClip(clip_id="a", side=Side.END, frame=0), "after the clip's start")
    refused(doc, TrimClip(clip_id="c", side=Side.END, frame=110), "keyframe")
    doc.request(TrimClip(clip_id="b", side=Side.END, frame=70))
    refused(doc, TrimClip(clip_id="a", side=Side.END, frame=61), "overlap|60 frames")


def test_split_gives_the_right_part_a_new_id_takes_and_its_keyframes():
    doc = make_doc()
    doc.request(SetClipLength(clip_id="c", length=30))  # no-op, not pushed
    assert doc.history.index == 0
    split = SplitClip(clip_id="a", frame=20, new_clip_id="a2")
    round_trip(doc, split)
    a, a2 = clip(doc, "a"), clip(doc, "a2")
    assert (a.start, a.length, a.source_in) == (0, 20, 0)
    assert (a2.start, a2.length, a2.source_in) == (20, 28, 20)
    assert a2.takes[0].media == a.takes[0].media and a2.takes[0].id != a.takes[0].id
    doc.request(SplitClip(clip_id="c", frame=105, new_clip_id="c2"))
    assert clip(doc, "c").keyframes == [] and clip(doc, "c2").keyframes[0].frame == 5
    refused(doc, SplitClip(clip_id="b", frame=60), "inside the clip")
    refused(doc, SplitClip(clip_id="b", frame=84), "inside the clip")


def test_delete_leaves_a_gap_and_ripple_delete_closes_it():
    doc = make_doc()
    round_trip(doc, DeleteClips(clip_ids=("b",)))
    assert spans(doc) == [("a", 0, 48), ("c", 100, 30)]
    doc.undo()
    round_trip(doc, RippleDelete(clip_ids=("a",)))
    # b and c move left by 48; their gaps stay; the other track is untouched
    assert spans(doc) == [("b", 12, 24), ("c", 52, 30)]
    assert doc.project.track("v2").keyframes[0].frame == 200


def test_ripple_delete_of_several_clips_moves_each_later_clip_by_what_went_before_it():
    doc = make_doc()
    doc.request(RippleDelete(clip_ids=("a", "c")))
    assert spans(doc) == [("b", 12, 24)]
    doc.undo()
    doc.request(RippleDelete(clip_ids=("b",)))
    assert spans(doc) == [("a", 0, 48), ("c", 76, 30)]


def test_close_gap_pulls_later_clips_and_track_keyframes_left():
    doc = make_doc()
    doc.request(MoveClips(clip_ids=("b",), to_track="v2", delta=200))  # V2: keyframe 200, b at 260
    round_trip(doc, CloseGap(track_id="v2", frame=5))
    assert spans(doc, "v2") == [("b", 0, 24)]
    assert doc.project.track("v2").keyframes[0].frame == 0
    refused(doc, CloseGap(track_id="v1", frame=10), "no gap")


def test_reorder_shot_relays_the_cut_keeping_lengths_and_gaps():
    doc = make_doc()
    round_trip(doc, ReorderShot(clip_id="c", index=0))
    # gaps were [0, 12, 16] before the 1st, 2nd, 3rd clip; they stay in those places
    assert spans(doc) == [("c", 0, 30), ("a", 42, 48), ("b", 106, 24)]
    assert doc.project.duration == 130
    round_trip(doc, ReorderShot(clip_id="c", index=2))
    assert spans(doc) == [("a", 0, 48), ("b", 60, 24), ("c", 100, 30)]
    refused(doc, ReorderShot(clip_id="a", index=3), "position 1..3")


def test_set_clip_length_for_drafts_only():
    doc = make_doc()
    round_trip(doc, SetClipLength(clip_id="c", length=50))
    assert clip(doc, "c").length == 50
    refused(doc, SetClipLength(clip_id="c", length=10), "keyframe")
    refused(doc, SetClipLength(clip_id="a", length=10), "trim it")
    doc.request(AddClip(track_id="v1", clip=Clip(id="d", start=150, length=5)))
    refused(doc, SetClipLength(clip_id="c", length=51), "overlap")


def test_rename_clip_and_shot_settings():
    doc = make_doc()
    round_trip(doc, RenameClip(clip_id="c", name="Opening"))
    round_trip(doc, SetShotSettings(clip_id="c", seed=7, steps=12, cast=("hero",)))
    s = clip(doc, "c").shot
    assert (s.prompt, s.seed, s.steps, s.cast) == ("a cat", 7, 12, ["hero"])
    doc.request(SetShotSettings(clip_id="c", seed=None, prompt="a dog"))
    assert (clip(doc, "c").shot.seed, clip(doc, "c").shot.prompt, clip(doc, "c").shot.steps) == (None, "a dog", 12)
    refused(doc, SetShotSettings(clip_id="c", steps=0), "Steps")
    refused(doc, SetShotSettings(clip_id="c", seed=-1), "seed")
    refused(doc, SetShotSettings(clip_id="c", guidance=-2.0), "Guidance")
    refused(doc, SetShotSettings(clip_id="c", cast=("ghost",)), "no cast member")


# --- keyframes -----------------------------------------------------------------------------


def test_keyframes_on_a_shot_and_on_a_track():
    doc = make_doc()
    round_trip(doc, PinKeyframe(clip_id="c", keyframe=Keyframe(id="k2", image="media/2.png", frame=20, strength=0.5)))
    assert [k.id for k in clip(doc, "c").keyframes] == ["kc", "k2"]
    round_trip(doc, MoveKeyframe(keyframe_id="k2", frame=2))
    assert [k.id for k in clip(doc, "c").keyframes] == ["k2", "kc"]  # kept in frame order
    round_trip(doc, SetKeyframeStrength(keyframe_id="k2", strength=0.25))
    round_trip(doc, RemoveKeyframe(keyframe_id="k2"))
    round_trip(doc, PinKeyframe(track_id="v1", keyframe=Keyframe(id="k3", image="media/3.png", frame=54)))
    round_trip(doc, MoveKeyframe(keyframe_id="kt", frame=7))
    assert doc.project.track("v2").keyframes[0].frame == 7
    refused(doc, PinKeyframe(clip_id="c", keyframe=Keyframe(id="k4", image="x.png", frame=10)), "already sits")
    refused(doc, PinKeyframe(clip_id="c", keyframe=Keyframe(id="k4", image="x.png", frame=30)), "inside the shot")
    refused(doc, PinKeyframe(clip_id="c", track_id="v1", keyframe=Keyframe(id="k4", image="x.png", frame=1)),
            "either")
    refused(doc, PinKeyframe(clip_id="c", keyframe=Keyframe(id="k4", image="x.png", frame=1, strength=2)), "strength")
    refused(doc, MoveKeyframe(keyframe_id="kc", frame=-1), "inside the shot")
    refused(doc, SetKeyframeStrength(keyframe_id="kc", strength=1.5), "between 0 and 1")
    refused(doc, RemoveKeyframe(keyframe_id="nope"), "no keyframe")


# --- takes ---------------------------------------------------------------------------------


def test_add_take_is_active_shown_whole_and_pushes_later_clips():
    doc = make_doc()
    round_trip(doc, AddTake(clip_id="a", take=Take(id="ta2", media="media/a2.mkv", frames=70)))
    a = clip(doc, "a")
    assert (a.take.id, a.length, a.source_in, len(a.takes)) == ("ta2", 70, 0, 2)
    # a now ends at 70: b (at 60) is pushed right by 10, and c after it by the same
    assert spans(doc) == [("a", 0, 70), ("b", 70, 24), ("c", 110, 30)]
    round_trip(doc, SwitchTake(clip_id="a", take_id="ta"))
    assert (clip(doc, "a").length, spans(doc)[1]) == (60, ("b", 70, 24))  # shrinking leaves a gap
    refused(doc, SwitchTake(clip_id="a", take_id="tb"), "no take")
    refused(doc, AddTake(clip_id="a", take=Take(id="tz", media="x.png", frames=2, is_still=True)), "one frame")


def test_a_still_take_keeps_the_clip_length():
    doc = make_doc()
    doc.request(AddTake(clip_id="c", take=Take(id="tc", media="media/c.png", frames=1, is_still=True)))
    assert (clip(doc, "c").length, clip(doc, "c").is_draft) == (30, False)
    doc.request(SetClipLength(clip_id="c", length=40))  # a still can be any length
    assert clip(doc, "c").length == 40


# --- cast and project ----------------------------------------------------------------------


def test_cast_members_and_removing_one_used_by_a_shot():
    doc = make_doc()
    round_trip(doc, AddCastMember(member=CastMember(id="cat", name="Cat", image="media/cat.png")))
    round_trip(doc, UpdateCastMember(cast_id="cat", description="a grey cat"))
    doc.request(SetShotSettings(clip_id="c", cast=("hero", "cat")))
    round_trip(doc, RemoveCastMember(cast_id="hero"))
    assert clip(doc, "c").shot.cast == ["cat"]
    doc.undo()
    assert clip(doc, "c").shot.cast == ["hero", "cat"]
    refused(doc, AddCastMember(member=CastMember(id="x", name=" ", image="a.png")), "name")
    refused(doc, RemoveCastMember(cast_id="nobody"), "no cast member")


def test_project_settings():
    doc = make_doc()
    round_trip(doc, SetProjectSettings(fps=Fraction(30000, 1001), width=854, height=480))
    assert doc.project.fps == Fraction(30000, 1001) and spans(doc)[0] == ("a", 0, 48)  # frames stay
    round_trip(doc, SetProjectSettings(defaults=GenerationDefaults(model="models/ltx", steps=8, guidance=1.0)))
    round_trip(doc, SetProjectSettings(where_jobs_run="ray://render-head:10001"))
    round_trip(doc, SetProjectSettings(speed={"cache": "taylorseer", "compile": True}))
    assert doc.project.metadata["speed"] == {"cache": "taylorseer", "compile": True}
    refused(doc, SetProjectSettings(speed={"cache": "warp"}), "Unknown step cache 'warp'")
    refused(doc, SetProjectSettings(speed={"cache": "pab", "compile": "yes"}), "compile switch")
    refused(doc, SetProjectSettings(width=853), "even")
    refused(doc, SetProjectSettings(fps=Fraction(0)), "frame rate")
    refused(doc, SetProjectSettings(name=""), "name")


# --- composite, history, listeners ---------------------------------------------------------


def test_composite_is_one_step_and_all_or_nothing():
    doc = make_doc()
    good = Composite("Tidy up", [MoveClips(clip_ids=("c",), delta=10), RenameClip(clip_id="c", name="End")])
    round_trip(doc, good)
    assert doc.history.titles[-1] == "Tidy up" and doc.undo_label == "Undo Tidy up"
    bad = Composite("Half", [MoveClips(clip_ids=("b",), delta=2), DeleteClips(clip_ids=("a",)),
                             MoveClips(clip_ids=("c",), delta=-200)])
    refused(doc, bad, "before frame 0")


def test_history_labels_dirty_and_go_to():
    doc = make_doc()
    assert not doc.can_undo and not doc.dirty and doc.undo_label == ""
    doc.request(MoveClips(clip_ids=("b",), delta=1))
    doc.request(RenameClip(clip_id="b", name="Bee"))
    assert doc.dirty and doc.edit_count == 2
    doc.mark_saved()
    assert not doc.dirty
    doc.undo()
    assert doc.dirty and doc.redo_label == "Redo Rename shot" and doc.history.index == 1
    doc.redo()
    assert not doc.dirty
    doc.go_to(0)
    assert spans(doc)[1] == ("b", 60, 24) and doc.history.titles == ("Move clip", "Rename shot")
    doc.request(RenameClip(clip_id="a", name="Aa"))  # a new branch drops the redo steps
    assert doc.history.titles == ("Rename shot",) and not doc.can_redo and doc.dirty
    assert doc.edit_count == 7  # 3 requests, 3 undos, 1 redo
    with pytest.raises(EditRefused, match="nothing to redo"):
        doc.redo()


def test_listeners_hear_only_real_changes_with_ids():
    doc = make_doc()
    heard: list[Change] = []
    off = doc.subscribe(heard.append)
    doc.request(MoveClips(clip_ids=("b",), to_track="v2"))
    ch = heard[-1]
    assert ch.cause == "do" and ch.clips_changed == {"b"} and ch.tracks_touched == {"v1", "v2"}
    assert not ch.clips_added and not ch.tracks_changed and not ch.settings_changed
    doc.request(RenameTrack(track_id="v1", name="V1"))  # same name: nothing announced
    assert len(heard) == 1
    doc.request(DeleteClips(clip_ids=("a",)))
    doc.undo()
    assert heard[-1].cause == "undo" and heard[-1].clips_added == {"a"} and not heard[-1].clips_removed
    doc.redo()
    assert heard[-1].cause == "redo" and heard[-1].clips_removed == {"a"}
    doc.request(AddCastMember(member=CastMember(id="cat", name="Cat", image="c.png")))
    assert heard[-1].cast_added == {"cat"} and not heard[-1].tracks_touched
    doc.request(SetProjectSettings(width=640))
    assert heard[-1].settings_changed
    off()
    doc.request(SetProjectSettings(width=320))
    assert heard[-1].settings_changed and len(heard) == 6


def test_a_failing_listener_does_not_keep_the_others_from_hearing():
    doc = make_doc()
    heard = []

    def broken(change):
        raise RuntimeError("view bug")

    doc.subscribe(broken)
    doc.subscribe(heard.append)
    with pytest.raises(RuntimeError):
        doc.request(RenameClip(clip_id="a", name="x"))
    assert heard and clip(doc, "a").name == "x" and doc.can_undo


def test_describe_an_edit_for_logs():
    d = describe(AddClip(track_id="v1", clip=Clip(id="q", start=0, length=1)))
    assert d == {"edit": "AddClip", "title": "Add draft shot", "track_id": "v1", "clip": "q"}
    assert describe(SetShotSettings(clip_id="c", seed=3))["seed"] == 3


def test_a_new_frame_rate_keeps_real_time_and_undoes_exactly():
    from editor.document.edits import ChangeFrameRate

    doc = make_doc()
    before = snapshot(doc.project)
    doc.request(ChangeFrameRate(fps=Fraction(30)))
    assert doc.project.fps == 30 and doc.history.titles == ("Change frame rate",)
    assert spans(doc) == [("a", 0, 60), ("b", 75, 30), ("c", 125, 37)]  # ends rounded: 162.5 -> 162
    a = clip(doc, "a")
    assert a.take.frames == 75 and a.take.metadata["frames_at_fps"] == "24/1"  # the file is still 24 fps
    assert clip(doc, "c").keyframes[0].frame == 12
    assert doc.project.track("v2").keyframes[0].frame == 250
    doc.request(ChangeFrameRate(fps=Fraction(24)))  # and back: the file's own rate again
    assert spans(doc) == [("a", 0, 48), ("b", 60, 24), ("c", 100, 30)]
    assert clip(doc, "a").take.frames == 60 and "frames_at_fps" not in clip(doc, "a").take.metadata
    doc.undo()
    doc.undo()
    assert snapshot(doc.project) == before
    refused(doc, ChangeFrameRate(fps=Fraction(0)), "positive number")
