"""Sound in the document: audio tracks apart from the picture, linked clips that move, trim,
split, ripple and delete together, gains/fades/volume within bounds, undo, and the 1 -> 2 upgrade."""

from __future__ import annotations

import json
from fractions import Fraction

import pytest

from editor.document.document import Document
from editor.document.edits import (
    AddAudioClip,
    AddAudioTrack,
    AddClip,
    ChangeFrameRate,
    CloseGap,
    Composite,
    DeleteClips,
    EditRefused,
    LinkClips,
    MoveClips,
    RemoveAudioTrack,
    RippleDelete,
    SetAudioClip,
    SetAudioTrack,
    Side,
    SplitClip,
    TrimClip,
    UnlinkClips,
)
from editor.document.project import AudioClip, AudioTrack, Clip, Project, Take, Track, audible_tracks
from editor.document.storage import (
    ProjectError,
    encode,
    load_project,
    project_from_dict,
    save_project,
    snapshot,
)


def _doc() -> Document:
    """V1: a 100-frame video clip at 10 (source_in 20 of 200) with its sound linked on A1, and an
    unlinked one at 150; A1 also holds the sound of the second clip."""
    v = Track(id="v1", name="V1", clips=[
        Clip(id="c1", start=10, length=100, source_in=20, link="L1",
             takes=[Take(id="t1", media="media/a.mp4", frames=200)]),
        Clip(id="c2", start=150, length=50, link="L2", takes=[Take(id="t2", media="media/b.mp4", frames=80)]),
    ])
    a = AudioTrack(id="a1", name="A1", clips=[
        AudioClip(id="s1", source="media/a.mp4", start=10, length=100, source_in=20, source_frames=200, link="L1"),
        AudioClip(id="s2", source="media/b.mp4", start=150, length=50, source_frames=80, link="L2"),
    ])
    return Document(Project(tracks=[v], audio_tracks=[a, AudioTrack(id="a2", name="A2")]))


def _v(doc, cid):
    return doc.project.find_clip(cid)[1]


def _a(doc, cid):
    return doc.project.find_audio_clip(cid)[1]


def _in_sync(doc, vid, aid):
    v, a = _v(doc, vid), _a(doc, aid)
    assert (v.start, v.length, v.source_in) == (a.start, a.length, a.source_in)
    assert v.link == a.link


def test_audio_tracks_are_apart_from_the_picture():
    doc = _doc()
    # nothing that reads project.tracks (cut reader, plans, export, storyboard) can see sound
    assert all(isinstance(c, Clip) for t in doc.project.tracks for c in t.clips)
    assert doc.project.duration == 200
    with pytest.raises(EditRefused, match="audio track"):
        doc.request(MoveClips(clip_ids=("c1",), to_track="a2"))
    with pytest.raises(EditRefused, match="audio track"):
        doc.request(MoveClips(clip_ids=("s1",), to_track="v1"))
    with pytest.raises(EditRefused, match="video track"):
        doc.request(AddAudioClip(track_id="v1", clip=AudioClip(id="x", source="m.wav", start=0, length=5,
                                                               source_frames=5)))


def test_linked_sound_moves_with_its_picture_and_undo_restores_both():
    doc = _doc()
    before = snapshot(doc.project)
    doc.request(MoveClips(clip_ids=("c1",), delta=5))
    _in_sync(doc, "c1", "s1")
    assert _a(doc, "s1").start == 15
    doc.undo()
    assert snapshot(doc.project) == before
    doc.redo()
    _in_sync(doc, "c1", "s1")
    # moving the sound moves the picture too; moving both moves each once
    doc.request(MoveClips(clip_ids=("s1",), delta=-5))
    _in_sync(doc, "c1", "s1")
    assert _v(doc, "c1").start == 10
    doc.request(MoveClips(clip_ids=("c1", "s1"), delta=3))
    _in_sync(doc, "c1", "s1")
    assert _v(doc, "c1").start == 13


def test_a_move_the_sound_cannot_follow_is_refused_whole():
    doc = _doc()
    doc.request(AddAudioClip(track_id="a1", clip=AudioClip(id="blk", source="m.wav", start=120, length=10,
                                                           source_frames=10)))
    before = snapshot(doc.project)
    with pytest.raises(EditRefused, match="overlap"):
        doc.request(MoveClips(clip_ids=("c1",), delta=15))
    assert snapshot(doc.project) == before


def test_linked_trim_split_delete_and_ripple():
    doc = _doc()
    doc.request(TrimClip(clip_id="c1", side=Side.START, frame=30))
    _in_sync(doc, "c1", "s1")
    assert _a(doc, "s1").source_in == 40
    doc.request(TrimClip(clip_id="s1", side=Side.END, frame=100))  # trimming the sound trims the picture
    _in_sync(doc, "c1", "s1")
    assert _v(doc, "c1").end == 100
    # the sound can't pass its media's end, so the picture isn't trimmed either
    with pytest.raises(EditRefused):
        doc.request(TrimClip(clip_id="c2", side=Side.END, frame=240))
    doc.request(SplitClip(clip_id="c1", frame=60, new_clip_id="c1b"))
    right = [c for c in doc.project.audio_tracks[0].clips if c.start == 60][0]
    _in_sync(doc, "c1", "s1")
    _in_sync(doc, "c1b", right.id)
    assert _v(doc, "c1b").link != _v(doc, "c1").link  # each half is its own pair
    doc.request(DeleteClips(clip_ids=("c1b",)))
    assert right.id not in {c.id for c in doc.project.audio_tracks[0].clips}
    assert _a(doc, "s1").end == 60
    doc.request(RippleDelete(clip_ids=("s1",)))  # the picture goes too, and later clips close up on both
    assert [c.id for c in doc.project.tracks[0].clips] == ["c2"]
    _in_sync(doc, "c2", "s2")
    assert _v(doc, "c2").start == 120
    for _ in range(5):
        doc.undo()
    _in_sync(doc, "c1", "s1")
    assert (_v(doc, "c1").start, _v(doc, "c1").length) == (10, 100)


def test_close_gap_and_frame_rate_change_keep_sound_in_sync():
    doc = _doc()
    doc.request(CloseGap(track_id="v1", frame=120))
    _in_sync(doc, "c2", "s2")
    assert _v(doc, "c2").start == 110
    doc.request(ChangeFrameRate(fps=Fraction(30)))
    for vid, aid in (("c1", "s1"), ("c2", "s2")):
        v, a = _v(doc, vid), _a(doc, aid)
        assert (v.start, v.length) == (a.start, a.length)
    assert _a(doc, "s1").source_frames == 250


def test_unlink_then_edit_apart_then_link_again():
    doc = _doc()
    doc.request(UnlinkClips(clip_ids=("c1",)))
    assert _v(doc, "c1").link is None and _a(doc, "s1").link is None
    doc.request(MoveClips(clip_ids=("c1",), delta=4))
    assert _a(doc, "s1").start == 10
    with pytest.raises(EditRefused, match="one video clip"):
        doc.request(LinkClips(clip_ids=("c1", "c2")))
    doc.request(LinkClips(clip_ids=("c1", "s1"), link_id="L9"))
    doc.request(MoveClips(clip_ids=("c1",), delta=-4))
    assert (_v(doc, "c1").start, _a(doc, "s1").start) == (10, 6)


def test_gain_fades_volume_mute_solo_within_bounds():
    doc = _doc()
    doc.request(SetAudioClip(clip_id="s1", gain_db=-6.0, fade_in=10, fade_out=20))
    assert (_a(doc, "s1").gain_db, _a(doc, "s1").fade_in) == (-6.0, 10)
    before = snapshot(doc.project)
    for bad in (SetAudioClip(clip_id="s1", gain_db=30.0), SetAudioClip(clip_id="s1", gain_db=float("nan")),
                SetAudioClip(clip_id="s1", fade_in=90), SetAudioClip(clip_id="s1", fade_out=-1),
                SetAudioTrack(track_id="a1", volume_db=-61.0)):
        with pytest.raises(EditRefused):
            doc.request(bad)
        assert snapshot(doc.project) == before
    doc.request(SetAudioTrack(track_id="a2", solo=True))
    assert [t.id for t in audible_tracks(doc.project.audio_tracks)] == ["a2"]
    doc.request(SetAudioTrack(track_id="a2", solo=False, muted=True))
    assert [t.id for t in audible_tracks(doc.project.audio_tracks)] == ["a1"]
    assert doc.undo_label == "Undo Change audio track"
    doc.request(AddAudioTrack(name="Music", track_id="a3"))
    doc.request(RemoveAudioTrack(track_id="a3"))
    doc.undo()
    assert doc.project.audio_tracks[-1].name == "Music"


def test_changes_announce_sound():
    doc = _doc()
    seen = []
    doc.subscribe(seen.append)
    doc.request(MoveClips(clip_ids=("c2",), delta=10))
    assert "s2" in seen[-1].audio_clips_changed and "a1" in seen[-1].audio_tracks_changed
    assert "c2" in seen[-1].clips_changed
    doc.undo()
    assert "s2" in seen[-1].audio_clips_changed


def test_import_with_sound_is_one_undo_step():
    doc = Document(Project(tracks=[Track(id="v1", name="V1")], audio_tracks=[AudioTrack(id="a1", name="A1")]))
    doc.request(Composite("Import clip", [
        AddClip(track_id="v1", clip=Clip(id="c", start=0, length=24, link="L",
                                         takes=[Take(id="t", media="/abs/x.mp4", frames=24)])),
        AddAudioClip(track_id="a1", clip=AudioClip(id="s", source="/abs/x.mp4", start=0, length=24,
                                                   source_frames=24, link="L")),
    ]))
    assert [m.path for m in doc.project.media] == ["/abs/x.mp4"]
    doc.undo()
    assert not doc.project.audio_tracks[0].clips and not doc.project.tracks[0].clips


def test_save_and_load_keep_sound(tmp_path):
    doc = _doc()
    doc.request(SetAudioClip(clip_id="s1", gain_db=-3.5, fade_in=4))
    doc.request(SetAudioTrack(track_id="a2", muted=True, volume_db=2.0))
    folder = tmp_path / "P.shotline"
    folder.mkdir()
    save_project(doc.project, folder)
    data = json.loads((folder / "project.json").read_text())
    assert data["version"] == 2
    assert snapshot(load_project(folder)) == snapshot(doc.project)


def test_version_1_project_is_upgraded_with_an_empty_a1(tmp_path):
    v1 = {"schema": "shotline.project", "version": 1, "name": "Old", "fps": "24/1", "width": 640, "height": 360,
          "tracks": [{"id": "v1", "name": "V1", "clips": [
              {"id": "c", "start": 0, "length": 10, "takes": [{"id": "t", "media": "media/a.mp4", "frames": 10}]}]}]}
    p = project_from_dict(v1)
    assert [(t.name, t.clips) for t in p.audio_tracks] == [("A1", [])]
    assert p.tracks[0].clips[0].link is None
    again = project_from_dict(json.loads(encode(p, tmp_path)))
    assert snapshot(again) == snapshot(p)


def test_damaged_sound_in_a_file_is_refused_with_its_place():
    base = json.loads(encode(_doc().project, "/nonexistent"))
    bad = json.loads(json.dumps(base))
    bad["audio_tracks"][0]["clips"][0]["gain_db"] = 99
    with pytest.raises(ProjectError, match="gain"):
        project_from_dict(bad)
    bad = json.loads(json.dumps(base))
    bad["audio_tracks"][0]["clips"][1]["start"] = 50  # overlaps s1
    with pytest.raises(ProjectError, match="overlap"):
        project_from_dict(bad)
    bad = json.loads(json.dumps(base))
    bad["audio_tracks"][0]["clips"][0]["source"] = "../../etc/passwd"
    with pytest.raises(ProjectError, match="climbs out"):
        project_from_dict(bad)
