"""Generation never touches sound: plans target video tracks only, a sound clip or audio track is
refused as a target, and placing any result leaves every audio clip as it was (except that the
sound of a pushed video clip moves with it, so it stays in sync)."""

from __future__ import annotations

import pytest

from editor.document.document import Document
from editor.document.edits import EditRefused, PlaceGeneratedTake, Side
from editor.document.plans import (
    AnimateStill,
    ExtendClip,
    GenerateShot,
    InfillGap,
    LoopClip,
    RestyleClip,
    make_plan,
)
from editor.document.project import AudioClip, AudioTrack, Clip, Project, ShotSettings, Take, Track


def _project() -> Project:
    v = Track(id="v1", name="V1", clips=[
        Clip(id="a", start=0, length=48, link="La", takes=[Take(id="ta", media="media/a.mp4", frames=48)]),
        Clip(id="draft", start=60, length=24, shot=ShotSettings(prompt="a fox")),
        Clip(id="b", start=100, length=48, link="Lb", takes=[Take(id="tb", media="media/b.mp4", frames=48)]),
    ])
    a1 = AudioTrack(id="a1", name="A1", clips=[
        AudioClip(id="sa", source="media/a.mp4", start=0, length=48, source_frames=48, link="La"),
        AudioClip(id="sb", source="media/b.mp4", start=100, length=48, source_frames=48, link="Lb"),
    ])
    a2 = AudioTrack(id="a2", name="A2", clips=[
        AudioClip(id="music", source="/m/song.wav", start=0, length=300, source_frames=300, metadata={"imported": True}),
    ])
    return Project(tracks=[v], audio_tracks=[a1, a2])


SELECTIONS = [GenerateShot(clip_id="draft"), RestyleClip(clip_id="a", prompt="x"),
              ExtendClip(clip_id="a", side=Side.END, frames=24), ExtendClip(clip_id="b", side=Side.START, frames=24),
              LoopClip(clip_id="a", frames=12), InfillGap(track_id="v1", frame=50)]


@pytest.mark.parametrize("selection", SELECTIONS, ids=lambda s: type(s).__name__)
def test_placing_any_generation_leaves_the_sound_as_it_was(selection):
    doc = Document(_project())
    plan = make_plan(doc.project, selection, seed=1)
    assert plan.target.track_id == "v1"
    before = {c.id: (c.start, c.length, c.source_in, c.gain_db, c.link) for t in doc.project.audio_tracks for c in t.clips}
    pictures = {c.link: (c.start, c.length) for t in doc.project.tracks for c in t.clips if c.link}
    doc.request(PlaceGeneratedTake(plan=plan, take=Take(id="g", media="media/g.mkv", frames=plan.target.take_frames),
                                   new_clip_id="gc"))
    after = {c.id: (c.start, c.length, c.source_in, c.gain_db, c.link) for t in doc.project.audio_tracks for c in t.clips}
    assert after.keys() == before.keys()  # no sound added or removed
    for cid, (start, length, source_in, gain, link) in before.items():
        now = after[cid]
        assert now[1:] == (length, source_in, gain, link)  # never trimmed, regained or unlinked
        if link is None:
            assert now[0] == start  # unlinked sound (music) never moves
        else:
            (v,) = doc.project.linked(link)[0]
            old_start, old_length = pictures[link]
            if v.length == old_length:  # a picture pushed along: its sound went with it
                assert now[0] - start == v.start - old_start
            else:  # the generated picture itself grew: the old frames, and their sound, stay put
                assert now[0] == start
    assert all(c.link is None for t in doc.project.tracks for c in t.clips if c.id == "gc")  # a new picture, no sound


def test_sound_is_never_a_generation_target():
    p = _project()
    for sel in (GenerateShot(clip_id="sa"), ExtendClip(clip_id="music", side=Side.END, frames=12),
                InfillGap(track_id="a1", frame=60)):
        with pytest.raises(EditRefused, match="Generation makes pictures"):
            make_plan(p, sel, seed=1)
    with pytest.raises(EditRefused):
        AnimateStill(clip_id="sb") and make_plan(p, AnimateStill(clip_id="sb"), seed=1)
