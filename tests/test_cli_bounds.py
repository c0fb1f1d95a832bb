"""Numbers on the command line: any text is a value inside Shotline's bounds or a one-line refusal.

`--still-seconds 1e9`, `--seconds inf`, `--range 0:1e400`, `--fps 1e-6`, `--size 100000x100000`
used to overflow, run for ever or reach ffmpeg ("-22"). The parsers are checked in-process with
hypothesis, and a few real runs check exit code 2 with nothing written.
"""

from __future__ import annotations

import math
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from editor.cli.common import UserError, parse_fps, parse_size, positive_seconds, seconds_value
from editor.cli.project_commands import _range_frames
from editor.document import limits
from editor.document.project import Clip, Project, Track

ROOT = Path(__file__).resolve().parents[1]

number_texts = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.floats(allow_nan=False, allow_infinity=False).map(lambda f: f"{f:.6g}"),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.sampled_from(["1e400", "-1e400", "inf", "-inf", "nan", "1e9", "1e-6", "1e999999999", "1" * 5000,
                     "30000/1001", "24/0", "0/1", "1/1000000", "29.97", "", " ", "x", "1_000", "٣"]),
    st.text(max_size=12),
)


def one_line(exc: BaseException) -> None:
    text = str(exc)
    # never the old fallback ("this is a bug"); the typed value itself may be any text
    assert text and "\n" not in text and "this is a bug" not in text.lower()


@settings(max_examples=300, deadline=None)
@given(text=number_texts)
def test_seconds_are_finite_positive_and_at_most_a_day_or_refused_in_one_line(text):
    try:
        value = positive_seconds(text, "--seconds")
    except UserError as exc:
        one_line(exc)
        return
    assert math.isfinite(value) and 0 < value <= limits.MAX_PROJECT_SECONDS


@settings(max_examples=300, deadline=None)
@given(text=number_texts)
def test_fps_is_within_1_to_240_or_refused_in_one_line(text):
    try:
        fps = parse_fps(text)
    except UserError as exc:
        one_line(exc)
        return
    assert isinstance(fps, Fraction) and limits.MIN_FPS <= fps <= limits.MAX_FPS


@settings(max_examples=300, deadline=None)
@given(w=number_texts, h=number_texts, sep=st.sampled_from(["x", "X", "*", ""]))
def test_size_fits_8k_or_is_refused_in_one_line(w, h, sep):
    try:
        width, height = parse_size(f"{w}{sep}{h}")
    except UserError as exc:
        one_line(exc)
        return
    assert limits.check_size(width, height) == (width, height) and width % 2 == 0 == height % 2


@settings(max_examples=300, deadline=None)
@given(a=number_texts, b=number_texts)
def test_a_range_is_inside_the_cut_or_refused_in_one_line(a, b):
    project = Project(fps=Fraction(24), tracks=[Track(id="t", name="V1", clips=[Clip(id="c", start=0, length=48)])])
    try:
        first, last = _range_frames(f"{a}:{b}", project)
    except UserError as exc:
        one_line(exc)
        return
    assert 0 <= first < last <= 48


def test_the_numbers_from_the_report_are_refused_naming_the_limit():
    for call, expected in [
        (lambda: positive_seconds("1e9", "--still-seconds"), "24 h"),
        (lambda: positive_seconds("inf", "--seconds"), "finite"),
        (lambda: parse_fps("1e-6"), "1..240 fps"),
        (lambda: parse_size("100000x100000"), "8K"),
        (lambda: seconds_value("1e400", "--range OUT", allow_zero=True), "finite"),
    ]:
        with pytest.raises(UserError, match=expected):
            call()
    assert parse_fps("29.97") == Fraction(30000, 1001)
    assert parse_size("4320x7680") == (4320, 7680)


@pytest.fixture
def still(tmp_path: Path) -> Path:
    path = tmp_path / "s.png"
    Image.new("RGB", (64, 48), (200, 10, 10)).save(path)
    return path


def shotline(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120)


@pytest.mark.parametrize("args, expected", [
    (["--still-seconds", "1e9"], "24 h"),
    (["--still-seconds", "inf"], "finite"),
    (["--fps", "1e-6"], "1..240 fps"),
    (["--size", "100000x100000"], "8K"),
])
def test_new_refuses_absurd_numbers_with_exit_2_and_writes_nothing(tmp_path, still, args, expected):
    done = shotline("new", "film", str(still), *args, cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    assert done.stderr.count("\n") == 1 and expected in done.stderr and done.stdout == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.png"]


def test_export_refuses_a_range_of_1e400_with_exit_2_and_writes_nothing(tmp_path, still):
    assert shotline("new", "film", str(still), "--still-seconds", "1", cwd=tmp_path).returncode == 0
    done = shotline("export", "film.shotline", "-o", "out.mp4", "--range", "0:1e400", cwd=tmp_path)
    assert done.returncode == 2 and done.stderr.count("\n") == 1 and "finite" in done.stderr
    assert not (tmp_path / "out.mp4").exists()
