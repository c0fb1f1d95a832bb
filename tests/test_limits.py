"""The bounds in editor.document.limits: each refusal names its limit; values inside pass untouched."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest

from editor.document import limits
from editor.document.limits import LimitError


def test_fps_within_1_to_240_passes_and_outside_is_refused_with_the_limit():
    assert limits.check_fps(Fraction(30000, 1001)) == Fraction(30000, 1001)
    for bad in (Fraction(1, 1000000), Fraction(241), Fraction(0)):
        with pytest.raises(LimitError, match="1..240 fps"):
            limits.check_fps(bad)


def test_frame_sizes_up_to_8k_either_way_round():
    assert limits.check_size(7680, 4320) == (7680, 4320)
    assert limits.check_size(4320, 7680) == (4320, 7680)
    for w, h in ((7682, 4320), (100000, 100000), (4400, 4400), (8, 720)):
        with pytest.raises(LimitError, match="8K|under 16 px"):
            limits.check_size(w, h)


def test_seconds_are_finite_positive_and_at_most_a_day():
    assert limits.check_seconds(2.5, "--seconds") == 2.5
    for bad in (math.inf, math.nan, -1.0, 0.0, 1e9):
        with pytest.raises(LimitError, match="--seconds"):
            limits.check_seconds(bad, "--seconds")
    assert limits.check_seconds(0.0, "IN", allow_zero=True) == 0.0


def test_frames_bounded_by_the_project_length_at_the_fastest_rate():
    assert limits.check_frames(limits.MAX_FRAMES, "a start") == limits.MAX_FRAMES
    with pytest.raises(LimitError, match="24 h"):
        limits.check_frames(10**18, "a start")
    with pytest.raises(LimitError, match="about 10\\^"):
        limits.check_frames(10**5000, "a start")  # no str() of a 5000-digit int


def test_still_pixel_limit_is_named_in_the_message():
    limits.check_still_pixels(8000, 8000, "ok.png")
    with pytest.raises(LimitError, match="64 MP"):
        limits.check_still_pixels(13000, 13000, "big.png")


def test_json_values_that_would_not_save_are_found_without_recursion():
    deep: object = "leaf"
    for _ in range(5000):
        deep = {"a": [deep]}
    assert limits.json_depth_exceeds(deep)
    assert "deeper than 32" in limits.bad_json_value(deep)
    assert limits.bad_json_value({"a": [1, 2.5, "x", None, True, {"b": {}}]}) is None
    assert "finite" in limits.bad_json_value({"a": {"b": math.nan}})
    assert "a.b" in limits.bad_json_value({"a": {"b": math.inf}})
    assert "surrogate" in limits.bad_json_value({"name": "bad \udc80 text"})
    assert "too large" in limits.bad_json_value([2**64])
    assert "valid text" in limits.bad_json_value({"\ud800": 1})


def test_an_edit_cannot_move_a_clip_past_the_frame_limit():
    from editor.document.document import Document
    from editor.document.edits import EditRefused, MoveClips
    from editor.document.samples import sample_project

    doc = Document(sample_project(tracks=1, clips_per_track=1))
    clip = doc.project.tracks[0].clips[0]
    with pytest.raises(EditRefused, match="past frame"):
        doc.request(MoveClips(clip_ids=(clip.id,), delta=10**18))
    assert doc.project.tracks[0].clips[0].start < 10**6
