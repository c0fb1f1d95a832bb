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
