"""Extend and infill leave the neighbours' sound as it is, with short fades at the seams: a real
infill (the no-model interpolation) between two clips with linked sound, mixed and decoded, has
no click where the sound stops and starts again; the fades are part of the same undo step."""

from __future__ import annotations

import numpy as np
from sound_helpers import ffmpeg

from editor.document.audio_ops import SEAM_FADE_FRAMES
from editor.document.document import Document
from editor.document.edits import PlaceGeneratedTake, Side
from editor.document.plans import ExtendClip, InfillGap, make_plan
from editor.document.project import AudioClip, AudioTrack, Clip, Project, Take, Track
from editor.generation import run_job, submit
from editor.media.audio import frame_to_sample
from editor.media.mix import mix_range
from model.journal import Journal
from model.runner import Runner


def _tone(path, seconds: float = 1.0) -> None:
    """A loud square-ish tone: full level right up to its last sample, so a hard cut would click."""
    ffmpeg("-f", "lavfi", "-i", f"aevalsrc='0.5*sgn(sin(2*PI*200*t))+0.01':s=48000:c=stereo:d={seconds}",
           str(path))


def _with_sound(doc):
    """Clips "a" [0,24) and "b" [34,58) of the gap document get linked sound on A1, and a quiet
    music bed on A2 runs under everything."""
    media = doc.folder / "media"
    _tone(media / "a.wav")
    _tone(media / "b.wav")
    _tone(media / "bed.wav", seconds=3.0)
    a1 = AudioTrack(id="a1", name="A1")
    for cid, name in (("a", "a.wav"), ("b", "b.wav")):
        clip = doc.project.find_clip(cid)[1]
        clip.link = f"L{cid}"
        a1.clips.append(AudioClip(id=f"s{cid}", source=f"media/{name}", start=clip.start, length=clip.length,
                                  source_frames=24, link=clip.link))
    bed = AudioClip(id="bed", source="media/bed.wav", start=0, length=72, source_frames=72, gain_db=-40.0)
    doc.project.audio_tracks = [a1, AudioTrack(id="a2", name="A2", clips=[bed])]
    return doc


def _edge_levels(doc, frame: int) -> tuple[float, float]:
    """Peak level of the mix in the 2 ms just before and just after timeline `frame`."""
    s = frame_to_sample(frame, doc.project.fps)
    x = mix_range(doc.project, doc.folder, frame - 1, frame + 1)
    mid = s - frame_to_sample(frame - 1, doc.project.fps)
    return float(np.abs(x[mid - 96:mid]).max()), float(np.abs(x[mid:mid + 96]).max())


def test_an_interpolated_infill_fades_the_neighbours_sound_at_both_seams(gap_document):
    doc = _with_sound(gap_document)
    assert _edge_levels(doc, 24)[0] > 0.4  # before: the sound of "a" stops at full level, a click
    before = {c.id: (c.start, c.length, c.source_in, c.gain_db) for t in doc.project.audio_tracks for c in t.clips}
    plan = make_plan(doc.project, InfillGap(track_id="v1", frame=30))
    with Journal(doc.folder / "jobs.sqlite") as journal:
        submit(journal, plan)
        done = run_job(journal, journal.claim_next(), Runner(), doc.project, doc.folder)
    doc.request(PlaceGeneratedTake(plan=done.plan, take=done.take))
    assert [(c.start, c.length) for c in doc.project.track("v1").clips] == [(0, 24), (24, 10), (34, 24)]
    after = {c.id: (c.start, c.length, c.source_in, c.gain_db) for t in doc.project.audio_tracks for c in t.clips}
    assert after == before  # the sound stays as it was, only faded at the joins
    sa, sb = doc.project.find_audio_clip("sa")[1], doc.project.find_audio_clip("sb")[1]
    assert (sa.fade_in, sa.fade_out, sb.fade_in, sb.fade_out) == (0, SEAM_FADE_FRAMES, SEAM_FADE_FRAMES, 0)
    assert doc.project.find_audio_clip("bed")[1].fade_in == 0  # music runs across the seam untouched
    end_of_a, start_of_b = _edge_levels(doc, 24)[0], _edge_levels(doc, 34)[1]
    assert end_of_a < 0.05 and start_of_b < 0.05  # the joins no longer click
    assert _edge_levels(doc, 12)[0] > 0.4  # the body of the sound is as loud as before
    doc.undo()  # one step: picture and fades
    assert [c.id for c in doc.project.track("v1").clips] == ["a", "b"]
    assert doc.project.find_audio_clip("sa")[1].fade_out == 0 and doc.project.find_audio_clip("sb")[1].fade_in == 0


def test_extending_fades_the_sound_where_the_new_frames_begin_and_where_pushed_sound_starts():
    v = Track(id="v1", name="V1", clips=[
        Clip(id="a", start=0, length=48, link="La", takes=[Take(id="ta", media="media/a.mp4", frames=48)]),
        Clip(id="b", start=48, length=48, link="Lb", takes=[Take(id="tb", media="media/b.mp4", frames=48)]),
    ])
    a1 = AudioTrack(id="a1", name="A1", clips=[
        AudioClip(id="sa", source="media/a.mp4", start=0, length=48, source_frames=48, link="La", fade_out=6),
        AudioClip(id="sb", source="media/b.mp4", start=48, length=48, source_frames=48, link="Lb"),
    ])
    doc = Document(Project(tracks=[v], audio_tracks=[a1]))
    plan = make_plan(doc.project, ExtendClip(clip_id="a", side=Side.END, frames=24), seed=1)
    doc.request(PlaceGeneratedTake(plan=plan, take=Take(id="g", media="media/g.mkv", frames=plan.target.take_frames)))
    sa, sb = doc.project.find_audio_clip("sa")[1], doc.project.find_audio_clip("sb")[1]
    assert (sa.start, sa.length, sa.fade_out) == (0, 48, 6)  # a longer fade the user set is kept
    b = doc.project.find_clip("b")[1]
    assert sb.start == b.start == doc.project.find_clip("a")[1].end and sb.fade_in == SEAM_FADE_FRAMES
