"""Timecode: one way of writing a frame as HH:MM:SS:FF, shared by every view and the CLI."""

from __future__ import annotations

from fractions import Fraction

from editor.document.timecode import duration_text, short_timecode, timecode


def test_timecode_counts_whole_frames_per_second_at_fractional_rates():
    # 23.976 counts 24 frames per timecode second (non-drop-frame), as editors display it
    assert timecode(24 * 3600 + 24 * 61 + 5, Fraction(24000, 1001)) == "01:01:01:05"
    assert timecode(29, Fraction(30000, 1001)) == "00:00:00:29"
    assert timecode(30, Fraction(30000, 1001)) == "00:00:01:00"


def test_frames_before_zero_carry_a_sign():
    assert timecode(-25, Fraction(24)) == "-00:00:01:01"


def test_short_timecode_and_duration_text():
    assert short_timecode(40, Fraction(24)) == "00:01:16"
    assert duration_text(96, Fraction(24)) == "4.0 s"
    assert duration_text(24 * 72 + 12, Fraction(24)) == "1 m 12.5 s"


def test_the_preview_uses_the_shared_timecode():
    # the preview panel once had its own copy that drifted (it hid the sign of negative frames)
    from editor.ui.player import preview

    assert preview.timecode is timecode
