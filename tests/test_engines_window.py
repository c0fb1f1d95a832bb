"""The window geometry every engine shares: grid snapping, letterbox, offsets, cutting back."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from test_engines_ltx import clip

from model.engines.base import EngineError, Limits
from model.engines.window import keep_known, plan_window
from model.request import Action, Pin, Request

LTX = Limits(frame_step=8, size_multiple=32, max_frames=257)


def request(n: int, w: int, h: int, context=(), action=Action.GENERATE) -> Request:
    return Request(action, n, Fraction(24), w, h, context=tuple(context))


def test_window_is_the_smallest_grid_clip_holding_the_request():
    w = plan_window(request(50, 1280, 720), LTX)
    assert (w.frames, w.width, w.height, w.offset) == (57, 1280, 736, 0)
    x, y, bw, bh = w.box  # the picture keeps its shape: 1280x720 fits 1280 wide, 720 high
    assert (bw, bh) == (1280, 720) and (x, y) == (0, 8)


def test_only_a_known_end_puts_the_request_at_the_end_of_the_window():
    c = clip(4, 64, 32)
    backward = plan_window(request(20, 64, 32, [Pin(16, c)], Action.EXTEND_BACKWARD), LTX)
    assert backward.frames == 25 and backward.offset == 5 and backward.position(16) == 21
    both = plan_window(request(20, 64, 32, [Pin(0, c[:2]), Pin(18, c[2:])], Action.INFILL), LTX)
    assert both.offset == 0


def test_letterbox_round_trip_keeps_the_picture():
    frame = clip(1, 50, 30)[0]
    w = plan_window(request(9, 50, 30), LTX)
    inside = w.to_window(frame)
    assert inside.shape == (32, 64, 3)
    back = w.from_window(inside)
    assert back.shape == (30, 50, 3) and np.abs(back.astype(int) - frame.astype(int)).mean() < 4
    # the fill mirrors the picture's edges instead of black bars
    x, y, bw, bh = w.box
    assert inside[:, :x].mean() > 20


def test_cut_takes_the_requests_frames_from_the_window():
    w = plan_window(request(10, 64, 32, [Pin(9, clip(1, 64, 32))], Action.EXTEND_BACKWARD), LTX)
    window_frames = [np.full((32, 64, 3), i, np.uint8) for i in range(w.frames)]
    out = w.cut(window_frames)
    assert len(out) == 10 and [int(f[0, 0, 0]) for f in out] == list(range(7, 17))
    with pytest.raises(EngineError, match="made 5 frames"):
        w.cut(window_frames[:5])


def test_requests_beyond_the_models_window_or_size_are_refused():
    with pytest.raises(EngineError, match="overlapping windows"):
        plan_window(request(300, 64, 32), LTX)
    with pytest.raises(EngineError, match="smaller size"):
        plan_window(request(9, 4000, 32), Limits(size_multiple=32, max_side=2048))


def test_keep_known_puts_back_only_full_strength_frames():
    c = clip(3, 16, 16)
    made = [np.zeros((16, 16, 3), np.uint8)] * 5
    req = request(5, 16, 16, [Pin(0, c[:2]), Pin(4, c[2:], strength=0.5)])
    out = keep_known(made, req)
    assert out[0] is c[0] and out[1] is c[1] and out[4] is made[4]
