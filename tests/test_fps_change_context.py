"""After Project Settings changes the frame rate or size, generation reads a clip as the cut shows it.

A 24 fps video whose every frame's colour says its index is imported into a 24 fps project
(`new`, real files); the project is changed to 12 fps (the edit Project Settings makes). The
timeline then shows every other file frame, and so must the context frames of an extend, an
infill or a loop, the clip's own frames copied into an extended take, and the export. A new
size fits the context frames as export fits the cut (letterbox, or the clip's own fit mode).
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from editor.document.edits import ChangeFrameRate, MoveClips, PlaceGeneratedTake, Side
from editor.document.plans import ExtendClip, InfillGap, LoopClip, RestyleClip, make_plan
from editor.document.storage import open_document
from editor.generation import request_from_plan
from editor.media.cut import CutReader
from editor.media.takes import write_take

STEP = 5  # colour step per file frame: frame i is (5 i, 255 - 5 i, 128)
FILE_FRAMES = 48  # 2 s at 24 fps


def _index(frame: np.ndarray) -> int:
    """The file frame a (fitted, possibly lossy) picture shows, read from its centre's colour."""
    h, w = frame.shape[:2]
    return round(float(frame[h // 2 - 2: h // 2 + 2, w // 2 - 2: w // 2 + 2, 0].mean()) / STEP)


@pytest.fixture
def source(tmp_path) -> Path:
    frames = [np.full((48, 64, 3), (STEP * i, 255 - STEP * i, 128), np.uint8) for i in range(FILE_FRAMES)]
    return write_take(tmp_path / "counter.mkv", frames, 24)  # lossless: the index reads back exactly


@pytest.fixture
def doc(tmp_path, source):
    """Two clips of the counter video with a 16-frame gap, made at 24 fps, then changed to 12 fps."""
    from editor.cli.project_commands import cmd_new

    assert cmd_new([str(tmp_path / "Counter"), str(source), str(source), "--fps", "24", "--size", "64x48"]) == 0
    d = open_document(tmp_path / "Counter.shotline")
    a, b = d.project.tracks[0].clips
    d.request(MoveClips(clip_ids=(b.id,), delta=16))
    d.request(ChangeFrameRate(fps=Fraction(12)))  # what File ▸ Project Settings asks for
    assert d.project.fps == 12 and [(c.start, c.length) for c in d.project.tracks[0].clips] == [(0, 24), (32, 24)]
    return d


def _shown(d, ts) -> list[np.ndarray]:
    with CutReader(d.project, d.folder) as reader:
        return [reader.frame_at(t).copy() for t in ts]


def test_extend_context_is_what_the_timeline_shows_after_the_rate_changed(doc):
    a = doc.project.tracks[0].clips[0]
    plan = make_plan(doc.project, ExtendClip(clip_id=a.id, side=Side.END, frames=6))
    (pin,) = request_from_plan(plan, doc.project, doc.folder).context
    assert [_index(f) for f in pin.frames] == [30, 32, 34, 36, 38, 40, 42, 44, 46]  # every other file frame
    for got, shown in zip(pin.frames, _shown(doc, range(15, 24)), strict=True):
        assert np.array_equal(got, shown)  # exactly the preview's and the export's pictures


def test_infill_and_loop_context_after_the_rate_changed(doc):
    a, b = doc.project.tracks[0].clips
    plan = make_plan(doc.project, InfillGap(track_id=doc.project.tracks[0].id, frame=24))
    before, after = request_from_plan(plan, doc.project, doc.folder).context
    assert [_index(f) for f in before.frames] == list(range(30, 47, 2))
    assert [_index(f) for f in after.frames] == list(range(0, 17, 2))
    loop = make_plan(doc.project, LoopClip(clip_id=b.id, frames=4))
    tail, head = request_from_plan(loop, doc.project, doc.folder).context
    assert [_index(f) for f in tail.frames] == list(range(30, 47, 2))
    assert [_index(f) for f in head.frames] == list(range(0, 17, 2))


def test_a_higher_rate_repeats_frames_in_the_context_as_the_timeline_does(qtbot, doc):
    from editor.ui.project_settings_dialog import ProjectSettingsDialog

    dialog = ProjectSettingsDialog(doc.project, [])
    qtbot.addWidget(dialog)
    dialog.fps_combo.setCurrentIndex(dialog.fps_combo.findData("48/1"))
    doc.request(dialog.edit())  # 12 -> 48 fps: the 24 fps file's frames each show twice
    a = doc.project.tracks[0].clips[0]
    assert doc.project.fps == 48 and a.length == 96
    plan = make_plan(doc.project, ExtendClip(clip_id=a.id, side=Side.END, frames=3))
    (pin,) = request_from_plan(plan, doc.project, doc.folder).context
    assert [_index(f) for f in pin.frames] == [43, 44, 44, 45, 45, 46, 46, 47, 47]
    for got, shown in zip(pin.frames, _shown(doc, range(87, 96)), strict=True):
        assert np.array_equal(got, shown)
    restyle = make_plan(doc.project, RestyleClip(clip_id=a.id, prompt="ink", strength=0.5))
    (whole,) = request_from_plan(restyle, doc.project, doc.folder).context
    assert [_index(f) for f in whole.frames] == [i // 2 for i in range(96)]


def test_an_extended_take_keeps_the_clip_at_its_speed_and_lasts_its_frames(doc):
    from editor.generation.takes import write_generated_take

    a = doc.project.tracks[0].clips[0]
    plan = make_plan(doc.project, ExtendClip(clip_id=a.id, side=Side.END, frames=6))
    made = [np.zeros((48, 64, 3), np.uint8)] * plan.num_frames  # what a model returns, at the plan's size
    take = write_generated_take(plan, made, {"job": 1}, doc.folder, stem="extend")
    with av.open(str(doc.folder / take.media)) as c:
        frames = [f.to_ndarray(format="rgb24") for f in c.decode(video=0)]
        stream = c.streams.video[0]
        assert stream.average_rate == 12
        seconds = float(c.duration / av.time_base)
    assert take.frames == len(frames) == 30 and abs(seconds - 30 / 12) < 1 / 12
    assert [_index(f) for f in frames[:24]] == list(range(0, 48, 2))  # the clip as it played, not slowed
    doc.request(PlaceGeneratedTake(plan=plan, take=take))
    a = doc.project.tracks[0].clips[0]
    assert (a.start, a.length, a.take.frames) == (0, 30, 30) and "frames_at_fps" not in a.take.metadata


def test_a_changed_project_exports_its_frames_at_the_new_rate(doc, tmp_path):
    from editor.generation import INTERPOLATE, model_for, run_job, submit
    from editor.media.export import ExportOptions, export_project
    from model.journal import Journal
    from model.runner import Runner

    plan = make_plan(doc.project, InfillGap(track_id=doc.project.tracks[0].id, frame=24))
    assert model_for(plan) == INTERPOLATE
    with Journal(doc.folder / "jobs.sqlite") as journal:
        submit(journal, plan)
        done = run_job(journal, journal.claim_next(), Runner(), doc.project, doc.folder)
    assert done.take.frames == 8
    doc.request(PlaceGeneratedTake(plan=done.plan, take=done.take))
    assert doc.project.duration == 56
    out = tmp_path / "cut.mp4"
    export_project(doc.project, doc.folder, out, ExportOptions(crf=0, preset="ultrafast", c2pa=False))
    with av.open(str(out)) as c:
        assert c.streams.video[0].average_rate == 12
        frames = [f.to_ndarray(format="rgb24") for f in c.decode(video=0)]
    assert len(frames) == 56
    shown = [_index(f) for f in frames]
    assert shown[:24] == list(range(0, 48, 2)) and shown[32:] == list(range(0, 48, 2))


def test_sound_stays_in_sync_after_the_rate_changed(tmp_path):
    from sound_helpers import flash_click_video, offsets

    from editor.cli.project_commands import cmd_new
    from editor.media.export import ExportOptions, export_project

    video = flash_click_video(tmp_path / "clicks.mp4", "24", 3)
    assert cmd_new([str(tmp_path / "Clicks"), str(video), "--fps", "24", "--size", "128x96"]) == 0
    d = open_document(tmp_path / "Clicks.shotline")
    d.request(ChangeFrameRate(fps=Fraction(12)))
    assert d.project.duration == 36
    out = tmp_path / "clicks-12.mp4"
    export_project(d.project, d.folder, out, ExportOptions(preset="ultrafast", c2pa=False))
    with av.open(str(out)) as c:
        v, a = c.streams.video[0], c.streams.audio[0]
        n = sum(1 for _ in c.decode(video=0))
        video_s = float(v.duration * v.time_base)
        audio_s = float(a.duration * a.time_base)
    assert n == 36 and abs(video_s - 3.0) < 1 / 12
    assert abs(audio_s - video_s) <= 1 / 12
    found = offsets(out)
    assert len(found) >= 2 and max(abs(o) for _, o in found) <= 1 / 12 + 0.002, found


def test_context_is_fitted_to_a_new_size_as_export_fits_it(qtbot, doc):
    from editor.ui.project_settings_dialog import ProjectSettingsDialog

    dialog = ProjectSettingsDialog(doc.project, [])
    qtbot.addWidget(dialog)
    dialog.width_spin.setValue(96)  # 64x48 (4:3) pictures in a 2:1 project: bars at the sides
    dialog.height_spin.setValue(48)
    doc.request(dialog.edit())
    assert (doc.project.width, doc.project.height) == (96, 48)
    a, b = doc.project.tracks[0].clips
    b.metadata["fit"] = "crop"  # a clip that fills the frame (project.json): cut off, not barred
    plan = make_plan(doc.project, InfillGap(track_id=doc.project.tracks[0].id, frame=24))
    before, after = request_from_plan(plan, doc.project, doc.folder).context
    assert before.frames[0].shape == (48, 96, 3) and not before.frames[0][:, :8].any()  # letterboxed
    assert after.frames[0][:, :8].any()  # cropped: no bars
    for got, shown in zip(before.frames + after.frames, _shown(doc, [*range(15, 24), *range(32, 41)]), strict=True):
        assert np.array_equal(got, shown)


def test_an_extended_take_with_sound_keeps_its_clicks_on_its_flashes(tmp_path):
    from sound_helpers import audio_rate, decode_audio, flash_click_video, offsets

    from editor.cli.project_commands import cmd_new
    from editor.generation.takes import write_generated_take
    from model.sound import Sound

    video = flash_click_video(tmp_path / "clicks.mp4", "24", 3)
    assert cmd_new([str(tmp_path / "Clicks"), str(video), "--fps", "24", "--size", "128x96"]) == 0
    d = open_document(tmp_path / "Clicks.shotline")
    d.request(ChangeFrameRate(fps=Fraction(12)))
    clip = d.project.tracks[0].clips[0]
    plan = make_plan(d.project, ExtendClip(clip_id=clip.id, side=Side.END, frames=6))
    made = [np.zeros((96, 128, 3), np.uint8)] * plan.num_frames
    quiet = Sound(np.zeros((24000 * plan.num_frames // 12, 2), np.float32), 24000)  # a model's sound: silence
    take = write_generated_take(plan, made, {"job": 1}, d.folder, stem="extend", audio=quiet)
    path = d.folder / take.media
    with av.open(str(path)) as c:
        n = sum(1 for _ in c.decode(video=0))
    audio_s = decode_audio(path).shape[0] / audio_rate(path)  # Matroska streams carry no duration
    assert n == take.frames == 42 and abs(audio_s - 42 / 12) <= 1 / 12
    found = offsets(path)
    assert [round(t) for t, _ in found] == [0, 1, 2] and max(abs(o) for _, o in found) <= 1 / 12 + 0.002, found
