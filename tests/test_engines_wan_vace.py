"""Wan VACE engine on a tiny random-weight pipeline: every action, the control video and mask it
really passes, cast as reference images, exact frame counts and sizes, cancel without decode."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from test_engines_ltx import clip
from tiny_models import build_tiny_wan_vace, spy_on

from model.engines.base import Cancelled, EngineError, Hooks
from model.engines.registry import engine_for
from model.engines.wan_vace import WanVaceEngine
from model.models import inspect_model
from model.request import Action, CastRef, Pin, Request

FPS = Fraction(16)


@pytest.fixture(scope="module")
def wan(tiny_wan_vace_dir):
    engine = engine_for(inspect_model(tiny_wan_vace_dir))
    assert isinstance(engine, WanVaceEngine)
    engine.load()
    yield engine
    engine.unload()


def request(action: Action, n: int, w: int, h: int, context=(), **kw) -> Request:
    kw.setdefault("steps", 2)
    return Request(action, n, FPS, w, h, prompt="a red cat runs", context=tuple(context),
                   options={"max_sequence_length": 16}, **kw)


def cases(w: int, h: int) -> dict[str, Request]:
    c = clip(12, w, h)
    return {
        "generate": request(Action.GENERATE, 11, w, h),
        "generate-keyframes": request(Action.GENERATE, 15, w, h, [Pin(0, c[:1]), Pin(9, c[5:6], strength=0.7)]),
        "animate": request(Action.ANIMATE, 8, w, h, [Pin(0, c[:1])]),
        "extend-forward": request(Action.EXTEND_FORWARD, 18, w, h, [Pin(0, c[:6])]),
        "extend-backward": request(Action.EXTEND_BACKWARD, 14, w, h, [Pin(4, c[:10])]),
        "infill": request(Action.INFILL, 19, w, h, [Pin(0, c[:3]), Pin(9, c[4:5]), Pin(16, c[8:11])]),
        "loop": request(Action.LOOP, 14, w, h, [Pin(0, c[6:10]), Pin(10, c[:4])]),
        "restyle": request(Action.RESTYLE, 10, w, h, [Pin(0, c[:10], strength=0.5)]),
    }


@pytest.mark.parametrize("size", [(48, 32), (37, 23)], ids=["on-grid", "odd"])
@pytest.mark.parametrize("name", list(cases(8, 8)))
def test_every_action_returns_exactly_the_frames_asked_for(wan, name, size):
    req = cases(*size)[name]
    frames = wan.run(req, Hooks())
    assert len(frames) == req.num_frames
    assert all(f.shape == (req.height, req.width, 3) and f.dtype == np.uint8 for f in frames)
    for pin in req.context:
        for i, known in enumerate(pin.frames):
            assert np.array_equal(frames[pin.frame + i], known) == (pin.strength == 1.0)
    window = wan.last_parameters["window"]
    assert (window["frames"] - 1) % 4 == 0 and window["frames"] >= req.num_frames
    assert window["width"] % 16 == 0 and window["height"] % 16 == 0


def _frames(images) -> list[np.ndarray]:
    return [np.asarray(i.convert("RGB")) for i in images]


def test_control_video_and_mask_hold_the_known_frames_at_their_positions(wan, monkeypatch):
    calls = spy_on(monkeypatch, type(wan.pipe), "__call__")
    c = clip(6, 48, 32)
    req = request(Action.INFILL, 15, 48, 32, [Pin(0, c[:2]), Pin(7, c[2:3]), Pin(13, c[3:5])])
    wan.run(req, Hooks())
    (call,) = calls
    video, mask = _frames(call["video"]), _frames(call["mask"])
    assert call["num_frames"] == 17 and len(video) == len(mask) == 17  # exactly the window's frames
    known = {0: c[0], 1: c[1], 7: c[2], 13: c[3], 14: c[4]}
    for i in range(17):
        if i in known:
            assert np.array_equal(video[i], known[i]) and (mask[i] == 0).all()
        else:
            assert (video[i] == 128).all() and (mask[i] == 255).all()
    assert "reference_images" not in call


def test_extend_backward_window_ends_on_the_known_head(wan, monkeypatch):
    calls = spy_on(monkeypatch, type(wan.pipe), "__call__")
    head = clip(4, 48, 32)
    wan.run(request(Action.EXTEND_BACKWARD, 11, 48, 32, [Pin(7, head)]), Hooks())
    mask = _frames(calls[0]["mask"])
    assert len(mask) == 13 and [bool((m == 0).all()) for m in mask] == [False] * 9 + [True] * 4


def test_restyle_remakes_every_frame_guided_by_the_clip(wan, monkeypatch):
    calls = spy_on(monkeypatch, type(wan.pipe), "__call__")
    c = clip(9, 48, 32)
    wan.run(request(Action.RESTYLE, 9, 48, 32, [Pin(0, c, strength=0.4)]), Hooks())
    (call,) = calls
    video, mask = _frames(call["video"]), _frames(call["mask"])
    assert all(np.array_equal(v, f) for v, f in zip(video, c, strict=True))
    assert all((m == 255).all() for m in mask)
    assert call["conditioning_scale"] == pytest.approx(0.4)


def test_cast_images_go_to_reference_images(wan, monkeypatch):
    calls = spy_on(monkeypatch, type(wan.pipe), "__call__")
    face = clip(1, 20, 30, seed=2)[0]
    req = request(Action.GENERATE, 9, 48, 32, cast=(CastRef("Mara", face, "a woman"),))
    frames = wan.run(req, Hooks(preview_every=1), )
    assert len(frames) == 9
    (ref,) = _frames(calls[0]["reference_images"])
    assert np.array_equal(ref, face)


def test_previews_skip_the_reference_frames(wan):
    previews = []
    face = clip(1, 20, 30, seed=2)[0]
    req = request(Action.GENERATE, 9, 48, 32, steps=3, cast=(CastRef("Mara", face),))
    wan.run(req, Hooks(on_preview=previews.append, preview_every=1))
    assert len(previews) == 2 and all(p.dtype == np.uint8 and p.shape[2] == 3 for p in previews)


def test_same_seed_same_frames(wan):
    a = wan.run(request(Action.GENERATE, 5, 48, 32, seed=11), Hooks())
    b = wan.run(request(Action.GENERATE, 5, 48, 32, seed=11), Hooks())
    assert all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))


def test_engine_frames_equal_the_bare_pipeline_frames(wan, monkeypatch):
    import torch

    calls = spy_on(monkeypatch, type(wan.pipe), "__call__")
    req = request(Action.GENERATE, 9, 48, 32, seed=5)
    frames = wan.run(req, Hooks())
    drop = ("_args", "callback_on_step_end", "callback_on_step_end_tensor_inputs", "output_type", "return_dict",
            "generator")
    call = {k: v for k, v in calls[0].items() if k not in drop}
    bare = wan.pipe(**call, generator=torch.Generator().manual_seed(5), output_type="np").frames[0]
    bare = (bare * 255).round().astype(np.uint8)
    assert np.abs(np.stack(frames).astype(int) - bare.astype(int)).max() <= 1


def test_cancel_stops_after_one_step_and_never_decodes(wan, monkeypatch):
    decodes = spy_on(monkeypatch, type(wan.pipe.vae), "decode")
    progress = []
    hooks = Hooks(on_progress=lambda *a: progress.append(a), should_cancel=lambda: len(progress) >= 1)
    with pytest.raises(Cancelled):
        wan.run(request(Action.GENERATE, 9, 48, 32, steps=8), hooks)
    assert [p[:2] for p in progress] == [(1, 8)]
    assert decodes == []


def test_too_long_for_one_window_is_refused_with_a_reason(wan):
    with pytest.raises(EngineError, match="overlapping windows"):
        wan.run(request(Action.GENERATE, 90, 48, 32), Hooks())


def test_limits_are_read_from_the_loaded_pipeline(tmp_path):
    # space compressed by 16 (four VAE levels) and a spatial patch of 4: sides multiples of 64.
    # (Wan's VAE encodes time in chunks of 4 frames whatever its config, so frames stay 4k+1.)
    info = inspect_model(build_tiny_wan_vace(tmp_path / "variant", temperal_downsample=(False, True, True, False),
                                             patch_size=(1, 4, 4)))
    engine = engine_for(info)
    engine.load()
    try:
        assert engine.limits == info.limits
        assert (engine.limits.frame_step, engine.limits.size_multiple) == (4, 64)
        still = clip(1, 40, 24)
        frames = engine.run(request(Action.ANIMATE, 6, 40, 24, [Pin(0, still)]), Hooks())
        assert len(frames) == 6 and frames[0].shape == (24, 40, 3)
        w = engine.last_parameters["window"]
        assert (w["frames"], w["width"], w["height"]) == (9, 64, 64)
    finally:
        engine.unload()
