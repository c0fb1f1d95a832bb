"""LTX-2 engine on a tiny random-weight pipeline saved like a download: every action's frames and
size, the user's frames kept bit for bit, keyframes at any frame, restyle as a real denoise, the
model's sound cut to the picture, cancel without decoding, previews from the packed latents, the
CLI, and a take with sound landing in the timeline with a linked audio clip."""

from __future__ import annotations

import json
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from test_engines_ltx import clip, request  # the same clip and request as LTX-Video's tests (24 fps)
from tiny_models import build_tiny_ltx2, spy_on

from model.engines.base import Cancelled, Hooks
from model.engines.ltx2 import Ltx2Engine, condition_pieces
from model.engines.registry import engine_for
from model.models import ModelError, inspect_model
from model.request import Action, Pin, Request
from model.sound import samples_for

FPS = Fraction(24)
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def ltx2(tiny_ltx2_dir):
    engine = engine_for(inspect_model(tiny_ltx2_dir))
    assert isinstance(engine, Ltx2Engine)
    engine.load()
    yield engine
    engine.unload()


def cases(w: int, h: int) -> dict[str, Request]:
    c = clip(12, w, h)
    return {
        "generate": request(Action.GENERATE, 13, w, h),
        "generate-keyframes": request(Action.GENERATE, 19, w, h, [Pin(0, c[:1]), Pin(11, c[5:6], strength=0.8),
                                                                   Pin(18, c[6:7])]),
        "animate": request(Action.ANIMATE, 10, w, h, [Pin(0, c[:1])]),
        "extend-forward": request(Action.EXTEND_FORWARD, 21, w, h, [Pin(0, c[:11])]),
        "extend-backward": request(Action.EXTEND_BACKWARD, 14, w, h, [Pin(4, c[:10])]),
        "infill": request(Action.INFILL, 26, w, h, [Pin(0, c[:4]), Pin(13, c[4:5]), Pin(22, c[8:12])]),
        "loop": request(Action.LOOP, 18, w, h, [Pin(0, c[6:12]), Pin(12, c[:6])]),
        "restyle": request(Action.RESTYLE, 12, w, h, [Pin(0, c, strength=0.6)]),
    }


@pytest.mark.parametrize("name", list(cases(8, 8)))
def test_every_action_returns_exactly_the_frames_and_sound_asked_for(ltx2, name):
    req = cases(37, 29)[name]
    frames = ltx2.run(req, Hooks())
    assert len(frames) == req.num_frames
    assert all(f.shape == (29, 37, 3) and f.dtype == np.uint8 for f in frames)
    for pin in req.context:  # the user's frames come back untouched
        for i, known in enumerate(pin.frames):
            assert np.array_equal(frames[pin.frame + i], known) == (pin.strength == 1.0)
    window = ltx2.last_parameters["window"]
    assert (window["frames"] - 1) % 8 == 0 and window["width"] % 32 == 0 and window["height"] % 32 == 0
    sound = ltx2.last_audio
    if name == "restyle":  # part of the schedule only: no fresh sound, and the record says why
        assert sound is None and ltx2.last_parameters["sound"]["made"] is False
        return
    rate = ltx2.pipe.vocoder.config.output_sampling_rate
    assert sound.rate == rate and sound.samples.shape == (samples_for(req.num_frames, FPS, rate), 2)
    assert sound.samples.dtype == np.float32 and np.abs(sound.samples).max() <= 1.0
    assert np.abs(sound.samples[: sound.samples.shape[0] // 2]).max() > 0  # made, not silence
    if req.context:
        assert ltx2.last_parameters["sound"]["continues_neighbours"] is False


def test_keyframes_land_on_their_own_frames_not_on_the_latent_grid(ltx2, monkeypatch):
    """Diffusers places index k at frame 8(k-1)+1; frames 11 and 18 (the last) are reached exactly."""
    calls = spy_on(monkeypatch, type(ltx2.pipe), "__call__")
    c = clip(3, 64, 32)
    ltx2.run(request(Action.GENERATE, 19, 64, 32, [Pin(0, c[:1]), Pin(11, c[1:2]), Pin(18, c[2:3])]), Hooks())
    conditions = calls[0]["conditions"]
    assert [(x.index, getattr(x, "frame", 0)) for x in conditions] == [(0, 0), (2, 11), (3, 18)]
    assert ltx2.last_parameters["keyframes_at"] == [11, 18]
    assert calls[0]["num_frames"] == 25 and calls[0]["frame_rate"] == 24.0


def test_extend_backward_ends_the_window_on_the_known_head(ltx2, monkeypatch):
    calls = spy_on(monkeypatch, type(ltx2.pipe), "__call__")
    head = clip(10, 64, 32)
    frames = ltx2.run(request(Action.EXTEND_BACKWARD, 20, 64, 32, [Pin(10, head)]), Hooks())
    assert ltx2.last_parameters["window"]["offset"] == 5  # window of 25: request frame 10 at window frame 15
    conditions = calls[0]["conditions"]
    assert [(getattr(x, "frame", 0), len(x.frames) if isinstance(x.frames, list) else 1) for x in conditions] == [
        (15, 9), (24, 1)]
    assert ltx2.last_parameters["keyframes_at"] == [15, 24]
    assert all(np.array_equal(frames[10 + i], f) for i, f in enumerate(head))


def test_restyle_is_a_real_denoise_from_the_clip(ltx2, monkeypatch):
    calls = spy_on(monkeypatch, type(ltx2.pipe), "__call__")
    c = clip(17, 64, 32)
    progress = []
    weak = ltx2.run(request(Action.RESTYLE, 17, 64, 32, [Pin(0, c, strength=0.7)], steps=10),
                    Hooks(on_progress=lambda *a: progress.append(a)))
    call = calls[0]
    assert call["latents"].shape[2:] == (3, 4, 8) and call["conditions"] is None
    assert 0.0 < call["noise_scale"] <= 0.3 + 1e-6 and len(call["sigmas"]) == 3
    assert [p[:2] for p in progress] == [(i, len(call["sigmas"])) for i in range(1, len(call["sigmas"]) + 1)]
    assert ltx2.last_parameters["call"]["denoise_strength"] == pytest.approx(0.3)
    strong = ltx2.run(request(Action.RESTYLE, 17, 64, 32, [Pin(0, c, strength=0.1)], steps=10), Hooks())
    # a weaker restyle keeps more of the clip
    def diff(frames):
        return np.mean([np.abs(a.astype(int) - b.astype(int)).mean() for a, b in zip(frames, c, strict=True)])
    assert diff(weak) < diff(strong)


def test_engine_picture_and_sound_equal_the_bare_pipeline(ltx2, monkeypatch):
    """Same arguments, same seed: the engine's own decodes give the pipeline's own output."""
    import torch

    calls = spy_on(monkeypatch, type(ltx2.pipe), "__call__")
    c = clip(2, 64, 32)
    req = request(Action.GENERATE, 17, 64, 32, [Pin(0, c[:1]), Pin(12, c[1:2], strength=0.9)], seed=7)
    frames = ltx2.run(req, Hooks())
    call = {k: v for k, v in calls[0].items() if k not in (
        "_args", "callback_on_step_end", "callback_on_step_end_tensor_inputs", "output_type", "return_dict",
        "generator")}
    video, audio = ltx2.pipe(**call, generator=torch.Generator().manual_seed(7), output_type="np", return_dict=False)
    bare = (video[0] * 255).round().astype(np.uint8)
    assert np.abs(np.stack(frames)[1:].astype(int) - bare[1:].astype(int)).max() <= 1  # frame 0 is the user's
    bare_audio = audio[0].float().numpy().T
    n = min(bare_audio.shape[0], ltx2.last_audio.samples.shape[0])
    assert np.allclose(ltx2.last_audio.samples[:n], bare_audio[:n], atol=1e-5)


def test_same_seed_same_picture_and_sound(ltx2):
    a = ltx2.run(request(Action.GENERATE, 9, 32, 32, seed=3), Hooks())
    sound_a = ltx2.last_audio.samples.copy()
    b = ltx2.run(request(Action.GENERATE, 9, 32, 32, seed=3), Hooks())
    assert all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))
    assert np.array_equal(sound_a, ltx2.last_audio.samples)


def test_cancel_stops_after_one_step_and_decodes_nothing(ltx2, monkeypatch):
    decodes = spy_on(monkeypatch, type(ltx2.pipe.vae), "decode")
    sound_decodes = spy_on(monkeypatch, type(ltx2.pipe.audio_vae), "decode")
    vocoder = spy_on(monkeypatch, type(ltx2.pipe.vocoder), "forward")
    progress = []
    hooks = Hooks(on_progress=lambda *a: progress.append(a), should_cancel=lambda: True)
    with pytest.raises(Cancelled):
        ltx2.run(request(Action.GENERATE, 9, 32, 32, steps=10), hooks)
    assert [p[:2] for p in progress] == [(1, 10)]
    assert decodes == [] and sound_decodes == [] and vocoder == []
    assert ltx2.last_audio is None
    assert len(ltx2.run(request(Action.GENERATE, 9, 32, 32), Hooks())) == 9  # still usable


def test_previews_come_from_the_packed_latents(ltx2):
    progress, previews = [], []
    hooks = Hooks(on_progress=lambda *a: progress.append(a), on_preview=previews.append, preview_every=2)
    c = clip(2, 64, 32)
    # a keyframe appends tokens after the video's: the preview must slice them off to unpack
    ltx2.run(request(Action.GENERATE, 9, 64, 32, [Pin(0, c[:1]), Pin(8, c[1:2])], steps=5), hooks)
    assert [p[:2] for p in progress] == [(i, 5) for i in range(1, 6)]
    assert len(previews) == 2
    assert all(p.dtype == np.uint8 and p.ndim == 3 and p.shape[2] == 3 for p in previews)
    assert previews[0].shape[1] == 2 * previews[0].shape[0]  # the window's 2:1 picture


def test_long_shot_in_windows_has_one_sound_of_its_length(ltx2, monkeypatch):
    from model.longshot import make_long_shot

    monkeypatch.setattr(Ltx2Engine, "window_frames", 17, raising=False)  # small windows: a "long" shot
    req = request(Action.GENERATE, 30, 32, 32)
    frames = make_long_shot(ltx2, req, Hooks())
    assert len(frames) == 30 and len(ltx2.last_parameters["long_shot"]["windows"]) >= 2
    rate = ltx2.last_audio.rate
    assert ltx2.last_audio.samples.shape == (samples_for(30, FPS, rate), 2)


@pytest.mark.parametrize(("start", "count", "pieces"), [
    (0, 1, [(0, 1)]), (0, 9, [(0, 9)]), (0, 11, [(0, 9), (9, 1), (10, 1)]), (15, 10, [(15, 9), (24, 1)]),
    (3, 17, [(3, 17)]),
])
def test_condition_pieces_are_8k_plus_1_long(start, count, pieces):
    assert condition_pieces(start, count, 8) == pieces


def test_limits_are_read_from_the_loaded_pipeline(tmp_path):
    info = inspect_model(build_tiny_ltx2(tmp_path / "t4", temporal_levels=2))
    assert info.kind == "ltx2" and info.title.startswith("LTX-2") and set(info.actions) == set(Action)
    engine = engine_for(info)
    engine.load()
    try:
        assert engine.limits == info.limits and engine.limits.frame_step == 4
        frames = engine.run(request(Action.ANIMATE, 6, 40, 30, [Pin(0, clip(1, 40, 30))]), Hooks())
        assert len(frames) == 6 and frames[0].shape == (30, 40, 3)
        assert engine.last_parameters["window"]["frames"] == 9
    finally:
        engine.unload()


def test_a_folder_naming_code_outside_diffusers_is_refused(tiny_ltx2_dir, tmp_path):
    import shutil

    folder = tmp_path / "odd"
    shutil.copytree(tiny_ltx2_dir, folder)
    index = json.loads((folder / "model_index.json").read_text())
    index["vocoder"] = ["my_package", "LTX2Vocoder"]
    (folder / "model_index.json").write_text(json.dumps(index))
    with pytest.raises(ModelError, match="never runs code"):
        inspect_model(folder)


def test_cli_generate_with_ltx2_writes_picture_and_sound(tiny_ltx2_dir, tmp_path):
    import av

    out = tmp_path / "shot.mp4"
    proc = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "generate", "--model", str(tiny_ltx2_dir), "--prompt", "a red cat",
         "--seconds", "0.5", "--size", "64x32", "--steps", "2", "--seed", "5", "-o", str(out)],
        capture_output=True, text=True, timeout=600, cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr
    assert "LTX-2" in proc.stdout and list(tmp_path.iterdir()) == [out]  # no sound file left beside it
    with av.open(str(out)) as c:
        video, audio = c.streams.video[0], c.streams.audio[0]
        assert video.frames == 12 and audio.codec_context.sample_rate == 48000
        assert float(audio.duration * audio.time_base) == pytest.approx(0.5, abs=0.03)


def test_an_ltx2_take_lands_in_the_timeline_with_its_linked_sound(qtbot, gap_document, tiny_ltx2_dir):
    from editor.document.edits import SetShotSettings
    from editor.generation import verbs
    from editor.media.audio import read_samples, sound_info
    from editor.media.takes import read_sidecar, read_take
    from editor.ui.jobs import GenerationController
    from editor.ui.selection import GapRef, Selection

    doc = gap_document
    doc.request(SetShotSettings(clip_id="a", model=str(tiny_ltx2_dir), steps=2))
    ctl = GenerationController(doc, Selection())
    try:
        ctl.selection.set_gap(GapRef("v1", 24, 10))
        qtbot.waitUntil(lambda: ctl.action_state(verbs.INFILL)[0], timeout=60_000)
        with qtbot.waitSignal(ctl.job_ended, timeout=120_000) as ended:
            ctl.queue(verbs.INFILL)
        assert ended.args[1] == "done", ctl.jobs()[-1].message
    finally:
        ctl.shutdown()
    (new,) = [c for c in doc.project.track("v1").clips if c.id not in ("a", "b")]
    path = doc.folder / new.take.media
    assert (new.start, new.length) == (24, 10) and new.take.metadata.get("sound") is True
    assert len(read_take(path)) == 10  # the picture is as before
    assert {p.suffix for p in (doc.folder / "media").iterdir()} == {".mkv", ".json"}  # no sound file left over
    info = sound_info(path)
    assert info is not None and info.codec == "flac" and info.rate == 24000
    assert info.duration == pytest.approx(10 / 24, abs=0.01)
    linked = [a for t in doc.project.audio_tracks for a in t.clips if a.link == new.link]
    assert new.link and len(linked) == 1
    (sound,) = linked
    assert (sound.source, sound.start, sound.length) == (new.take.media, 24, 10)
    assert np.abs(read_samples(path, 0, 48000 * 10 // 24)).max() > 0
    record = read_sidecar(path)
    assert record["sound"]["made"] and record["sound"]["continues_neighbours"] is False
    assert record["sound"]["stored"] == "flac"
    from editor.ui.take_record import describe_record

    rows = dict(describe_record(record)[1])
    assert rows["Sound"] == ("made with the picture, kept as FLAC at 24 kHz; new sound, not continued from the "
                             "neighbouring clips' sound")
    doc.undo()
    assert not any(a.link == new.link for t in doc.project.audio_tracks for a in t.clips)


def test_one_step_is_refused_with_what_to_change_when_the_schedule_cant_run_it(tmp_path):
    from diffusers import FlowMatchEulerDiscreteScheduler

    from model.engines.base import EngineError

    folder = build_tiny_ltx2(tmp_path / "terminal")
    # the real LTX-2 scheduler stretches its sigmas to a terminal value; one step becomes 0/0
    FlowMatchEulerDiscreteScheduler(shift_terminal=0.1).save_pretrained(folder / "scheduler")
    engine = engine_for(inspect_model(folder))
    engine.load()
    try:
        with pytest.raises(EngineError, match="at least 2 sampling steps"):
            engine.run(request(Action.GENERATE, 9, 32, 32, steps=1), Hooks())
        assert len(engine.run(request(Action.GENERATE, 9, 32, 32, steps=2), Hooks())) == 9
    finally:
        engine.unload()


def test_extending_a_clip_with_sound_keeps_its_sound_and_adds_the_models(gap_document, tiny_ltx2_dir):
    """The extension's take holds the clip's own sound (48 kHz) then the new sound; the clip's linked
    sound plays the new take for the whole grown clip, and undo puts everything back."""
    from dataclasses import replace

    from editor.document.edits import AddAudioClip, AddAudioTrack, LinkClips, PlaceGeneratedTake, Side
    from editor.document.plans import ExtendClip, make_plan
    from editor.document.project import AudioClip
    from editor.generation import run_job, submit
    from editor.media.audio import read_samples, sound_info
    from editor.media.take_sound import write_wav
    from editor.media.takes import TakeWriter, read_take
    from model.journal import Journal
    from model.runner import Runner

    doc = gap_document
    a_path = doc.folder / "media" / "a.mkv"
    frames = read_take(a_path)
    t = np.arange(48000 * 24 // 24) / 48000
    tone = np.stack([0.3 * np.sin(2 * np.pi * 440 * t)] * 2, 1).astype(np.float32)
    wav = write_wav(doc.folder / "tone.wav", tone, 48000)
    with TakeWriter(a_path, 24, audio=wav) as writer:  # clip a's take, now with one second of sound
        for f in frames:
            writer.append(f)
    doc.request(AddAudioTrack(name="A1", track_id="a1"))
    doc.request(AddAudioClip(track_id="a1", clip=AudioClip(id="sa", source="media/a.mkv", start=0, length=24,
                                                           source_frames=24)))
    doc.request(LinkClips(clip_ids=("a", "sa")))
    plan = replace(make_plan(doc.project, ExtendClip(clip_id="a", side=Side.END, frames=8), seed=3),
                   model=str(tiny_ltx2_dir), steps=2)
    with Journal(doc.folder / "jobs.sqlite") as journal:
        submit(journal, plan)
        done = run_job(journal, journal.claim_next(), Runner(device="cpu"), doc.project, doc.folder)
    path = doc.folder / done.take.media
    assert [np.array_equal(x, y) for x, y in zip(read_take(path)[:24], frames, strict=True)] == [True] * 24
    info = sound_info(path)
    assert info.rate == 48000 and info.duration == pytest.approx(32 / 24, abs=0.01)
    sound = read_samples(path, 0, 48000 * 32 // 24)
    own = sound[: 48000 - 480]  # before the join's short crossfade
    assert np.abs(own - tone[: own.shape[0]]).max() < 1e-4
    assert np.abs(sound[48000 + 480 :]).max() > 0  # the model's sound for the new frames
    doc.request(PlaceGeneratedTake(plan=done.plan, take=done.take))
    a = doc.project.find_clip("a")[1]
    (linked,) = [c for t in doc.project.audio_tracks for c in t.clips if c.link == a.link]
    assert (linked.source, linked.start, linked.length) == (done.take.media, 0, 32)
    doc.undo()
    (linked,) = [c for t in doc.project.audio_tracks for c in t.clips if c.link == a.link]
    assert (linked.source, linked.length) == ("media/a.mkv", 24)


def test_sound_is_cut_to_exactly_its_frames_and_windows_join_without_a_gap():
    from model.sound import Sound, cut, stitch

    rate, fps = 24000, Fraction(30000, 1001)
    tone = Sound(np.full((samples_for(100, fps, rate) - 700, 2), 0.5, np.float32), rate)  # shorter than 100 frames
    part = cut(tone, 10, 90, fps)
    assert part.samples.shape[0] == samples_for(100, fps, rate) - samples_for(10, fps, rate)
    assert part.samples[0, 0] == 0.5 and part.samples[-1, 0] == 0.0  # padded with silence at the end
    a = Sound(np.full((samples_for(17, fps, rate), 2), 0.25, np.float32), rate)
    b = Sound(np.full((samples_for(17, fps, rate), 2), 0.75, np.float32), rate)
    joined = stitch([(0, a), (13, b)], 30, fps)
    assert joined.samples.shape == (samples_for(30, fps, rate), 2)
    start = samples_for(13, fps, rate)
    assert joined.samples[start - 1, 0] == 0.25 and joined.samples[-1, 0] == 0.75
    fade = joined.samples[start : start + 960, 0]
    assert np.all(np.diff(fade) >= 0) and 0.25 <= fade.min() and fade.max() <= 0.75  # a crossfade, no click


def test_a_timestep_conditioned_vae_decodes_as_the_pipeline_does(tmp_path, monkeypatch):
    import torch

    engine = engine_for(inspect_model(build_tiny_ltx2(tmp_path / "tc", timestep_conditioning=True)))
    engine.load()
    try:
        calls = spy_on(monkeypatch, type(engine.pipe), "__call__")
        req = request(Action.GENERATE, 9, 32, 32, seed=4)
        req = Request(req.action, 9, FPS, 32, 32, prompt=req.prompt, seed=4, steps=2,
                      options={"max_sequence_length": 16, "decode_timestep": 0.5, "decode_noise_scale": 0.5})  # loud: a wrong decode shows
        frames = engine.run(req, Hooks())
        call = {k: v for k, v in calls[0].items() if k not in (
            "_args", "callback_on_step_end", "callback_on_step_end_tensor_inputs", "output_type", "return_dict",
            "generator")}
        video, _ = engine.pipe(**call, generator=torch.Generator().manual_seed(4), output_type="np", return_dict=False)
        bare = (video[0] * 255).round().astype(np.uint8)
        assert np.abs(np.stack(frames).astype(int) - bare.astype(int)).max() <= 1
    finally:
        engine.unload()


def test_a_download_of_lightricks_ltx2_in_the_hf_cache_is_found_and_runs(tiny_ltx2_dir, tmp_path):
    """The hub's folder names the plain LTX2Pipeline; Shotline drives it through the condition pipeline."""
    import shutil

    from model.models import scan_hf_cache

    repo = tmp_path / "hub" / "models--Lightricks--LTX-2"
    snapshot = repo / "snapshots" / "abc123"
    shutil.copytree(tiny_ltx2_dir, snapshot)
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text("abc123")
    index = json.loads((snapshot / "model_index.json").read_text())
    index["_class_name"] = "LTX2Pipeline"
    (snapshot / "model_index.json").write_text(json.dumps(index))
    (found,) = scan_hf_cache(tmp_path / "hub")
    info = found.info
    assert found.error is None and info.kind == "ltx2" and info.repo_id == "Lightricks/LTX-2"
    assert info.title == "LTX-2 (LTX-2)" and info.load_class == "LTX2ConditionPipeline"
    engine = engine_for(info)
    engine.load()
    try:
        assert len(engine.run(request(Action.GENERATE, 9, 32, 32), Hooks())) == 9 and engine.last_audio is not None
    finally:
        engine.unload()
