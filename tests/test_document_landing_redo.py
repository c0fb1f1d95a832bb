"""A finished job's take landing after the user undid some edits (walk 2, defect 5).

Every editor discards the undone steps when the user makes a new edit. A take that lands from a
background job is not something the user just did, so it goes in before the undone steps and
leaves them redoable when it touches none of what they touch (another track, no sound, cast or
settings in common); otherwise they are discarded as for any edit (the status line says so).
"""

from __future__ import annotations

import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_document_undo_property import draw_edit, with_sound

from editor.document.audio_ops import check_audio
from editor.document.document import Document
from editor.document.edits import EditRefused, PlaceGeneratedTake, RenameClip, SetShotSettings
from editor.document.ops import check_track
from editor.document.plans import GenerateShot, make_plan
from editor.document.project import Take
from editor.document.samples import sample_project
from editor.document.storage import project_to_dict, snapshot


def _land(project, clip_id: str, n: int = 0) -> PlaceGeneratedTake:
    plan = make_plan(project, GenerateShot(clip_id=clip_id), seed=1)
    return PlaceGeneratedTake(plan=plan, take=Take(id=f"landed{n}", media=f"media/l{n}.mkv",
                                                   frames=plan.target.take_frames))


def _two_tracks():
    project = sample_project(tracks=2, clips_per_track=2, seed=0)
    for t in project.tracks:
        for c in t.clips:
            c.shot.prompt = c.shot.prompt or "a shot"
    return project


def test_a_take_landing_on_another_track_keeps_the_undone_steps_redoable():
    project = _two_tracks()
    doc = Document(project)
    other = project.tracks[1].clips[0].id
    doc.request(RenameClip(clip_id=other, name="Renamed"))
    doc.undo()
    target = project.tracks[0].clips[0].id
    doc.request(_land(project, target), beside_redo=True)
    assert doc.redo_steps() == 1
    doc.redo()  # the rename comes back, the take stays
    assert project.find_clip(other)[1].name == "Renamed"
    assert project.find_clip(target)[1].take.id == "landed0"
    doc.undo()
    doc.undo()
    assert project.find_clip(other)[1].name != "Renamed" and project.find_clip(target)[1].take.id != "landed0"


def test_a_take_landing_where_an_undone_step_changes_clears_the_redo_history():
    project = _two_tracks()
    doc = Document(project)
    target = project.tracks[0].clips[0].id
    doc.request(SetShotSettings(clip_id=target, prompt="another prompt"))
    doc.undo()
    doc.request(_land(project, target), beside_redo=True)
    assert doc.redo_steps() == 0 and not doc.can_redo
    # a plain request discards them whatever they touch, as before
    doc.request(RenameClip(clip_id=project.tracks[1].clips[0].id, name="x"))
    doc.undo()
    doc.request(RenameClip(clip_id=project.tracks[0].clips[1].id, name="y"))
    assert not doc.can_redo


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_undone_steps_kept_beside_a_landing_replay_exactly(data):
    project = with_sound(sample_project(tracks=2, clips_per_track=3, seed=data.draw(st.integers(0, 3))))
    doc = Document(project)
    fresh = itertools.count()
    start = snapshot(project)
    for _ in range(data.draw(st.integers(1, 8))):
        try:
            doc.request(draw_edit(data, project, fresh))
        except EditRefused:
            pass
    end = project_to_dict(project)
    for _ in range(data.draw(st.integers(0, doc.history.index))):
        doc.undo()
    undone = doc.redo_steps()
    before = project_to_dict(project)
    try:
        doc.request(draw_edit(data, project, fresh), beside_redo=True)
    except EditRefused:
        assert project_to_dict(project) == before and doc.redo_steps() == undone
        return
    landed = project_to_dict(project)
    kept = doc.redo_steps()
    assert kept in (0, undone)
    while doc.can_redo:
        doc.redo()
        for track in project.tracks:
            check_track(track)
        check_audio(project)
    final = project_to_dict(project)
    if kept and landed != before:
        # each part is as the redone steps left it, except what the landing changed
        old, new, redone = ({t["id"]: t for t in d["tracks"]} for d in (before, landed, end))
        assert [t["id"] for t in final["tracks"]] == [t["id"] for t in end["tracks"]]
        for track in final["tracks"]:
            tid = track["id"]
            changed = tid in new and new[tid] != old.get(tid)
            assert track == (new[tid] if changed else redone[tid])
        for key in final:
            if key != "tracks":
                assert final[key] == (landed[key] if landed[key] != before[key] else end[key]), key
    while doc.can_undo:
        doc.undo()
    assert snapshot(project) == start
