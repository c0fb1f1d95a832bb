"""Long shots in overlapping windows, and the seams between them (colour match, cross-fade)."""

from __future__ import annotations

from fractions import Fraction

import cv2
import numpy as np
import pytest

from model.engines.base import EngineError, Hooks, Limits
from model.engines.interpolate import InterpolateEngine
from model.longshot import default_overlap, make_long_shot, plan_windows
from model.request import Action, Pin, Request
from model.seams import colour_stats, crossfade, match_to_context, seam_jump

W, H = 96, 64


def scene(n: int, dx: int = 2, seed: int = 0) -> list[np.ndarray]:
    """n frames of a slow pan over a picture with detail at every scale."""
    rng = np.random.default_rng(seed)
    width = W + dx * n + 8
    acc = np.zeros((H, width, 3), np.float32)
    for cell in (32, 16, 8, 4):
        base = rng.standard_normal((H // cell + 2, width // cell + 2, 3)).astype(np.float32)
        up = cv2.resize(base, (width + 2 * cell, H + 2 * cell), interpolation=cv2.INTER_CUBIC)
        acc += cell * up[cell : cell + H, cell : cell + width]
    big = np.clip((acc - acc.mean()) / acc.std() * 40 + 120, 0, 255).astype(np.uint8)
    return [big[:, i * dx : i * dx + W].copy() for i in range(n)]


def drift(frames: list[np.ndarray], *, gain: float = 1.15, shift=(18, -6, 10)) -> list[np.ndarray]:
    """The same frames with the colour drift a model shows from window to window."""
    out = []
    for f in frames:
        g = f.astype(np.float32) * gain + np.array(shift, np.float32)
        out.append(np.clip(g, 0, 255).astype(np.uint8))
    return out


def error(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.abs(a.astype(np.float32) - b.astype(np.float32)).mean())


# -- planning -------------------------------------------------------------------------------


@pytest.mark.parametrize("backward", [False, True])
@pytest.mark.parametrize(("num_frames", "window", "overlap", "step"), [(1441, 121, 25, 8), (200, 81, 17, 4), (50, 20, 5, 1)])
def test_windows_cover_the_shot_on_the_model_grid_and_overlap(num_frames, window, overlap, step, backward):
    limits = Limits(frame_step=step, max_frames=window)
    plan = plan_windows(num_frames, window, overlap, backward=backward, limits=limits)
    covered = np.zeros(num_frames, bool)
    for k, win in enumerate(plan):
        assert win.length <= window and (win.length - 1) % step == 0
        assert covered[win.start : win.end].sum() == win.overlap  # the overlap is exactly what was made
        if k:
            assert win.overlap >= overlap
        covered[win.start : win.end] = True
    assert covered.all()
    lead = plan[0]
    assert (lead.end == num_frames) if backward else (lead.start == 0)


def test_a_minute_at_24_fps_takes_fourteen_ltx_windows():
    plan = plan_windows(60 * 24 + 1, 121, 25, limits=Limits(frame_step=8, max_frames=121))
    assert len(plan) == 15 and plan[-1].end == 1441
    assert default_overlap(type("E", (), {"limits": Limits(frame_step=8, max_frames=121)})(), 121) == 25


# -- seams ----------------------------------------------------------------------------------


def test_a_colour_shifted_window_is_matched_back():
    truth = scene(24)
    shifted = drift(truth[12:])
    assert error(shifted[0], truth[12]) > 15
    # Matched on the frames each side of the seam (nearly, not exactly, the same content).
    matched = match_to_context(shifted, shifted[:4], truth[8:12])
    for m, t, s in zip(matched, truth[12:], shifted, strict=True):
        assert error(m, t) < min(6.0, error(s, t) / 3)
    # Matched on the same frames, the drift is undone almost exactly.
    exact = match_to_context(shifted, shifted, truth[12:])
    assert all(error(m, t) < 3.0 for m, t in zip(exact, truth[12:], strict=True))
    assert np.allclose(colour_stats(exact).mean, colour_stats(truth[12:]).mean, atol=1.0)


def test_no_visible_jump_where_a_drifted_window_meets_the_shot():
    truth = scene(24)
    context, new = truth[:12], drift(truth[12:])
    raw = context + new
    joined = context + match_to_context(new, new[:4], context[-4:])
    assert seam_jump(raw, 12) > 4  # unmatched, the seam is plain to see
    assert seam_jump(joined, 12) < 1.3  # matched, it changes no more than any other frame step


def test_a_cross_fade_hands_over_gradually():
    a = [np.full((H, W, 3), 100, np.uint8)] * 5
    b = [np.full((H, W, 3), 160, np.uint8)] * 5
    mixed = crossfade(a, b)
    levels = [int(f[0, 0, 0]) for f in mixed]
    assert levels == sorted(levels) and 100 < levels[0] and levels[-1] < 160
    assert max(np.diff([100, *levels, 160])) <= 11


# -- making a long shot -----------------------------------------------------------------------


def test_an_engine_that_cannot_continue_a_shot_says_how_long_a_shot_it_can_make():
    frames = scene(2)
    request = Request(
        Action.INFILL, 48, Fraction(24), W, H,
        context=(Pin(0, (frames[0],)), Pin(47, (frames[1],))),
    )
    with pytest.raises(EngineError, match=r"at most 20 frames \(0.8 s\).*choose a model that can extend"):
        make_long_shot(InterpolateEngine(), request, Hooks(), window=20)
    # Within one window the engine is used as it is.
    assert len(make_long_shot(InterpolateEngine(), request, Hooks())) == 48


# -- with a real model: the tiny random-weight LTX-Video pipeline -----------------------------


@pytest.fixture(scope="module")
def ltx(tiny_ltx_dir):
    from model.engines.registry import engine_for
    from model.models import inspect_model

    engine = engine_for(inspect_model(tiny_ltx_dir))
    engine.load()
    yield engine
    engine.unload()


def gradient_clip(n: int, size: int = 32) -> tuple[np.ndarray, ...]:
    y, x = np.mgrid[0:size, 0:size].astype(np.float32)
    return tuple(
        np.stack([127 + 120 * np.sin(x / size * 3 + i * 0.3), 127 + 120 * np.cos(y / size * 3 - i * 0.2),
                  np.full_like(x, 60 + 10 * i)], -1).astype(np.uint8)
        for i in range(n)
    )


def long_request(action: Action, n: int, context=()) -> Request:
    return Request(action, n, Fraction(24), 32, 32, prompt="a red cat runs", steps=2, context=tuple(context),
                   options={"max_sequence_length": 16})


def test_a_shot_four_windows_long_is_made_with_its_own_frames_kept(ltx):
    tail, key = gradient_clip(9), gradient_clip(20)[-1]
    request = long_request(Action.EXTEND_FORWARD, 41, [Pin(0, tail, label="tail of Shot 1"), Pin(30, (key,))])
    progress: list[tuple[int, int]] = []
    frames = make_long_shot(ltx, request, Hooks(on_progress=lambda s, t, _p: progress.append((s, t))),
                            window=17, overlap=9)
    assert len(frames) == 41 and all(f.shape == (32, 32, 3) and f.dtype == np.uint8 for f in frames)
    assert all(np.array_equal(a, b) for a, b in zip(frames[:9], tail, strict=True))
    assert np.array_equal(frames[30], key)
    windows = ltx.last_parameters["long_shot"]["windows"]
    assert windows == [[0, 17], [8, 25], [16, 33], [24, 41]]
    # Progress runs once over the whole shot, not once per window.
    assert progress == [(i, 8) for i in range(1, 9)]
    # No seam stands out: where a window's new frames begin, the picture changes no more than
    # between any two neighbouring frames the model made.
    diffs = [error(frames[i], frames[i + 1]) for i in range(40)]
    seams = [start + 9 - 1 for start, _ in windows[1:]]
    inside = [d for i, d in enumerate(diffs) if i >= 9 and i not in seams]
    assert max(diffs[i] for i in seams) <= 1.25 * float(np.median(inside))


def test_a_long_infill_joins_both_clips_and_ends_on_the_next_clip(ltx):
    before, after = gradient_clip(9), gradient_clip(18)[9:]
    request = long_request(Action.INFILL, 41, [Pin(0, before), Pin(32, after)])
    frames = make_long_shot(ltx, request, Hooks(), window=17, overlap=9)
    assert len(frames) == 41
    assert all(np.array_equal(a, b) for a, b in zip(frames[32:], after, strict=True))
    assert all(np.array_equal(a, b) for a, b in zip(frames[:9], before, strict=True))


def test_a_long_extend_backward_is_made_from_the_end(ltx):
    head = gradient_clip(9)
    request = long_request(Action.EXTEND_BACKWARD, 33, [Pin(24, head, label="head of Shot 2")])
    frames = make_long_shot(ltx, request, Hooks(), window=17, overlap=9)
    assert len(frames) == 33
    assert all(np.array_equal(a, b) for a, b in zip(frames[24:], head, strict=True))
    assert ltx.last_parameters["long_shot"]["windows"] == [[16, 33], [8, 25], [0, 17]]


def test_cancel_in_a_later_window_stops_the_whole_shot(ltx):
    from model.engines.base import Cancelled

    seen: list[int] = []
    hooks = Hooks(on_progress=lambda s, _t, _p: seen.append(s), should_cancel=lambda: len(seen) >= 3)
    with pytest.raises(Cancelled):
        make_long_shot(ltx, long_request(Action.GENERATE, 41), hooks, window=17, overlap=9)
    assert seen == [1, 2, 3]
