"""The no-model interpolation engine: smooth in-between frames, known frames kept, infill and loop only."""

from __future__ import annotations

from fractions import Fraction

import cv2
import numpy as np
import pytest

from model.engines.base import Cancelled, EngineError, Hooks
from model.engines.interpolate import InterpolateEngine
from model.request import Action, Pin, Request

W, H = 192, 112


def texture(h: int, w: int, seed: int = 0) -> np.ndarray:
    """A picture with detail at every scale, like a photograph (pure noise can't be tracked)."""
    rng = np.random.default_rng(seed)
    acc = np.zeros((h, w, 3), np.float32)
    for cell in (32, 16, 8, 4):
        base = rng.standard_normal((h // cell + 2, w // cell + 2, 3)).astype(np.float32)
        up = cv2.resize(base, (w + 2 * cell, h + 2 * cell), interpolation=cv2.INTER_CUBIC)
        acc += cell * up[cell : cell + h, cell : cell + w]
    acc = (acc - acc.mean()) / acc.std() * 50 + 128
    return np.clip(acc, 0, 255).astype(np.uint8)


def panning(n: int, dx: int, dy: int = 0, seed: int = 0) -> list[np.ndarray]:
    """n frames of a camera panning dx, dy pixels per frame over a textured scene."""
    pad = 8
    big = texture(H + abs(dy) * n + 2 * pad, W + abs(dx) * n + 2 * pad, seed)
    ox = pad if dx >= 0 else pad + abs(dx) * (n - 1)
    oy = pad if dy >= 0 else pad + abs(dy) * (n - 1)
    return [big[oy + i * dy : oy + i * dy + H, ox + i * dx : ox + i * dx + W].copy() for i in range(n)]


def infill(first: np.ndarray, last: np.ndarray, n: int, *extra: Pin, action=Action.INFILL) -> Request:
    pins = (Pin(0, (first,), label="tail of Shot 1"), Pin(n - 1, (last,), label="head of Shot 2"), *extra)
    return Request(action, n, Fraction(24), W, H, context=pins)


def error(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.abs(a.astype(np.float32) - b.astype(np.float32)).mean())


def test_in_between_frames_follow_the_motion_far_better_than_a_cross_fade():
    n = 11
    truth = panning(n, dx=3)
    frames = InterpolateEngine().run(infill(truth[0], truth[-1], n), Hooks())
    assert len(frames) == n and all(f.shape == (H, W, 3) and f.dtype == np.uint8 for f in frames)
    # The known end frames come back exactly as given.
    assert np.array_equal(frames[0], truth[0]) and np.array_equal(frames[-1], truth[-1])
    for i in range(1, n - 1):
        t = i / (n - 1)
        fade = (truth[0] * (1 - t) + truth[-1] * t).astype(np.uint8)
        assert error(frames[i], truth[i]) < 2.0
        assert error(frames[i], truth[i]) < error(fade, truth[i]) / 5
    # Smooth: each step changes the picture about as much as the true motion does.
    steps = [error(frames[i], frames[i + 1]) for i in range(n - 1)]
    true_steps = [error(truth[i], truth[i + 1]) for i in range(n - 1)]
    assert max(steps) < 1.3 * max(true_steps)


def test_a_keyframe_inside_the_gap_is_honoured_and_the_motion_turns_there():
    # One scene: the camera pans right for frames 0..6, then down for frames 6..12.
    scene = texture(H + 40, W + 40, seed=3)
    truth = [scene[0:H, 3 * i : 3 * i + W].copy() for i in range(7)]
    truth += [scene[3 * i : 3 * i + H, 18 : 18 + W].copy() for i in range(1, 7)]
    key = Pin(6, (truth[6],), label="keyframe")
    frames = InterpolateEngine().run(infill(truth[0], truth[-1], 13, key), Hooks())
    assert np.array_equal(frames[6], truth[6])
    for i in (2, 3, 4, 8, 9, 10):
        assert error(frames[i], truth[i]) < 2.5, i


def test_an_object_crossing_a_still_background_leaves_no_double_image():
    gray = cv2.cvtColor(texture(H, W, seed=4), cv2.COLOR_RGB2GRAY)
    background = np.dstack([gray // 2 + 60] * 3)
    thing = texture(40, 48, seed=9)
    n, step = 9, 3

    def frame(i: int) -> np.ndarray:
        img = background.copy()
        img[36:76, 30 + step * i : 78 + step * i] = thing
        return img

    truth = [frame(i) for i in range(n)]
    middle = InterpolateEngine().run(infill(truth[0], truth[-1], n), Hooks())[4]
    fade = (truth[0] * 0.5 + truth[-1] * 0.5).astype(np.uint8)
    band = slice(36, 76)
    assert error(middle[band], truth[4][band]) < 3.0
    assert error(middle[band], truth[4][band]) < error(fade[band], truth[4][band]) / 4
    # Where the thing was at the start and where it will be at the end, the background shows
    # (a cross-fade leaves a half-transparent copy there).
    left, right = (band, slice(30, 30 + 4 * step)), (band, slice(78 + 4 * step, 78 + 8 * step))
    for part in (left, right):
        assert error(middle[part], background[part]) < error(fade[part], background[part]) / 2.5


def test_loop_joins_a_clip_s_tail_to_its_head():
    clip = panning(12, dx=2, seed=5)
    tail, head = clip[-2:], clip[:2]
    n = 10
    request = Request(
        Action.LOOP, n, Fraction(24), W, H,
        context=(Pin(0, tuple(tail), label="tail"), Pin(n - 2, tuple(head), label="head")),
    )
    frames = InterpolateEngine().run(request, Hooks())
    assert len(frames) == n
    assert np.array_equal(frames[0], tail[0]) and np.array_equal(frames[1], tail[1])
    assert np.array_equal(frames[-2], head[0]) and np.array_equal(frames[-1], head[1])
    # The made frames move from the tail's last frame towards the head's first, step by step.
    gaps = [error(frames[i], frames[1]) for i in range(2, n - 2)]
    assert gaps == sorted(gaps)


@pytest.mark.parametrize(
    "action", [Action.GENERATE, Action.ANIMATE, Action.EXTEND_FORWARD, Action.EXTEND_BACKWARD, Action.RESTYLE]
)
def test_actions_that_need_a_model_are_refused_with_the_way_out(action):
    engine = InterpolateEngine()
    reason = engine.supports(action)
    assert reason is not None and "needs a video model" in reason and "Settings > Models" in reason
    img = texture(H, W)
    request = Request(action, 9, Fraction(24), W, H, context=(Pin(0, (img,)),))
    with pytest.raises(EngineError, match="needs a video model"):
        engine.run(request, Hooks())
    assert engine.supports(Action.INFILL) is None and engine.supports(Action.LOOP) is None


def test_progress_previews_and_cancel():
    truth = panning(2, dx=2)
    reports: list[tuple[int, int]] = []
    previews: list[np.ndarray] = []
    hooks = Hooks(on_progress=lambda s, t, _sec: reports.append((s, t)), on_preview=previews.append, preview_every=2)
    frames = InterpolateEngine().run(infill(truth[0], truth[1], 12), hooks)
    assert len(frames) == 12
    assert reports == [(i, 10) for i in range(1, 11)]
    assert previews and all(p.shape == (H, W, 3) for p in previews)

    stop = Hooks(should_cancel=lambda: len(reports) >= 13)
    stop.on_progress = lambda s, t, _sec: reports.append((s, t))
    with pytest.raises(Cancelled):
        InterpolateEngine().run(infill(truth[0], truth[1], 12), stop)
    assert len(reports) == 13  # stopped within one frame of the cancel


def test_the_record_says_how_the_frames_were_made():
    truth = panning(2, dx=2)
    engine = InterpolateEngine()
    engine.run(infill(truth[0], truth[1], 5), Hooks())
    assert engine.last_parameters["engine"] == "interpolate" and engine.last_parameters["frames_made"] == 3
    assert not engine.needs_model and engine.limits.frame_step == 1


def test_the_runner_uses_it_as_the_built_in_model():
    from model.models import BUILTIN_INTERPOLATE
    from model.runner import Runner

    truth = panning(8, dx=2)
    result = Runner().run(BUILTIN_INTERPOLATE, infill(truth[0], truth[-1], 8))
    assert len(result.frames) == 8 and error(result.frames[4], truth[4]) < 2.0
    assert result.record["engine"] == "interpolate" and result.record["parameters"]["frames_made"] == 6


def test_two_frames_that_show_different_things_are_dissolved_not_smeared():
    a, b = texture(H, W, seed=1), texture(H, W, seed=2)
    engine = InterpolateEngine()
    frames = engine.run(infill(a, b, 9), Hooks())
    for i in range(1, 8):
        t = i / 8
        assert error(frames[i], cv2.addWeighted(a, 1 - t, b, t, 0)) < 1.0
    assert engine.last_parameters["dissolved"] == [[0, 8]]
