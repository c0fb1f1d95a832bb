"""LTX-Video engine on a tiny random-weight pipeline: every action, the conditions it really passes,
exact frame counts and sizes, known frames kept, cancel without decode, seeds, decode fallbacks."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from tiny_models import build_tiny_ltx_condition, spy_on

from model.engines.base import Cancelled, EngineError, Hooks
from model.engines.ltx import LtxEngine, condition_pieces
from model.engines.registry import engine_for
from model.models import inspect_model
from model.request import Action, CastRef, Pin, Request

FPS = Fraction(24)


@pytest.fixture(scope="module")
def ltx(tiny_ltx_dir):
    engine = engine_for(inspect_model(tiny_ltx_dir))
    assert isinstance(engine, LtxEngine)
    engine.load()
    yield engine
    engine.unload()


def clip(n: int, w: int, h: int, seed: int = 0) -> tuple[np.ndarray, ...]:
    """n smooth, distinct frames (a moving colour gradient), as a clip the user already has."""
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    frames = []
    for i in range(n):
        r = 127 + 120 * np.sin(x / w * 3 + i * 0.3 + seed)
        g = 127 + 120 * np.cos(y / h * 3 - i * 0.2)
        b = np.full_like(x, (40 * i + 30 * seed) % 256)
        frames.append(np.stack([r, g, b], -1).astype(np.uint8))
    return tuple(frames)


def request(action: Action, n: int, w: int, h: int, context=(), **kw) -> Request:
    kw.setdefault("steps", 2)
    return Request(action, n, FPS, w, h, prompt="a red cat runs", context=tuple(context),
                   options={"max_sequence_length": 16}, **kw)


def cases(w: int, h: int) -> dict[str, Request]:
    c = clip(12, w, h)
    return {
        "generate": request(Action.GENERATE, 13, w, h),
        "generate-keyframes": request(Action.GENERATE, 19, w, h, [Pin(0, c[:1]), Pin(11, c[5:6], strength=0.8)]),
        "animate": request(Action.ANIMATE, 10, w, h, [Pin(0, c[:1])]),
        "extend-forward": request(Action.EXTEND_FORWARD, 21, w, h, [Pin(0, c[:11])]),
        "extend-backward": request(Action.EXTEND_BACKWARD, 14, w, h, [Pin(4, c[:10])]),
        "infill": request(Action.INFILL, 26, w, h, [Pin(0, c[:4]), Pin(13, c[4:5]), Pin(22, c[8:12])]),
        "loop": request(Action.LOOP, 18, w, h, [Pin(0, c[6:12]), Pin(12, c[:6])]),
        "restyle": request(Action.RESTYLE, 12, w, h, [Pin(0, c, strength=0.6)]),
    }


@pytest.mark.parametrize("size", [(64, 32), (37, 29)], ids=["on-grid", "odd"])
@pytest.mark.parametrize("name", list(cases(8, 8)))
def test_every_action_returns_exactly_the_frames_asked_for(ltx, name, size):
    req = cases(*size)[name]
    frames = ltx.run(req, Hooks())
    assert len(frames) == req.num_frames
    assert all(f.shape == (req.height, req.width, 3) and f.dtype == np.uint8 for f in frames)
    for pin in req.context:  # frames the user has come back untouched
        for i, known in enumerate(pin.frames):
            assert np.array_equal(frames[pin.frame + i], known) == (pin.strength == 1.0)
    window = ltx.last_parameters["window"]
    assert (window["frames"] - 1) % 8 == 0 and window["frames"] >= req.num_frames
    assert window["width"] % 32 == 0 and window["height"] % 32 == 0


@pytest.mark.parametrize("n", [1, 2, 8, 9, 10])
def test_lengths_off_the_frame_grid(ltx, n):
    frames = ltx.run(request(Action.GENERATE, n, 33, 17), Hooks())
    assert len(frames) == n and frames[0].shape == (17, 33, 3)


def _as_array(image) -> np.ndarray:
    return np.asarray(image.convert("RGB"))


def _conditions(calls) -> list[tuple[str, int, float, list[np.ndarray]]]:
    (call,) = calls
    out = []
    for c in call["conditions"]:
        frames = [_as_array(c.image)] if c.image is not None else [_as_array(f) for f in c.video]
        out.append(("image" if c.image is not None else "video", c.frame_index, c.strength, frames))
    return out


def test_extend_forward_passes_the_tail_as_a_video_condition_and_pins_the_last_frame(ltx, monkeypatch):
    calls = spy_on(monkeypatch, type(ltx.pipe), "__call__")
    tail = clip(11, 64, 32)
    ltx.run(request(Action.EXTEND_FORWARD, 30, 64, 32, [Pin(0, tail)]), Hooks())
    conds = _conditions(calls)
    assert [(kind, at, len(f)) for kind, at, _, f in conds] == [("video", 0, 9), ("image", 10, 1)]
    assert all(np.array_equal(a, b) for a, b in zip(conds[0][3], tail[:9], strict=True))
    assert np.array_equal(conds[1][3][0], tail[10])
    call = calls[0]
    assert call["num_frames"] == 33 and (call["width"], call["height"]) == (64, 32)
    assert call["frame_rate"] == 24.0 and call["num_inference_steps"] == 2


def test_extend_backward_ends_the_window_on_the_known_head(ltx, monkeypatch):
    calls = spy_on(monkeypatch, type(ltx.pipe), "__call__")
    head = clip(10, 64, 32)
    req = request(Action.EXTEND_BACKWARD, 20, 64, 32, [Pin(10, head)])
    frames = ltx.run(req, Hooks())
    # window of 25 frames ends where the request ends: request frame 10 sits at window frame 15
    assert ltx.last_parameters["window"]["offset"] == 5
    conds = _conditions(calls)
    assert [(kind, at, len(f)) for kind, at, _, f in conds] == [("image", 15, 1), ("video", 16, 9)]
    assert np.array_equal(conds[0][3][0], head[0])
    assert all(np.array_equal(a, b) for a, b in zip(conds[1][3], head[1:], strict=True))
    assert all(np.array_equal(frames[10 + i], f) for i, f in enumerate(head))


def test_infill_pins_both_sides_and_the_keyframe_inside_at_their_frames(ltx, monkeypatch):
    calls = spy_on(monkeypatch, type(ltx.pipe), "__call__")
    c = clip(9, 64, 32)
    req = request(Action.INFILL, 33, 64, 32, [Pin(0, c[:4]), Pin(16, c[4:5]), Pin(29, c[5:9])])
    ltx.run(req, Hooks())
    conds = _conditions(calls)
    images = {at: f[0] for kind, at, _, f in conds if kind == "image"}
    assert set(images) == {0, 3, 16, 29, 32} and not [k for k, *_ in conds if k == "video"]
    for at, known in [(0, c[0]), (3, c[3]), (16, c[4]), (29, c[5]), (32, c[8])]:
        assert np.array_equal(images[at], known)


def test_restyle_passes_the_clip_at_the_chosen_strength(ltx, monkeypatch):
    calls = spy_on(monkeypatch, type(ltx.pipe), "__call__")
    c = clip(17, 64, 32)
    ltx.run(request(Action.RESTYLE, 17, 64, 32, [Pin(0, c, strength=0.35)]), Hooks())
    (cond,) = _conditions(calls)
    assert cond[:3] == ("video", 0, 0.35) and len(cond[3]) == 17


def test_known_frames_are_letterboxed_into_the_window_not_stretched(ltx, monkeypatch):
    calls = spy_on(monkeypatch, type(ltx.pipe), "__call__")
    still = clip(1, 50, 30)[0]
    ltx.run(request(Action.ANIMATE, 9, 50, 30, [Pin(0, (still,))]), Hooks())
    (cond,) = _conditions(calls)
    seen = cond[3][0]
    x, y, w, h = ltx.last_parameters["window"]["box"]
    assert seen.shape == (32, 64, 3) and (w / h) == pytest.approx(50 / 30, rel=0.03)
    import cv2

    back = cv2.resize(seen[y : y + h, x : x + w], (50, 30), interpolation=cv2.INTER_AREA)
    assert np.abs(back.astype(int) - still.astype(int)).mean() < 6


def test_engine_frames_equal_the_bare_pipeline_frames(ltx, monkeypatch):
    """Same arguments, same seed: the engine's own decode gives the pipeline's own output."""
    import torch

    calls = spy_on(monkeypatch, type(ltx.pipe), "__call__")
    c = clip(2, 64, 32)
    req = request(Action.GENERATE, 17, 64, 32, [Pin(8, c[:1], strength=0.9)], seed=7)
    frames = ltx.run(req, Hooks())
    call = {k: v for k, v in calls[0].items() if k not in ("_args", "callback_on_step_end",
                                                          "callback_on_step_end_tensor_inputs", "output_type",
                                                          "return_dict", "generator")}
    bare = ltx.pipe(**call, generator=torch.Generator().manual_seed(7), output_type="np").frames[0]
    bare = (bare * 255).round().astype(np.uint8)
    assert np.abs(np.stack(frames).astype(int) - bare.astype(int)).max() <= 1


def test_same_seed_same_frames_other_seed_other_frames(ltx):
    a = ltx.run(request(Action.GENERATE, 9, 64, 32, seed=3), Hooks())
    b = ltx.run(request(Action.GENERATE, 9, 64, 32, seed=3), Hooks())
    c = ltx.run(request(Action.GENERATE, 9, 64, 32, seed=4), Hooks())
    assert all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))
    assert not all(np.array_equal(x, y) for x, y in zip(a, c, strict=True))


def test_cancel_stops_after_one_step_and_never_decodes(ltx, monkeypatch):
    decodes = spy_on(monkeypatch, type(ltx.pipe.vae), "decode")
    steps = spy_on(monkeypatch, type(ltx.pipe.transformer), "forward")
    progress = []
    hooks = Hooks(on_progress=lambda *a: progress.append(a), should_cancel=lambda: True)
    with pytest.raises(Cancelled):
        ltx.run(request(Action.GENERATE, 9, 64, 32, steps=10), hooks)
    assert len(progress) == 1 and progress[0][:2] == (1, 10)
    assert len(steps) == 1  # one batched cond+uncond forward: one step
    assert decodes == []
    # the engine is still usable after a cancel
    assert len(ltx.run(request(Action.GENERATE, 9, 64, 32), Hooks())) == 9


def test_progress_and_previews(ltx):
    progress, previews = [], []
    hooks = Hooks(on_progress=lambda *a: progress.append(a), on_preview=previews.append, preview_every=2)
    c = clip(1, 64, 32)
    ltx.run(request(Action.ANIMATE, 9, 64, 32, [Pin(0, c)], steps=5), hooks)
    assert [p[:2] for p in progress] == [(i, 5) for i in range(1, 6)]
    assert all(p[2] > 0 for p in progress)
    assert len(previews) == 2  # after steps 2 and 4, none after the last
    assert all(p.dtype == np.uint8 and p.ndim == 3 and p.shape[2] == 3 for p in previews)


def test_decode_out_of_memory_is_retried_tiled_then_on_the_cpu(ltx, monkeypatch):
    import torch

    vae_class = type(ltx.pipe.vae)
    original = vae_class.decode
    failures = {"left": 1}

    def decode_running_out_of_memory(self, *args, **kwargs):
        # fault injection: the real decode, preceded by out-of-memory failures
        if failures["left"] > 0:
            failures["left"] -= 1
            raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 20.00 GiB")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(vae_class, "decode", decode_running_out_of_memory)
    req = request(Action.GENERATE, 9, 64, 32, seed=1)
    try:
        frames = ltx.run(req, Hooks())
        assert len(frames) == 9 and ltx.last_parameters["decode_fallback"] == ["tiled"]
        assert ltx.pipe.vae.use_tiling
        failures["left"] = 2
        frames = ltx.run(req, Hooks())
        assert len(frames) == 9 and ltx.last_parameters["decode_fallback"] == ["tiled", "cpu"]
    finally:
        ltx.pipe.vae.disable_tiling()


def test_cast_descriptions_join_the_prompt(ltx, monkeypatch):
    calls = spy_on(monkeypatch, type(ltx.pipe), "__call__")
    ref = CastRef("Mara", clip(1, 20, 20)[0], "a woman in a red coat")
    ltx.run(request(Action.GENERATE, 9, 64, 32, cast=(ref,)), Hooks())
    assert calls[0]["prompt"] == "a red cat runs Mara: a woman in a red coat."


def test_too_long_for_one_window_is_refused_with_a_reason(ltx):
    with pytest.raises(EngineError, match="overlapping windows"):
        ltx.run(request(Action.GENERATE, 300, 64, 32), Hooks())


@pytest.mark.parametrize(
    ("start", "count", "pieces"),
    [
        (0, 1, [(0, 1)]),
        (0, 9, [(0, 9)]),
        (0, 11, [(0, 9), (10, 1)]),
        (0, 4, [(0, 1), (3, 1)]),
        (15, 10, [(15, 1), (16, 9)]),
        (16, 17, [(16, 17)]),
        (29, 4, [(29, 1), (32, 1)]),
        (5, 2, [(5, 1), (6, 1)]),
    ],
)
def test_condition_pieces_sit_on_the_latent_grid(start, count, pieces):
    assert condition_pieces(start, count, 8) == pieces


@pytest.mark.parametrize(
    ("options", "step", "multiple", "window"),
    [
        # temporal and spatial compression 4: frames 4k+1, sides still multiples of the pipeline's 32
        ({"scaling": (True, True, False, False)}, 4, 32, (9, 96, 64)),
        # spatial compression 64 (VAE patch 8): sides multiples of 64
        ({"vae_patch_size": 8}, 8, 64, (9, 128, 64)),
    ],
    ids=["compression-4", "spatial-64"],
)
def test_limits_are_read_from_the_loaded_pipeline(tmp_path, options, step, multiple, window):
    info = inspect_model(build_tiny_ltx_condition(tmp_path / "variant", **options))
    engine = engine_for(info)
    engine.load()
    try:
        assert engine.limits == info.limits  # the configs and the loaded pipeline agree
        assert (engine.limits.frame_step, engine.limits.size_multiple) == (step, multiple)
        still = clip(1, 70, 40)
        frames = engine.run(request(Action.ANIMATE, 6, 70, 40, [Pin(0, still)]), Hooks())
        assert len(frames) == 6 and frames[0].shape == (40, 70, 3)
        w = engine.last_parameters["window"]
        assert (w["frames"], w["width"], w["height"]) == window
    finally:
        engine.unload()
