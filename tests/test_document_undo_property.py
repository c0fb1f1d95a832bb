"""Random sequences of edits: refused ones change nothing, undo-all gives back the start exactly,
redo-all the end, and the document's rules hold after every step."""

from __future__ import annotations

import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from editor.document.audio_ops import check_audio
from editor.document.document import Document
from editor.document.edits import (
    AddAudioClip,
    AddClip,
    AddTake,
    AddTrack,
    CloseGap,
    Composite,
    DeleteClips,
    EditRefused,
    LinkClips,
    MoveClips,
    MoveKeyframe,
    PinKeyframe,
    PlaceGeneratedTake,
    RemoveKeyframe,
    RemoveTrack,
    ReorderShot,
    RippleDelete,
    SetAudioClip,
    SetAudioTrack,
    SetClipLength,
    SetKeyframeStrength,
    SetShotSettings,
    Side,
    SplitClip,
    SwitchTake,
    TrimClip,
    UnlinkClips,
)
from editor.document.ops import check_track
from editor.document.plans import (
    AnimateStill,
    ExtendClip,
    GenerateShot,
    InfillGap,
    LoopClip,
    RestyleClip,
    make_plan,
)
from editor.document.project import AudioClip, AudioTrack, Clip, Keyframe, ShotSettings, Take
from editor.document.samples import sample_project
from editor.document.storage import encode, project_from_dict, snapshot

KINDS = ["add_clip", "move", "trim", "split", "delete", "ripple", "close_gap", "reorder", "length", "settings",
         "pin", "move_kf", "strength", "remove_kf", "add_take", "switch", "add_track", "remove_track", "generate",
         "composite"]
KINDS += ["add_clip", "trim", "trim", "split", "move", "generate", "generate", "switch"]  # the ones with most cases
KINDS += ["gain", "fade", "volume", "unlink", "link", "add_sound"]  # sound


def with_sound(project):
    """The sample with its first track's video clips linked to their sound on A1 (and an empty A2)."""
    a1 = AudioTrack(id="a1", name="A1")
    for c in project.tracks[0].clips:
        if c.take is not None and not c.take.is_still:
            c.link = f"L-{c.id}"
            a1.clips.append(AudioClip(id=f"s-{c.id}", source=c.take.media, start=c.start, length=c.length,
                                      source_in=c.source_in, source_frames=c.take.frames, link=c.link))
    project.audio_tracks = [a1, AudioTrack(id="a2", name="A2")]
    return project


def draw_edit(data, project, fresh):
    clips = [c for t in project.tracks for c in t.clips]
    sounds = [c for t in project.audio_tracks for c in t.clips]
    clip_ids = [c.id for c in clips] + [c.id for c in sounds] + ["ghost"]
    sound_ids = [c.id for c in sounds] + ["ghost"]
    track_ids = [t.id for t in project.tracks] + [t.id for t in project.audio_tracks] + ["nowhere"]
    kf_ids = [k.id for t in project.tracks for k in t.keyframes] + [
        k.id for c in clips for k in c.keyframes] + ["no-kf"]
    frame = st.integers(-3, 420)
    some_clip = st.sampled_from(clip_ids)
    kind = data.draw(st.sampled_from(KINDS))
    near = st.sampled_from(clips).flatmap(lambda c: st.integers(c.start - 8, c.end + 8)) if clips else frame
    if kind == "add_clip":
        n = next(fresh)
        takes = data.draw(st.sampled_from([[], [Take(id=f"t{n}", media=f"media/{n}.mkv", frames=60)]]))
        start = data.draw(st.one_of(frame, st.integers(project.duration, project.duration + 20)))
        return AddClip(track_id=data.draw(st.sampled_from(track_ids)),
                       clip=Clip(id=f"c{n}", start=start, length=data.draw(st.integers(0, 60)),
                                 takes=takes, shot=ShotSettings(prompt="p")))
    if kind == "move":
        ids = data.draw(st.lists(st.sampled_from(clip_ids), min_size=1, max_size=3))
        return MoveClips(clip_ids=tuple(ids), delta=data.draw(st.integers(-60, 60)),
                         to_track=data.draw(st.sampled_from([None, *track_ids])))
    if kind == "trim":
        return TrimClip(clip_id=data.draw(some_clip), side=data.draw(st.sampled_from(list(Side))), frame=data.draw(near))
    if kind == "split":
        return SplitClip(clip_id=data.draw(some_clip), frame=data.draw(near), new_clip_id=f"s{next(fresh)}")
    if kind == "delete":
        return DeleteClips(clip_ids=tuple(data.draw(st.lists(st.sampled_from(clip_ids), min_size=1, max_size=2))))
    if kind == "ripple":
        return RippleDelete(clip_ids=tuple(data.draw(st.lists(st.sampled_from(clip_ids), min_size=1, max_size=2))))
    if kind == "close_gap":
        return CloseGap(track_id=data.draw(st.sampled_from(track_ids)), frame=data.draw(frame))
    if kind == "reorder":
        return ReorderShot(clip_id=data.draw(some_clip), index=data.draw(st.integers(-1, 6)))
    if kind == "length":
        return SetClipLength(clip_id=data.draw(some_clip), length=data.draw(st.integers(0, 90)))
    if kind == "settings":
        return SetShotSettings(clip_id=data.draw(some_clip), seed=data.draw(st.sampled_from([None, 1, -1])),
                               steps=data.draw(st.sampled_from([None, 4, 0])), prompt=data.draw(st.text(max_size=5)))
    if kind == "pin":
        on_clip = data.draw(st.booleans())
        k = Keyframe(id=f"k{next(fresh)}", image="media/k.png", frame=data.draw(st.integers(-2, 100)),
                     strength=data.draw(st.sampled_from([0.5, 1.0, 1.5])))
        if on_clip:
            return PinKeyframe(clip_id=data.draw(some_clip), keyframe=k)
        return PinKeyframe(track_id=data.draw(st.sampled_from(track_ids)), keyframe=k)
    if kind == "move_kf":
        return MoveKeyframe(keyframe_id=data.draw(st.sampled_from(kf_ids)), frame=data.draw(st.integers(-2, 100)))
    if kind == "strength":
        return SetKeyframeStrength(keyframe_id=data.draw(st.sampled_from(kf_ids)),
                                   strength=data.draw(st.sampled_from([0.0, 0.3, 2.0])))
    if kind == "remove_kf":
        return RemoveKeyframe(keyframe_id=data.draw(st.sampled_from(kf_ids)))
    if kind == "add_take":
        n = next(fresh)
        return AddTake(clip_id=data.draw(some_clip),
                       take=Take(id=f"t{n}", media=f"media/{n}.mkv", frames=data.draw(st.integers(0, 120))))
    if kind == "switch":
        with_takes = [c for c in clips if len(c.takes) > 1] or clips or [Clip(id="ghost", start=0, length=1)]
        c = data.draw(st.sampled_from(with_takes))
        return SwitchTake(clip_id=c.id, take_id=data.draw(st.sampled_from([t.id for t in c.takes] + ["no-take"])))
    if kind == "add_track":
        return AddTrack(name="T", track_id=f"tr{next(fresh)}", index=data.draw(st.integers(0, 4)))
    if kind == "remove_track":
        return RemoveTrack(track_id=data.draw(st.sampled_from(track_ids)))
    if kind == "generate":
        cid = data.draw(some_clip)
        sel = data.draw(st.sampled_from([
            GenerateShot(clip_id=cid), AnimateStill(clip_id=cid), RestyleClip(clip_id=cid, prompt="x"),
            ExtendClip(clip_id=cid, side=Side.END, frames=20), ExtendClip(clip_id=cid, side=Side.START, frames=20),
            LoopClip(clip_id=cid, frames=12), InfillGap(track_id=data.draw(st.sampled_from(track_ids)), frame=data.draw(frame)),
        ]))
        try:
            plan = make_plan(project, sel, seed=1)
        except EditRefused:
            return RemoveTrack(track_id="nowhere")  # a refused request all the same
        n = next(fresh)
        frames = plan.target.take_frames + data.draw(st.sampled_from([0, 1, -1]))
        return PlaceGeneratedTake(plan=plan, take=Take(id=f"g{n}", media=f"media/g{n}.mkv", frames=max(frames, 1)),
                                  new_clip_id=f"gc{n}", new_track_id=f"gt{n}")
    if kind == "gain":
        return SetAudioClip(clip_id=data.draw(st.sampled_from(sound_ids)),
                            gain_db=data.draw(st.sampled_from([-6.0, 3.0, 40.0])))
    if kind == "fade":
        return SetAudioClip(clip_id=data.draw(st.sampled_from(sound_ids)), fade_in=data.draw(st.integers(-1, 40)),
                            fade_out=data.draw(st.integers(0, 40)))
    if kind == "volume":
        return SetAudioTrack(track_id=data.draw(st.sampled_from(track_ids)),
                             volume_db=data.draw(st.sampled_from([-3.0, -70.0])), muted=data.draw(st.booleans()),
                             solo=data.draw(st.booleans()))
    if kind == "unlink":
        return UnlinkClips(clip_ids=(data.draw(some_clip),))
    if kind == "link":
        return LinkClips(clip_ids=(data.draw(some_clip), data.draw(st.sampled_from(sound_ids))),
                         link_id=f"L{next(fresh)}")
    if kind == "add_sound":
        n = next(fresh)
        return AddAudioClip(track_id=data.draw(st.sampled_from(track_ids)),
                            clip=AudioClip(id=f"as{n}", source="media/m.wav", start=data.draw(frame),
                                           length=data.draw(st.integers(0, 60)), source_frames=60))
    first = draw_edit(data, project, fresh)
    return Composite("Two at once", [first, draw_edit(data, project, fresh)])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_random_edits_undo_and_redo_exactly(data):
    project = with_sound(sample_project(tracks=2, clips_per_track=4, seed=data.draw(st.integers(0, 3))))
    doc = Document(project)
    fresh = itertools.count()
    states = [snapshot(project)]
    for _ in range(data.draw(st.integers(1, 18))):
        edit = draw_edit(data, project, fresh)
        before, history = states[-1], doc.history
        try:
            doc.request(edit)
        except EditRefused:
            assert snapshot(project) == before and doc.history == history
            continue
        now = snapshot(project)
        if now != before:
            states.append(now)
        for track in project.tracks:
            check_track(track)
        check_audio(project)
        assert doc.history.index == len(states) - 1
    # undo all: each earlier state in turn, then exactly the start
    for expected in reversed(states[:-1]):
        doc.undo()
        assert snapshot(project) == expected
    assert not doc.can_undo
    for expected in states[1:]:
        doc.redo()
        assert snapshot(project) == expected
    # and what was made saves and reads back the same
    assert snapshot(project_from_dict(__import__("json").loads(encode(project, "/nonexistent")))) == states[-1]
