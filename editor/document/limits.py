"""The bounds every number in Shotline lives within, in one place, each with the reason for it.

A project file, a command-line flag or a dropped image can carry any number: fps 1e400, a clip
starting at frame 1e18, a 100000x100000 frame, a still of 13000x13000 pixels. Outside these
bounds the editor would overflow, paint for ever, run out of memory or hand ffmpeg a value it
answers with "-22". So every entry point checks here first and refuses with a `LimitError`
whose message names the limit and says what to do.

Plain Python: no Qt, no media libraries; `editor/document`, `editor/media` and `editor/cli` all
use it. `LimitError` is a `ValueError` so callers that already turn `ValueError` into a user
message keep working; `editor.document.storage.ProjectError` and the CLI's `UserError` wrap it
where they need their own type.
"""

from __future__ import annotations

import math
from fractions import Fraction
from numbers import Real

# --- time ----------------------------------------------------------------------------------------

# A film, however long, is under a day; 24 h at 240 fps is 20.7 M frames, which every view,
# every int and every float (exact to 2**53) handles. Beyond that a timeline stops meaning anything
# and painting it overflows Qt's 32-bit coordinates.
MAX_PROJECT_SECONDS = 24 * 60 * 60

# Film is 24 fps, the fastest consumer cameras 240; a rate below 1 fps is a slide show that
# ffmpeg refuses ("-22") and a rate above 240 has no display to show it.
MIN_FPS = Fraction(1)
MAX_FPS = Fraction(240)
# A rate is "num/den"; 1001 (NTSC) is the largest denominator in use. A bigger one would make
# frame<->second arithmetic slow and the text unreadable.
MAX_FPS_DENOMINATOR = 1001 * 1000

# Frames on a timeline: the length limit at the fastest allowed rate. Clip starts, lengths,
# source offsets, keyframe frames and take lengths are all bounded by it.
MAX_FRAMES = MAX_PROJECT_SECONDS * int(MAX_FPS)

# --- pictures ------------------------------------------------------------------------------------

# 8K UHD either way round: the biggest frame an encoder, a GPU model or a monitor deals with.
MAX_FRAME_LONG_SIDE = 7680
MAX_FRAME_SHORT_SIDE = 4320
# Below 16 px an encoder refuses the frame and a model has nothing to draw.
MIN_FRAME_SIDE = 16

# A still of 64 megapixels (8K is 33 MP) decodes to 192 MB of RGB; bigger stills are scans or
# decompression bombs (a 13000x13000 PNG of 657 KB took 4.2 GB to open). Scale them down first.
MAX_STILL_PIXELS = 64_000_000

# --- data ----------------------------------------------------------------------------------------

# project.json and metadata dicts nest a few levels (project > tracks > clips > takes > record >
# context); 32 leaves room for any real record and stops a file of a few hundred levels before
# Python's recursion limit (and a thread's smaller stack) is reached.
MAX_JSON_DEPTH = 32

# project.json of a long film with every take's record is a few MB; a file far bigger is not a
# project, and reading it whole would only fill memory.
MAX_PROJECT_FILE_BYTES = 256 * 2**20

# Any other number in a project (a seed, a strength, a setting in a record) must survive a save:
# finite, and an int that JSON readers elsewhere (JavaScript, OpenTimelineIO) keep exact.
MAX_JSON_INT = 2**63 - 1


class LimitError(ValueError):
    """A value outside Shotline's bounds; the message names the limit and what to do."""


# --- checks --------------------------------------------------------------------------------------


def _hours(seconds: float) -> str:
    return f"{seconds / 3600:g} h"


def check_fps(fps: Fraction, what: str = "the frame rate") -> Fraction:
    """`fps` itself when it lies within MIN_FPS..MAX_FPS with a sane denominator."""
    fps = Fraction(fps)
    if not MIN_FPS <= fps <= MAX_FPS:
        raise LimitError(f"{what} {_fps_words(fps)} is outside {MIN_FPS}..{MAX_FPS} fps; use a rate "
                         "such as 24, 25, 30 or 30000/1001")
    if fps.denominator > MAX_FPS_DENOMINATOR:
        raise LimitError(f"{what} {_fps_words(fps)} has a denominator over {MAX_FPS_DENOMINATOR}; "
                         "use a rate such as 24, 25, 30 or 30000/1001")
    return fps


def _fps_words(fps: Fraction) -> str:
    text = f"{float(fps):.6g}" if fps.denominator != 1 else str(fps.numerator)
    return text if len(text) < 24 else text[:20] + "..."


def check_size(width: int, height: int, what: str = "the frame size") -> tuple[int, int]:
    """(width, height) when each side is 16 px or more and the frame fits 8K either way round."""
    long_side, short_side = max(width, height), min(width, height)
    if short_side < MIN_FRAME_SIDE:
        raise LimitError(f"{what} {width}x{height} has a side under {MIN_FRAME_SIDE} px; "
                         f"use at least {MIN_FRAME_SIDE}x{MIN_FRAME_SIDE}")
    if long_side > MAX_FRAME_LONG_SIDE or short_side > MAX_FRAME_SHORT_SIDE:
        raise LimitError(f"{what} {width}x{height} is larger than 8K ({MAX_FRAME_LONG_SIDE}x"
                         f"{MAX_FRAME_SHORT_SIDE} either way round); choose a smaller size")
    return width, height


def check_frames(value: int, what: str, *, minimum: int = 0) -> int:
    """An int frame number or count within minimum..MAX_FRAMES (24 h at the fastest rate)."""
    if not minimum <= value <= MAX_FRAMES:
        raise LimitError(f"{what} ({_short(value)}) is outside {minimum}..{MAX_FRAMES} frames "
                         f"(a project is at most {_hours(MAX_PROJECT_SECONDS)} long)")
    return value


def check_seconds(value: float, what: str, *, allow_zero: bool = False) -> float:
    """A finite number of seconds, more than 0 (or 0 when allowed), at most the project length."""
    if not isinstance(value, Real) or isinstance(value, bool) or not math.isfinite(value):
        raise LimitError(f"{what} must be a finite number of seconds, not {value!r}")
    if value < 0 or (value == 0 and not allow_zero):
        raise LimitError(f"{what} must be more than 0 seconds")
    if value > MAX_PROJECT_SECONDS:
        raise LimitError(f"{what} ({value:g} s) is longer than a project may be "
                         f"({_hours(MAX_PROJECT_SECONDS)} = {MAX_PROJECT_SECONDS} s); use a shorter time")
    return float(value)


def check_project_length(frames: int, fps: Fraction, what: str = "the project") -> int:
    """`frames` when that many frames at `fps` last at most MAX_PROJECT_SECONDS."""
    if frames < 0 or Fraction(frames) / Fraction(fps) > MAX_PROJECT_SECONDS:
        raise LimitError(f"{what} would last {_short(frames)} frames at {_fps_words(Fraction(fps))} fps, "
                         f"over the {_hours(MAX_PROJECT_SECONDS)} a project may last; shorten it")
    return frames


def check_still_pixels(width: int, height: int, name: str) -> None:
    """Refuse a still over MAX_STILL_PIXELS before it is decoded."""
    if width * height > MAX_STILL_PIXELS:
        raise LimitError(f"{name} is {width}x{height} pixels ({width * height / 1e6:.0f} MP), over Shotline's "
                         f"{MAX_STILL_PIXELS // 1_000_000} MP limit for stills; scale it down (8K is 33 MP) "
                         "and import it again")


def json_depth_exceeds(value: object, limit: int = MAX_JSON_DEPTH) -> bool:
    """True when dicts/lists nest deeper than `limit`; iterative, so it can't hit the recursion limit."""
    stack: list[tuple[object, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth + 1 > limit:
            return True
        stack.extend((c, depth + 1) for c in children)
    return False


def bad_json_value(value: object, limit: int = MAX_JSON_DEPTH) -> str | None:
    """Why `value` can't be saved and read back unchanged as JSON (None when it can).

    Catches what `json.dumps(allow_nan=False)` would refuse on save (NaN, inf) and what would
    not come back the same (ints beyond 64 bits, lone surrogates that can't be UTF-8 encoded,
    non-string keys), plus nesting deeper than `limit`. Iterative: no recursion limit.
    """
    stack: list[tuple[object, int, str]] = [(value, 0, "")]
    while stack:
        item, depth, where = stack.pop()
        if isinstance(item, bool) or item is None:
            continue
        if isinstance(item, float):
            if not math.isfinite(item):
                return f"{where or 'a value'} is {item!r}, not a finite number"
        elif isinstance(item, int):
            if abs(item) > MAX_JSON_INT:
                return f"{where or 'a value'} is a number too large to keep ({_short(item)})"
        elif isinstance(item, str):
            if not _encodable(item):
                return f"{where or 'a text'} holds a lone surrogate (text that is not valid Unicode)"
        elif isinstance(item, (dict, list)):
            if depth + 1 > limit:
                return f"{where or 'the data'} nests deeper than {limit} levels"
            if isinstance(item, dict):
                for k, v in item.items():
                    if not isinstance(k, str) or not _encodable(k):
                        return f"{where or 'the data'} has a key that is not valid text"
                    stack.append((v, depth + 1, f"{where}.{_short_key(k)}" if where else _short_key(k)))
            else:
                stack.extend((v, depth + 1, f"{where}[{i}]") for i, v in enumerate(item))
        else:
            return f"{where or 'a value'} is a {type(item).__name__}, which JSON can't hold"
    return None


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _short_key(key: str) -> str:
    return key if len(key) <= 30 else key[:27] + "..."


def _short(value: int | float) -> str:
    if isinstance(value, int) and abs(value) >= 10**24:
        # str() of a huge int is slow and, past 4300 digits, refused by Python itself
        return f"about 10^{int((abs(value).bit_length() - 1) * 0.30103)}"
    text = str(value)
    return text if len(text) <= 24 else f"{value:.3g}"

# --- sound ---------------------------------------------------------------------------------------

# A clip or track gain: -60 dB is as good as silent (mute is the way to silence), +24 dB lifts a
# whisper to speech; more only clips. Mixers (Kdenlive, Resolve) stop in the same range.
MIN_GAIN_DB = -60.0
MAX_GAIN_DB = 24.0


def check_gain_db(value: float, what: str) -> float:
    """A gain in dB within MIN_GAIN_DB..MAX_GAIN_DB (a real, finite number)."""
    if isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(float(value)):
        raise LimitError(f"{what} must be a number of dB from {MIN_GAIN_DB:g} to {MAX_GAIN_DB:g}, not {value!r}")
    if not MIN_GAIN_DB <= float(value) <= MAX_GAIN_DB:
        raise LimitError(f"{what} must be from {MIN_GAIN_DB:g} to {MAX_GAIN_DB:g} dB, not {float(value):g}")
    return float(value)
