"""The runner: one model at a time, records that say how a take was made, cancel, placement choice."""

from __future__ import annotations

import json
from fractions import Fraction

import cv2
import numpy as np
import pytest
from test_engines_ltx import clip
from tiny_models import spy_on

from model.devices import GIB, Placement, choose_placement
from model.engines.base import Cancelled, Hooks, Limits
from model.models import ModelError
from model.previews import LatentPreview
from model.request import Action, Pin, Request
from model.runner import Runner


def request(action: Action = Action.GENERATE, n: int = 9, context=(), **kw) -> Request:
    kw.setdefault("steps", 2)
    return Request(action, n, Fraction(24), 64, 32, prompt="a red cat", context=tuple(context),
                   options={"max_sequence_length": 16}, **kw)


def test_run_returns_frames_and_a_record_of_how_they_were_made(tiny_ltx_dir):
    runner = Runner(device="cpu")
    progress = []
    still = clip(1, 64, 32)
    req = request(Action.ANIMATE, 12, [Pin(0, still, label="Shot 1")], seed=42)
    result = runner.run(str(tiny_ltx_dir), req, Hooks(on_progress=lambda *a: progress.append(a)))
    assert len(result.frames) == 12 and np.array_equal(result.frames[0], still[0])
    assert [p[:2] for p in progress] == [(1, 2), (2, 2)]

    record = json.loads(json.dumps(result.record))  # plain JSON, as the take's sidecar stores it
    assert record["model"]["path"] == str(tiny_ltx_dir)
    assert record["model"]["pipeline_class"] == "LTXConditionPipeline"
    assert record["engine"] == "ltx-condition" and record["seed"] == 42
    assert record["request"] == json.loads(json.dumps(req.describe()))
    call = record["parameters"]["call"]
    assert call["num_frames"] == 17 and call["frame_rate"] == 24.0 and call["max_sequence_length"] == 16
    assert call["conditions"][0]["frame_index"] == 0 and call["conditions"][0]["image"] == {"image": [64, 32]}
    assert record["placement"] == {"device": "cpu", "dtype": "float32", "memory": "full", "vae_tiling": False,
                                   "quantize": "none"}
    assert record["timings"]["load_s"] > 0 and record["timings"]["sampling_s"] > 0
    assert record["timings"]["decode_s"] > 0
    assert record["shotline_version"] and record["machine"]["diffusers"] == "0.42.1"
    runner.unload()


def test_one_model_is_loaded_at_a_time(tiny_ltx_dir, tiny_wan_vace_dir):
    runner = Runner(device="cpu")
    runner.run(str(tiny_ltx_dir), request())
    first = runner.engine
    again = runner.run(str(tiny_ltx_dir), request())
    assert runner.engine is first and again.record["timings"]["load_s"] == 0.0  # kept loaded
    runner.run(str(tiny_wan_vace_dir), request())
    assert first.pipe is None and not first.loaded  # the first model was unloaded
    assert runner.loaded_path == str(tiny_wan_vace_dir) and runner.engine.loaded
    second = runner.engine
    runner.unload()
    assert runner.engine is None and second.pipe is None


def test_cancel_raises_and_pays_no_decode(tiny_ltx_dir, monkeypatch):
    runner = Runner(device="cpu")
    runner.load(str(tiny_ltx_dir))
    decodes = spy_on(monkeypatch, type(runner.engine.pipe.vae), "decode")
    asked = []

    def should_cancel() -> bool:
        asked.append(True)
        return True

    with pytest.raises(Cancelled):
        runner.run(str(tiny_ltx_dir), request(steps=20), Hooks(should_cancel=should_cancel))
    assert len(asked) == 1 and decodes == []
    runner.unload()


def test_previews_reach_the_caller(tiny_ltx_dir):
    runner = Runner(device="cpu", preview_every=1)
    previews = []
    runner.run(str(tiny_ltx_dir), request(steps=3), Hooks(on_preview=previews.append))
    assert len(previews) == 2 and previews[0].dtype == np.uint8 and previews[0].shape[2] == 3
    runner.unload()


def test_bad_folders_and_bad_requests_are_refused_with_reasons(tmp_path, tiny_ltx_dir):
    runner = Runner(device="cpu")
    with pytest.raises(ModelError, match="no model_index.json"):
        runner.run(str(tmp_path), request())
    from model.request import RequestError

    with pytest.raises(RequestError, match="needs frames"):
        runner.run(str(tiny_ltx_dir), request(Action.EXTEND_FORWARD))


def test_builtin_interpolation_runs_without_a_model():
    pytest.importorskip("model.engines.interpolate")
    from model.models import BUILTIN_INTERPOLATE

    runner = Runner(device="cpu")
    c = clip(4, 64, 32)
    result = runner.run(BUILTIN_INTERPOLATE, request(Action.INFILL, 10, [Pin(0, c[:2]), Pin(8, c[2:4])]))
    assert len(result.frames) == 10 and result.record["engine"] == runner.engine.kind
    assert "placement" not in result.record


# --- placement ---------------------------------------------------------------------------------


def test_cpu_runs_float32_with_everything_in_memory():
    assert choose_placement(10 * GIB, device="cpu") == Placement("cpu", "float32", "full", False)


@pytest.mark.parametrize(
    ("free", "memory", "tiling"),
    [(80 * GIB, "full", False), (14 * GIB, "full", True), (12 * GIB, "model_cpu_offload", True),
     (6 * GIB, "group_offload", True)],
)
def test_gpu_memory_mode_follows_free_memory(free, memory, tiling):
    # a 2B-parameter transformer (4 GiB in bf16) and 6 GiB of text encoder + VAE
    p = choose_placement(10 * GIB, largest_component_bytes=6 * GIB, device="cuda", free_bytes=free, bf16_ok=True)
    assert (p.device, p.dtype, p.memory, p.vae_tiling) == ("cuda", "bfloat16", memory, tiling)


def test_overrides_win_and_fp16_is_used_without_bf16():
    p = choose_placement(10 * GIB, device="cuda", free_bytes=1 * GIB, bf16_ok=False, memory="full", vae_tiling=False)
    assert p == Placement("cuda", "float16", "full", False)
    with pytest.raises(ValueError, match="memory mode"):
        Placement(memory="everything")


def test_runner_placement_uses_the_model_size(tiny_ltx_dir):
    from model.models import inspect_model

    runner = Runner(device="cpu", memory="model_cpu_offload")
    p = runner.placement_for(inspect_model(tiny_ltx_dir))
    assert p.device == "cpu" and p.memory == "model_cpu_offload" and p.dtype == "float32"


# --- hooks, limits and previews ----------------------------------------------------------------


def test_hooks_report_seconds_per_step_and_cancel():
    seen = []
    hooks = Hooks(on_progress=lambda *a: seen.append(a), should_cancel=lambda: len(seen) == 2)
    hooks.start()
    hooks.step(1, 3)
    with pytest.raises(Cancelled):
        hooks.step(2, 3)
    assert [s[:2] for s in seen] == [(1, 3), (2, 3)] and all(s[2] >= 0 for s in seen)
    assert not Hooks().wants_preview(4, 8)  # nobody listens: no preview is made
    previews = Hooks(on_preview=lambda img: None, preview_every=4)
    assert [s for s in range(1, 9) if previews.wants_preview(s, 8)] == [4]


def test_limits_snap_frames_and_sides_up_to_the_grid():
    limits = Limits(frame_step=8, size_multiple=32)
    assert [limits.window_frames(n) for n in (1, 2, 9, 10, 17)] == [1, 9, 9, 17, 17]
    assert [limits.window_side(s) for s in (1, 32, 33, 720)] == [32, 32, 64, 736]


def test_preview_projection_recovers_colours_from_latents():
    """The fitted latent->RGB map, on an encoder whose latents carry colour as real VAEs' do."""
    mix = np.random.default_rng(1).normal(size=(8, 3)).astype(np.float32)

    def encode(picture: np.ndarray) -> np.ndarray:
        h, w = picture.shape[0] // 8, picture.shape[1] // 8
        small = cv2.resize(picture, (w, h), interpolation=cv2.INTER_AREA).astype(np.float32) / 255
        return np.tanh(np.einsum("ck,hwk->chw", mix, small) * 0.5)

    preview = LatentPreview.fit(encode, 8)
    coarse = np.random.default_rng(5).integers(0, 256, (4, 4, 3)).astype(np.uint8)
    picture = cv2.resize(coarse, (64, 64), interpolation=cv2.INTER_LINEAR)
    shown = preview.rgb(encode(picture))
    assert shown.shape == (256, 256, 3)
    small = cv2.resize(shown, (8, 8), interpolation=cv2.INTER_AREA).astype(int)
    truth = cv2.resize(picture, (8, 8), interpolation=cv2.INTER_AREA).astype(int)
    assert np.abs(small - truth).mean() < 12  # colours within a few percent
